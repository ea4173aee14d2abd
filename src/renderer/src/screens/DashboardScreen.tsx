/**
 * Home: running now (and the runs waiting for a slot), next 10 runs, failures in the last 24 h,
 * success rate per task, and the charts of the last 7 days (computed by the service, test runs
 * left out).
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { SystemInfo } from '../../../shared/contract';
import type { Run } from '../../../shared/domain';
import { call } from '../api/current';
import { Countdown, EmptyState, ErrorBox, Loading, StatusBadge } from '../components/common';
import { RunsChart } from '../components/RunsChart';
import { errorMessage } from '../stores/load-state';
import { isTestRun, useRuns } from '../stores/runs';
import { useSchedules } from '../stores/schedules';
import { useTasks } from '../stores/tasks';
import { formatDuration, formatTime } from '../util';

const DAY = 86_400_000;
/** The dashboard's charts: the last 7 days until now, test runs left out. */
const CHART_FILTER = { days: 7 } as const;
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
  const [recent, setRecent] = useState<Run[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  // Recent runs for failures and success rates; refreshed whenever a task's last run changes.
  useEffect(() => {
    let stale = false;
    call('runs.list', { from: new Date(Date.now() - 7 * DAY).toISOString(), limit: 1000 }).then(
      (page) => !stale && (setRecent(page.items), setError(undefined)),
      (e: unknown) => !stale && setError(errorMessage(e)),
    );
    return () => {
      stale = true;
    };
  }, [lastRun]);

  const taskName = (id: string): string => tasks.find((t) => t.id === id)?.name ?? id;
  const next = useMemo(
    () =>
      entries
        .filter((e) => e.enabled && e.nextRunAt)
        .sort((a, b) => a.nextRunAt!.localeCompare(b.nextRunAt!))
        .slice(0, 10),
    [entries],
  );
  const since = new Date(Date.now() - DAY).toISOString();
  // Test button runs (trigger `test`) try a configuration out: they are not failures of a task.
  const failures = (recent ?? []).filter(
    (r) =>
      !isTestRun(r) &&
      r.startedAt >= since &&
      ['failed', 'timed-out', 'interrupted'].includes(r.status),
  );
  const rates = useMemo(() => {
    const m = new Map<string, { ok: number; total: number; name: string }>();
    for (const r of recent ?? []) {
      if (r.status === 'running' || r.status === 'skipped' || !r.taskId || isTestRun(r)) continue;
      const v = m.get(r.taskId) ?? { ok: 0, total: 0, name: r.taskName };
      v.total += 1;
      if (r.status === 'succeeded') v.ok += 1;
      m.set(r.taskId, v);
    }
    return [...m.values()].sort((a, b) => a.ok / a.total - b.ok / b.total);
  }, [recent]);
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
          <h2 id="failures-title">Failures in the last 24 h ({recent ? failures.length : '…'})</h2>
          {!recent ? <Loading what="recent runs" /> : null}
          {recent && failures.length === 0 ? <p className="hint">No failures. </p> : null}
          <ul>
            {failures.slice(0, 20).map((r) => (
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
          {recent && rates.length === 0 ? (
            <EmptyState title="No finished runs yet">
              Run a task from the Tasks screen to see how it does.
            </EmptyState>
          ) : null}
          <table aria-label="Success rate per task">
            <tbody>
              {rates.map((r) => (
                <tr key={r.name}>
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
        </section>
      </div>
      <section aria-labelledby="charts-title">
        <h2 id="charts-title">Runs in the last 7 days</h2>
        <RunsChart filter={CHART_FILTER} />
      </section>
    </section>
  );
}
