/**
 * Fire-time arithmetic for schedule entries: validation with clear messages, the next fire time
 * after an instant, the latest one at or before an instant, and previews. croner computes cron
 * occurrences; one paused `Cron` is cached per distinct (expression, zone), never one per entry,
 * and each distinct (expression, zone, instant) is computed once: 10,000 entries sharing one
 * expression cost one croner call per tick, not 10,000.
 */
import { Cron } from 'croner';
import type { ScheduleEntry } from '../../shared/domain';
import { AppError } from '../../shared/errors';

export interface ScheduleSpec {
  kind: 'frequency' | 'cron';
  everySeconds?: number;
  cron?: string;
  timezone?: string;
  startAt?: string;
  endAt?: string;
  /** Frequency anchor when `startAt` is absent (the moment the entry was saved or enabled). */
  anchorAt?: string;
}

const FIELD_RANGES: Record<string, string> = {
  second: '0-59',
  minute: '0-59',
  hour: '0-23',
  day: '1-31 (or L, W)',
  month: '1-12 (or JAN-DEC)',
  weekday: '0-7 (or SUN-SAT, #, L)',
};

const CROSS_LIMIT = 'use 5 fields (minute hour day month weekday) or 6 with seconds first';

export function systemTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const cronCache = new Map<string, Cron>();
const CRON_CACHE_LIMIT = 10_000;

function cronFor(expression: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expression}`;
  let cron = cronCache.get(key);
  if (!cron) {
    cron = new Cron(expression, { timezone, paused: true, mode: '5-or-6-parts' });
    if (cronCache.size >= CRON_CACHE_LIMIT) cronCache.delete(cronCache.keys().next().value!);
    cronCache.set(key, cron);
  }
  return cron;
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION', `ScheduleEntry: ${message}`);
}

function describeCronError(expression: string, error: unknown): AppError {
  const raw = error instanceof Error ? error.message : String(error);
  const field = /Invalid value for (\w+): (.*)$/i.exec(raw);
  if (field) {
    const name = field[1]!
      .toLowerCase()
      .replace('dayofmonth', 'day')
      .replace('dayofweek', 'weekday');
    const range = FIELD_RANGES[name];
    return invalid(
      `cron "${expression}" is invalid: ${name} ${range ? `must be ${range}` : 'is out of range'} (got ${field[2]})`,
    );
  }
  return invalid(
    `cron "${expression}" is invalid: ${raw.replace(/^Cron\w*:\s*/, '')}; ${CROSS_LIMIT}`,
  );
}

/** Throws `VALIDATION` naming the problem; returns the spec with cron's zone filled in. */
export function validateSpec(
  spec: ScheduleSpec,
  nowMs: number,
  defaultTimezone?: string,
): ScheduleSpec {
  const startMs = spec.startAt ? Date.parse(spec.startAt) : undefined;
  const endMs = spec.endAt ? Date.parse(spec.endAt) : undefined;
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
    throw invalid(`endAt (${spec.endAt}) must be after startAt (${spec.startAt})`);
  }
  if (spec.kind === 'frequency') {
    if (spec.everySeconds === undefined) {
      throw invalid('a frequency entry needs everySeconds (a whole number, at least 1)');
    }
    if (!Number.isInteger(spec.everySeconds) || spec.everySeconds < 1) {
      throw invalid(`everySeconds must be a whole number of at least 1 (got ${spec.everySeconds})`);
    }
    if (spec.cron !== undefined)
      throw invalid('a frequency entry takes no cron; remove it or use kind "cron"');
    return { ...spec };
  }
  if (spec.cron === undefined)
    throw invalid('a cron entry needs a cron expression, e.g. "0 9 * * 1-5"');
  if (spec.everySeconds !== undefined) {
    throw invalid('a cron entry takes no everySeconds; remove it or use kind "frequency"');
  }
  const expression = spec.cron.trim().replace(/\s+/g, ' ');
  const fields = expression.split(' ').length;
  if (fields !== 5 && fields !== 6) {
    throw invalid(
      `cron "${spec.cron}" is invalid: it has ${fields} field${fields === 1 ? '' : 's'}; ${CROSS_LIMIT}`,
    );
  }
  const timezone = spec.timezone ?? (defaultTimezone || systemTimezone());
  if (!isValidTimezone(timezone)) {
    throw invalid(
      `time zone "${timezone}" is unknown; use an IANA name such as "Europe/Berlin" or "UTC"`,
    );
  }
  try {
    cronFor(expression, timezone);
  } catch (error) {
    throw describeCronError(spec.cron, error);
  }
  const normalized: ScheduleSpec = { ...spec, cron: expression, timezone };
  if (nextFireAfter(normalized, Math.max(nowMs, (startMs ?? nowMs) - 1)) === undefined) {
    throw invalid(
      `cron "${spec.cron}" never fires${endMs !== undefined ? ` before endAt ${spec.endAt}` : ''}; check the day and month fields`,
    );
  }
  return normalized;
}

/** Next occurrences per (zone, expression, after): entries sharing an expression share the work. */
const nextCache = new Map<string, number | null>();
const NEXT_CACHE_LIMIT = 50_000;

function cronNextAfter(expression: string, timezone: string, afterMs: number): number | undefined {
  const key = `${timezone}\u0000${expression}\u0000${afterMs}`;
  let next = nextCache.get(key);
  if (next === undefined) {
    const date = cronFor(expression, timezone).nextRun(new Date(afterMs));
    next = date ? date.getTime() : null;
    // Keys are instants, so old ones are never asked again: dropping all at the cap is enough.
    if (nextCache.size >= NEXT_CACHE_LIMIT) nextCache.clear();
    nextCache.set(key, next);
  }
  return next ?? undefined;
}

/** The first fire time strictly after `afterMs`, or undefined when there is none (past endAt). */
export function nextFireAfter(spec: ScheduleSpec, afterMs: number): number | undefined {
  const startMs = spec.startAt ? Date.parse(spec.startAt) : undefined;
  const endMs = spec.endAt ? Date.parse(spec.endAt) : undefined;
  let next: number | undefined;
  if (spec.kind === 'frequency') {
    const anchor = startMs ?? (spec.anchorAt ? Date.parse(spec.anchorAt) : undefined);
    const period = (spec.everySeconds ?? 0) * 1000;
    if (anchor === undefined || period <= 0) return undefined;
    // First fire is one interval after the anchor; no drift: always anchor + k·period.
    const k = Math.max(1, Math.floor((afterMs - anchor) / period) + 1);
    next = anchor + k * period;
  } else {
    if (!spec.cron) return undefined;
    const from = startMs !== undefined && startMs - 1 > afterMs ? startMs - 1 : afterMs;
    next = cronNextAfter(spec.cron, spec.timezone ?? systemTimezone(), from);
  }
  if (next === undefined || (endMs !== undefined && next >= endMs)) return undefined;
  return next;
}

/**
 * The latest fire time at or before `atMs` (within startAt/endAt), or undefined when there is
 * none. Used for missed windows: one catch-up names the latest slot it stands for.
 */
export function lastFireAtOrBefore(spec: ScheduleSpec, atMs: number): number | undefined {
  const startMs = spec.startAt ? Date.parse(spec.startAt) : undefined;
  const endMs = spec.endAt ? Date.parse(spec.endAt) : undefined;
  const limit = endMs !== undefined ? Math.min(atMs, endMs - 1) : atMs;
  let last: number | undefined;
  if (spec.kind === 'frequency') {
    const anchor = startMs ?? (spec.anchorAt ? Date.parse(spec.anchorAt) : undefined);
    const period = (spec.everySeconds ?? 0) * 1000;
    if (anchor === undefined || period <= 0) return undefined;
    const k = Math.floor((limit - anchor) / period);
    if (k < 1) return undefined;
    last = anchor + k * period;
  } else {
    if (!spec.cron) return undefined;
    // previousRuns is strictly before its reference.
    const [date] = cronFor(spec.cron, spec.timezone ?? systemTimezone()).previousRuns(
      1,
      new Date(limit + 1),
    );
    last = date?.getTime();
  }
  if (last === undefined || (startMs !== undefined && last < startMs)) return undefined;
  return last;
}

/** The next `count` fire times after `afterMs`, strictly increasing. */
export function previewTimes(spec: ScheduleSpec, afterMs: number, count: number): number[] {
  const times: number[] = [];
  let cursor = afterMs;
  while (times.length < count) {
    const next = nextFireAfter(spec, cursor);
    if (next === undefined) break;
    times.push(next);
    cursor = next;
  }
  return times;
}

export function specOf(entry: ScheduleEntry): ScheduleSpec {
  return {
    kind: entry.kind,
    ...(entry.everySeconds !== undefined ? { everySeconds: entry.everySeconds } : {}),
    ...(entry.cron !== undefined ? { cron: entry.cron } : {}),
    ...(entry.timezone !== undefined ? { timezone: entry.timezone } : {}),
    ...(entry.startAt !== undefined ? { startAt: entry.startAt } : {}),
    ...(entry.endAt !== undefined ? { endAt: entry.endAt } : {}),
    ...(entry.anchorAt !== undefined ? { anchorAt: entry.anchorAt } : {}),
  };
}
