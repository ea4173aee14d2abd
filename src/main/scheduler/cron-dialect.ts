/**
 * How this project reads a cron expression (issue #13): Vixie cron / cronie semantics, on top of
 * croner, which only computes occurrences.
 *
 * - Nicknames: `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`
 *   (any case) stand for their 5-field expressions; `@reboot` is refused (the syntax, with its
 *   messages, is checked in src/shared/cron-syntax.ts, shared with the schedule form).
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
import { CRON_NICKNAMES } from '../../shared/cron-syntax';

/** The 5- or 6-field form of an expression that `checkCron` accepted (a nickname expanded). */
export function expandNickname(expression: string): string {
  return CRON_NICKNAMES[expression.toLowerCase()] ?? expression;
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
 * Classifies an expression of 5 or 6 fields (or a nickname) that `checkCron` accepted
 * (src/shared/cron-syntax.ts); throws croner's error for one it did not.
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
