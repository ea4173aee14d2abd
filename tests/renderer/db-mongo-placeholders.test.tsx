// @vitest-environment jsdom
/**
 * A MongoDB field can be one placeholder (issue #15): the db form takes `"{{input.body.orders}}"`
 * (a JSON string) for the documents of an insert, and the core stores it as the whole field.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
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

describe('the MongoDB form with a whole-field placeholder', () => {
  it('saves documents given as one placeholder in quotes, and refuses other text there', async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    await user.type(screen.getByLabelText('Name'), 'save orders');
    await user.type(screen.getByLabelText('Connection URI'), 'mongodb://127.0.0.1:27017');
    await user.type(screen.getByLabelText('Database'), 'shop');
    await user.type(screen.getByLabelText('Collection'), 'orders');
    await user.selectOptions(screen.getByLabelText('Action'), 'insert');
    const documents = screen.getByLabelText(/^Documents/);
    await user.type(documents, '"orders"');
    expect(documents).toHaveAccessibleDescription(/one placeholder in quotes/);
    await user.clear(documents);
    await user.type(documents, '"{{{{input.body.orders}}"');
    expect(documents).not.toHaveAccessibleDescription(/must be/);
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const [config] = await core.app.store.listConfigs();
    expect(config?.params).toMatchObject({ insert: { documents: '{{input.body.orders}}' } });
  });
});
