// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chartPeriod,
  describeTotals,
  durationRows,
  statusSeries,
  taskTrend,
} from '../../src/renderer/src/components/run-stats-view';
import { RunsChart } from '../../src/renderer/src/components/RunsChart';
import { TaskStats } from '../../src/renderer/src/components/TaskStats';
import { canDraw } from '../../src/renderer/src/components/UPlotChart';
import { DashboardScreen } from '../../src/renderer/src/screens/DashboardScreen';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import type { RunStats } from '../../src/shared/run-stats';
import { RUN_STATUSES, type RunStatus } from '../../src/shared/domain';
import { run } from '../support/fixtures';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

const DAY = 86_400_000;
const counts = (over: Partial<Record<RunStatus, number>> = {}): Record<RunStatus, number> => ({
  ...(Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>),
  ...over,
});

const STATS: RunStats = {
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-01T02:00:00.000Z',
  bucketMs: 3_600_000,
  buckets: [
    { start: '2026-01-01T00:00:00.000Z', counts: counts({ succeeded: 2, failed: 1 }), p50: 10 },
    { start: '2026-01-01T01:00:00.000Z', counts: counts({ failed: 3 }), successRate: 0 },
  ],
  tasks: [
    {
      taskId: 't1',
      taskName: 'Fetch',
      type: 'api',
      runs: 6,
      succeeded: 2,
      judged: 6,
      successRate: 1 / 3,
      p50: 10,
      p95: 90,
      max: 120,
    },
  ],
  totals: {
    runs: 6,
    counts: counts({ succeeded: 2, failed: 4 }),
    successRate: 1 / 3,
    p50: 10,
    p95: 90,
    max: 120,
    tasks: 1,
  },
};

describe('chart data', () => {
  it('stacks the statuses with runs, bottom first, keeping each status’s own counts', () => {
    const { x, series } = statusSeries(STATS);
    expect(x).toEqual([Date.parse(STATS.buckets[0]!.start) / 1000, x[0]! + 3600]);
    expect(series.map((s) => s.status)).toEqual(['succeeded', 'failed']);
    expect(series[0]).toMatchObject({ counts: [2, 0], stacked: [2, 0] });
    expect(series[1]).toMatchObject({ counts: [1, 3], stacked: [3, 3] });
  });

  it('says the whole period in one sentence', () => {
    expect(describeTotals(STATS)).toBe(
      '6 runs of 1 task: 2 succeeded, 4 failed; 33% succeeded; duration median 10 ms, 95th percentile 90 ms, longest 120 ms.',
    );
    expect(describeTotals({ ...STATS, totals: { ...STATS.totals, runs: 0 } })).toBe(
      'No runs in this period.',
    );
  });

  it('turns stats into duration rows and a per-bucket trend with gaps where nothing ran', () => {
    expect(durationRows(STATS)).toEqual([
      { name: 'Fetch', runs: 6, successRate: '33%', p50: 10, p95: 90, max: 120 },
    ]);
    expect(taskTrend(STATS)).toMatchObject({ rate: [null, 0], p50: [10, null] });
  });

  it('charts the last 30 days without a start, and at most the newest 400 days', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(chartPeriod(undefined, undefined, now)).toEqual({
      from: new Date(now - 30 * DAY).toISOString(),
      to: new Date(now).toISOString(),
      clipped: false,
    });
    expect(chartPeriod(undefined, undefined, now, 7)?.from).toBe(
      new Date(now - 7 * DAY).toISOString(),
    );
    expect(chartPeriod('2020-01-01T00:00:00Z', undefined, now)).toMatchObject({
      from: new Date(now - 400 * DAY).toISOString(),
      clipped: true,
    });
    expect(chartPeriod('2026-07-01T00:00:00Z', '2026-06-01T00:00:00Z', now)).toBeUndefined();
  });
});

describe('charts over the service', () => {
  let core: CoreClient;
  beforeEach(async () => {
    resetStores();
    core = await startCoreClient();
  });
  afterEach(async () => {
    cleanup();
    await core.close();
  });

  const hoursAgo = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString();

  it('shows figures of every run of the period, not only loaded ones, with a table alternative', async () => {
    for (let i = 0; i < 1500; i++) {
      await core.app.store.insertRun(
        run(`r${String(i).padStart(4, '0')}`, new Date(Date.now() - 3_600_000 + i).toISOString(), {
          status: i % 3 ? 'succeeded' : 'failed',
          durationMs: i,
        }),
      );
    }
    render(<RunsChart filter={{ from: hoursAgo(2) }} />);
    const charts = await screen.findByRole('group', { name: 'Charts' });
    await waitFor(() =>
      expect(charts).toHaveTextContent('1,500 runs of 1 task: 1,000 succeeded, 500 failed'),
    );
    expect(
      within(charts).getByRole('img', { name: 'Runs over time by status' }),
    ).toBeInTheDocument();
    const table = within(charts).getByRole('table', { name: 'Duration percentiles per task' });
    expect(table).toHaveTextContent('task 1');
    expect(table).toHaveTextContent('1,500');
    expect(
      within(charts).getByRole('table', { name: 'Runs over time by status' }),
    ).toBeInTheDocument();
    // jsdom has no canvas drawing: the text and tables stand alone (Chromium draws: e2e/charts.spec.ts)
    expect(canDraw()).toBe(false);
  });

  it('leaves test runs out and follows the filters', async () => {
    await core.app.store.insertRun(run('a', hoursAgo(1), { taskId: 't1', taskName: 'Alpha' }));
    await core.app.store.insertRun(
      run('b', hoursAgo(1), { taskId: 't2', taskName: 'Beta', type: 'db' }),
    );
    await core.app.store.insertRun(
      run('t', hoursAgo(1), { taskId: '', taskName: 'Test of X', trigger: { kind: 'test' } }),
    );
    const { rerender } = render(<RunsChart filter={{ from: hoursAgo(3) }} />);
    await screen.findByText(/^2 runs of 2 tasks/);
    rerender(<RunsChart filter={{ from: hoursAgo(3), type: 'db' }} />);
    await screen.findByText(/^1 run of 1 task: 1 succeeded/);
    rerender(<RunsChart filter={{ from: hoursAgo(3), includeTests: true }} />);
    await screen.findByText(/^3 runs of 3 tasks/);
  });

  it('says so when a period has no runs, and when only its newest 400 days are charted', async () => {
    const { rerender } = render(<RunsChart filter={{ from: hoursAgo(3) }} />);
    await screen.findByText('No runs in this period.');
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
    rerender(<RunsChart filter={{ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }} />);
    expect(
      await screen.findByText(/Only the newest 400 days of the period are charted/),
    ).toBeInTheDocument();
  });

  it('computes again when runs finish', async () => {
    render(<RunsChart filter={{ from: hoursAgo(3) }} />);
    await screen.findByText('No runs in this period.');
    const done = run('late', hoursAgo(0.5), { taskId: 't1' });
    await core.app.store.insertRun(done);
    useTasks.getState().applyRun(done);
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent(/^1 run of 1 task/), {
      timeout: 8_000,
    });
  });

  it('shows a task’s success rate and durations per day on its page', async () => {
    await core.app.store.insertRun(run('a', hoursAgo(30), { taskId: 't1', durationMs: 40 }));
    await core.app.store.insertRun(
      run('b', hoursAgo(1), { taskId: 't1', durationMs: 80, status: 'failed' }),
    );
    await core.app.store.insertRun(run('c', hoursAgo(1), { taskId: 't2', durationMs: 5 }));
    render(<TaskStats taskId="t1" />);
    const section = screen.getByRole('region', { name: 'Success rate and duration' });
    await waitFor(() =>
      expect(section).toHaveTextContent(/2 runs of 1 task: 1 succeeded, 1 failed/),
    );
    const table = within(section).getByRole('table', { name: 'Success rate and duration per day' });
    const rows = within(table).getAllByRole('row');
    expect(rows.length).toBeGreaterThanOrEqual(2); // header + one or two days
    expect(table).toHaveTextContent('80 ms');
  });

  it('shows the last 7 days’ charts on the dashboard', async () => {
    await core.app.store.insertRun(run('a', hoursAgo(2)));
    await core.app.store.insertRun(run('old', hoursAgo(24 * 8)));
    render(<DashboardScreen />);
    const charts = await screen.findByRole('region', { name: 'Runs in the last 7 days' });
    await waitFor(() =>
      expect(charts).toHaveTextContent(/^Runs in the last 7 days1 run of 1 task/),
    );
  });
});
