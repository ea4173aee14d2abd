/**
 * The syntax of a cron expression, checked field by field with messages that name the field and
 * the value as typed (issue #13). The core runs it before computing fire times; the schedule form
 * runs the same function as you type, so the helper and the server cannot disagree on what is
 * well formed. (Whether an expression ever fires is the core's to say: `schedules.preview`.)
 *
 * Accepted: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first,
 * separated by spaces or tabs; a nickname (`@hourly` … `@annually`). Per field: `*` (or `?`), a
 * value, a range `a-b`, a step on `*` or a range (`*\/15`, `0-30/10`), lists of those; month and
 * day-of-week names (JAN-DEC, SUN-SAT); in day-of-month `L`, `LW`, `15W`; in day-of-week `5#3`
 * (third Friday) and `5L` (last Friday). croner computes the occurrences and parses the
 * expression last, so nothing it would read differently gets through.
 *
 * Hand-written because croner's own messages do not name the field ("configuration entry 1"),
 * report day and month values off by one and echo the whole input; a table of rules per field is
 * small.
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

export type CronFieldName = 'second' | 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

export type CronCheck =
  | {
      ok: true;
      /** As stored: fields separated by one space, a nickname in lower case. */
      expression: string;
      /** The 5 or 6 fields (a nickname expanded). */
      fields: string[];
    }
  | {
      ok: false;
      /** What is wrong and what to write instead, one sentence, under 300 characters. */
      message: string;
      /** The field at fault, when one is. */
      field?: CronFieldName;
    };

interface FieldRule {
  name: CronFieldName;
  min: number;
  max: number;
  /** What the field takes, for messages. */
  takes: string;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SECOND: FieldRule = { name: 'second', min: 0, max: 59, takes: '0-59' };
const RULES: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59, takes: '0-59' },
  { name: 'hour', min: 0, max: 23, takes: '0-23' },
  { name: 'day-of-month', min: 1, max: 31, takes: '1-31, L, LW or a day with W (15W)' },
  { name: 'month', min: 1, max: 12, takes: '1-12 or JAN-DEC', names: MONTHS },
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    takes: '0-7 or SUN-SAT (0 and 7 are Sunday), 5#3 (third Friday) or 5L (last Friday)',
    names: WEEKDAYS,
  },
];

const FIELD_LIST = 'minute hour day-of-month month day-of-week';
const MAX_SHOWN = 40;

/** A piece of user input for a message: quoted as JSON, cut to a readable length. */
export function shown(text: string, limit = MAX_SHOWN): string {
  const cut = text.length > limit ? `${text.slice(0, limit)}…` : text;
  return JSON.stringify(cut);
}

class FieldProblem extends Error {}

const fail = (message: string): never => {
  throw new FieldProblem(message);
};

function value(rule: FieldRule, token: string, rangeEnd: boolean): number {
  if (/^\d+$/.test(token)) {
    const n = token.length > 6 ? Infinity : Number(token);
    if (n < rule.min || n > rule.max) {
      fail(`must be ${rule.takes}; got ${shown(token, 12)}`);
    }
    return n;
  }
  if (/^[a-z]+$/i.test(token)) {
    const index = rule.names?.indexOf(token.toUpperCase()) ?? -1;
    if (index >= 0) {
      // SUN at the end of a range is 7 (SAT-SUN), as croner and cronie read it.
      const n = rule.min + index;
      return rule.name === 'day-of-week' && rangeEnd && n === 0 ? 7 : n;
    }
    if (rule.names) {
      fail(`${shown(token, 12)} is not a name it takes; use ${rule.takes}`);
    }
    fail(`${shown(token, 12)} is not a number; names are for month and day-of-week only`);
  }
  return fail(`${shown(token, 12)} is not a value; use ${rule.takes}`);
}

function step(rule: FieldRule, text: string): void {
  const size = rule.name === 'day-of-week' ? 7 : rule.max - rule.min + 1;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > size) {
    fail(`step "/${text.slice(0, 12)}" must be a whole number from 1 to ${size}`);
  }
}

function item(rule: FieldRule, text: string, whole: boolean): void {
  const upper = text.toUpperCase();
  if (rule.name === 'day-of-month') {
    if (upper === 'L') return;
    if (upper === 'LW') {
      if (!whole) fail('LW (last weekday of the month) must stand alone, not in a list');
      return;
    }
    const nearest = /^(\d+)W$/.exec(upper);
    if (nearest) {
      value(rule, nearest[1]!, false);
      return;
    }
    if (/[LW]/.test(upper) && /^[\dLW*?/-]+$/.test(upper)) {
      fail(`${shown(text, 12)}: L and W stand alone (L, LW) or after one day (15W)`);
    }
  }
  if (rule.name === 'day-of-week') {
    const nth = /^([A-Z\d]+)#(\d+|L)$/.exec(upper);
    if (nth) {
      value(rule, nth[1]!, false);
      if (nth[2] !== 'L' && !/^0*[1-5]$/.test(nth[2]!)) {
        fail(`${shown(text, 12)}: the number after # must be 1-5 (5#3 is the third Friday)`);
      }
      return;
    }
    const last = /^([A-Z\d]+?)L$/.exec(upper);
    if (last) {
      value(rule, last[1]!, false);
      return;
    }
    if (text.includes('#') || upper === 'L') {
      fail(`${shown(text, 12)}: use 5#3 (third Friday) or 5L (last Friday), one day before # or L`);
    }
  }
  const slash = text.indexOf('/');
  const base = slash >= 0 ? text.slice(0, slash) : text;
  if (slash >= 0) step(rule, text.slice(slash + 1));
  if (base === '*' || base === '?') return;
  const dash = base.indexOf('-');
  if (dash < 0) {
    if (slash >= 0) {
      fail(
        `${shown(text, 16)}: a step goes on * or a range; write ${base}-${rule.max}/${text.slice(slash + 1).slice(0, 6)} or */${text.slice(slash + 1).slice(0, 6)}`,
      );
    }
    value(rule, base, false);
    return;
  }
  const from = base.slice(0, dash);
  const to = base.slice(dash + 1);
  if (!from || !to || to.includes('-')) {
    fail(`${shown(text, 16)} is not a range; write two values with one dash, such as 1-5`);
  }
  const a = value(rule, from, false);
  const b = value(rule, to, true);
  if (a > b) {
    fail(`range ${shown(base, 16)} runs backwards; write the smaller value first (${to}-${from})`);
  }
}

function checkField(rule: FieldRule, text: string): void {
  const items = text.split(',');
  if (items.some((piece) => piece === '')) {
    fail(`${shown(text, 16)} has an empty item; separate values with single commas (1,15)`);
  }
  for (const piece of items) item(rule, piece, items.length === 1);
}

const FIELD_SEPARATOR = /[ \t]+/;

/** Finds the first character that has no place in a cron expression. */
function badCharacter(text: string): string | undefined {
  const at = text.search(/[^\x21-\x7e \t]/);
  if (at < 0) return undefined;
  const char = text.codePointAt(at)!;
  const code = `U+${char.toString(16).toUpperCase().padStart(4, '0')}`;
  const what =
    char === 0xa0 || char === 0x202f || char === 0x2007
      ? `a non-breaking space (${code})`
      : /\s/u.test(String.fromCodePoint(char))
        ? `a special space or line break (${code})`
        : `the character ${JSON.stringify(String.fromCodePoint(char))} (${code})`;
  return `it contains ${what} at position ${at + 1}; separate fields with ordinary spaces and use only the characters cron takes (digits, letters, * ? , - / # and spaces)`;
}

/** Checks one expression; never throws. */
export function checkCron(input: string): CronCheck {
  // Trimmed as the contract's schemas trim (`z.string().trim()`), so both read the same text.
  const text = input.trim();
  if (text === '')
    return { ok: false, message: 'it is empty; enter an expression such as 0 9 * * 1-5' };
  const bad = badCharacter(text);
  if (bad) return { ok: false, message: bad };
  if (text.startsWith('@')) {
    const name = text.toLowerCase();
    if (name === '@reboot') {
      return {
        ok: false,
        message:
          '@reboot is not supported: the scheduler is always running, so there is no start-up to run at; use a time such as "@daily" or "0 9 * * *"',
      };
    }
    const fields = CRON_NICKNAMES[name];
    if (fields === undefined) {
      return {
        ok: false,
        message: `unknown nickname; use one of ${Object.keys(CRON_NICKNAMES).join(', ')}`,
      };
    }
    return { ok: true, expression: name, fields: fields.split(' ') };
  }
  const fields = text.split(FIELD_SEPARATOR);
  if (fields.length !== 5 && fields.length !== 6) {
    return {
      ok: false,
      message: `it has ${fields.length} field${fields.length === 1 ? '' : 's'}; use 5 fields (${FIELD_LIST}) or 6 with seconds first`,
    };
  }
  const rules = fields.length === 6 ? [SECOND, ...RULES] : RULES;
  for (const [index, rule] of rules.entries()) {
    try {
      checkField(rule, fields[index]!);
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      return {
        ok: false,
        field: rule.name,
        message: `${rule.name} (field ${index + 1}) ${error.message}`,
      };
    }
  }
  const expression = fields.join(' ');
  try {
    new CronPattern(expression, undefined, { mode: '5-or-6-parts' });
  } catch (error) {
    // Not reached for anything the rules above accept (a test checks random expressions); kept
    // so that a croner upgrade that reads more strictly still yields a clear refusal.
    const raw = error instanceof Error ? error.message : String(error);
    return { ok: false, message: raw.replace(/^CronPattern:\s*/, '').slice(0, 200) };
  }
  return { ok: true, expression, fields };
}
