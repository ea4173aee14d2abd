// @vitest-environment jsdom
/**
 * The limits in the UI: a task's own limit in the task form, the global and connection limits in
 * Settings, the queue on the Dashboard and each run's wait in History. The real core (memory
 * store) behind the renderer's client; the api executor holds its runs until the test releases
 * them.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DashboardScreen } from '../../src/renderer/src/screens/DashboardScreen';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { SettingsScreen } from '../../src/renderer/src/screens/SettingsScreen';
import { TaskForm } from '../../src/renderer/src/screens/TaskForm';
import { handleEvent } from '../../src/renderer/src/hooks/useEvents';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { DEFAULT_CONCURRENCY, DEFAULT_CONNECTIONS_PER_HOST } from '../../src/shared/domain';
import { run } from '../support/fixtures';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('limits in the UI', () => {
  let core: CoreClient;
  let releases: Array<() => void> = [];
  const onTeardown: Array<() => void> = [];
  beforeEach(async () => {
    resetStores();
    core = await startCoreClient({
      api: {
        type: 'api',
        execute: () =>
          new Promise((resolve) =>
            releases.push(() => resolve({ result: { summary: 'HTTP 200' } })),
          ),
      },
    });
  });
  afterEach(async () => {
    cleanup();
    for (const teardown of onTeardown.splice(0)) teardown();
    for (const release of releases.splice(0)) release();
    releases = [];
    await core.close();
  });

  async function apiTask(): Promise<string> {
    const config = await core.app.core.call('configs.save', {
      config: { name: 'orders api', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const task = await core.app.core.call('tasks.save', {
      task: { name: 'orders', type: 'api', operation: 'read', configId: config.id },
    });
    return task.id;
  }

  it('saves a task with a limit of its own and refuses a limit of 0', async () => {
    await apiTask();
    await useConfigs.getState().load();
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'one at a time');
    await user.selectOptions(screen.getByLabelText('Configuration'), 'orders api');
    const limit = screen.getByLabelText('Runs at once (this task)');
    await user.type(limit, '0');
    expect(limit).toHaveAccessibleDescription(/must be at least 1/);
    await user.clear(limit);
    await user.type(limit, '3');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(async () =>
      expect(
        (await core.app.store.listTasks()).find((t) => t.name === 'one at a time'),
      ).toMatchObject({
        maxConcurrent: 3,
      }),
    );
  });

  it('shows the limits in Settings with their defaults and saves a changed one', async () => {
    const user = userEvent.setup();
    render(<SettingsScreen />);
    const perHost = await screen.findByLabelText('Connections per server (HTTP)');
    expect(perHost).toHaveValue(String(DEFAULT_CONNECTIONS_PER_HOST));
    expect(screen.getByLabelText('Tasks running at once')).toHaveValue(String(DEFAULT_CONCURRENCY));
    expect(perHost).toHaveAccessibleDescription(/does not open hundreds of sockets/);
    await user.clear(perHost);
    await user.type(perHost, '8');
    await user.clear(screen.getByLabelText('Connections per database'));
    await user.type(screen.getByLabelText('Connections per database'), '0');
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
    await user.clear(screen.getByLabelText('Connections per database'));
    await user.type(screen.getByLabelText('Connections per database'), '4');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(async () =>
      expect(await core.app.core.call('settings.get', {})).toMatchObject({
        connectionsPerHost: 8,
        dbPoolSize: 4,
      }),
    );
  });

  it('shows on the Dashboard how many runs wait for a slot and for how long', async () => {
    const id = await apiTask();
    const settings = await core.app.core.call('settings.get', {});
    await core.app.core.call('settings.save', { settings: { ...settings, concurrency: 1 } });
    const runs = Array.from({ length: 3 }, () => core.app.core.call('tasks.run', { id }));
    await waitFor(() => expect(releases).toHaveLength(1));
    // The app's event hook feeds the stores the Dashboard watches.
    const unsubscribe = core.client.subscribe(handleEvent);
    onTeardown.push(unsubscribe);
    render(<DashboardScreen />);
    const queue = await screen.findByRole('status', { name: 'Runs waiting for a slot' });
    expect(queue).toHaveTextContent(/^2 waiting for a slot \(longest \d+ ms; up to 1 run at once/);
    // Each run released in turn starts the next.
    for (let started = 1; started <= 3; started++) {
      await waitFor(() => expect(releases).toHaveLength(started));
      releases[started - 1]!();
    }
    expect((await Promise.all(runs)).map((r) => r.status)).toEqual(Array(3).fill('succeeded'));
    await waitFor(() => expect(screen.getByText(/^No run waits for a slot/)).toBeInTheDocument());
  });

  it('shows in a run detail how long the run waited for a slot', async () => {
    await core.app.store.insertRun(run('r1', '2026-01-01T00:00:00.000Z', { queuedMs: 1500 }));
    render(<HistoryScreen openId="r1" />);
    const detail = await screen.findByRole('region', { name: 'Run detail' });
    await waitFor(() => expect(detail).toHaveTextContent('Waited for a slot1.5 s'));
    expect(within(detail).getByText('1.5 s')).toBeInTheDocument();
  });
});
