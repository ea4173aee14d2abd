// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskForm } from '../../src/renderer/src/screens/TaskForm';
import { TasksScreen } from '../../src/renderer/src/screens/TasksScreen';
import { handleEvent } from '../../src/renderer/src/hooks/useEvents';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';
import { chooseRowAction } from './support/row-menu';

describe('TaskForm and TasksScreen', () => {
  let core: CoreClient;
  let release: () => void = () => undefined;
  let unsubscribe: () => void;
  beforeEach(async () => {
    resetStores();
    const gate = new Promise<void>((r) => (release = r));
    core = await startCoreClient({
      api: {
        type: 'api',
        execute: async () => {
          await gate;
          return { result: { summary: 'HTTP 200', data: { ok: true } } };
        },
      },
    });
    unsubscribe = core.client.subscribe(handleEvent);
    await core.app.core.call('configs.save', {
      config: { name: 'orders api', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    await core.app.core.call('configs.save', {
      config: {
        name: 'orders db',
        type: 'db',
        params: { uri: 'mongodb://127.0.0.1', database: 'd', collection: 'c', find: {} },
      },
    });
    await useConfigs.getState().load();
  });
  afterEach(async () => {
    cleanup();
    unsubscribe();
    release();
    await core.close();
  });

  it('needs a name and a configuration and saves nothing until given them', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    render(<TaskForm onDone={onDone} />);
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('must not be empty');
    expect(screen.getByLabelText('Configuration')).toHaveAccessibleDescription(
      'pick a configuration',
    );
    expect(onDone).not.toHaveBeenCalled();
    expect(await core.app.store.listTasks()).toHaveLength(0);
  });

  it('offers only configurations of the chosen type', async () => {
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    const select = screen.getByLabelText('Configuration');
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['choose…', 'orders api']);
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['choose…', 'orders db']);
  });

  it('rejects a timeout that is not a whole positive number', async () => {
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    await user.type(screen.getByLabelText('Timeout (ms)'), '-5');
    expect(screen.getByLabelText('Timeout (ms)')).toHaveAccessibleDescription('must be at least 1');
    await user.clear(screen.getByLabelText('Timeout (ms)'));
    await user.type(screen.getByLabelText('Timeout (ms)'), 'soon');
    expect(screen.getByLabelText('Timeout (ms)')).toHaveAccessibleDescription('must be a number');
  });

  it('shows the server error next to the configuration when the operation does not fit', async () => {
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'write orders');
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    await user.selectOptions(screen.getByLabelText('Operation'), 'write');
    await user.selectOptions(screen.getByLabelText('Configuration'), 'orders db');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Configuration')).toHaveAccessibleDescription(
        /has no write action/,
      ),
    );
    expect(await core.app.store.listTasks()).toHaveLength(0);
  });

  it('creates a task, runs it and shows running then the result live', async () => {
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'ping');
    await user.selectOptions(screen.getByLabelText('Configuration'), 'orders api');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(useTasks.getState().items).toHaveLength(1));
    cleanup();
    useTasks.setState({ status: 'ready' });
    render(<TasksScreen />);
    const row = screen.getByRole('row', { name: /ping/ });
    expect(within(row).getByText('never ran')).toBeInTheDocument();
    await user.click(within(row).getByRole('button', { name: 'Run ping now' }));
    await waitFor(() => expect(within(row).getByText('running')).toBeInTheDocument());
    release();
    await waitFor(() => expect(within(row).getByText('succeeded')).toBeInTheDocument());
  });

  it('says what else goes before deleting a task', async () => {
    const user = userEvent.setup();
    const config = useConfigs.getState().items.find((c) => c.type === 'api')!;
    const task = await useTasks
      .getState()
      .save({ name: 'doomed', type: 'api', operation: 'read', configId: config.id });
    await core.app.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 60 },
    });
    const { useSchedules } = await import('../../src/renderer/src/stores/schedules');
    await useSchedules.getState().load();
    useTasks.setState({ status: 'ready' });
    render(<TasksScreen />);
    await chooseRowAction(user, 'doomed', 'Delete');
    const dialog = screen.getByRole('alertdialog', { name: 'Delete task doomed?' });
    expect(dialog).toHaveTextContent(
      'Its 1 schedule entry will be deleted too. Its runs stay in History',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(await core.app.store.listTasks()).toHaveLength(1);
    await chooseRowAction(user, 'doomed', 'Delete');
    await user.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(async () => expect(await core.app.store.listTasks()).toHaveLength(0));
    expect(await core.app.store.listSchedules()).toHaveLength(0);
  });
});
