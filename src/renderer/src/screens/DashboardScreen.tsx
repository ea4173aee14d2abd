/**
 * Home: running now (and the runs waiting for a slot), next 10 runs, failures in the last 24 h,
 * success rate per task, and the charts of the last 7 days — the counts, rates and charts
 * computed by the service over the whole period (runs.stats), test runs left out.
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { SystemInfo } from '../../../shared/contract';
import type { Run, RunStatus } from '../../../shared/domain';
import type { RunStats } from '../../../shared/run-stats';
import { call } from '../api/current';
import { Countdown, EmptyState, ErrorBox, Loading, StatusBadge } from '../components/common';
import { RunsChart } from '../components/RunsChart';
import { useRunStats } from '../hooks/useRunStats';
import { errorMessage } from '../stores/load-state';
import { isTestRun, useRuns } from '../stores/runs';
import { useSchedules } from '../stores/schedules';
import { useTasks } from '../stores/tasks';
import { formatDuration, formatTime } from '../util';

/** The dashboard's charts and success rates: the last 7 days until now, test runs left out. */
const CHART_FILTER = { days: 7 } as const;
/** The failures card: the last 24 hours, one bucket. */
const LAST_DAY = { days: 1, buckets: 1 } as const;
/** What counts as a failure on the dashboard. */
const FAILED = ['failed', 'timed-out', 'interrupted'] as const satisfies readonly RunStatus[];
/** How many of the last day's failures the card lists. */
const FAILURES_SHOWN = 20;

/**
 * The newest FAILURES_SHOWN failures of the last 24 h (test runs left out), asked again whenever
 * the day's figures change (useRunStats throttles those), so the list and the count agree.
 */
function useRecentFailures(day: RunStats | undefined): { items?: Run[]; error?: string } {
  const [state, setState] = useState<{ items?: Run[]; error?: string }>({});
  useEffect(() => {
    if (!day) return;
    let stale = false;
    const from = day.from;
    Promise.all(
      FAILED.map((status) => call('runs.list', { status, from, limit: FAILURES_SHOWN * 2 })),
    ).then(
      (pages) =>
        !stale &&
        setState({
          items: pages
            .flatMap((p) => p.items)
            .filter((r) => !isTestRun(r))
            .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
            .slice(0, FAILURES_SHOWN),
        }),
      (e: unknown) => !stale && setState({ error: errorMessage(e) }),
    );
    return () => {
      stale = true;
    };
  }, [day]);
  return state;
}
/** While runs wait for a slot, the queue is read again this often. */
const QUEUE_REFRESH_MS = 2_000;

/**
 * The runner's queue from `system.info`: read when `running` or `finished` change (runs start and
 * finish), and every QUEUE_REFRESH_MS while runs wait, so the oldest wait keeps counting.
 */
function useRunQueue(running: unknown, finished: unknown): SystemInfo['scheduler'] | undefined {
  const [queue, setQueue] = useState<SystemInfo['scheduler'] | undefined>();
  useEffect(() => {
    let stale = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (): void => {
      call('system.info', {}).then(
        (info) => {
          if (stale) return;
          setQueue(info.scheduler);
          if (info.scheduler.queuedRuns > 0) timer = setTimeout(load, QUEUE_REFRESH_MS);
        },
        () => undefined, // the rest of the dashboard shows connection errors
      );
    };
    load();
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [running, finished]);
  return queue;
}

function QueueLine({ queue }: { queue: SystemInfo['scheduler'] | undefined }): ReactElement | null {
  if (!queue) return null;
  const limit = `up to ${queue.concurrency} run${queue.concurrency === 1 ? '' : 's'} at once`;
  if (queue.queuedRuns === 0) {
    return <p className="hint">No run waits for a slot ({limit}).</p>;
  }
  return (
    <p role="status" aria-label="Runs waiting for a slot">
      <strong>{queue.queuedRuns} waiting for a slot</strong> (longest{' '}
      {formatDuration(queue.oldestQueuedMs)}; {limit}, and tasks with a limit of their own wait for
      it). Raise the limit in Settings if runs start late.
    </p>
  );
}

export function DashboardScreen(): ReactElement {
  const running = useRuns((s) => s.running);
  const entries = useSchedules((s) => s.items);
  const tasks = useTasks((s) => s.items);
  const lastRun = useTasks((s) => s.lastRun);
  // Both cards are figures of the service over the whole period (runs.stats, test runs left
  // out, refetched at most every few seconds while runs finish), not of a page of loaded runs.
  const week = useRunStats(CHART_FILTER);
  const day = useRunStats(LAST_DAY);
  const failures = useRecentFailures(day.stats);
  const error = week.error ?? day.error ?? failures.error;
  const taskName = (id: string): string => tasks.find((t) => t.id === id)?.name ?? id;
  const next = useMemo(
    () =>
      entries
        .filter((e) => e.enabled && e.nextRunAt)
        .sort((a, b) => a.nextRunAt!.localeCompare(b.nextRunAt!))
        .slice(0, 10),
    [entries],
  );
  const failureCount = day.stats
    ? FAILED.reduce((sum, status) => sum + (day.stats!.totals.counts[status] ?? 0), 0)
    : undefined;
  const rates = useMemo(
    () =>
      (week.stats?.tasks ?? [])
        .filter((t) => t.taskId && t.judged > 0)
        .map((t) => ({ id: t.taskId, name: t.taskName, ok: t.succeeded, total: t.judged }))
        .sort((a, b) => a.ok / a.total - b.ok / b.total),
    [week.stats],
  );
  const moreTasks = week.stats ? week.stats.totals.tasks - week.stats.tasks.length : 0;
  const runningList = Object.values(running);
  const queue = useRunQueue(running, lastRun);

  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">Dashboard</h1>
      {error ? <ErrorBox message={error} /> : null}
      <div className="cards">
        <section aria-labelledby="running-title" className="card">
          <h2 id="running-title">Running now ({runningList.length})</h2>
          <QueueLine queue={queue} />
          {runningList.length === 0 ? (
            <p className="hint">Nothing is running.</p>
          ) : (
            <ul>
              {runningList.map((r) => (
                <li key={r.id}>
                  <a href={`#/history/${r.id}`}>{r.taskName || r.configName}</a> since{' '}
                  {formatTime(r.startedAt)}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="next-title" className="card">
          <h2 id="next-title">Next runs</h2>
          {next.length === 0 ? (
            <EmptyState title="Nothing scheduled">
              Add an entry under Schedules to run tasks automatically.
            </EmptyState>
          ) : (
            <ol>
              {next.map((e) => (
                <li key={e.id}>
                  {taskName(e.taskId)} — {formatTime(e.nextRunAt)} (<Countdown to={e.nextRunAt} />)
                </li>
              ))}
            </ol>
          )}
        </section>
        <section aria-labelledby="failures-title" className="card">
          <h2 id="failures-title">Failures in the last 24 h ({failureCount ?? '…'})</h2>
          {failureCount === undefined ? <Loading what="recent runs" /> : null}
          {failureCount === 0 ? <p className="hint">No failures. </p> : null}
          {failureCount !== undefined && failureCount > FAILURES_SHOWN ? (
            <p className="hint">
              The newest {FAILURES_SHOWN}; <a href="#/history">History</a> lists them all.
            </p>
          ) : null}
          <ul>
            {(failures.items ?? []).map((r) => (
              <li key={r.id}>
                <StatusBadge status={r.status} />{' '}
                <a href={`#/history/${r.id}`}>{r.taskName || r.configName}</a> at{' '}
                {formatTime(r.startedAt)}: {r.error?.message}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="rates-title" className="card">
          <h2 id="rates-title">Success rate per task (7 days)</h2>
          {week.stats && rates.length === 0 ? (
            <EmptyState title="No finished runs yet">
              Run a task from the Tasks screen to see how it does.
            </EmptyState>
          ) : null}
          <table aria-label="Success rate per task">
            <tbody>
              {rates.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>
                    <meter
                      min={0}
                      max={1}
                      value={r.ok / r.total}
                      aria-label={`Success rate of ${r.name}`}
                    />
                  </td>
                  <td>
                    {Math.round((100 * r.ok) / r.total)}% of {r.total}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {moreTasks > 0 ? (
            <p className="hint">
              The {rates.length} tasks with the most runs; {moreTasks} more ran this week.
            </p>
          ) : null}
        </section>
      </div>
      <section aria-labelledby="charts-title">
        <h2 id="charts-title">Runs in the last 7 days</h2>
        <RunsChart filter={CHART_FILTER} />
      </section>
    </section>
  );
}
