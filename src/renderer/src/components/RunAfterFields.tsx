/**
 * The task form's "Run after" (issue #15; docs/chains.md, "Chains"): rows of a task (a
 * searchable field over every other task) and when its runs start this one; plus, once there is
 * a row, what a chained run does with a truncated input and while the previous one still runs.
 * The server's refusals (a cycle, a missing task, a chain too long) show at their row from
 * `details.issues[].path` (`task.runAfter.<i>.taskId`).
 */
import { useId, useMemo, type ReactElement } from 'react';
import {
  CHAIN_WHEN,
  OVERLAP_POLICIES,
  type ChainWhen,
  type RunAfter,
  type Task,
} from '../../../shared/domain';
import { CHAIN_MAX_PARENTS } from '../../../shared/limits';
import { taskLabels } from './ChainHooks';
import { Field } from './Field';

export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** One row as the form edits it: the task picked (or '' while the text names none). */
export interface RunAfterRow {
  taskId: string;
  /** The text typed; undefined: show the picked task's name. */
  text?: string;
  when: ChainWhen;
}

export interface ChainOptions {
  allowTruncatedInput: boolean;
  /** '' for the default (skip). */
  chainOverlap: OverlapPolicy | '';
}

const WHEN_LABELS: Readonly<Record<ChainWhen, string>> = {
  succeeded: 'succeeded',
  failed: 'failed (or timed out)',
  finished: 'finished (either way)',
};

export const PICK_A_TASK = 'pick a task from the list';

export function runAfterRowsOf(runAfter: readonly RunAfter[] | undefined): RunAfterRow[] {
  return (runAfter ?? []).map(({ taskId, when }) => ({ taskId, when }));
}

/** The rows as `task.runAfter`, with an error per row whose text names no task. */
export function runAfterOf(rows: readonly RunAfterRow[]): {
  runAfter: RunAfter[];
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  rows.forEach((row, i) => {
    if (!row.taskId) errors[`runAfter.${i}.taskId`] = PICK_A_TASK;
  });
  return { runAfter: rows.map(({ taskId, when }) => ({ taskId, when })), errors };
}

/** The task a typed text names: its label exactly, else its name in any case when unique. */
function taskNamed(text: string, tasks: readonly Task[], labels: Map<string, string>): string {
  const typed = text.trim();
  const exact = tasks.find((t) => labels.get(t.id) === typed);
  if (exact) return exact.id;
  const loose = tasks.filter((t) => t.name.toLowerCase() === typed.toLowerCase());
  return loose.length === 1 ? loose[0]!.id : '';
}

interface RunAfterFieldsProps {
  rows: readonly RunAfterRow[];
  /** Every task but the one edited. */
  tasks: readonly Task[];
  options: ChainOptions;
  /** Replaces rows and options; `key` is the field touched (`runAfter.0.taskId`). */
  onChange: (rows: RunAfterRow[], options: ChainOptions, key: string) => void;
  err: (key: string) => string | undefined;
}

export function RunAfterFields({
  rows,
  tasks,
  options,
  onChange,
  err,
}: RunAfterFieldsProps): ReactElement {
  const listId = useId();
  const labels = useMemo(() => taskLabels(tasks), [tasks]);
  const setRows = (next: RunAfterRow[], key: string): void => onChange(next, options, key);
  const change = (index: number, patch: Partial<RunAfterRow>, field: string): void =>
    setRows(
      rows.map((r, i) => (i === index ? { ...r, ...patch } : r)),
      `runAfter.${index}.${field}`,
    );
  return (
    <fieldset>
      <legend>Run after</legend>
      <p className="hint">
        {rows.length === 0
          ? 'Runs only by its schedules and by hand. Add a task to run this one each time a run of it ends, with that run as its input ({{input…}}).'
          : 'Runs once each time a run of one of these tasks ends as chosen, with that run as its input ({{input…}}).'}
      </p>
      <datalist id={listId}>
        {tasks.map((t) => (
          <option key={t.id} value={labels.get(t.id)} label={`${t.type} ${t.operation}`} />
        ))}
      </datalist>
      {rows.map((row, i) => (
        <div role="group" aria-label={`Run after ${i + 1}`} className="row" key={i}>
          <Field label="Task" error={err(`runAfter.${i}.taskId`) ?? err(`runAfter.${i}`)}>
            {(p) => (
              <input
                {...p}
                list={listId}
                autoComplete="off"
                placeholder="type to search tasks…"
                value={row.text ?? labels.get(row.taskId) ?? row.taskId}
                onChange={(e) =>
                  change(
                    i,
                    { text: e.target.value, taskId: taskNamed(e.target.value, tasks, labels) },
                    'taskId',
                  )
                }
              />
            )}
          </Field>
          <Field label="When it" error={err(`runAfter.${i}.when`)}>
            {(p) => (
              <select
                {...p}
                value={row.when}
                onChange={(e) => change(i, { when: e.target.value as ChainWhen }, 'when')}
              >
                {CHAIN_WHEN.map((w) => (
                  <option key={w} value={w}>
                    {WHEN_LABELS[w]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            aria-label={`Remove run after ${i + 1}`}
            onClick={() =>
              setRows(
                rows.filter((_, j) => j !== i),
                'runAfter',
              )
            }
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        disabled={rows.length >= CHAIN_MAX_PARENTS || tasks.length === 0}
        onClick={() => setRows([...rows, { taskId: '', text: '', when: 'succeeded' }], 'runAfter')}
      >
        Add a task to run after
      </button>
      {tasks.length === 0 ? <span className="hint"> No other task yet.</span> : null}
      {rows.length > 0 ? (
        <>
          <label className="check">
            <input
              type="checkbox"
              checked={options.allowTruncatedInput}
              onChange={(e) =>
                onChange(
                  [...rows],
                  { ...options, allowTruncatedInput: e.target.checked },
                  'allowTruncatedInput',
                )
              }
            />{' '}
            Allow truncated input (run with what was kept when the parent&apos;s result was cut by
            the result size cap, instead of failing with INPUT_TRUNCATED)
          </label>
          <Field label="While its previous chained run still runs" error={err('chainOverlap')}>
            {(p) => (
              <select
                {...p}
                value={options.chainOverlap}
                onChange={(e) =>
                  onChange(
                    [...rows],
                    { ...options, chainOverlap: e.target.value as OverlapPolicy | '' },
                    'chainOverlap',
                  )
                }
              >
                <option value="">default (skip)</option>
                {OVERLAP_POLICIES.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            )}
          </Field>
        </>
      ) : null}
    </fieldset>
  );
}
