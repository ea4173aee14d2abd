// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleEvent } from '../../src/renderer/src/hooks/useEvents';
import { ConfigsScreen } from '../../src/renderer/src/screens/ConfigsScreen';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('ConfigsScreen', () => {
  let core: CoreClient;
  let unsubscribe: () => void;
  let dbConfigId: string;
  beforeEach(async () => {
    resetStores();
    core = await startCoreClient();
    unsubscribe = core.client.subscribe(handleEvent);
    const api = await core.app.core.call('configs.save', {
      config: { name: 'orders api', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const db = await core.app.core.call('configs.save', {
      config: {
        name: 'orders db',
        type: 'db',
        params: { uri: 'mongodb://127.0.0.1', database: 'd', collection: 'c', find: {} },
      },
    });
    dbConfigId = db.id;
    await core.app.core.call('tasks.save', {
      task: { name: 'pull orders', type: 'api', operation: 'read', configId: api.id },
    });
    await Promise.all([
      useTasks.getState().load(),
      useSchedules.getState().load(),
      useConfigs.getState().load(),
    ]);
  });
  afterEach(async () => {
    cleanup();
    unsubscribe();
    await core.close();
  });

  const row = (name: string): HTMLElement =>
    screen.getByRole('row', { name: new RegExp(`^${name}`) });

  /** The Delete item of a row's overflow menu (opened if it is not). */
  const deleteItem = (name: string): HTMLElement => {
    const more = screen.getByRole('button', { name: `More actions for ${name}` });
    if (more.getAttribute('aria-expanded') !== 'true') fireEvent.click(more);
    const menu = screen.getByRole('menu', { name: `More actions for ${name}` });
    return within(menu).getByRole('menuitem', { name: 'Delete' });
  };

  it('keeps a configuration in use, with Delete disabled, while the tasks list is filtered to another type', async () => {
    render(<ConfigsScreen />);
    await waitFor(() =>
      expect(within(row('orders api')).getByText('tasks: pull orders')).toBeInTheDocument(),
    );

    await useTasks.getState().setFilter({ type: 'db' });
    expect(useTasks.getState().items).toEqual([]);

    await waitFor(() =>
      expect(within(row('orders api')).getByText('tasks: pull orders')).toBeInTheDocument(),
    );
    expect(deleteItem('orders api')).toHaveAttribute('aria-disabled', 'true');
    expect(deleteItem('orders api')).toHaveAccessibleDescription(
      'In use: change or delete the tasks and schedule entries that use it first.',
    );
    expect(within(row('orders db')).getByText('unused')).toBeInTheDocument();
    expect(deleteItem('orders db')).not.toHaveAttribute('aria-disabled');
    expect(screen.getByRole('button', { name: 'Delete all unused (1)' })).toBeEnabled();
  });

  it('shows a configuration as used once a task elsewhere starts using it', async () => {
    render(<ConfigsScreen />);
    await screen.findByRole('button', { name: 'More actions for orders db' });
    expect(deleteItem('orders db')).not.toHaveAttribute('aria-disabled');

    await core.app.core.call('tasks.save', {
      task: { name: 'count orders', type: 'db', operation: 'read', configId: dbConfigId },
    });

    await waitFor(() => expect(deleteItem('orders db')).toHaveAttribute('aria-disabled', 'true'));
    expect(within(row('orders db')).getByText('tasks: count orders')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete all unused (0)' })).toBeDisabled();
  });
});
