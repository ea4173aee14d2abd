/**
 * What can be done with one run (the run detail's toolbar): Cancel while it runs, Run again (its
 * task with the run's configuration), Copy result, and Copy as cURL for api runs (from the
 * redacted configuration snapshot: secrets stay redacted, the note under the button says so).
 * Where the clipboard is not available, the text is shown selected for copying by hand.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { Run } from '../../../shared/domain';
import { REDACTED } from '../../../shared/domain';
import { call } from '../api/current';
import { navigate } from '../router';
import { errorMessage } from '../stores/load-state';
import { useRuns } from '../stores/runs';
import { useTasks } from '../stores/tasks';
import { curlOfRun } from './curl';

/** The text Copy result copies: the result (and the error, when there is one) as JSON. */
export function resultText(run: Pick<Run, 'result' | 'error'>): string {
  const value =
    run.error && run.result
      ? { error: run.error, result: run.result }
      : (run.error ?? run.result ?? null);
  return JSON.stringify(value, null, 2);
}

/** Copies `text`; false when the clipboard is not available (or refused). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (!navigator.clipboard?.writeText) return false;
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

interface Fallback {
  label: string;
  text: string;
}

function ManualCopy({ fallback }: { fallback: Fallback }): ReactElement {
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, [fallback]);
  return (
    <textarea
      ref={ref}
      className="manual-copy"
      aria-label={fallback.label}
      readOnly
      rows={Math.min(12, fallback.text.split('\n').length + 1)}
      value={fallback.text}
    />
  );
}

export function RunActions({
  run,
  onRun,
}: {
  run: Run;
  /** Told the run's new record (after a cancel). */
  onRun: (run: Run) => void;
}): ReactElement {
  // Until the tasks are loaded, the task is taken to exist (the service says when it does not).
  const taskExists = useTasks(
    (s) => s.status !== 'ready' || s.items.some((t) => t.id === run.taskId),
  );
  const [busy, setBusy] = useState<'cancel' | 'again' | undefined>();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const [fallback, setFallback] = useState<Fallback | undefined>();
  useEffect(() => {
    setMessage(undefined);
    setFallback(undefined);
  }, [run.id]);
  const curl = curlOfRun(run);
  const isTest = run.trigger.kind === 'test' || !run.taskId;

  const act = async (what: 'cancel' | 'again', work: () => Promise<string>): Promise<void> => {
    setBusy(what);
    setMessage(undefined);
    try {
      setMessage({ kind: 'ok', text: await work() });
    } catch (error) {
      setMessage({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(undefined);
    }
  };
  const cancel = (): Promise<void> =>
    act('cancel', async () => {
      const final = await useRuns.getState().cancel(run.id);
      onRun(final);
      return final.status === 'cancelled'
        ? 'The run was cancelled.'
        : `The run ended (${final.status}) before it could be cancelled.`;
    });
  const again = (): Promise<void> =>
    act('again', async () => {
      const started = await call('tasks.run', {
        id: run.taskId,
        configId: run.configId,
        wait: false,
      });
      useRuns.getState().applyRun(started);
      navigate(`/history/${encodeURIComponent(started.id)}`);
      return `Started a new run of ${run.taskName}.`;
    });
  const copy = async (label: string, text: string, what: string): Promise<void> => {
    setFallback(undefined);
    if (await copyText(text)) {
      setMessage({ kind: 'ok', text: `Copied ${what} to the clipboard.` });
    } else {
      setMessage({
        kind: 'error',
        text: `The clipboard is not available here: copy ${what} from the selected text below.`,
      });
      setFallback({ label, text });
    }
  };

  return (
    <div className="run-actions">
      <div className="toolbar" role="group" aria-label="Run actions">
        {run.status === 'running' ? (
          <button
            type="button"
            className="danger"
            disabled={busy !== undefined}
            onClick={() => void cancel()}
          >
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel run'}
          </button>
        ) : null}
        {!isTest ? (
          <button
            type="button"
            disabled={busy !== undefined || !taskExists}
            title={
              taskExists
                ? `Runs ${run.taskName} now with ${run.configName}`
                : 'Its task was deleted: there is nothing to run again'
            }
            onClick={() => void again()}
          >
            {busy === 'again' ? 'Starting…' : 'Run again'}
          </button>
        ) : null}
        <button
          type="button"
          disabled={run.status === 'running'}
          onClick={() => void copy('Result to copy', resultText(run), 'the result')}
        >
          Copy result
        </button>
        {curl ? (
          <button
            type="button"
            aria-describedby="curl-note"
            onClick={() => void copy('curl command to copy', curl, 'the curl command')}
          >
            Copy as cURL
          </button>
        ) : null}
      </div>
      {curl ? (
        <p className="hint" id="curl-note">
          The cURL command is built from the run’s configuration snapshot: secrets show as{' '}
          {REDACTED}; put them back before you run it. Placeholders ({'{{…}}'}) stay as written.
        </p>
      ) : null}
      {!isTest && !taskExists ? (
        <p className="hint">Its task was deleted, so it cannot run again.</p>
      ) : null}
      {message ? (
        <p
          role={message.kind === 'error' ? 'alert' : 'status'}
          className={message.kind === 'error' ? 'run-action-error' : 'run-action-ok'}
        >
          {message.text}
        </p>
      ) : null}
      {fallback ? <ManualCopy fallback={fallback} /> : null}
    </div>
  );
}
