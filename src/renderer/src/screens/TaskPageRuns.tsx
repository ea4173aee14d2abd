/**
 * The task page's recent runs: the newest runs of one task (`runs.list {taskId}`), kept live by
 * the run events the runs and tasks stores apply (no polling), each a link to its detail.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Run, Task } from '../../../shared/domain';
import { call } from '../api/current';
import { EmptyState, ErrorBox, Loading, StatusBadge } from '../components/common';
import { errorMessage } from '../stores/load-state';
import { useRuns } from '../stores/runs';
import { useTasks } from '../stores/tasks';
import { formatDuration, formatTime } from '../util';

/** How many runs the page lists (History has them all). */
export const RECENT_RUNS = 20;
/** Runs remembered from events, oldest forgotten first. */
const SEEN_MAX = 200;

export interface RecentRuns {
  status: 'loading' | 'ready' | 'error';
  items: Run[];
  error?: string;
  reload: () => void;
}

/** Puts `run` in `items` (newest first, at most RECENT_RUNS); a finished run never goes back to running. */
function merged(items: Run[], run: Run): Run[] {
  const at = items.findIndex((r) => r.id === run.id);
  if (at >= 0) {
    if (items[at]!.status !== 'running' && run.status === 'running') return items;
    const next = [...items];
    next[at] = run;
    return next;
  }
  const next = [...items, run].sort(
    (a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id),
  );
  return next.slice(0, RECENT_RUNS);
}

/**
 * The newest runs of `taskId`, live: a run that starts (the runs store's `running` map, the
 * tasks store's latest run) comes in on top, a run that ends is replaced by its final record
 * (the tasks store's latest run, else `runs.get` when an older run ends after a newer started).
 */
export function useRecentRuns(taskId: string): RecentRuns {
  const [state, setState] = useState<Omit<RecentRuns, 'reload'>>({ status: 'loading', items: [] });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stale = false;
    const apply = (run: Run): void => {
      if (!stale && run.taskId === taskId) setState((s) => ({ ...s, items: merged(s.items, run) }));
    };
    // The latest runs seen through events (bounded): the page loading meanwhile must not take
    // them back, and a run that ended needs no `runs.get` when its final record came.
    const seen = new Map<string, Run>();
    const remember = (run: Run): void => {
      if (run.taskId !== taskId) return;
      const before = seen.get(run.id);
      if (!before || before.status === 'running') seen.set(run.id, run);
      if (seen.size > SEEN_MAX) seen.delete(seen.keys().next().value!);
      apply(run);
    };
    const ended = (id: string): void => {
      // The tasks store applies the final record right after the runs store drops the run.
      queueMicrotask(() => {
        if (stale || (seen.get(id) && seen.get(id)!.status !== 'running')) return;
        call('runs.get', { id }).then(remember, () => undefined);
      });
    };
    const stopRuns = useRuns.subscribe((s, prev) => {
      if (s.running === prev.running) return;
      for (const [id, run] of Object.entries(s.running))
        if (prev.running[id] !== run) remember(run);
      for (const [id, run] of Object.entries(prev.running))
        if (run.taskId === taskId && !s.running[id]) ended(id);
    });
    const stopTasks = useTasks.subscribe((s, prev) => {
      const run = s.lastRun[taskId];
      if (run && run !== prev.lastRun[taskId]) remember(run);
    });
    call('runs.list', { taskId, limit: RECENT_RUNS }).then(
      (page) => {
        if (stale) return;
        let list = page.items;
        for (const run of seen.values()) list = merged(list, run);
        setState({ status: 'ready', items: list });
      },
      (e: unknown) => !stale && setState({ status: 'error', items: [], error: errorMessage(e) }),
    );
    return () => {
      stale = true;
      stopRuns();
      stopTasks();
    };
  }, [taskId, generation]);

  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

const triggerText = (run: Run): string =>
  run.attempt && run.attempt > 1
    ? `${run.trigger.kind} (attempt ${run.attempt})`
    : run.trigger.kind;

export function TaskRecentRuns({ task }: { task: Task }): ReactElement {
  const runs = useRecentRuns(task.id);
  const historyHref = `#/history?task=${encodeURIComponent(task.id)}`;
  return (
    <section aria-labelledby="task-runs-title" className="panel">
      <div className="panel-header">
        <h2 id="task-runs-title">Recent runs</h2>
        <a href={historyHref}>All runs in History</a>
      </div>
      {runs.status === 'loading' ? <Loading what="runs" /> : null}
      {runs.status === 'error' ? (
        <ErrorBox message={runs.error ?? 'failed'} onRetry={runs.reload} />
      ) : null}
      {runs.status === 'ready' && runs.items.length === 0 ? (
        <EmptyState title="No runs yet">
          Run now starts one; runs from schedules and chains appear here as they start.
        </EmptyState>
      ) : null}
      {runs.items.length > 0 ? (
        <table aria-label={`Recent runs of ${task.name}`}>
          <thead>
            <tr>
              <th>Started</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Trigger</th>
              <th>Configuration</th>
            </tr>
          </thead>
          <tbody>
            {runs.items.map((run) => (
              <tr key={run.id}>
                <td>
                  <a href={`#/history/${encodeURIComponent(run.id)}`}>
                    {formatTime(run.startedAt)}
                  </a>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{run.durationMs !== undefined ? formatDuration(run.durationMs) : '—'}</td>
                <td>{triggerText(run)}</td>
                <td>
                  {run.configName}
                  {run.configId !== task.configId ? <span className="hint"> (other)</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {runs.items.length >= RECENT_RUNS ? (
        <p className="hint">
          The newest {RECENT_RUNS} runs; <a href={historyHref}>History</a> has them all.
        </p>
      ) : null}
    </section>
  );
}
