/**
 * The task form's "Checks" (issue #15; docs/chains.md, "Checks"): rows of path / op / value,
 * each evaluated live against the task's last result with the core's own `evaluateChecks`, so a
 * row says whether it would pass and what value it found.
 */
import { useId, useMemo, type ReactElement } from 'react';
import {
  CHECK_OPS,
  MAX_CHECKS,
  checkSchema,
  evaluateChecks,
  type Check,
  type CheckOp,
  type CheckOutcome,
} from '../../../shared/checks';
import type { Run } from '../../../shared/domain';
import { formatTime } from '../util';
import { Field } from './Field';
import { previewValue, resultPaths } from './PlaceholderPaths';

/** One check as the form edits it: the value as typed. */
export interface CheckRow {
  path: string;
  op: CheckOp;
  value: string;
}

/** Ops that take no value (the value field is hidden). */
const NO_VALUE: ReadonlySet<CheckOp> = new Set(['exists', 'missing', 'changed']);

const OP_HINTS: Readonly<Partial<Record<CheckOp, string>>> = {
  matches: 'a regular expression, e.g. ^2\\d\\d$',
  lengthEquals: 'a whole number',
  contains: 'text in a string, an element of an array, or a key of an object',
};
const VALUE_HINT = 'JSON when it parses (3, true, "3", [1, 2]), else the text as typed';

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The value as the form shows it: text as it is, unless it would read back as other JSON. */
function valueText(op: CheckOp, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && (op === 'matches' || !parsesAsJson(value))) return value;
  return JSON.stringify(value);
}

/** The value a row means: none, the text (matches), or JSON when it parses, else the text. */
function valueOf(row: CheckRow): unknown {
  if (NO_VALUE.has(row.op) || row.value === '') return undefined;
  if (row.op === 'matches') return row.value;
  try {
    return JSON.parse(row.value) as unknown;
  } catch {
    return row.value;
  }
}

export function checkRowsOf(checks: readonly Check[] | undefined): CheckRow[] {
  return (checks ?? []).map((c) => ({ path: c.path, op: c.op, value: valueText(c.op, c.value) }));
}

export function checksOf(rows: readonly CheckRow[]): Check[] {
  return rows.map((row) => {
    const value = valueOf(row);
    return value === undefined
      ? { path: row.path.trim(), op: row.op }
      : { path: row.path.trim(), op: row.op, value };
  });
}

function verdictText(outcome: CheckOutcome): string {
  if (!outcome.passed) return `fails: ${outcome.message ?? 'no reason given'}`;
  if (!('actual' in outcome)) return 'passes: not there';
  return `passes: actual ${previewValue(outcome.actual)}`;
}

interface ChecksFieldsProps {
  rows: readonly CheckRow[];
  /** Replaces the rows; `key` is the field touched (`checks.0.path`). */
  onChange: (rows: CheckRow[], key: string) => void;
  err: (key: string) => string | undefined;
  /** The task's latest run with a result, to evaluate against. */
  lastRun?: Run | undefined;
}

export function ChecksFields({ rows, onChange, err, lastRun }: ChecksFieldsProps): ReactElement {
  const listId = useId();
  const result = lastRun?.result;
  const paths = useMemo(() => (result ? resultPaths(result) : []), [result]);
  const checks = checksOf(rows);
  const outcomes = result ? evaluateChecks(checks, result).outcomes : [];
  const change = (index: number, patch: Partial<CheckRow>, field: string): void =>
    onChange(
      rows.map((r, i) => (i === index ? { ...r, ...patch } : r)),
      `checks.${index}.${field}`,
    );
  return (
    <fieldset>
      <legend>Checks</legend>
      <p className="hint">
        A run whose checks fail is failed (CHECK_FAILED). Paths read the run&apos;s own result:
        statusCode, body.items.length, rows[0].id.{' '}
        {lastRun ? (
          <>
            Evaluated live against the last result (
            <a href={`#/history/${encodeURIComponent(lastRun.id)}`}>
              {lastRun.status}, {formatTime(lastRun.startedAt)}
            </a>
            ).
          </>
        ) : (
          'No run with a result yet: run the task once to see each check evaluated here.'
        )}
      </p>
      <datalist id={listId}>
        {paths.map((p) => (
          <option key={p.path} value={p.path} label={p.preview} />
        ))}
      </datalist>
      {rows.map((row, i) => {
        const valid = checkSchema.safeParse(checks[i]).success;
        const outcome = valid ? outcomes[i] : undefined;
        return (
          <div role="group" aria-label={`Check ${i + 1}`} className="row" key={i}>
            <Field label="Path" error={err(`checks.${i}.path`) ?? err(`checks.${i}`)}>
              {(p) => (
                <input
                  {...p}
                  className="mono"
                  list={listId}
                  autoComplete="off"
                  spellCheck={false}
                  value={row.path}
                  onChange={(e) => change(i, { path: e.target.value }, 'path')}
                />
              )}
            </Field>
            <Field label="Op" error={err(`checks.${i}.op`)}>
              {(p) => (
                <select
                  {...p}
                  value={row.op}
                  onChange={(e) => change(i, { op: e.target.value as CheckOp }, 'op')}
                >
                  {CHECK_OPS.map((op) => (
                    <option key={op}>{op}</option>
                  ))}
                </select>
              )}
            </Field>
            {NO_VALUE.has(row.op) ? null : (
              <Field
                label="Value"
                error={err(`checks.${i}.value`)}
                hint={OP_HINTS[row.op] ?? VALUE_HINT}
              >
                {(p) => (
                  <input
                    {...p}
                    className="mono"
                    spellCheck={false}
                    value={row.value}
                    onChange={(e) => change(i, { value: e.target.value }, 'value')}
                  />
                )}
              </Field>
            )}
            <span
              role="status"
              aria-label={`Check ${i + 1} against the last result`}
              className={
                outcome ? (outcome.passed ? 'badge badge-succeeded' : 'badge badge-failed') : 'hint'
              }
            >
              {outcome ? verdictText(outcome) : result ? '—' : 'not evaluated'}
            </span>
            <button
              type="button"
              aria-label={`Remove check ${i + 1}`}
              onClick={() =>
                onChange(
                  rows.filter((_, j) => j !== i),
                  'checks',
                )
              }
            >
              Remove
            </button>
          </div>
        );
      })}
      <button
        type="button"
        disabled={rows.length >= MAX_CHECKS}
        onClick={() => onChange([...rows, { path: '', op: 'equals', value: '' }], 'checks')}
      >
        Add check
      </button>
    </fieldset>
  );
}
