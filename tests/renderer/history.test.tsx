// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { useRuns } from '../../src/renderer/src/stores/runs';
import { run } from '../support/fixtures';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('HistoryScreen', () => {
  let core: CoreClient;
  beforeEach(async () => {
    resetStores();
    core = await startCoreClient();
  });
  afterEach(async () => {
    cleanup();
    await core.close();
  });

  it('teaches what to do when there are no runs', async () => {
    render(<HistoryScreen />);
    expect(await screen.findByText('No runs match')).toBeInTheDocument();
  });

  it('renders only the visible rows of a long history', async () => {
    for (let i = 0; i < 1000; i++) {
      await core.app.store.insertRun(
        run(`r${i}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()),
      );
    }
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    // 40 rows first, then 200 per page; about two dozen rows in the DOM.
    expect(within(list).getAllByRole('listitem').length).toBeLessThan(40);
    expect(list).toHaveAttribute('data-count', expect.stringMatching(/^(40|240|440)$/));
  });

  it('opens a run with its result and configuration snapshot', async () => {
    await core.app.store.insertRun(
      run('r1', '2026-01-01T00:00:00.000Z', {
        status: 'failed',
        error: { code: 'HTTP_STATUS', message: 'HTTP 500 from http://127.0.0.1:9/' },
        result: { statusCode: 500, body: { oops: true } },
      }),
    );
    render(<HistoryScreen openId="r1" />);
    const detail = await screen.findByRole('region', { name: 'Run detail' });
    await waitFor(() => expect(detail).toHaveTextContent('HTTP 500 from'));
    expect(within(detail).getByRole('tree', { name: 'JSON result' })).toHaveTextContent('oops');
  });

  it('deletes the runs of the selected task after a confirmation', async () => {
    await core.app.store.insertRun(run('a', '2026-01-01T00:00:00.000Z', { taskId: 't1' }));
    await core.app.store.insertRun(run('b', '2026-01-01T00:01:00.000Z', { taskId: 't2' }));
    const user = userEvent.setup();
    render(<HistoryScreen />);
    await useRuns.getState().setFilter({ taskId: 't1' });
    await user.click(screen.getByRole('button', { name: 'Delete runs of task' }));
    const dialog = screen.getByRole('alertdialog');
    // No task t1 exists: its runs are those of a deleted task, named by their task name.
    expect(dialog).toHaveTextContent('Delete 1 run of task 1 (deleted)?');
    expect(dialog).toHaveTextContent('Every run of this deleted task is deleted for good');
    await user.click(within(dialog).getByRole('button', { name: 'Delete runs' }));
    await waitFor(async () =>
      expect((await core.app.core.call('runs.list', {})).items.map((r) => r.id)).toEqual(['b']),
    );
  });
});
