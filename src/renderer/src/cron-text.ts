/**
 * Plain-language descriptions of schedule entries. The syntax is checked by the same function
 * the core uses (src/shared/cron-syntax.ts); the sentence comes from cronstrue, with the rule for
 * combining day-of-month and day-of-week (docs/scheduling.md) said in words, since cronstrue
 * writes "and" for both readings.
 */
import cronstrue from 'cronstrue';
import { checkCron } from '../../shared/cron-syntax';
import type { ScheduleEntry } from '../../shared/domain';

const restricted = (field: string): boolean => !field.startsWith('*') && !field.startsWith('?');

/** "At 09:00, Monday through Friday", or throws with the syntax problem (as the core says it). */
export function describeCron(expression: string): string {
  const check = checkCron(expression);
  if (!check.ok) throw new Error(check.message);
  const fields = check.fields;
  const at = fields.length === 6 ? 1 : 0;
  const sentence = cronstrue.toString(fields.join(' '), {
    use24HourTimeFormat: true,
    throwExceptionOnParseError: true,
  });
  const dom = fields[at + 2]!;
  const dow = fields[at + 4]!;
  if (restricted(dom) && restricted(dow)) {
    return `${sentence} (either day matches: day-of-month or day-of-week)`;
  }
  if (dom !== '*' && dow !== '*' && dom !== '?' && dow !== '?') {
    return `${sentence} (only days that match both day-of-month and day-of-week)`;
  }
  return sentence;
}

/** The list's description of an entry: the cron sentence, or the interval in words. */
export function describeEntry(
  entry: Pick<ScheduleEntry, 'kind' | 'cron' | 'everySeconds'>,
): string {
  if (entry.kind === 'frequency') return describeInterval(entry.everySeconds ?? 0);
  try {
    return describeCron(entry.cron ?? '');
  } catch (error) {
    return `invalid: ${(error as Error).message}`;
  }
}

const UNITS: Array<[number, string]> = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** "Every 90 seconds" → "Every 1 minute 30 seconds"; "Every 2 hours". */
export function describeInterval(seconds: number): string {
  if (seconds === 1) return 'Every second';
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, unit] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
    rest -= n * size;
  }
  return `Every ${parts.join(' ') || '0 seconds'}`;
}

/** UTC offset of `zone` at `ms`, e.g. "GMT+01:00". */
export function offsetAt(ms: number, zone: string | undefined): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone || undefined,
      timeZoneName: 'longOffset',
    }).formatToParts(new Date(ms));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

/** True when the zone's offset changes within the local day around `iso` (a DST day). */
export function isDstDay(iso: string, zone: string | undefined): boolean {
  const t = Date.parse(iso);
  return offsetAt(t - 12 * 3600_000, zone) !== offsetAt(t + 12 * 3600_000, zone);
}
