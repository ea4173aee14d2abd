/**
 * The task page's schedule entries: each with its timing in words, zone, countdown and its next
 * fire times (`schedules.preview`, in the entry's zone, DST days flagged), and "Schedule this",
 * which opens the new-entry form with the task chosen (`#/schedules/new?task=<id>`).
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { ScheduleEntry, Task } from '../../../shared/domain';
import { call } from '../api/current';
import { Countdown, EmptyState } from '../components/common';
import { FireTimes } from '../components/FireTimes';
import { describeEntry } from '../cron-text';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useSchedules } from '../stores/schedules';
import { safeZone, systemZone } from '../zones';

/** How many fire times each entry lists. */
export const NEXT_FIRES = 5;

/** The zone an entry's times are shown in: its own for cron (stored at save), else this machine's. */
const zoneOf = (e: ScheduleEntry): string =>
  e.kind === 'cron' ? safeZone(e.timezone) : systemZone();

const timing = (e: ScheduleEntry): string =>
  e.kind === 'cron' ? (e.cron ?? '') : `every ${e.everySeconds} s`;

/** The next fire times of a saved entry, asked again whenever its timing or next run changes. */
function NextFireTimes({ entry }: { entry: ScheduleEntry }): ReactElement {
  const [state, setState] = useState<{ times: string[] } | { error: string } | undefined>();
  const zone = zoneOf(entry);
  const { kind, cron, everySeconds, timezone, startAt, endAt, nextRunAt, enabled } = entry;
  useEffect(() => {
    if (!enabled || !nextRunAt) {
      setState(undefined);
      return;
    }
    // The times after `from`, which a frequency entry without a start also takes as its anchor
    // (first fire one interval after it): one interval (a cron entry: 1 ms) before its next run,
    // so the list starts at the next run the service computed.
    const before = kind === 'frequency' ? (everySeconds ?? 1) * 1000 : 1;
    const from = new Date(Date.parse(nextRunAt) - before).toISOString();
    let stale = false;
    call('schedules.preview', {
      kind,
      count: NEXT_FIRES,
      ...(kind === 'cron'
        ? { cron: cron ?? '', ...(timezone ? { timezone } : {}) }
        : { everySeconds: everySeconds ?? 1 }),
      ...(startAt ? { startAt } : {}),
      ...(endAt ? { endAt } : {}),
      from,
    }).then(
      (r) => !stale && setState(r),
      (e: unknown) => !stale && setState({ error: errorMessage(e) }),
    );
    return () => {
      stale = true;
    };
  }, [kind, cron, everySeconds, timezone, startAt, endAt, nextRunAt, enabled]);

  if (!enabled) return <span className="hint">disabled: it does not fire</span>;
  if (!nextRunAt) return <span className="hint">no more fire times</span>;
  if (!state) return <span className="hint">…</span>;
  if ('error' in state) return <span className="error">{state.error}</span>;
  return (
    <FireTimes
      times={state.times}
      zone={zone}
      label={`Next fire times (${zone})`}
      className="fire-times"
    />
  );
}

export function TaskSchedules({ task }: { task: Task }): ReactElement {
  const all = useSchedules((s) => s.items);
  const status = useSchedules((s) => s.status);
  const configs = useConfigs((s) => s.items);
  const configName = (id: string): string => configs.find((c) => c.id === id)?.name ?? id;
  useEffect(() => {
    if (useSchedules.getState().status === 'idle') void useSchedules.getState().load();
  }, []);
  const entries = useMemo(() => all.filter((e) => e.taskId === task.id), [all, task.id]);
  return (
    <section aria-labelledby="task-schedules-title" className="panel">
      <div className="panel-header">
        <h2 id="task-schedules-title">Schedules</h2>
        <button
          type="button"
          onClick={() => navigate(`/schedules/new?task=${encodeURIComponent(task.id)}`)}
        >
          Schedule this
        </button>
      </div>
      {status === 'ready' && entries.length === 0 ? (
        <EmptyState title="Not scheduled">
          {task.runAfter?.length
            ? 'It runs by hand and after the tasks of its chain.'
            : 'It runs only when started by hand.'}
        </EmptyState>
      ) : null}
      {entries.length > 0 ? (
        <table aria-label={`Schedule entries of ${task.name}`}>
          <thead>
            <tr>
              <th>Entry</th>
              <th>Time zone</th>
              <th>Next run</th>
              <th>Next fire times</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  {e.name ? <strong>{e.name} </strong> : null}
                  <span className="mono">{timing(e)}</span>
                  <div className="hint">{describeEntry(e)}</div>
                  {e.configId && e.configId !== task.configId ? (
                    <div className="hint">with configuration “{configName(e.configId)}”</div>
                  ) : null}
                </td>
                <td>{zoneOf(e)}</td>
                <td>{e.enabled ? <Countdown to={e.nextRunAt} /> : 'disabled'}</td>
                <td>
                  <NextFireTimes entry={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
