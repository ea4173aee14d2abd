/**
 * Checks on a run's result (issue #15): `task.checks: [{ path, op, value? }]`. Pure TS: the core
 * decides pass/fail with `evaluateChecks` and the task form evaluates the same checks live
 * against the last run's result. User guide: docs/chains.md, "Checks".
 *
 * - `path` is a value path (value-path.ts) into the result: `statusCode`, `body.items.length`.
 * - Values are JSON and compared as JSON: `equals`/`notEquals`/`changed` by deep equality (key
 *   order does not matter, types do: 3 is not "3").
 * - `lt lte gt gte`: numbers numerically, strings by UTF-16 code units (so ISO 8601 times in the
 *   same format compare in time order); a number against a string fails the check.
 * - `contains`: a string holds the text, an array holds an element equal to the value, an
 *   object has the value as a key.
 * - `matches`: a JavaScript regular expression (`u` flag) against a string, number or boolean
 *   (as text); bounded as regex-bounds.ts explains (refused at validation when it could be
 *   catastrophic; a value too long for the pattern fails the check with a message).
 * - `lengthEquals`: the length of a string or array, or the number of keys of an object.
 * - `exists` / `missing`: whether the path is there (null is there).
 * - `changed` fails when the value differs from the previous succeeded run's (missing in both
 *   counts as the same); with no previous run it passes.
 * Every other op fails when the path is not there, with the message that says which keys exist.
 */
import { z } from 'zod';
import { boundedJson } from './json-bounds';
import { analyzeRegex, matchBounded } from './regex-bounds';
import { describeKind, parsePath, resolvePath, type PathStep } from './value-path';

export const CHECK_OPS = [
  'equals',
  'notEquals',
  'exists',
  'missing',
  'contains',
  'matches',
  'lt',
  'lte',
  'gt',
  'gte',
  'lengthEquals',
  'changed',
] as const;
export type CheckOp = (typeof CHECK_OPS)[number];

/** Most checks one task may have. */
export const MAX_CHECKS = 50;
/** An `actual` whose JSON text is longer is recorded as a shortened text (`actualTruncated`). */
export const CHECK_ACTUAL_MAX_CHARS = 1000;

const NO_VALUE: readonly CheckOp[] = ['exists', 'missing', 'changed'];
const ORDER_OPS: readonly CheckOp[] = ['lt', 'lte', 'gt', 'gte'];

/** What is wrong with a check's value for its op, or undefined. */
function valueProblem(op: CheckOp, value: unknown): string | undefined {
  if (NO_VALUE.includes(op)) {
    return value === undefined ? undefined : `op ${op} takes no value; remove it`;
  }
  if (value === undefined) return `op ${op} needs a value`;
  if (op === 'matches') {
    if (typeof value !== 'string') return 'op matches needs a regular expression as text';
    const analysis = analyzeRegex(value);
    return analysis.ok ? undefined : analysis.message;
  }
  if (ORDER_OPS.includes(op) && typeof value !== 'number' && typeof value !== 'string') {
    return `op ${op} compares numbers or texts; the value is ${describeKind(value)}`;
  }
  if (op === 'lengthEquals' && !(Number.isInteger(value) && (value as number) >= 0)) {
    return 'op lengthEquals needs a whole number from 0';
  }
  return undefined;
}

export const checkSchema = z
  .strictObject({
    path: z.string().superRefine((path, ctx) => {
      if (path.trim() === '') {
        ctx.addIssue({
          code: 'custom',
          message:
            'must not be empty; write a path into the result, such as statusCode or body.items.length',
        });
        return;
      }
      const parsed = parsePath(path);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    }),
    op: z.enum(CHECK_OPS, { error: `must be one of ${CHECK_OPS.join(', ')}` }),
    value: boundedJson(z.unknown()).optional(),
  })
  .superRefine((check, ctx) => {
    const problem = valueProblem(check.op, check.value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });

export const checksSchema = z
  .array(checkSchema)
  .max(MAX_CHECKS, `at most ${MAX_CHECKS} checks; combine or drop some`);

export type Check = z.infer<typeof checkSchema>;

/** One check's outcome, as recorded in `result.checks`. */
export const checkOutcomeSchema = z.strictObject({
  path: z.string(),
  op: z.enum(CHECK_OPS),
  value: z.unknown().optional(),
  /** The value found at the path (absent when the path is not there). */
  actual: z.unknown().optional(),
  /** `actual` is a shortened JSON text of a larger value. */
  actualTruncated: z.literal(true).optional(),
  passed: z.boolean(),
  /** Why it failed. */
  message: z.string().optional(),
});
export type CheckOutcome = z.infer<typeof checkOutcomeSchema>;

export interface ChecksOutcome {
  passed: boolean;
  outcomes: CheckOutcome[];
  /** The first failed check's message, naming it and the actual value. */
  message?: string;
}

/** A value in a message: JSON text, shortened. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** The check as a phrase: `body.items.length equals 4`. */
export function describeCheck(check: { path: string; op: string; value?: unknown }): string {
  return check.value === undefined
    ? `${check.path} ${check.op}`
    : `${check.path} ${check.op} ${show(check.value)}`;
}

/** Deep equality of JSON values, without recursion; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const pairs: Array<[unknown, unknown]> = [[a, b]];
  while (pairs.length > 0) {
    const [x, y] = pairs.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      if (x.length !== ys.length) return false;
      for (let i = 0; i < x.length; i++) pairs.push([x[i], ys[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = Object.keys(xo);
    if (keys.length !== Object.keys(yo).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(yo, key)) return false;
      pairs.push([xo[key], yo[key]]);
    }
  }
  return true;
}

type Verdict = { passed: true } | { passed: false; why: string };

const pass: Verdict = { passed: true };
const actualIs = (actual: unknown): Verdict => ({ passed: false, why: `actual ${show(actual)}` });

function compare(op: CheckOp, actual: unknown, value: unknown): Verdict {
  switch (op) {
    case 'equals':
      return jsonEqual(actual, value) ? pass : actualIs(actual);
    case 'notEquals':
      return jsonEqual(actual, value) ? actualIs(actual) : pass;
    case 'exists':
      return pass;
    case 'contains':
      if (typeof actual === 'string') {
        if (typeof value !== 'string') {
          return { passed: false, why: `actual is a string; a string contains only text` };
        }
        return actual.includes(value) ? pass : actualIs(actual);
      }
      if (Array.isArray(actual)) {
        return actual.some((item) => jsonEqual(item, value)) ? pass : actualIs(actual);
      }
      if (actual !== null && typeof actual === 'object') {
        return typeof value === 'string' && Object.prototype.hasOwnProperty.call(actual, value)
          ? pass
          : {
              passed: false,
              why: `actual has the keys ${Object.keys(actual).join(', ') || '(none)'}`,
            };
      }
      return {
        passed: false,
        why: `actual ${show(actual)} is ${describeKind(actual)}; contains works on strings, arrays and objects`,
      };
    case 'matches': {
      if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') {
        return {
          passed: false,
          why: `actual is ${describeKind(actual)}; matches works on strings, numbers and booleans`,
        };
      }
      const match = matchBounded(String(value), String(actual));
      if (!match.ok) return { passed: false, why: match.message };
      return match.matched ? pass : actualIs(actual);
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (
        (typeof actual !== 'number' && typeof actual !== 'string') ||
        typeof actual !== typeof value
      ) {
        return {
          passed: false,
          why: `actual ${show(actual)} is ${describeKind(actual)}, the value ${describeKind(value)}; ${op} compares two numbers or two strings`,
        };
      }
      const a = actual as number | string;
      const v = value as number | string;
      const ok = op === 'lt' ? a < v : op === 'lte' ? a <= v : op === 'gt' ? a > v : a >= v;
      return ok ? pass : actualIs(actual);
    }
    case 'lengthEquals': {
      let length: number;
      if (typeof actual === 'string' || Array.isArray(actual)) length = actual.length;
      else if (actual !== null && typeof actual === 'object') length = Object.keys(actual).length;
      else {
        return {
          passed: false,
          why: `actual ${show(actual)} is ${describeKind(actual)}; lengthEquals works on strings, arrays and objects`,
        };
      }
      return length === value ? pass : { passed: false, why: `actual length ${length}` };
    }
    default:
      return { passed: false, why: `unknown op "${String(op)}"` };
  }
}

/** The value to record as `actual`: itself when short, else a shortened JSON text. */
function recordable(actual: unknown): { actual: unknown; actualTruncated?: true } {
  const text = JSON.stringify(actual) ?? '';
  if (text.length <= CHECK_ACTUAL_MAX_CHARS) return { actual };
  return { actual: `${text.slice(0, 200)}…`, actualTruncated: true };
}

function evaluateOne(
  check: Check,
  steps: readonly PathStep[],
  result: unknown,
  previous: unknown,
): { verdict: Verdict; found: boolean; actual?: unknown } {
  const resolved = resolvePath(result, steps, { rootLabel: 'the result' });
  if (check.op === 'missing') {
    return resolved.found
      ? { verdict: actualIs(resolved.value), found: true, actual: resolved.value }
      : { verdict: pass, found: false };
  }
  if (check.op === 'changed') {
    const now = resolved.found ? resolved.value : undefined;
    const base = { found: resolved.found, actual: now };
    if (previous === undefined) return { verdict: pass, ...base };
    const before = resolvePath(previous, steps);
    const then = before.found ? before.value : undefined;
    const same = before.found === resolved.found && (!before.found || jsonEqual(then, now));
    if (same) return { verdict: pass, ...base };
    const was = before.found ? show(then) : 'missing';
    const is = resolved.found ? show(now) : 'missing';
    return { verdict: { passed: false, why: `was ${was}, now ${is}` }, ...base };
  }
  if (!resolved.found) return { verdict: { passed: false, why: resolved.message }, found: false };
  return {
    verdict: compare(check.op, resolved.value, check.value),
    found: true,
    actual: resolved.value,
  };
}

/**
 * Evaluates `checks` against a run's result (`previous`: the previous succeeded run's result,
 * for `changed`). Never throws: a check that does not parse (a half-typed row in the form)
 * fails with its problem as the message.
 */
export function evaluateChecks(
  checks: readonly Check[],
  result: unknown,
  options: { previous?: unknown } = {},
): ChecksOutcome {
  const outcomes: CheckOutcome[] = [];
  let message: string | undefined;
  for (const check of checks) {
    let verdict: Verdict;
    let recorded: { actual?: unknown; actualTruncated?: true } = {};
    const parsed = checkSchema.safeParse(check);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      verdict = { passed: false, why: `${where}${issue.message}` };
    } else {
      const steps = (parsePath(check.path) as { steps: PathStep[] }).steps;
      const one = evaluateOne(check, steps, result, options.previous);
      verdict = one.verdict;
      if (one.found) recorded = recordable(one.actual);
    }
    const outcome: CheckOutcome = {
      path: check.path,
      op: check.op,
      ...(check.value === undefined ? {} : { value: check.value }),
      ...recorded,
      passed: verdict.passed,
      ...(verdict.passed ? {} : { message: verdict.why }),
    };
    if (!outcome.passed && message === undefined) {
      message = `${describeCheck(check)} failed: ${outcome.message ?? 'no reason given'}`;
    }
    outcomes.push(outcome);
  }
  return message === undefined ? { passed: true, outcomes } : { passed: false, outcomes, message };
}
