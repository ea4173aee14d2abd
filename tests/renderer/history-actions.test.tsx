// @vitest-environment jsdom
/**
 * The History screen's run actions and filters against the real core: cancel a running run (with
 * its elapsed timer), run again, copy the result or a curl command (and the fallback without a
 * clipboard), the schedule entry's name in the trigger, the Configuration column, the search,
 * `#/history?task=<id>`, and the runs of a deleted task.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Executor, ExecutionRequest } from '../../src/main/executors/types';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { useRuns } from '../../src/renderer/src/stores/runs';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { REDACTED } from '../../src/shared/domain';
import { apiConfig, entry, run, task } from '../support/fixtures';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

/** An api executor that answers at once, or hangs until its signal aborts when `hang` is set. */
class Scripted implements Executor<'api'> {
  readonly type = 'api' as const;
  hang = false;
  requests: ExecutionRequest<'api'>[] = [];
  execute(request: ExecutionRequest<'api'>): Promise<{ result: Record<string, unknown> }> {
    this.requests.push(request);
    if (!this.hang) return Promise.resolve({ result: { summary: 'ok', body: { n: 1 } } });
    return new Promise((_resolve, reject) =>
      request.signal.addEventListener('abort', () => reject(new Error('aborted'))),
    );
  }
}

let core: CoreClient;
let executor: Scripted;
let copied: string[];
const clipboard = { writeText: async (text: string): Promise<void> => void copied.push(text) };

beforeEach(async () => {
  resetStores();
  window.location.hash = '';
  executor = new Scripted();
  core = await startCoreClient({ api: executor });
  copied = [];
  await core.app.store.putConfig(
    apiConfig('c1', {
      name: 'Shop API',
      params: {
        url: 'http://127.0.0.1:9/orders',
        query: { page: '2' },
        headers: { Accept: 'application/json' },
        auth: { kind: 'bearer', token: 'secret-token' },
      },
    }),
  );
  await core.app.store.putTask(task('t1', 'c1', { name: 'Fetch orders' }));
  await useTasks.getState().load();
});
afterEach(async () => {
  cleanup();
  await core.close();
});

/** userEvent with our clipboard (its setup puts in a stub of its own), or none at all. */
function setupUser(withClipboard = true): ReturnType<typeof userEvent.setup> {
  const user = userEvent.setup();
  Object.defineProperty(navigator, 'clipboard', {
    value: withClipboard ? clipboard : undefined,
    configurable: true,
  });
  return user;
}

const detail = (): Promise<HTMLElement> => screen.findByRole('region', { name: 'Run detail' });

describe('the run detail', () => {
  it('shows an elapsed timer while the run runs and cancels it', async () => {
    executor.hang = true;
    const running = await core.app.core.call('tasks.run', { id: 't1', wait: false });
    const user = setupUser();
    render(<HistoryScreen openId={running.id} />);
    const region = await detail();
    expect(await within(region).findByRole('timer')).toHaveTextContent(/running for \d/);
    await user.click(within(region).getByRole('button', { name: 'Cancel run' }));
    expect(await within(region).findByRole('status')).toHaveTextContent('The run was cancelled.');
    await waitFor(() => expect(region).toHaveTextContent(/Cancelled by the user at/));
    expect(within(region).queryByRole('button', { name: 'Cancel run' })).toBeNull();
    expect((await core.app.core.call('runs.get', { id: running.id })).status).toBe('cancelled');
    expect(executor.requests[0]!.signal.aborted).toBe(true);
  });

  it('says why a run cannot be cancelled when the service refuses', async () => {
    const left = run('r-other', new Date().toISOString(), {
      taskId: 't1',
      status: 'running',
      instanceId: 'instance-b',
    });
    delete left.finishedAt;
    delete left.durationMs;
    await core.app.store.insertRun(left);
    const user = setupUser();
    render(<HistoryScreen openId="r-other" />);
    const region = await detail();
    await user.click(await within(region).findByRole('button', { name: 'Cancel run' }));
    expect(await within(region).findByRole('alert')).toHaveTextContent(
      /runs on instance instance-b.*cancel it through the instance that runs it/,
    );
  });

  it('runs the task again with the run’s configuration and opens the new run', async () => {
    const first = await core.app.core.call('tasks.run', { id: 't1' });
    const user = setupUser();
    render(<HistoryScreen openId={first.id} />);
    const region = await detail();
    await user.click(within(region).getByRole('button', { name: 'Run again' }));
    await waitFor(() => expect(window.location.hash).toMatch(/^#\/history\/.+/));
    const opened = decodeURIComponent(window.location.hash.replace('#/history/', ''));
    expect(opened).not.toBe(first.id);
    const again = await core.app.core.call('runs.get', { id: opened });
    expect(again).toMatchObject({ taskId: 't1', configId: 'c1', trigger: { kind: 'manual' } });
  });

  it('cannot run again a run whose task was deleted, and says so', async () => {
    const first = await core.app.core.call('tasks.run', { id: 't1' });
    await core.app.core.call('tasks.delete', { id: 't1' });
    await useTasks.getState().load();
    render(<HistoryScreen openId={first.id} />);
    const region = await detail();
    expect(within(region).getByRole('button', { name: 'Run again' })).toBeDisabled();
    expect(region).toHaveTextContent('Its task was deleted, so it cannot run again.');
  });

  it('copies the result as JSON', async () => {
    const first = await core.app.core.call('tasks.run', { id: 't1' });
    const user = setupUser();
    render(<HistoryScreen openId={first.id} />);
    const region = await detail();
    await user.click(within(region).getByRole('button', { name: 'Copy result' }));
    expect(await within(region).findByRole('status')).toHaveTextContent(
      'Copied the result to the clipboard.',
    );
    expect(JSON.parse(copied[0]!)).toEqual(first.result);
  });

  it('copies an api run as a curl command with the secrets still redacted, and says so', async () => {
    const first = await core.app.core.call('tasks.run', { id: 't1' });
    const user = setupUser();
    render(<HistoryScreen openId={first.id} />);
    const region = await detail();
    const button = within(region).getByRole('button', { name: 'Copy as cURL' });
    expect(button).toHaveAccessibleDescription(/secrets show as ••••••/);
    await user.click(button);
    expect(copied[0]).toBe(
      `curl -X GET 'http://127.0.0.1:9/orders?page=2' -H 'Accept: application/json' -H 'Authorization: Bearer ${REDACTED}'`,
    );
    expect(copied[0]).not.toContain('secret-token');
  });

  it('shows the text to copy by hand when the clipboard is not available', async () => {
    const first = await core.app.core.call('tasks.run', { id: 't1' });
    const user = setupUser(false);
    render(<HistoryScreen openId={first.id} />);
    const region = await detail();
    await user.click(within(region).getByRole('button', { name: 'Copy as cURL' }));
    expect(await within(region).findByRole('alert')).toHaveTextContent(
      'The clipboard is not available here',
    );
    const box = within(region).getByRole('textbox', { name: 'curl command to copy' });
    expect((box as HTMLTextAreaElement).value).toMatch(/^curl -X GET /);
    expect(box).toHaveFocus();
  });

  it('names the schedule entry that started a run, and its id once the entry is deleted', async () => {
    await core.app.store.putSchedule(entry('e1', 't1', { name: 'Nightly' }));
    await core.app.store.insertRun(
      run('r-sched', '2026-01-01T03:00:00.000Z', {
        taskId: 't1',
        trigger: { kind: 'schedule', scheduleId: 'e1' },
      }),
    );
    await core.app.store.insertRun(
      run('r-gone', '2026-01-01T04:00:00.000Z', {
        taskId: 't1',
        trigger: { kind: 'schedule', scheduleId: 'e-gone' },
      }),
    );
    const { rerender } = render(<HistoryScreen openId="r-sched" />);
    expect(await detail()).toHaveTextContent('schedule (entry “Nightly”)');
    rerender(<HistoryScreen openId="r-gone" />);
    await waitFor(async () =>
      expect(await detail()).toHaveTextContent('schedule (entry e-gone, since deleted)'),
    );
  });
});

describe('the run list', () => {
  it('shows each run’s configuration in its own column', async () => {
    await core.app.core.call('tasks.run', { id: 't1' });
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    expect(screen.getByText('Configuration', { selector: '#runs-columns span' })).toBeVisible();
    expect(within(list).getByRole('link')).toHaveTextContent('Fetch orders' + 'Shop API');
  });

  it('searches task names, configuration names and errors as the user types', async () => {
    await core.app.store.insertRun(
      run('r1', '2026-01-01T00:00:00.000Z', { taskName: 'Fetch orders' }),
    );
    await core.app.store.insertRun(
      run('r2', '2026-01-01T00:01:00.000Z', {
        taskName: 'Sync users',
        status: 'failed',
        error: { code: 'HTTP_STATUS', message: 'HTTP 503 from the CRM' },
      }),
    );
    const user = setupUser();
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    await waitFor(() => expect(within(list).getAllByRole('link')).toHaveLength(2));
    await user.type(screen.getByRole('searchbox', { name: /Search runs/ }), 'crm');
    await waitFor(() => expect(useRuns.getState().filter.q).toBe('crm'));
    await waitFor(() => {
      const rows = within(screen.getByRole('list', { name: 'Runs' })).getAllByRole('link');
      expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('Sync users')]);
    });
    await user.clear(screen.getByRole('searchbox', { name: /Search runs/ }));
    await waitFor(() => expect(useRuns.getState().filter.q).toBeUndefined());
  });

  it('preselects the task that #/history?task=<id> names', async () => {
    await core.app.core.call('tasks.run', { id: 't1' });
    await core.app.store.insertRun(run('r-else', '2026-01-01T00:00:00.000Z', { taskId: 't9' }));
    window.location.hash = '#/history?task=t1';
    render(<HistoryScreen />);
    await waitFor(() => expect(useRuns.getState().filter.taskId).toBe('t1'));
    expect(screen.getByRole('combobox', { name: 'Filter runs by task' })).toHaveValue('t1');
    await waitFor(() => expect(useRuns.getState().items.map((r) => r.taskId)).toEqual(['t1']));
  });

  it('offers the runs of a deleted task by its name and deletes them after naming it and their count', async () => {
    await core.app.core.call('tasks.run', { id: 't1' });
    await core.app.core.call('tasks.run', { id: 't1' });
    await core.app.store.putTask(task('t2', 'c1', { name: 'Kept' }));
    await core.app.core.call('tasks.run', { id: 't2' });
    await core.app.core.call('tasks.delete', { id: 't1' });
    await useTasks.getState().load();
    const user = setupUser();
    render(<HistoryScreen />);
    const select = screen.getByRole('combobox', { name: 'Filter runs by task' });
    await within(select).findByRole('option', { name: 'Fetch orders (deleted)' });
    await user.selectOptions(select, 'Fetch orders (deleted)');
    await user.click(screen.getByRole('button', { name: 'Delete runs of task' }));
    const dialog = screen.getByRole('alertdialog');
    await waitFor(() =>
      expect(dialog).toHaveTextContent('Delete 2 runs of Fetch orders (deleted)?'),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Delete runs' }));
    await waitFor(async () =>
      expect((await core.app.core.call('runs.list', {})).items.map((r) => r.taskName)).toEqual([
        'Kept',
      ]),
    );
    await waitFor(() =>
      expect(within(select).queryByRole('option', { name: 'Fetch orders (deleted)' })).toBeNull(),
    );
    expect(useRuns.getState().filter.taskId).toBeUndefined();
  });
});
