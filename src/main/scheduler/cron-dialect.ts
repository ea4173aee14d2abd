/**
 * How this project reads a cron expression (issue #13): Vixie cron / cronie semantics, on top of
 * croner, which only computes occurrences.
 *
 * - Nicknames: `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`
 *   (any case) stand for their 5-field expressions; `@reboot` is refused.
 * - Day-of-month and day-of-week: combined with AND when either field starts with `*` (or `?`,
 *   croner's synonym), with OR only when both are restricted without a leading `*`.
 * - DST: an expression whose minute and hour fields both do not start with `*` (or `?`) is a
 *   fixed-time job: a time in a DST gap runs once at the first valid time after the gap, and a
 *   repeated time runs only at its first occurrence. Any other expression is an interval job: it
 *   skips the gap and runs in both copies of a repeated hour. The seconds field (6-field
 *   expressions) plays no part in the choice.
 *
 * croner's own "no-wildcard" fixed-time rule also counts a step anywhere (`0-30/10`) or a `*`
 * inside a list (`5,*\/20`) as interval; so for a fixed-time job the seconds, minute and hour
 * fields are handed to croner as explicit lists, which croner then classifies as fixed-time.
 */
import { CronPattern } from 'croner';

export const CRON_NICKNAMES: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

/** A problem with the expression itself; the caller adds which expression and field. */
export class CronDialectError extends Error {}

/** The expression with a nickname lower-cased (`@Daily` → `@daily`); others unchanged. */
export function normalizeNickname(expression: string): string {
  return expression.startsWith('@') ? expression.toLowerCase() : expression;
}

/** The 5- or 6-field form of a (whitespace-normalized) expression; throws for `@reboot` etc. */
export function expandNickname(expression: string): string {
  if (!expression.startsWith('@')) return expression;
  const name = expression.toLowerCase();
  if (name === '@reboot') {
    throw new CronDialectError(
      '@reboot is not supported: the scheduler is always running, so there is no start-up to run at; use a time such as "@daily" or "0 9 * * *"',
    );
  }
  const fields = CRON_NICKNAMES[name];
  if (fields === undefined) {
    throw new CronDialectError(
      `unknown nickname; use one of ${Object.keys(CRON_NICKNAMES).join(', ')}`,
    );
  }
  return fields;
}

const wild = (field: string): boolean => field.startsWith('*') || field.startsWith('?');
const spelled = (field: string): boolean => !/[*?/]/.test(field);

/** What croner is given for an expression, and how the expression was classified. */
export interface CronerPlan {
  /** The expression as croner reads it (nickname expanded, time fields spelled out if needed). */
  pattern: string;
  /** Day-of-month AND day-of-week (croner's `domAndDow`). */
  domAndDow: boolean;
  /** Fixed-time job for DST (else interval job). */
  fixedTime: boolean;
}

/**
 * Classifies an expression of 5 or 6 fields (or a nickname). Throws `CronDialectError` for a
 * refused nickname and croner's error for a malformed expression.
 */
export function cronerPlan(expression: string): CronerPlan {
  const fields = expandNickname(expression).split(' ');
  const at = fields.length === 6 ? 1 : 0;
  const minute = fields[at] ?? '';
  const hour = fields[at + 1] ?? '';
  const dom = fields[at + 2] ?? '';
  const dow = fields[at + 4] ?? '';
  const fixedTime = !wild(minute) && !wild(hour);
  const domAndDow = wild(dom) || wild(dow);
  if (fixedTime && !fields.slice(0, at + 2).every(spelled)) {
    const parsed = new CronPattern(fields.join(' '), undefined, { mode: '5-or-6-parts' });
    const list = (values: number[]): string =>
      values.flatMap((on, value) => (on ? [value] : [])).join(',');
    if (at === 1) fields[0] = list(parsed.second);
    fields[at] = list(parsed.minute);
    fields[at + 1] = list(parsed.hour);
  }
  return { pattern: fields.join(' '), domAndDow, fixedTime };
}
