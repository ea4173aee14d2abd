/** Plain-language description of a croner expression (5 fields, or 6 with seconds first). */
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const NICKNAMES: Record<string, string> = {
  '@yearly': 'once a year, at midnight on January 1',
  '@annually': 'once a year, at midnight on January 1',
  '@monthly': 'at midnight on the first day of every month',
  '@weekly': 'at midnight every Sunday',
  '@daily': 'every day at midnight',
  '@midnight': 'every day at midnight',
  '@hourly': 'every hour, on the hour',
};

function names(value: string, list: string[] | undefined, offset: number): string {
  if (!list) return value;
  const n = Number(value);
  if (Number.isInteger(n)) return list[n - offset] ?? list[(n - offset) % list.length] ?? value;
  return value.slice(0, 1).toUpperCase() + value.slice(1).toLowerCase();
}

function part(field: string, unit: string, list?: string[], offset = 0): string | undefined {
  if (field === '*' || field === '?') return undefined;
  return field
    .split(',')
    .map((piece) => {
      const [range, step] = piece.split('/');
      if (step) {
        if (range === '*' || range === undefined) return `every ${step} ${unit}s`;
        const [a, b] = range.split('-');
        return `every ${step} ${unit}s from ${names(a!, list, offset)}${b ? ` to ${names(b, list, offset)}` : ''}`;
      }
      const [a, b] = range!.split('-');
      return b
        ? `${names(a!, list, offset)} through ${names(b, list, offset)}`
        : names(a!, list, offset);
    })
    .join(', ');
}

const pad = (v: string): string => (/^\d+$/.test(v) ? v.padStart(2, '0') : v);

/** Returns a sentence, or throws with a readable message when the expression is not 5/6 fields. */
export function describeCron(expression: string): string {
  const expr = expression.trim();
  if (NICKNAMES[expr.toLowerCase()]) return NICKNAMES[expr.toLowerCase()]!;
  const fields = expr.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(
      `has ${fields.length} field${fields.length === 1 ? '' : 's'}; use 5 (minute hour day month weekday) or 6 (seconds first)`,
    );
  }
  const [sec, min, hour, dom, mon, dow] = fields.length === 6 ? fields : ['0', ...fields];
  const out: string[] = [];
  const simple = (f: string): boolean => /^\d+$/.test(f);
  if (simple(min!) && simple(hour!) && (sec === '0' || simple(sec!))) {
    out.push(`at ${pad(hour!)}:${pad(min!)}${sec !== '0' ? `:${pad(sec!)}` : ''}`);
  } else {
    const s = sec === '0' ? undefined : sec === '*' ? 'every second' : part(sec!, 'second');
    const m = min === '*' ? (s ? undefined : 'every minute') : part(min!, 'minute');
    const h = part(hour!, 'hour');
    if (s) out.push(s.startsWith('every') ? s : `at second ${s}`);
    if (m) out.push(m.startsWith('every') ? m : `at minute ${m}`);
    out.push(h ? `past hour ${h}` : out.length ? 'of every hour' : 'every hour');
  }
  const d = part(dom!, 'day');
  const mo = part(mon!, 'month', MONTHS, 1);
  const w = part(dow!, 'weekday', DAYS, 0);
  if (d) out.push(`on day ${d} of the month`);
  if (w) out.push(`${d ? 'or ' : ''}on ${w}`);
  if (mo) out.push(`in ${mo}`);
  if (!d && !w && !mo) out.push('every day');
  return out.join(' ').replace(/\s+/g, ' ');
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
