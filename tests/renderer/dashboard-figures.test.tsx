// @vitest-environment jsdom
/**
 * The Dashboard's cards count over the whole period on the service (runs.stats), not over a page
 * of loaded runs: more failures than any page holds are all counted, the newest are listed.
 */
import '@testing-library/jest-dom/vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DashboardScreen } from '../../src/renderer/src/screens/DashboardScreen';
import { run } from '../support/fixtures';
import { coreForEachTest } from './support/core-per-test';

const secondsAgo = (n: number): string => new Date(Date.now() - n * 1000).toISOString();

describe('the Dashboard’s figures', () => {
  const ctx = coreForEachTest({});

  it('counts all 1,500 failures of the last day and lists the newest 20', async () => {
    const store = ctx.core.app.store;
    for (let i = 0; i < 1500; i++) {
      await store.insertRun(
        run(`f${String(i).padStart(4, '0')}`, secondsAgo(30 + i * 10), {
          status: i % 3 === 0 ? 'timed-out' : 'failed',
          taskId: 'task-1',
          taskName: i === 0 ? 'Newest failure' : 'Fetch orders',
          error: { code: 'HTTP_STATUS', message: 'HTTP 502' },
        }),
      );
    }
    await store.insertRun(
      run('ok', secondsAgo(20), { taskId: 'task-1', taskName: 'Fetch orders' }),
    );
    render(<DashboardScreen />);
    const failures = await screen.findByRole('region', {
      name: 'Failures in the last 24 h (1500)',
    });
    await waitFor(() => expect(within(failures).getAllByRole('listitem')).toHaveLength(20));
    expect(within(failures).getAllByRole('listitem')[0]).toHaveTextContent('Newest failure');
    expect(failures).toHaveTextContent('The newest 20; History lists them all.');
    // 1 success among 1,501 finished runs of the week: the rate of every run, not of a page.
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Success rate per task' })).toHaveTextContent(
        '0% of 1501',
      ),
    );
  });
});
