/**
 * Fire-time arithmetic for schedule entries: validation with clear messages, the next fire time
 * after an instant, the latest one at or before an instant, and previews. croner computes cron
 * occurrences; one paused `Cron` is cached per distinct (expression, zone), never one per entry,
 * and entries sharing one expression share its last answer: 10,000 entries on one expression
 * cost one croner call per tick, not 10,000. Specs are compiled once (instants parsed) for the
 * fire path.
 */
import { Cron } from 'croner';
import type { ScheduleEntry } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { MAX_EVERY_SECONDS, MAX_SCHEDULE_TIME_MS, MIN_SCHEDULE_TIME_MS } from '../../shared/limits';
import { checkCron, shown } from '../../shared/cron-syntax';
import { cronerPlan } from './cron-dialect';

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
    // Vixie/cronie semantics (cron-dialect.ts): nicknames, AND/OR of the day fields, DST rule.
    const plan = cronerPlan(expression);
    cron = new Cron(plan.pattern, {
      timezone,
      paused: true,
      mode: '5-or-6-parts',
      domAndDow: plan.domAndDow,
      fixedTimeRule: 'no-wildcard',
    });
    if (cronCache.size >= CRON_CACHE_LIMIT) cronCache.delete(cronCache.keys().next().value!);
    cronCache.set(key, cron);
  }
  return cron;
}

const inTimeRange = (ms: number): boolean =>
  ms >= MIN_SCHEDULE_TIME_MS && ms <= MAX_SCHEDULE_TIME_MS;

/** The spec field a refusal is about (the form field, and the path in `details`). */
type SpecField = 'cron' | 'timezone' | 'everySeconds' | 'startAt' | 'endAt';

function invalid(message: string, field: SpecField, path: readonly string[]): AppError {
  // The message names the field itself (`cron "x" is invalid: …`), so it goes out as it is.
  return new AppError('VALIDATION', message, { issues: [{ path: [...path, field], message }] });
}

/** Throws `VALIDATION` naming the problem; returns the spec with cron's zone filled in. */
export function validateSpec(
  spec: ScheduleSpec,
  nowMs: number,
  defaultTimezone?: string,
  /** Where the spec sits in the params (`['entry']` for schedules.save), for `details`. */
  path: readonly string[] = [],
): ScheduleSpec {
  const refuse = (message: string, field: SpecField): AppError => invalid(message, field, path);
  const startMs = spec.startAt ? Date.parse(spec.startAt) : undefined;
  const endMs = spec.endAt ? Date.parse(spec.endAt) : undefined;
  // The contract's schemas say the same with the field path; this guards in-process callers.
  for (const [field, ms] of [
    ['startAt', startMs],
    ['endAt', endMs],
  ] as const) {
    if (ms !== undefined && !inTimeRange(ms)) {
      throw refuse(
        `${field} (${spec[field]}) must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z`,
        field,
      );
    }
  }
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
    throw refuse(`endAt (${spec.endAt}) must be after startAt (${spec.startAt})`, 'endAt');
  }
  if (spec.kind === 'frequency') {
    if (spec.everySeconds === undefined) {
      throw refuse(
        'a frequency entry needs everySeconds (a whole number, at least 1)',
        'everySeconds',
      );
    }
    if (!Number.isInteger(spec.everySeconds) || spec.everySeconds < 1) {
      throw refuse(
        `everySeconds must be a whole number of at least 1 (got ${spec.everySeconds})`,
        'everySeconds',
      );
    }
    if (spec.everySeconds > MAX_EVERY_SECONDS) {
      throw refuse(
        `everySeconds must be at most ${MAX_EVERY_SECONDS} (10 years; got ${spec.everySeconds})`,
        'everySeconds',
      );
    }
    if (spec.cron !== undefined)
      throw refuse('a frequency entry takes no cron; remove it or use kind "cron"', 'cron');
    return { ...spec };
  }
  if (spec.cron === undefined)
    throw refuse('a cron entry needs a cron expression, e.g. "0 9 * * 1-5"', 'cron');
  if (spec.everySeconds !== undefined) {
    throw refuse(
      'a cron entry takes no everySeconds; remove it or use kind "frequency"',
      'everySeconds',
    );
  }
  const syntax = checkCron(spec.cron);
  if (!syntax.ok) throw refuse(`cron ${shown(spec.cron)} is invalid: ${syntax.message}`, 'cron');
  const expression = syntax.expression;
  const timezone = spec.timezone ?? (defaultTimezone || systemTimezone());
  if (!isValidTimezone(timezone)) {
    throw refuse(
      `time zone ${shown(timezone)} is unknown; use an IANA name such as "Europe/Berlin" or "UTC"`,
      'timezone',
    );
  }
  try {
    cronFor(expression, timezone);
  } catch (error) {
    // checkCron accepts nothing croner refuses (tests/shared/cron-syntax.test.ts); a guard.
    const raw = error instanceof Error ? error.message : String(error);
    throw refuse(`cron ${shown(spec.cron)} is invalid: ${raw.slice(0, 200)}`, 'cron');
  }
  const normalized: ScheduleSpec = { ...spec, cron: expression, timezone };
  if (nextFireAfter(normalized, Math.max(nowMs, (startMs ?? nowMs) - 1)) === undefined) {
    throw refuse(
      endMs !== undefined
        ? `cron ${shown(spec.cron)} never fires before endAt ${spec.endAt}; move endAt later or check the day and month fields`
        : `cron ${shown(spec.cron)} never fires; check the day and month fields (such as day 31 in a month that has 30)`,
      endMs !== undefined ? 'endAt' : 'cron',
    );
  }
  return normalized;
}

/**
 * One distinct (expression, zone) with a memo of its last answer: entries sharing an expression
 * share one object and, firing together, ask for the next occurrence after the same instant, so
 * 10,000 entries on `* * * * * *` cost one croner call per second and no string building per fire.
 */
interface CronRef {
  cron: Cron;
  memoAfter: number;
  memoNext: number | undefined;
}
const cronRefs = new Map<string, CronRef>();

function cronRefFor(expression: string, timezone: string): CronRef {
  const key = `${timezone}\u0000${expression}`;
  let ref = cronRefs.get(key);
  if (!ref) {
    ref = { cron: cronFor(expression, timezone), memoAfter: NaN, memoNext: undefined };
    if (cronRefs.size >= CRON_CACHE_LIMIT) cronRefs.delete(cronRefs.keys().next().value!);
    cronRefs.set(key, ref);
  }
  return ref;
}

function cronNextAfter(ref: CronRef, afterMs: number): number | undefined {
  if (ref.memoAfter !== afterMs) {
    ref.memoNext = ref.cron.nextRun(new Date(afterMs))?.getTime();
    ref.memoAfter = afterMs;
  }
  return ref.memoNext;
}

/**
 * A spec with its instants parsed once: the fire path calls nextFireAfter for every fire, and
 * parsing ISO strings there was a measurable part of the per-fire cost.
 */
export interface CompiledSpec {
  readonly compiled: true;
  readonly kind: 'frequency' | 'cron';
  /** Frequency: the period in ms (0 when missing) and the anchor (startAt, else anchorAt). */
  readonly periodMs: number;
  readonly anchorMs: number | undefined;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  /** Cron: the shared (expression, zone) memo; undefined without an expression. */
  readonly cron: CronRef | undefined;
}

const parseMs = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso);

export function compileSpec(spec: ScheduleSpec): CompiledSpec {
  const startMs = parseMs(spec.startAt);
  return {
    compiled: true,
    kind: spec.kind,
    periodMs: (spec.everySeconds ?? 0) * 1000,
    anchorMs: startMs ?? parseMs(spec.anchorAt),
    startMs,
    endMs: parseMs(spec.endAt),
    cron:
      spec.kind === 'cron' && spec.cron
        ? cronRefFor(spec.cron, spec.timezone ?? systemTimezone())
        : undefined,
  };
}

const compiled = (spec: ScheduleSpec | CompiledSpec): CompiledSpec =>
  'compiled' in spec ? spec : compileSpec(spec);

/**
 * The first fire time strictly after `afterMs`, or undefined when there is none: past endAt, or
 * after 9999-12-31T23:59:59.999Z (MAX_SCHEDULE_TIME_MS), the last time an ISO string can hold
 * with a four-digit year; an entry whose next fire would be later is finished.
 */
export function nextFireAfter(
  spec: ScheduleSpec | CompiledSpec,
  afterMs: number,
): number | undefined {
  const c = compiled(spec);
  let next: number | undefined;
  if (c.kind === 'frequency') {
    const anchor = c.anchorMs;
    const period = c.periodMs;
    if (anchor === undefined || period <= 0) return undefined;
    // First fire is one interval after the anchor; no drift: always anchor + k·period.
    const k = Math.max(1, Math.floor((afterMs - anchor) / period) + 1);
    next = anchor + k * period;
  } else {
    if (!c.cron) return undefined;
    const from = c.startMs !== undefined && c.startMs - 1 > afterMs ? c.startMs - 1 : afterMs;
    next = cronNextAfter(c.cron, from);
  }
  if (next === undefined || !Number.isFinite(next) || next > MAX_SCHEDULE_TIME_MS) return undefined;
  if (c.endMs !== undefined && next >= c.endMs) return undefined;
  return next;
}

/**
 * The latest fire time at or before `atMs` (within startAt/endAt), or undefined when there is
 * none. Used for missed windows: one catch-up names the latest slot it stands for.
 */
export function lastFireAtOrBefore(
  spec: ScheduleSpec | CompiledSpec,
  atMs: number,
): number | undefined {
  const c = compiled(spec);
  const limit = c.endMs !== undefined ? Math.min(atMs, c.endMs - 1) : atMs;
  let last: number | undefined;
  if (c.kind === 'frequency') {
    const anchor = c.anchorMs;
    const period = c.periodMs;
    if (anchor === undefined || period <= 0) return undefined;
    const k = Math.floor((limit - anchor) / period);
    if (k < 1) return undefined;
    last = anchor + k * period;
  } else {
    if (!c.cron) return undefined;
    // previousRuns is strictly before its reference.
    const [date] = c.cron.cron.previousRuns(1, new Date(limit + 1));
    last = date?.getTime();
  }
  if (last === undefined || !Number.isFinite(last) || !inTimeRange(last)) return undefined;
  if (c.startMs !== undefined && last < c.startMs) return undefined;
  return last;
}

/** The next `count` fire times after `afterMs`, strictly increasing. */
export function previewTimes(spec: ScheduleSpec, afterMs: number, count: number): number[] {
  const c = compileSpec(spec);
  const times: number[] = [];
  let cursor = afterMs;
  while (times.length < count) {
    const next = nextFireAfter(c, cursor);
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
