/**
 * History: virtualized infinite list of runs, filters and search (`#/history?task=<id>` picks
 * the task; deleted tasks that still have runs are offered too), run detail (RunDetail.tsx),
 * bulk deletes, charts.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { RUN_SEARCH_MAX } from '../../../shared/contract';
import { RUN_STATUSES, TASK_TYPES } from '../../../shared/domain';
import { RunsChart } from '../components/RunsChart';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState, ErrorBox, FilterSelect, Loading, StatusBadge } from '../components/common';
import { pickerOptions } from '../components/lists';
import { RunDetail } from '../components/RunDetail';
import { VirtualList } from '../components/VirtualList';
import { useConfirmation } from '../hooks/useConfirmation';
import { describeRunCount, useRunCount } from '../hooks/useRunCount';
import { useRouteQueryParam } from '../router';
import { useConfigs } from '../stores/configs';
import { MAX_LOADED, useRuns, type RunFilter } from '../stores/runs';
import { useTasks } from '../stores/tasks';
import { formatDuration, formatTime, isoToLocalInput, localInputToIso } from '../util';

const PRESETS: { label: string; ms: number }[] = [
  { label: 'last hour', ms: 3600_000 },
  { label: 'last 24 h', ms: 86_400_000 },
  { label: 'last 7 days', ms: 7 * 86_400_000 },
  { label: 'last 30 days', ms: 30 * 86_400_000 },
];

/** The run list's columns: a visible header that also describes the list to screen readers. */
const COLUMNS = [
  'Status',
  'Task',
  'Configuration',
  'Type',
  'Trigger',
  'Started',
  'Duration',
] as const;
/** How long typing pauses before the search asks the service. */
export const SEARCH_DEBOUNCE_MS = 300;

/** The search box: what is typed goes to `onSearch` once typing pauses (SEARCH_DEBOUNCE_MS). */
function SearchBox({
  value,
  onSearch,
}: {
  value: string | undefined;
  onSearch: (q: string | undefined) => void;
}): ReactElement {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  useEffect(() => {
    const q = text.trim() || undefined;
    if (q === (value?.trim() || undefined)) return;
    const timer = setTimeout(() => onSearch(q), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <label className="inline">
      Search{' '}
      <input
        type="search"
        aria-label="Search runs by task, configuration or error"
        placeholder="task, configuration, error…"
        maxLength={RUN_SEARCH_MAX}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </label>
  );
}

export function HistoryScreen({ openId }: { openId?: string }): ReactElement {
  const { items, status, error, filter, nextCursor, loadingMore, setFilter, loadMore } = useRuns();
  const tasks = useTasks((s) => s.items);
  const configs = useConfigs((s) => s.items);
  const deletedTasks = useRuns((s) => s.deletedTasks);
  const taskParam = useRouteQueryParam('task');
  const {
    pending: confirm,
    ask: setConfirm,
    busy,
    confirm: runConfirmed,
  } = useConfirmation<'period' | 'task'>();

  useEffect(() => {
    // `#/history?task=<id>` (the task page links here) picks that task.
    const runs = useRuns.getState();
    if (taskParam && taskParam !== runs.filter.taskId) {
      void runs.setFilter({ ...runs.filter, taskId: taskParam });
    } else if (runs.status === 'idle') void runs.load();
  }, [taskParam]);
  useEffect(() => {
    if (useConfigs.getState().status === 'idle') void useConfigs.getState().load();
  }, []);
  // Deleting a task makes its runs those of a deleted task. Asked after the first page, which
  // it must not delay, and again when the tasks change.
  const ready = status === 'ready';
  const deletedFor = useRef<unknown>(undefined);
  useEffect(() => {
    if (!ready || deletedFor.current === tasks) return;
    deletedFor.current = tasks;
    void useRuns.getState().loadDeletedTasks();
  }, [tasks, ready]);
  const more = useCallback(() => void loadMore(), [loadMore]);
  const update = (patch: Partial<RunFilter>): void => {
    const next = { ...useRuns.getState().filter, ...patch };
    for (const k of Object.keys(next) as (keyof RunFilter)[]) if (!next[k]) delete next[k];
    void setFilter(next);
  };
  const search = useCallback((q: string | undefined): void => {
    const next = { ...useRuns.getState().filter, q };
    if (!q) delete next.q;
    void useRuns.getState().setFilter(next);
  }, []);

  // The period a delete covers: an open end is "since ever" / "until now".
  const range = {
    from: filter.from ?? new Date(0).toISOString(),
    to: filter.to ?? new Date(Date.now() + 60_000).toISOString(),
  };
  const [countFor, setCountFor] = useState<{ from: string; to: string } | { taskId: string }>();
  const count = useRunCount(confirm ? countFor : undefined);
  const ask = (which: 'period' | 'task'): void => {
    setCountFor(which === 'period' ? range : { taskId: filter.taskId! });
    setConfirm(which);
  };
  const doDelete = (): Promise<void> =>
    runConfirmed(async (which) => {
      const gone = deletedTasks.find((t) => t.id === filter.taskId);
      const n =
        which === 'period' && countFor && 'from' in countFor
          ? await useRuns.getState().removePeriod(countFor.from, countFor.to)
          : await useRuns.getState().removeTask(filter.taskId!);
      // A deleted task has no runs left to filter by.
      if (which === 'task' && gone) update({ taskId: undefined });
      return `Deleted ${n} run${n === 1 ? '' : 's'}`;
    });
  const taskName = (id: string): string =>
    tasks.find((t) => t.id === id)?.name ?? deletedTasks.find((t) => t.id === id)?.name ?? id;
  const isDeletedTask = (id: string | undefined): boolean =>
    id !== undefined && !tasks.some((t) => t.id === id) && deletedTasks.some((t) => t.id === id);
  const taskOptions = useMemo(
    () => [
      ...pickerOptions(tasks),
      ...pickerOptions(deletedTasks.filter((d) => !tasks.some((t) => t.id === d.id))).map(
        (option) => ({ ...option, label: `${option.label} (deleted)` }),
      ),
    ],
    [tasks, deletedTasks],
  );
  const configOptions = useMemo(() => pickerOptions(configs), [configs]);

  return (
    <section aria-labelledby="history-title">
      <header className="screen-header">
        <h1 id="history-title">History</h1>
      </header>
      <div className="toolbar" role="search" aria-label="Filter runs">
        <FilterSelect
          label="Task"
          ariaLabel="Filter runs by task"
          value={filter.taskId}
          options={taskOptions}
          onChange={(taskId) => update({ taskId })}
        />
        <FilterSelect
          label="Configuration"
          ariaLabel="Filter runs by configuration"
          value={filter.configId}
          options={configOptions}
          onChange={(configId) => update({ configId })}
        />
        <SearchBox value={filter.q} onSearch={search} />
        <FilterSelect
          label="Type"
          ariaLabel="Filter runs by type"
          value={filter.type}
          options={TASK_TYPES}
          onChange={(type) => update({ type })}
        />
        <FilterSelect
          label="Status"
          ariaLabel="Filter runs by status"
          value={filter.status}
          options={RUN_STATUSES}
          onChange={(status) => update({ status })}
        />
        <label className="inline">
          <input
            type="checkbox"
            checked={filter.includeTests === true}
            onChange={(e) => update({ includeTests: e.target.checked })}
          />{' '}
          Include test runs
        </label>
        <label className="inline">
          Period{' '}
          <select
            aria-label="Period preset"
            value=""
            onChange={(e) => {
              const preset = PRESETS.find((p) => p.label === e.target.value);
              if (e.target.value === 'all') update({ from: undefined, to: undefined });
              else if (preset)
                update({ from: new Date(Date.now() - preset.ms).toISOString(), to: undefined });
            }}
          >
            <option value="">choose…</option>
            <option value="all">all time</option>
            {PRESETS.map((p) => (
              <option key={p.label}>{p.label}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          From{' '}
          <input
            type="datetime-local"
            aria-label="Runs from"
            value={isoToLocalInput(filter.from)}
            onChange={(e) => update({ from: localInputToIso(e.target.value) })}
          />
        </label>
        <label className="inline">
          to{' '}
          <input
            type="datetime-local"
            aria-label="Runs to"
            value={isoToLocalInput(filter.to)}
            onChange={(e) => update({ to: localInputToIso(e.target.value) })}
          />
        </label>
        <button
          type="button"
          className="danger"
          disabled={!filter.from && !filter.to}
          onClick={() => ask('period')}
        >
          Delete runs in period
        </button>
        <button
          type="button"
          className="danger"
          disabled={!filter.taskId}
          onClick={() => ask('task')}
        >
          Delete runs of task
        </button>
      </div>
      {filter.from && filter.to && filter.from >= filter.to ? (
        <div className="error-box" role="alert">
          The period ends before it starts; pick a “to” after the “from”.
        </div>
      ) : null}
      {openId ? <RunDetail id={openId} /> : null}
      {status === 'loading' ? <Loading what="runs" /> : null}
      {status === 'error' ? (
        <ErrorBox message={error ?? 'failed'} onRetry={() => void useRuns.getState().load()} />
      ) : null}
      {status === 'ready' && items.length === 0 ? (
        <EmptyState title="No runs match">
          Runs appear here when a task runs: use “Run now” on the Tasks screen or add a schedule
          entry.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <>
          <div className="run-row run-head" id="runs-columns">
            <span className="visually-hidden">Columns: </span>
            {COLUMNS.map((name, i) => (
              <span key={name}>
                {name}
                {i < COLUMNS.length - 1 ? <span className="visually-hidden">, </span> : null}
              </span>
            ))}
          </div>
          <VirtualList
            label="Runs"
            describedBy="runs-columns"
            items={items}
            rowHeight={36}
            height={Math.min(480, Math.max(36 * Math.min(items.length, 13), 120))}
            onNearEnd={nextCursor ? more : undefined}
            renderRow={(run) => (
              <a
                className="run-row"
                href={`#/history/${encodeURIComponent(run.id)}`}
                aria-current={openId === run.id ? 'true' : undefined}
              >
                <StatusBadge status={run.status} />
                <span>{run.taskName || `${run.configName} (test)`}</span>
                <span>{run.configName}</span>
                <span>
                  {run.type} {run.operation}
                </span>
                <span>{run.trigger.kind}</span>
                <span>{formatTime(run.startedAt)}</span>
                <span>{formatDuration(run.durationMs)}</span>
              </a>
            )}
          />
          <p className="hint" aria-live="polite">
            {items.length} run{items.length === 1 ? '' : 's'} loaded
            {!nextCursor
              ? ' (all)'
              : items.length >= MAX_LOADED
                ? `; the newest ${MAX_LOADED.toLocaleString()} are shown: narrow the period or filters to see older runs`
                : loadingMore
                  ? ', loading more…'
                  : '; scroll for more'}
          </p>
          <RunsChart filter={filter} />
        </>
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={
            confirm === 'period'
              ? `Delete ${describeRunCount(count)} from ${filter.from ? formatTime(filter.from) : 'the first run'} to ${filter.to ? formatTime(filter.to) : 'now'}?`
              : `Delete ${describeRunCount(count)} of ${taskName(filter.taskId!)}${isDeletedTask(filter.taskId) ? ' (deleted)' : ''}?`
          }
          confirmLabel="Delete runs"
          busy={busy}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => void doDelete()}
        >
          {count.state === 'counting' ? <p role="status">Counting the runs…</p> : null}
          {confirm === 'period'
            ? 'Every run (of every task, test runs included) started in this period is deleted for good. Tasks, configurations and schedule entries stay.'
            : isDeletedTask(filter.taskId)
              ? 'Every run of this deleted task is deleted for good.'
              : 'Every run of this task is deleted for good. The task and its schedule entries stay.'}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
