/**
 * The `date` filter of placeholders (issue #15): `{{now | date: "yyyy-MM-dd'T'HH-mm" : "Europe/Berlin"}}`.
 * Formatting is date-fns' `format` (Unicode pattern letters) over an `@date-fns/tz` TZDate;
 * nothing here formats by hand. Pure TS (no node imports): the renderer validates with it.
 *
 * - A pattern is checked once, when the template is parsed, by formatting a fixed time; an
 *   unclosed `'…'`, a letter that is not a pattern letter, and `Y`/`D` (week-numbering year and
 *   day of year, which look like `y`/`d` and give wrong dates around New Year) are refused.
 * - A zone is an IANA name (`Europe/Berlin`, `UTC`, `Etc/GMT-2`) that the platform's Intl knows.
 * - A time is an ISO 8601 string or a number of milliseconds since 1970. An ISO string without
 *   an offset (`2026-12-01`, `2026-12-01T08:00`) is read in the filter's zone, so a date stays
 *   the same date whatever zone it is shown in.
 */
import { TZDate, tz } from '@date-fns/tz';
import { format, parseISO } from 'date-fns';
import { describeKind } from './value-path';

/** The longest date pattern accepted, in characters (bounds the output of one filter). */
export const DATE_PATTERN_MAX_CHARS = 100;

/** A fixed time used to try a pattern out. */
const PROBE_MS = Date.UTC(2026, 11, 1, 12, 34, 56, 789);

const validZones = new Map<string, boolean>();

/** A problem with a zone name, or undefined when the platform knows it. */
export function zoneProblem(zone: string): string | undefined {
  let ok = validZones.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = zone.trim() !== '';
    } catch {
      ok = false;
    }
    if (validZones.size < 1000) validZones.set(zone, ok);
  }
  return ok
    ? undefined
    : `unknown time zone "${zone}"; use an IANA zone name such as "UTC" or "Europe/Berlin"`;
}

/** The letters of `pattern` that are outside '…' quotes, with their positions. */
function unquotedLetters(pattern: string): { letters: Array<[string, number]>; closed: boolean } {
  const letters: Array<[string, number]> = [];
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        i++; // '' is a literal quote, inside or outside quotes
        continue;
      }
      quoted = !quoted;
      continue;
    }
    if (!quoted && /[A-Za-z]/.test(c)) letters.push([c, i]);
  }
  return { letters, closed: !quoted };
}

/** A problem with a date pattern, or undefined when it formats. */
export function datePatternProblem(pattern: string): string | undefined {
  const where = `date pattern ${JSON.stringify(pattern)}`;
  if (pattern === '') return `${where} is empty; write one such as "yyyy-MM-dd"`;
  if (pattern.length > DATE_PATTERN_MAX_CHARS) {
    return `${where} is ${pattern.length} characters long; the limit is ${DATE_PATTERN_MAX_CHARS}`;
  }
  const { letters, closed } = unquotedLetters(pattern);
  if (!closed) {
    return `${where} has an unclosed ' quote; text in single quotes is literal ('T'), and '' is a quote`;
  }
  for (const [letter, at] of letters) {
    if (letter === 'Y') {
      return `${where}: "Y" at position ${at} is the week-numbering year, which differs from the calendar year around New Year; use "y" (yyyy)`;
    }
    if (letter === 'D') {
      return `${where}: "D" at position ${at} is the day of the year; use "d" (dd) for the day of the month`;
    }
  }
  try {
    format(new TZDate(PROBE_MS, 'UTC'), pattern);
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `${where} does not format (${detail}); use Unicode pattern letters such as yyyy MM dd HH mm ss, and put literal text in single quotes ('T')`;
  }
}

export type FormattedTime = { ok: true; text: string } | { ok: false; message: string };

/**
 * `value` (an ISO 8601 string or epoch milliseconds) formatted with `pattern` in `zone`.
 * The pattern and zone must have passed `datePatternProblem` / `zoneProblem`.
 */
export function formatTime(value: unknown, pattern: string, zone: string): FormattedTime {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseISO(value, { in: tz(zone) }).getTime();
  else ms = Number.NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    const shown =
      typeof value === 'string'
        ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
        : typeof value === 'number'
          ? String(value)
          : describeKind(value);
    return {
      ok: false,
      message: `${shown} is not a time; the date filter takes an ISO 8601 time ("2026-12-01T08:00:00Z") or milliseconds since 1970`,
    };
  }
  return { ok: true, text: format(new TZDate(ms, zone), pattern) };
}
