/**
 * The readable form of a log line, for a terminal: pino writes one JSON object per line, and this
 * turns it into `2026-12-01 15:20:01.123 WARN  message  key=value key2="two words"` (local time).
 * Anything that is not such a JSON line passes through unchanged.
 */

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Keys shown in the line's head (or not at all), not as `key=value`. */
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function twoDigits(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-12-01 15:20:01.123` in local time. */
function localTime(epochOrIso: unknown): string {
  const date = new Date(typeof epochOrIso === 'number' ? epochOrIso : String(epochOrIso));
  if (Number.isNaN(date.getTime())) return String(epochOrIso);
  return (
    `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())} ` +
    `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}` +
    `.${twoDigits(date.getMilliseconds(), 3)}`
  );
}

/** A field value on one line: bare when it is a plain word, JSON otherwise. */
function fieldText(value: unknown): string {
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** One JSON log line (with or without its newline) as one readable line ending in `\n`. */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVEL_NAMES[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_KEYS.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const message = String(entry.msg ?? '').replace(/\r?\n/g, ' ');
  const tail = fields.length > 0 ? `  ${fields.join(' ')}` : '';
  return `${localTime(entry.time)} ${level.padEnd(5)} ${message}${tail}\n`;
}
