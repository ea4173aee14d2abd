// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { TaskError, type Executor } from '../../src/main/executors/types';
import { handleEvent } from '../../src/renderer/src/hooks/useEvents';
import { DashboardScreen } from '../../src/renderer/src/screens/DashboardScreen';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { useUi } from '../../src/renderer/src/stores/ui';
import type { Run } from '../../src/shared/domain';
import { run } from '../support/fixtures';
import { until } from './support/core-client';
import { coreForEachTest } from './support/core-per-test';

/** A run of a configuration's Test button: trigger `test`, no task. */
const testRun = (id: string, startedAt: string, overrides: Partial<Run> = {}): Run =>
  run(id, startedAt, { trigger: { kind: 'test' }, taskId: '', taskName: '', ...overrides });

const minutesAgo = (n: number): string => new Date(Date.now() - n * 60_000).toISOString();

/** An api executor that always fails, as a refused request would. */
const failingApi: Executor<'api'> = {
  type: 'api',
  execute: () => Promise.reject(new TaskError('HTTP_STATUS', 'HTTP 500 from the target')),
};

describe('test runs kept apart', () => {
  const ctx = coreForEachTest({ api: failingApi });

  it('leaves test runs out of History until “Include test runs” is ticked', async () => {
    await ctx.core.app.store.insertRun(run('real', minutesAgo(2), { taskName: 'Fetch orders' }));
    await ctx.core.app.store.insertRun(
      testRun('probe', minutesAgo(1), { configName: 'Orders API' }),
    );
    const user = userEvent.setup();
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([expect.stringContaining('Fetch orders')]);
    const include = screen.getByRole('checkbox', { name: 'Include test runs' });
    expect(include).not.toBeChecked();
    await user.click(include);
    await waitFor(() =>
      expect(
        within(list)
          .getAllByRole('listitem')
          .map((li) => li.textContent),
      ).toEqual([
        expect.stringContaining('Orders API (test)'),
        expect.stringContaining('Fetch orders'),
      ]),
    );
  });

  it('reads past a first page made only of test runs to show the older real run', async () => {
    for (let i = 0; i < 60; i++)
      await ctx.core.app.store.insertRun(testRun(`t${i}`, minutesAgo(i)));
    await ctx.core.app.store.insertRun(run('real', minutesAgo(90), { taskName: 'Nightly export' }));
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(list).toHaveTextContent('Nightly export');
  });

  it('counts only task runs among the Dashboard’s failures and success rates', async () => {
    await ctx.core.app.store.insertRun(
      run('real', minutesAgo(5), {
        status: 'failed',
        taskName: 'Fetch orders',
        error: { code: 'HTTP_STATUS', message: 'HTTP 502' },
      }),
    );
    for (const id of ['p1', 'p2', 'p3', 'p4']) {
      await ctx.core.app.store.insertRun(
        testRun(id, minutesAgo(3), {
          status: 'failed',
          configName: 'Orders API',
          taskId: 'task-1', // even a test run that names a task is no run of it
          error: { code: 'HTTP_STATUS', message: 'HTTP 401' },
        }),
      );
    }
    render(<DashboardScreen />);
    // The count comes from the service's figures for the day, the list right after them.
    const failures = await screen.findByRole('region', { name: 'Failures in the last 24 h (1)' });
    await waitFor(() => expect(failures).toHaveTextContent('Fetch orders'));
    expect(failures).not.toHaveTextContent('Orders API');
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Success rate per task' })).toHaveTextContent(
        '0% of 1',
      ),
    );
  });

  it('raises no toast (and so no History badge) for a failed Test button run', async () => {
    const unsubscribe = ctx.core.client.subscribe(handleEvent);
    const config = await ctx.core.app.core.call('configs.save', {
      config: { name: 'Orders API', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const tested = await ctx.core.app.core.call('configs.test', { config, operation: 'read' });
    expect(tested.status).toBe('failed');
    const saved = await ctx.core.app.core.call('tasks.save', {
      task: { name: 'Fetch orders', type: 'api', operation: 'read', configId: config.id },
    });
    await ctx.core.app.core.call('tasks.run', { id: saved.id });
    await until(() => useUi.getState().toasts.length > 0, 'the task run’s toast');
    unsubscribe();
    expect(useUi.getState().toasts.map((t) => t.message)).toEqual([
      'Run of Fetch orders failed: HTTP 500 from the target',
    ]);
  });
});
