/**
 * A run's place in a chain, for the run detail (issue #15): the parent run it ran after (a link,
 * and its result as the run's input) and the runs it started (`runs.list` with `parentRunId`),
 * kept live by the run events.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Run } from '../../../shared/domain';
import { call } from '../api/current';
import { errorMessage } from '../stores/load-state';
import { useRuns } from '../stores/runs';
import { formatTime } from '../util';
import { useAllTasks } from './ChainHooks';
import { StatusBadge } from './common';
import { JsonTree } from './RunResultView';

const runHref = (id: string): string => `#/history/${encodeURIComponent(id)}`;

/** "after the run of “Fetch”": a link to the parent run of a chained run (or its retry). */
export function ChainParentLink({ run }: { run: Run }): ReactElement | null {
  const { parentRunId, parentTaskId } = run.trigger;
  const parentName = useAllTasks().find((t) => t.id === parentTaskId)?.name;
  if (!parentRunId) return null;
  return (
    <>
      {' '}
      after{' '}
      <a href={runHref(parentRunId)} aria-label="Parent run">
        the run of {parentName ? `“${parentName}”` : (parentTaskId ?? 'its parent')}
      </a>
    </>
  );
}

/** The run's input: its parent run's status, summary and result. */
export function ChainRunInput({ parentRunId }: { parentRunId: string }): ReactElement {
  const [parent, setParent] = useState<Run | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let stale = false;
    setParent(undefined);
    setError(undefined);
    call('runs.get', { id: parentRunId }).then(
      (run) => !stale && setParent(run),
      (e: unknown) => !stale && setError(errorMessage(e)),
    );
    return () => {
      stale = true;
    };
  }, [parentRunId]);
  return (
    <section aria-label="Input">
      <h3>Input</h3>
      {error ? <p className="hint">The parent run cannot be read: {error}</p> : null}
      {parent ? (
        <>
          <p>
            The result of <a href={runHref(parent.id)}>the run of “{parent.taskName}”</a>{' '}
            <StatusBadge status={parent.status} /> {formatTime(parent.startedAt)}
            {parent.result?.summary ? `: ${parent.result.summary}` : ''}
          </p>
          {parent.result?.truncated ? (
            <p className="hint">
              It was cut by the result size cap: a chained run fails with INPUT_TRUNCATED unless its
              task allows truncated input.
            </p>
          ) : null}
          {parent.result ? (
            <details>
              <summary>Input (the parent&apos;s result)</summary>
              <JsonTree value={parent.result} label="Input" />
            </details>
          ) : (
            <p className="hint">The parent run recorded no result.</p>
          )}
        </>
      ) : null}
    </section>
  );
}

/** The runs this run started (chained children and their retries), live. */
export function ChainRunChildren({ runId }: { runId: string }): ReactElement | null {
  // Any run of this parent that starts or ends changes the key, and the list is read again.
  const liveKey = useRuns(
    (s) =>
      Object.values(s.running)
        .filter((r) => r.trigger.parentRunId === runId)
        .map((r) => r.id)
        .join(',') +
      '|' +
      s.items
        .filter((r) => r.trigger.parentRunId === runId)
        .map((r) => `${r.id}:${r.status}`)
        .join(','),
  );
  const [children, setChildren] = useState<Run[]>([]);
  useEffect(() => {
    let stale = false;
    call('runs.list', { parentRunId: runId, limit: 100 }).then(
      (page) => !stale && setChildren(page.items),
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [runId, liveKey]);
  if (children.length === 0) return null;
  return (
    <section aria-label="Runs it started">
      <h3>Runs it started</h3>
      <ul>
        {children.map((child) => (
          <li key={child.id}>
            <StatusBadge status={child.status} />{' '}
            <a href={runHref(child.id)}>
              {child.taskName} ({child.trigger.kind}, {formatTime(child.startedAt)})
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
