/**
 * One run in the History screen: its facts (the trigger names the schedule entry, an elapsed
 * timer while it runs), its chain, result and configuration snapshot, and what can be done with
 * it (RunActions.tsx: cancel, run again, copy the result or a curl command).
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Run, ScheduleEntry } from '../../../shared/domain';
import { call } from '../api/current';
import { describeEntry } from '../cron-text';
import { navigate } from '../router';
import { errorMessage } from '../stores/load-state';
import { useRuns } from '../stores/runs';
import { useSchedules } from '../stores/schedules';
import { formatDuration, formatTime } from '../util';
import { ChainParentLink, ChainRunChildren, ChainRunInput } from './ChainRunLinks';
import { ErrorBox, Loading, StatusBadge } from './common';
import { RunActions } from './RunActions';
import { JsonTree, RunResultView } from './RunResultView';

/** Milliseconds since `startedAt`, ticking every second while `running`. */
export function useElapsed(startedAt: string, running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running, startedAt]);
  return Math.max(0, now - Date.parse(startedAt));
}

/** `entry “Nightly”`, `entry every 5 minutes`, or the id when the entry is gone. */
export function entryText(id: string, entries: readonly ScheduleEntry[]): string {
  const entry = entries.find((e) => e.id === id);
  if (!entry) return `entry ${id}, since deleted`;
  return entry.name ? `entry “${entry.name}”` : `entry ${describeEntry(entry)}`;
}

function Elapsed({ run }: { run: Run }): ReactElement {
  const elapsed = useElapsed(run.startedAt, run.status === 'running');
  if (run.status !== 'running') return <>{formatDuration(run.durationMs)}</>;
  return (
    <span role="timer" aria-live="off">
      running for {formatDuration(Math.floor(elapsed / 1000) * 1000)}
    </span>
  );
}

export function RunDetail({ id }: { id: string }): ReactElement {
  const live = useRuns((s) => s.items.find((r) => r.id === id));
  const entries = useSchedules((s) => s.items);
  const [run, setRun] = useState<Run | undefined>(live);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (live) setRun(live);
  }, [live]);
  useEffect(() => {
    setError(undefined);
    call('runs.get', { id }).then(setRun, (e: unknown) => setError(errorMessage(e)));
  }, [id]);
  const scheduleId = run?.trigger.scheduleId;
  useEffect(() => {
    if (scheduleId && useSchedules.getState().status === 'idle')
      void useSchedules.getState().load();
  }, [scheduleId]);
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
      <RunActions run={run} onRun={setRun} />
      <dl className="facts">
        <dt>Trigger</dt>
        <dd>
          {run.trigger.kind}
          {scheduleId ? ` (${entryText(scheduleId, entries)})` : ''}
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
        <dd>
          <Elapsed run={run} />
        </dd>
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
