/**
 * History: virtualized infinite list of runs, filters, run detail (with its chain: the parent
 * run, the input, the runs it started), bulk deletes, charts.
 */
import { useCallback, useEffect, useMemo, useState, type ReactElement } from 'react';
import { RUN_STATUSES, TASK_TYPES, type Run } from '../../../shared/domain';
import { call } from '../api/current';
import { ChainParentLink, ChainRunChildren, ChainRunInput } from '../components/ChainRunLinks';
import { RunsChart } from '../components/RunsChart';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState, ErrorBox, FilterSelect, Loading, StatusBadge } from '../components/common';
import { pickerOptions } from '../components/lists';
import { RunResultView, JsonTree } from '../components/RunResultView';
import { VirtualList } from '../components/VirtualList';
import { useConfirmation } from '../hooks/useConfirmation';
import { describeRunCount, useRunCount } from '../hooks/useRunCount';
import { navigate } from '../router';
import { errorMessage } from '../stores/load-state';
import { isTestRun, MAX_LOADED, useRuns, type RunFilter } from '../stores/runs';
import { useTasks } from '../stores/tasks';
import { formatDuration, formatTime, isoToLocalInput, localInputToIso } from '../util';

const PRESETS: { label: string; ms: number }[] = [
  { label: 'last hour', ms: 3600_000 },
  { label: 'last 24 h', ms: 86_400_000 },
  { label: 'last 7 days', ms: 7 * 86_400_000 },
  { label: 'last 30 days', ms: 30 * 86_400_000 },
];

/** The run list's columns: a visible header that also describes the list to screen readers. */
const COLUMNS = ['Status', 'Task', 'Type', 'Trigger', 'Started', 'Duration'] as const;

export function RunDetail({ id }: { id: string }): ReactElement {
  const live = useRuns((s) => s.items.find((r) => r.id === id));
  const [run, setRun] = useState<Run | undefined>(live);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (live) setRun(live);
  }, [live]);
  useEffect(() => {
    setError(undefined);
    call('runs.get', { id }).then(setRun, (e: unknown) => setError(errorMessage(e)));
  }, [id]);
  if (error) return <ErrorBox message={error} />;
  if (!run) return <Loading what="the run" />;
  return (
    <section aria-label="Run detail" className="panel">
      <div className="screen-header">
        <h2>
          Run of {run.taskName || `configuration ${run.configName} (test)`}{' '}
          <StatusBadge status={run.status} />
        </h2>
        <button type="button" onClick={() => navigate('/history')}>
          Close
        </button>
      </div>
      <dl className="facts">
        <dt>Trigger</dt>
        <dd>
          {run.trigger.kind}
          {run.trigger.scheduleId ? ` (entry ${run.trigger.scheduleId})` : ''}
          <ChainParentLink run={run} />
        </dd>
        <dt>Type / operation</dt>
        <dd>
          {run.type} / {run.operation}
        </dd>
        <dt>Configuration</dt>
        <dd>{run.configName}</dd>
        {run.scheduledFor ? (
          <>
            <dt>Scheduled for</dt>
            <dd>{formatTime(run.scheduledFor)}</dd>
          </>
        ) : null}
        <dt>Started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
        {run.queuedMs !== undefined ? (
          <>
            <dt>Waited for a slot</dt>
            <dd title="Time between the run being due and a concurrency slot (global or the task's maxConcurrent) being free">
              {formatDuration(run.queuedMs)}
            </dd>
          </>
        ) : null}
        <dt>Finished</dt>
        <dd>{formatTime(run.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(run.durationMs)}</dd>
        <dt>Attempt</dt>
        <dd>{run.attempt}</dd>
      </dl>
      {run.trigger.parentRunId ? <ChainRunInput parentRunId={run.trigger.parentRunId} /> : null}
      <h3>Result</h3>
      <RunResultView key={run.id + run.status} run={run} />
      <ChainRunChildren runId={run.id} />
      <details>
        <summary>Configuration snapshot (secrets redacted)</summary>
        <JsonTree value={run.config} label="Configuration snapshot" />
      </details>
    </section>
  );
}

export function HistoryScreen({ openId }: { openId?: string }): ReactElement {
  const { items, status, error, filter, nextCursor, loadingMore, setFilter, loadMore } = useRuns();
  const tasks = useTasks((s) => s.items);
  const {
    pending: confirm,
    ask: setConfirm,
    busy,
    confirm: runConfirmed,
  } = useConfirmation<'period' | 'task'>();

  useEffect(() => {
    if (useRuns.getState().status === 'idle') void useRuns.getState().load();
  }, []);
  const more = useCallback(() => void loadMore(), [loadMore]);
  const update = (patch: Partial<RunFilter>): void => {
    const next = { ...filter, ...patch };
    for (const k of Object.keys(next) as (keyof RunFilter)[]) if (!next[k]) delete next[k];
    void setFilter(next);
  };

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
      const n =
        which === 'period' && countFor && 'from' in countFor
          ? await useRuns.getState().removePeriod(countFor.from, countFor.to)
          : await useRuns.getState().removeTask(filter.taskId!);
      return `Deleted ${n} run${n === 1 ? '' : 's'}`;
    });
  const taskName = (id: string): string => tasks.find((t) => t.id === id)?.name ?? id;
  // Test button runs are no measure of a task: the charts leave them out even when listed.
  const chartRuns = useMemo(() => items.filter((r) => !isTestRun(r)), [items]);
  const taskOptions = useMemo(() => pickerOptions(tasks), [tasks]);

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
          <RunsChart runs={chartRuns} />
        </>
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={
            confirm === 'period'
              ? `Delete ${describeRunCount(count)} from ${filter.from ? formatTime(filter.from) : 'the first run'} to ${filter.to ? formatTime(filter.to) : 'now'}?`
              : `Delete ${describeRunCount(count)} of ${taskName(filter.taskId!)}?`
          }
          confirmLabel="Delete runs"
          busy={busy}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => void doDelete()}
        >
          {count.state === 'counting' ? <p role="status">Counting the runs…</p> : null}
          {confirm === 'period'
            ? 'Every run (of every task, test runs included) started in this period is deleted for good. Tasks, configurations and schedule entries stay.'
            : 'Every run of this task is deleted for good. The task and its schedule entries stay.'}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
