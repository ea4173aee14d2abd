// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigForm } from '../../src/renderer/src/components/ConfigForm';
import { REDACTED } from '../../src/shared/domain';
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

const params = {
  url: 'http://127.0.0.1:9/{{path}}',
  headers: { 'X-Token': 'hdr-secret', Accept: 'application/json' },
  query: { key: 'qry-secret', page: '1' },
  variables: { tok: 'var-secret', path: 'orders' },
  secretVariables: ['tok'],
  secretHeaders: ['X-Token'],
  secretQuery: ['key'],
};

/** Headers, query and variables are tables; their raw JSON field is one click away. */
async function editAsJson(user: ReturnType<typeof userEvent.setup>): Promise<void> {
  for (const table of ['Headers', 'Query parameters', 'Variables'])
    await user.click(screen.getByRole('button', { name: `Edit ${table} as JSON` }));
}

const jsonOf = (label: string): unknown =>
  JSON.parse((screen.getByLabelText(label) as HTMLTextAreaElement).value);

describe('ConfigForm secrets the user marks', () => {
  it('marks a variable, a header and a query key secret and saves the lists with the configuration', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'marked');
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/{{{{path}}');
    await editAsJson(user);
    await user.type(
      screen.getByLabelText('Headers (JSON object)'),
      '{{"X-Token": "hdr-secret", "Accept": "application/json"}',
    );
    await user.type(screen.getByLabelText('Secret headers'), 'X-Token');
    await user.type(
      screen.getByLabelText('Query parameters (JSON object)'),
      '{{"key": "qry-secret", "page": "1"}',
    );
    await user.type(screen.getByLabelText('Secret query parameters'), 'key');
    await user.type(
      screen.getByLabelText('Variables (JSON object)'),
      '{{"tok": "var-secret", "path": "orders"}',
    );
    await user.type(screen.getByLabelText('Secret variables'), 'tok');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [stored] = await core.app.store.listConfigs();
    expect(stored?.params).toEqual(params);
    // What the form gets back from the core is redacted.
    expect(JSON.stringify(onSaved.mock.calls[0]![0])).not.toMatch(
      /hdr-secret|qry-secret|var-secret/,
    );
  });

  it('shows marked values as •••••• after save, reveals them on request and keeps them when saved back masked', async () => {
    const user = userEvent.setup();
    const saved = await core.app.core.call('configs.save', {
      config: { name: 'marked', type: 'api', params },
    });
    const listed = await core.app.core.call('configs.get', { id: saved.id });
    const onSaved = vi.fn();
    render(<ConfigForm config={listed} onSaved={onSaved} onCancel={() => undefined} />);
    await editAsJson(user);
    expect(jsonOf('Variables (JSON object)')).toEqual({ tok: REDACTED, path: 'orders' });
    expect(jsonOf('Headers (JSON object)')).toEqual({
      'X-Token': REDACTED,
      Accept: 'application/json',
    });
    expect(jsonOf('Query parameters (JSON object)')).toEqual({ key: REDACTED, page: '1' });
    expect(screen.getByLabelText('Secret variables')).toHaveValue('tok');

    await user.click(screen.getByRole('button', { name: 'Reveal secrets' }));
    await waitFor(() =>
      expect(jsonOf('Variables (JSON object)')).toEqual({ tok: 'var-secret', path: 'orders' }),
    );
    expect(jsonOf('Headers (JSON object)')).toMatchObject({ 'X-Token': 'hdr-secret' });
    expect(jsonOf('Query parameters (JSON object)')).toMatchObject({ key: 'qry-secret' });
    cleanup();

    // Saved back as shown (masked), every stored value is kept.
    render(<ConfigForm config={listed} onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), ' 2');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const after = await core.app.store.getConfig(saved.id);
    expect(after?.name).toBe('marked 2');
    expect(after?.params).toEqual(params);
  });

  it('flags a secret name that its map does not have at the field and saves nothing', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'typo');
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/');
    await editAsJson(user);
    await user.type(screen.getByLabelText('Variables (JSON object)'), '{{"tok": "v"}');
    await user.type(screen.getByLabelText('Secret variables'), 'tokk');
    expect(screen.getByLabelText('Secret variables')).toHaveAccessibleDescription(
      /"tokk" is not in variables/,
    );
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(onSaved).not.toHaveBeenCalled();
    expect(await core.app.core.call('configs.list', {})).toHaveLength(0);
  });
});
