/** Schedules: entries with countdowns, create/edit (ScheduleForm), bulk delete. */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { ScheduleEntry } from '../../../shared/domain';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Countdown, EmptyState, ErrorBox, Loading } from '../components/common';
import { nameList } from '../components/lists';
import { RowMenu } from '../components/RowMenu';
import { WindowedTable } from '../components/WindowedTable';
import { describeEntry } from '../cron-text';
import { useConfirmation } from '../hooks/useConfirmation';
import { useFormKeyboard } from '../hooks/useFormKeyboard';
import { navigate, useRoute, useRouteQueryParam } from '../router';
import { errorMessage } from '../stores/load-state';
import { useSchedules } from '../stores/schedules';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { formatTime } from '../util';
import { ScheduleForm } from './ScheduleForm';

const ENTRY_HEADERS = [
  'Task',
  'Kind',
  'Expression',
  'Time zone',
  'Enabled',
  'Last run',
  'Next run',
  'Countdown',
  'Actions',
] as const;

/**
 * An entry's sentence ("At 03:00, only on Monday"), kept per expression: 1,000 rows share a few
 * hundred expressions, and parsing a cron expression is the costliest part of a row.
 */
const descriptions = new Map<string, string>();
function entryDescription(e: ScheduleEntry): string {
  const key = e.kind === 'cron' ? `c${e.cron ?? ''}` : `f${e.everySeconds ?? 0}`;
  let text = descriptions.get(key);
  if (text === undefined) {
    if (descriptions.size > 5_000) descriptions.clear();
    text = describeEntry(e);
    descriptions.set(key, text);
  }
  return text;
}

export function SchedulesScreen(): ReactElement {
  const { items, status, error, load } = useSchedules();
  const tasks = useTasks((s) => s.items);
  const toast = useUi((s) => s.toast);
  // `#/schedules/new?task=<id>` (a task page's "Schedule this"): the new-entry form with that
  // task chosen; closing it goes back to the task's page.
  const fromRoute = useRoute()[1] === 'new';
  const presetTask = useRouteQueryParam('task');
  const [editing, setEditing] = useState<ScheduleEntry | 'new' | undefined>(() =>
    fromRoute ? 'new' : undefined,
  );
  useEffect(() => {
    if (fromRoute) setEditing('new');
  }, [fromRoute, presetTask]);
  const closeForm = (): void => {
    setEditing(undefined);
    if (fromRoute) navigate(presetTask ? `/tasks/${encodeURIComponent(presetTask)}` : '/schedules');
  };
  const {
    pending: confirm,
    ask: setConfirm,
    busy,
    confirm: runConfirmed,
  } = useConfirmation<ScheduleEntry | 'all'>();
  const names = useMemo(() => new Map(tasks.map((t) => [t.id, t.name])), [tasks]);
  const taskName = (id: string): string => names.get(id) ?? `(task ${id})`;
  /** `“Nightly” of Fetch (0 3 * * *)`: the entry's name when it has one, its task and timing. */
  const entryLabel = (e: ScheduleEntry): string =>
    `${e.name ? `“${e.name}” ` : ''}of ${taskName(e.taskId)} (${e.kind === 'cron' ? e.cron : `every ${e.everySeconds} s`})`;

  const toggle = async (e: ScheduleEntry): Promise<void> => {
    try {
      await useSchedules.getState().save({ ...e, enabled: !e.enabled });
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };
  const doDelete = (): Promise<void> =>
    runConfirmed(async (which) => {
      const n =
        which === 'all'
          ? await useSchedules.getState().removeAll()
          : await useSchedules.getState().remove(which.id);
      return `Deleted ${n} schedule entr${n === 1 ? 'y' : 'ies'}`;
    });

  const formKeys = useFormKeyboard(
    editing === undefined ? undefined : editing === 'new' ? 'new' : editing.id,
    closeForm,
  );

  return (
    <section aria-labelledby="schedules-title">
      <header className="screen-header">
        <h1 id="schedules-title">Schedules</h1>
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New schedule entry
          </button>
          <button
            type="button"
            className="danger"
            disabled={items.length === 0}
            onClick={() => setConfirm('all')}
          >
            Delete all entries
          </button>
        </div>
      </header>
      {editing ? (
        <div {...formKeys}>
          <ScheduleForm
            key={editing === 'new' ? `new:${fromRoute ? (presetTask ?? '') : ''}` : editing.id}
            {...(editing !== 'new' ? { entry: editing } : {})}
            {...(editing === 'new' && fromRoute && presetTask ? { initialTaskId: presetTask } : {})}
            onDone={(saved) => {
              if (saved) toast('info', 'Saved schedule entry');
              closeForm();
            }}
          />
        </div>
      ) : null}
      {status === 'loading' ? <Loading what="schedule entries" /> : null}
      {status === 'error' ? (
        <ErrorBox message={error ?? 'failed'} onRetry={() => void load()} />
      ) : null}
      {status === 'ready' && items.length === 0 ? (
        <EmptyState title="Nothing is scheduled">
          Add a schedule entry to run a task every few seconds or on a cron expression; runs then
          appear in History on their own.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <WindowedTable
          label="Schedule entries"
          headers={ENTRY_HEADERS}
          items={items}
          renderRow={(e, rowIndex) => (
            <tr key={e.id} aria-rowindex={rowIndex}>
              <td>
                {taskName(e.taskId)}
                {e.name ? <div className="hint">{e.name}</div> : null}
              </td>
              <td>{e.kind}</td>
              <td>
                <span className="mono">
                  {e.kind === 'cron' ? e.cron : `every ${e.everySeconds} s`}
                </span>
                <div className="hint">{entryDescription(e)}</div>
              </td>
              <td>{e.kind === 'cron' ? (e.timezone ?? '') : '—'}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Enabled: ${taskName(e.taskId)} ${e.kind === 'cron' ? e.cron : `every ${e.everySeconds} s`}`}
                  checked={e.enabled}
                  onChange={() => void toggle(e)}
                />
              </td>
              <td>{formatTime(e.lastRunAt)}</td>
              <td>{e.enabled ? formatTime(e.nextRunAt) : 'disabled'}</td>
              <td>{e.enabled ? <Countdown to={e.nextRunAt} /> : '—'}</td>
              <td className="actions">
                <div className="row-actions">
                  <button
                    type="button"
                    aria-label={`Edit schedule of ${taskName(e.taskId)}`}
                    onClick={() => setEditing(e)}
                  >
                    Edit
                  </button>
                  <RowMenu
                    name={`schedule of ${taskName(e.taskId)}`}
                    items={[
                      {
                        label: 'Open task',
                        onSelect: () => navigate(`/tasks/${encodeURIComponent(e.taskId)}`),
                      },
                      { label: 'Delete', danger: true, onSelect: () => setConfirm(e) },
                    ]}
                  />
                </div>
              </td>
            </tr>
          )}
        />
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={
            confirm === 'all'
              ? `Delete all ${items.length} schedule entries?`
              : `Delete the schedule entry ${entryLabel(confirm)}?`
          }
          confirmLabel="Delete"
          busy={busy}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => void doDelete()}
        >
          {confirm === 'all'
            ? `Entries of ${nameList([...new Set(items.map((e) => taskName(e.taskId)))])}. Nothing will run on a schedule any more. Tasks, configurations and past runs stay.`
            : 'The task will no longer run on this schedule. The task and its past runs stay.'}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
