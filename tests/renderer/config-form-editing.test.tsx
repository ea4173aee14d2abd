// @vitest-environment jsdom
/**
 * Editing in the configuration form (issue #17): key/value tables for headers, query and
 * variables (rows added, removed, switched off, marked secret), the code fields' Format button
 * and their textarea stand-in where CodeMirror cannot lay out (jsdom), server errors that go when
 * their field changes, and the file fields the docs promise (maxBytes, CSV delimiter, multipart
 * upload, a relative path refused at save).
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigForm } from '../../src/renderer/src/components/ConfigForm';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

let core: CoreClient;
beforeEach(async () => {
  resetStores();
  core = await startCoreClient();
});
afterEach(async () => {
  cleanup();
  await core.close();
});

type User = ReturnType<typeof userEvent.setup>;

async function newApiConfig(user: User, name: string, url: string): Promise<void> {
  await user.type(screen.getByLabelText('Name'), name);
  await user.type(screen.getByLabelText(/^URL/), url);
}

async function addRow(user: User, table: string, noun: string, key: string, value: string) {
  await user.click(screen.getByRole('button', { name: `Add ${noun}` }));
  const rows = screen.getAllByLabelText(new RegExp(`^${table} name \\d+$`));
  const n = rows.length;
  await user.type(screen.getByLabelText(`${table} name ${n}`), key);
  await user.type(screen.getByLabelText(`${table} value ${n}`), value);
}

describe('key/value tables', () => {
  it('saves the header rows that are on, with the ones marked secret listed, and keeps a row switched off in the form only', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await newApiConfig(user, 'orders', 'http://127.0.0.1:9/orders');
    await addRow(user, 'Headers', 'header', 'Accept', 'application/json');
    await addRow(user, 'Headers', 'header', 'X-Token', 'hdr-secret');
    await addRow(user, 'Headers', 'header', 'X-Debug', '1');
    await user.click(screen.getByLabelText('Secret Headers X-Token'));
    expect(screen.getByLabelText('Headers value 2')).toHaveAttribute('type', 'password');
    await user.click(screen.getByLabelText('Send Headers X-Debug'));
    await addRow(user, 'Query parameters', 'parameter', 'page', '2');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toEqual({
      url: 'http://127.0.0.1:9/orders',
      headers: { Accept: 'application/json', 'X-Token': 'hdr-secret' },
      secretHeaders: ['X-Token'],
      query: { page: '2' },
    });
    expect(screen.getByLabelText('Headers name 3')).toHaveValue('X-Debug');
    expect(screen.getByLabelText('Send Headers X-Debug')).not.toBeChecked();
  });

  it('keeps a secret mark through a rename and a row switched off and on, and drops it with the row', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await newApiConfig(user, 'vars', 'http://127.0.0.1:9/{{{{path}}');
    await addRow(user, 'Variables', 'variable', 'path', 'orders');
    await addRow(user, 'Variables', 'variable', 'tok', 'var-secret');
    await user.click(screen.getByLabelText('Secret Variables tok'));
    await user.type(screen.getByLabelText('Variables name 2'), 'en');
    expect(screen.getByLabelText('Secret Variables token')).toBeChecked();
    await user.click(screen.getByLabelText('Send Variables token'));
    await user.click(screen.getByLabelText('Send Variables token'));
    expect(screen.getByLabelText('Secret Variables token')).toBeChecked();
    await addRow(user, 'Variables', 'variable', 'gone', 'x');
    await user.click(screen.getByLabelText('Secret Variables gone'));
    await user.click(screen.getByRole('button', { name: 'Remove gone' }));
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toMatchObject({
      variables: { path: 'orders', token: 'var-secret' },
      secretVariables: ['token'],
    });
  });

  it('shows JSON typed in the raw field as rows, and refuses the table while the JSON is not an object of strings', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await user.click(screen.getByRole('button', { name: 'Edit Headers as JSON' }));
    await user.type(screen.getByLabelText('Headers (JSON object)'), '{{"A": 1}');
    expect(screen.getByRole('button', { name: 'Edit Headers as a table' })).toBeDisabled();
    await user.clear(screen.getByLabelText('Headers (JSON object)'));
    await user.type(screen.getByLabelText('Headers (JSON object)'), '{{"A": "1", "B": "2"}');
    await user.click(screen.getByRole('button', { name: 'Edit Headers as a table' }));
    expect(screen.getByLabelText('Headers name 2')).toHaveValue('B');
    expect(screen.getByLabelText('Headers value 2')).toHaveValue('2');
  });
});

describe('code fields', () => {
  it('formats a JSON body, and offers no formatting while it does not parse', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    const body = screen.getByLabelText('Body (JSON)');
    const format = within(body.closest('.field')!).getByRole('button', { name: 'Format' });
    // jsdom has no layout: the labelled textarea stands in for CodeMirror.
    expect(body.tagName).toBe('TEXTAREA');
    await user.type(body, '{{"a":[[1,2]');
    expect(format).toBeDisabled();
    await user.type(body, '}');
    await user.click(format);
    expect(body).toHaveValue('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(format).toBeDisabled();
  });
});

describe('server errors', () => {
  it('clears the error at the field and above the buttons once the field changes', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await newApiConfig(user, 'typo', 'not a url');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() =>
      expect(screen.getByLabelText(/^URL/)).toHaveAccessibleDescription(/must start with http/),
    );
    // The banner says only what no field says; no method name reaches the user.
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts).toContain('Fix the highlighted field; nothing was saved.');
    expect(alerts.join(' ')).not.toMatch(/configs\.save/);
    await user.clear(screen.getByLabelText(/^URL/));
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/');
    expect(screen.getByLabelText(/^URL/)).not.toHaveAccessibleDescription(/must start with/);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('file fields', () => {
  async function newFileConfig(user: User, location: string): Promise<void> {
    await user.selectOptions(screen.getByLabelText('Type'), 'file');
    await user.type(screen.getByLabelText('Name'), 'export');
    await user.type(screen.getByLabelText('Path or URL'), location);
  }

  it('saves maxBytes, the CSV delimiter, a multipart upload and headers', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await newFileConfig(user, 'https://files.example.test/upload');
    await user.selectOptions(screen.getByLabelText('Format'), 'csv');
    await user.type(screen.getByLabelText('Content to write'), '[[{{"a": "1"}]');
    await user.selectOptions(screen.getByLabelText('CSV delimiter'), 'semicolon ;');
    await user.type(screen.getByLabelText('Largest file to read (bytes)'), '2048');
    await user.selectOptions(screen.getByLabelText('Upload as (URLs)'), 'multipart/form-data');
    await addRow(user, 'Headers', 'header', 'X-Token', 't');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toEqual({
      location: 'https://files.example.test/upload',
      format: 'csv',
      content: [{ a: '1' }],
      csvDelimiter: ';',
      maxBytes: 2048,
      uploadAs: 'multipart',
      headers: { 'X-Token': 't' },
    });
  });

  it('flags a maxBytes that is not a number at the field', async () => {
    const user = userEvent.setup();
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await newFileConfig(user, '/data/out.txt');
    await user.type(screen.getByLabelText('Largest file to read (bytes)'), 'lots');
    expect(screen.getByLabelText('Largest file to read (bytes)')).toHaveAccessibleDescription(
      /must be a number/,
    );
  });

  it('flags a relative path as you type and saves nothing', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await newFileConfig(user, 'reports/out.txt');
    expect(screen.getByLabelText('Path or URL')).toHaveAccessibleDescription(
      /"reports\/out\.txt" is a relative path; give an absolute path/,
    );
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText(/Fix the 1 highlighted field; nothing was saved/)).toBeInTheDocument();
    expect(onSaved).not.toHaveBeenCalled();
    expect(await core.app.store.listConfigs()).toHaveLength(0);
  });

  it.skipIf(process.platform === 'win32')(
    "shows the service's refusal of a path that is not absolute on its platform at the location",
    async () => {
      const user = userEvent.setup();
      const onSaved = vi.fn();
      render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
      // A Windows path passes the browser's check; the service here runs on Linux.
      await newFileConfig(user, 'C:\\data\\out.txt');
      await user.click(screen.getByRole('button', { name: 'Save configuration' }));
      await waitFor(() =>
        expect(screen.getByLabelText('Path or URL')).toHaveAccessibleDescription(
          /location "C:\\data\\out\.txt" is a relative path; give an absolute path/,
        ),
      );
      expect(onSaved).not.toHaveBeenCalled();
      expect(await core.app.store.listConfigs()).toHaveLength(0);
    },
  );
});
