// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigForm } from '../../src/renderer/src/components/ConfigForm';
import { REDACTED, type Configuration } from '../../src/shared/domain';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

// One real core (memory store) per test, shared by every describe below.
let core: CoreClient;
beforeEach(async () => {
  resetStores();
  core = await startCoreClient();
});
afterEach(async () => {
  cleanup();
  await core.close();
});
const stored = (): Promise<Configuration[]> => core.app.core.call('configs.list', {});
/** Headers, query and variables are tables; their raw JSON field is one click away. */
const editAsJson = (user: ReturnType<typeof userEvent.setup>, table: string): Promise<void> =>
  user.click(screen.getByRole('button', { name: `Edit ${table} as JSON` }));

describe('ConfigForm', () => {
  it('shows field errors as you type and saves nothing while the form is invalid', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'x');
    await user.clear(screen.getByLabelText('Name'));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('must not be empty');
    await editAsJson(user, 'Headers');
    await user.type(screen.getByLabelText('Headers (JSON object)'), '{{"a": 1');
    expect(screen.getByLabelText('Headers (JSON object)')).toHaveAccessibleDescription(
      /is not valid JSON/,
    );
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText(/nothing was saved/)).toBeInTheDocument();
    expect(screen.getByLabelText('URL')).toHaveAccessibleDescription(/must not be empty/);
    expect(onSaved).not.toHaveBeenCalled();
    expect(await stored()).toHaveLength(0);
  });

  it('rejects headers that are JSON but not an object', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await editAsJson(user, 'Headers');
    await user.type(screen.getByLabelText('Headers (JSON object)'), '[[1]');
    expect(screen.getByLabelText('Headers (JSON object)')).toHaveAccessibleDescription(
      /must be a JSON object/,
    );
  });

  it('shows the server error next to the URL field when the core rejects it', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'bad url');
    await user.type(screen.getByLabelText(/^URL/), 'example.com/no-scheme');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() =>
      expect(screen.getByLabelText(/^URL/)).toHaveAccessibleDescription(/must start with http/),
    );
    expect(await stored()).toHaveLength(0);
  });

  it('saves a valid api configuration with headers and a bearer token', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'orders');
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/orders');
    await editAsJson(user, 'Headers');
    await user.type(
      screen.getByLabelText('Headers (JSON object)'),
      '{{"Accept": "application/json"}',
    );
    await user.selectOptions(screen.getByLabelText('Authentication'), 'bearer');
    await user.type(screen.getByLabelText('Bearer token'), 's3cret');
    expect(screen.getByLabelText('Bearer token')).toHaveAttribute('type', 'password');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toEqual({
      url: 'http://127.0.0.1:9/orders',
      headers: { Accept: 'application/json' },
      auth: { kind: 'bearer', token: 's3cret' },
    });
  });

  it('reveals a stored secret on request and keeps it when saved back masked', async () => {
    const user = userEvent.setup();
    const saved = await core.app.core.call('configs.save', {
      config: {
        name: 'c',
        type: 'api',
        params: { url: 'http://127.0.0.1:9/', auth: { kind: 'bearer', token: 'tok-1' } },
      },
    });
    const listed = await core.app.core.call('configs.get', { id: saved.id });
    const onSaved = vi.fn();
    render(<ConfigForm config={listed} onSaved={onSaved} onCancel={() => undefined} />);
    expect(screen.getByLabelText('Bearer token')).toHaveValue(REDACTED);
    await user.click(screen.getByRole('button', { name: 'Reveal secrets' }));
    await waitFor(() => expect(screen.getByLabelText('Bearer token')).toHaveValue('tok-1'));
    expect(screen.getByLabelText('Bearer token')).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Hide secrets' }));
    expect(screen.getByLabelText('Bearer token')).toHaveAttribute('type', 'password');
    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'renamed');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const after = await core.app.store.getConfig(saved.id);
    expect(after?.name).toBe('renamed');
    expect(after?.params).toMatchObject({ auth: { kind: 'bearer', token: 'tok-1' } });
  });

  it('builds a db find from Extended JSON and flags bad JSON in the filter', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    await user.type(screen.getByLabelText('Name'), 'open orders');
    await user.type(screen.getByLabelText('Connection URI'), 'ftp://x');
    expect(screen.getByLabelText('Connection URI')).toHaveAccessibleDescription(
      /uses the scheme "ftp:", which no db engine has/,
    );
    await user.clear(screen.getByLabelText('Connection URI'));
    await user.type(screen.getByLabelText('Connection URI'), 'mongodb://127.0.0.1:27017');
    await user.type(screen.getByLabelText('Database'), 'shop');
    await user.type(screen.getByLabelText('Collection'), 'orders');
    await user.type(screen.getByLabelText('Filter (Extended JSON)'), '{{"status": ');
    expect(screen.getByLabelText('Filter (Extended JSON)')).toHaveAccessibleDescription(
      /not valid JSON/,
    );
    await user.type(
      screen.getByLabelText('Filter (Extended JSON)'),
      '"open", "_id": {{"$oid": "65a1b2c3d4e5f6a7b8c9d0e1"}}',
    );
    await user.type(screen.getByLabelText('Limit'), '5');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toMatchObject({
      database: 'shop',
      find: { filter: { status: 'open', _id: { $oid: '65a1b2c3d4e5f6a7b8c9d0e1' } }, limit: 5 },
    });
  });

  it('offers a text field for the file location in the browser (no native picker)', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await user.selectOptions(screen.getByLabelText('Type'), 'file');
    expect(screen.getByLabelText('Path or URL')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Choose file…' })).not.toBeInTheDocument();
  });

  it('test-runs a configuration without saving and shows the result', async () => {
    await core.close();
    core = await startCoreClient({
      api: {
        type: 'api',
        execute: async () => ({ result: { summary: 'HTTP 200', data: [{ id: 1, name: 'a' }] } }),
      },
    });
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'probe');
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/');
    await user.click(screen.getByRole('button', { name: 'Test' }));
    const result = await screen.findByRole('region', { name: 'Test result' });
    expect(result).toHaveTextContent('succeeded');
    expect(screen.getByRole('table', { name: 'Result table' })).toHaveTextContent('name');
    expect(await stored()).toHaveLength(0);
    const runs = await core.app.core.call('runs.list', {});
    expect(runs.items[0]?.trigger.kind).toBe('test');
  });
});

describe('ConfigForm keeps what it has no field for', () => {
  it('saves params it has no field for (maxResponseBytes) back unchanged', async () => {
    const user = userEvent.setup();
    const saved = await core.app.core.call('configs.save', {
      config: {
        name: 'vars',
        type: 'api',
        params: {
          url: 'http://127.0.0.1:9/{{path}}',
          variables: { path: 'x' },
          maxResponseBytes: 1000,
        },
      },
    });
    const onSaved = vi.fn();
    render(<ConfigForm config={saved} onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), '2');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect((await core.app.store.getConfig(saved.id))?.params).toEqual({
      url: 'http://127.0.0.1:9/{{path}}',
      variables: { path: 'x' },
      maxResponseBytes: 1000,
    });
  });
});

describe('ConfigForm placeholder fields', () => {
  it('saves a file configuration with its variables and allowed env vars in params', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.selectOptions(screen.getByLabelText('Type'), 'file');
    await user.type(screen.getByLabelText('Name'), 'daily report');
    await user.type(screen.getByLabelText('Path or URL'), '/data/{{{{day}}.txt');
    await editAsJson(user, 'Variables');
    await user.type(screen.getByLabelText('Variables (JSON object)'), '{{"day": "mon"}');
    // Commas and whitespace both separate names.
    await user.type(screen.getByLabelText('Allowed env vars'), 'API_TOKEN,  BASE_URL HOME');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toEqual({
      location: '/data/{{day}}.txt',
      variables: { day: 'mon' },
      allowEnv: ['API_TOKEN', 'BASE_URL', 'HOME'],
    });
  });

  it('leaves variables and allowEnv out of params when their fields are blank or {}', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'plain');
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/');
    await editAsJson(user, 'Variables');
    await user.type(screen.getByLabelText('Variables (JSON object)'), '{{}');
    await user.type(screen.getByLabelText('Allowed env vars'), ' , ');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toEqual({ url: 'http://127.0.0.1:9/' });
  });

  it('shows the variables and allowed env vars of an api configuration and saves them unchanged', async () => {
    const user = userEvent.setup();
    const params = {
      url: 'http://127.0.0.1:9/{{path}}?k={{env.API_TOKEN}}',
      variables: { path: 'orders', region: 'eu-west' },
      allowEnv: ['API_TOKEN', 'BASE_URL'],
    };
    const saved = await core.app.core.call('configs.save', {
      config: { name: 'placeholders', type: 'api', params },
    });
    const onSaved = vi.fn();
    render(<ConfigForm config={saved} onSaved={onSaved} onCancel={() => undefined} />);
    // Shown as rows of the Variables table.
    expect(screen.getByLabelText('Variables name 1')).toHaveValue('path');
    expect(screen.getByLabelText('Variables value 1')).toHaveValue('orders');
    expect(screen.getByLabelText('Variables name 2')).toHaveValue('region');
    expect(screen.getByLabelText('Variables value 2')).toHaveValue('eu-west');
    expect(screen.getByLabelText('Allowed env vars')).toHaveValue('API_TOKEN, BASE_URL');
    await user.type(screen.getByLabelText('Name'), ' v2');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const after = await core.app.store.getConfig(saved.id);
    expect(after?.name).toBe('placeholders v2');
    expect(after?.params).toEqual(params);
  });

  it('shows no placeholder fields for a db configuration', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    expect(screen.getByRole('table', { name: 'Variables' })).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    expect(screen.queryByRole('table', { name: 'Variables' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Allowed env vars')).not.toBeInTheDocument();
  });

  it('flags bad JSON in Variables at the field and saves nothing', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.selectOptions(screen.getByLabelText('Type'), 'file');
    await user.type(screen.getByLabelText('Name'), 'bad vars');
    await user.type(screen.getByLabelText('Path or URL'), '/data/{{{{day}}.txt');
    await editAsJson(user, 'Variables');
    await user.type(screen.getByLabelText('Variables (JSON object)'), '{{"day": ');
    expect(screen.getByLabelText('Variables (JSON object)')).toHaveAccessibleDescription(
      /is not valid JSON/,
    );
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText(/Fix the 1 highlighted field; nothing was saved/)).toBeInTheDocument();
    expect(onSaved).not.toHaveBeenCalled();
    expect(await stored()).toHaveLength(0);
  });

  it('flags Variables that are not a JSON object of strings at the field', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    const field = (): HTMLElement => screen.getByLabelText('Variables (JSON object)');
    await editAsJson(user, 'Variables');
    await user.type(field(), '[["day"]');
    expect(field()).toHaveAccessibleDescription(/must be a JSON object/);
    await user.clear(field());
    await user.type(field(), '{{"day": 1}');
    expect(field()).toHaveAccessibleDescription(/must be text/);
  });

  it('flags a bad env var name at the field with the schema message and saves nothing', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'bad env');
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/{{{{env.API_TOKEN}}');
    await user.type(screen.getByLabelText('Allowed env vars'), 'API_TOKEN, NOT-A-NAME');
    expect(screen.getByLabelText('Allowed env vars')).toHaveAccessibleDescription(
      /must be a variable name/,
    );
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText(/Fix the 1 highlighted field; nothing was saved/)).toBeInTheDocument();
    expect(onSaved).not.toHaveBeenCalled();
    expect(await stored()).toHaveLength(0);
  });
});
