/**
 * `runs.stats` as every store computes it: the store feeds each run of the period that passes
 * the filters (`matchesStatsQuery`) to a `RunStatsBuilder`, which counts per time bucket and
 * status and keeps the durations for exact percentiles (nearest rank over sorted durations: one
 * 16 bytes per run with a duration while the call lasts; ranks found by quickselect). A store
 * with aggregates (the json store's hours, json/hour-stats.ts) adds whole groups of runs at once
 * instead: counts, and durations as sorted slices whose ranks are found without copying them
 * (run-stats-figures.ts).
 */
import { RUN_STATUSES, type Run, type RunStatus, type TaskType } from '../../shared/domain';
import {
  RUN_STATS_TOP_TASKS,
  UNJUDGED_STATUSES,
  type DurationFigures,
  type RunStats,
  type RunStatsTask,
} from '../../shared/run-stats';
import { toIso } from '../core/clock';
import { figuresOf, figuresOfSorted, type SortedSlice } from './run-stats-figures';

/** What a store is asked (the core has checked the period and filled in the defaults). */
export interface RunStatsQuery {
  /** Inclusive lower bound on `startedAt` (ISO, UTC). */
  from: string;
  /** Exclusive upper bound on `startedAt` (ISO, UTC). */
  to: string;
  taskId?: string;
  type?: TaskType;
  /** Count runs of the Test button (trigger `test`) too. */
  includeTests: boolean;
  /** Most buckets wanted (1..500). */
  buckets: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Bucket widths offered, smallest first; past the last, whole multiples of a week. */
const WIDTHS = [
  1_000,
  5_000,
  15_000,
  30_000,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
];

/** The round bucket width (aligned to the epoch, UTC) that covers [from, to) in ≤ `max` buckets. */
export function bucketLayout(
  fromMs: number,
  toMs: number,
  max: number,
): { startMs: number; widthMs: number; count: number } {
  const count = (w: number): number => Math.ceil((toMs - Math.floor(fromMs / w) * w) / w);
  let widthMs = WIDTHS.find((w) => count(w) <= max);
  if (widthMs === undefined) {
    widthMs = 7 * DAY;
    while (count(widthMs) > max) widthMs += 7 * DAY;
  }
  return { startMs: Math.floor(fromMs / widthMs) * widthMs, widthMs, count: count(widthMs) };
}

/** True when a run with these fields belongs to the query's period and filters. */
export function matchesStatsQuery(
  query: RunStatsQuery,
  run: { startedAt: string; taskId: string; type: string },
  isTest: boolean,
): boolean {
  if (run.startedAt < query.from || run.startedAt >= query.to) return false;
  if (query.taskId !== undefined && run.taskId !== query.taskId) return false;
  if (query.type !== undefined && run.type !== query.type) return false;
  return query.includeTests || !isTest;
}

function zeroCounts(): Record<RunStatus, number> {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
}

/** p50, p95 (nearest rank) and max of the durations; empty when there are none. */
export function durationFigures(durations: ArrayLike<number>): DurationFigures {
  return figuresOf(Float64Array.from(durations));
}

/** Status index → judged (has a verdict), succeeded. */
const JUDGED = RUN_STATUSES.map((s) => !UNJUDGED_STATUSES.has(s));
const SUCCEEDED = RUN_STATUSES.indexOf('succeeded');
const STATUS_INDEX = new Map<string, number>(RUN_STATUSES.map((s, i) => [s, i]));

/** The index of a status in RUN_STATUSES; -1 for a status this version does not know. */
export const statusIndexOf = (status: string): number => STATUS_INDEX.get(status) ?? -1;

/** A growable typed array. */
class Column<A extends Float64Array | Uint32Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
}

/**
 * Counts runs per bucket × status and per task, and keeps each duration with its bucket and task
 * (16 bytes a run while the call lasts); `result` finds each group's exact ranks by quickselect.
 */
export class RunStatsBuilder {
  private readonly layout: ReturnType<typeof bucketLayout>;
  private readonly statuses = RUN_STATUSES.length;
  /** bucket × status counts. */
  private readonly counts: Int32Array;
  private readonly bucketJudged: Int32Array;
  private readonly bucketSucceeded: Int32Array;
  private readonly durations = new Column(new Float64Array(1024), (n) => new Float64Array(n));
  private readonly durationBucket = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  private readonly durationTask = new Column(new Uint32Array(1024), (n) => new Uint32Array(n));
  private readonly taskIndex = new Map<string, number>();
  private readonly taskIds: string[] = [];
  private readonly taskNames: string[] = [];
  private readonly taskTypes: TaskType[] = [];
  private readonly taskFirstMs: number[] = [];
  private readonly taskLastMs: number[] = [];
  private readonly taskRuns = new Column(new Uint32Array(64), (n) => new Uint32Array(n));
  private readonly taskJudged = new Column(new Uint32Array(64), (n) => new Uint32Array(n));
  private readonly taskSucceeded = new Column(new Uint32Array(64), (n) => new Uint32Array(n));
  private runs = 0;
  /** Per bucket: sorted durations added by addSorted. */
  private readonly sorted: SortedSlice[][] = [];
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(private readonly query: RunStatsQuery) {
    this.fromMs = Date.parse(query.from);
    this.toMs = Date.parse(query.to);
    this.layout = bucketLayout(this.fromMs, this.toMs, query.buckets);
    this.counts = new Int32Array(this.layout.count * this.statuses);
    this.bucketJudged = new Int32Array(this.layout.count);
    this.bucketSucceeded = new Int32Array(this.layout.count);
  }

  /**
   * The index of a task (made on first sight); its name is the one of its latest run, its type
   * the one of its earliest (runs may come out of time order: see `seen`).
   */
  task(taskId: string, taskName: string, type: TaskType, startMs: number): number {
    let t = this.taskIndex.get(taskId);
    if (t === undefined) {
      t = this.taskIds.length;
      this.taskIndex.set(taskId, t);
      this.taskIds.push(taskId);
      this.taskNames.push(taskName);
      this.taskTypes.push(type);
      this.taskFirstMs.push(startMs);
      this.taskLastMs.push(startMs);
      this.taskRuns.push(0);
      this.taskJudged.push(0);
      this.taskSucceeded.push(0);
    } else this.seen(t, taskName, type, startMs, startMs);
    return t;
  }

  /** Runs of task `t` (from `task()`) started from `firstMs` to `lastMs`, the last one named so. */
  seen(t: number, taskName: string, type: TaskType, firstMs: number, lastMs: number): void {
    if (lastMs >= this.taskLastMs[t]!) {
      this.taskLastMs[t] = lastMs;
      this.taskNames[t] = taskName;
    }
    if (firstMs < this.taskFirstMs[t]!) {
      this.taskFirstMs[t] = firstMs;
      this.taskTypes[t] = type;
    }
  }

  /** The bucket that holds all of [startMs, endMs) inside the period; -1 when none does. */
  bucketOfSpan(startMs: number, endMs: number): number {
    if (startMs < this.fromMs || endMs > this.toMs) return -1;
    const { startMs: first, widthMs, count } = this.layout;
    const b = Math.floor((startMs - first) / widthMs);
    return b >= 0 && b < count && endMs <= first + (b + 1) * widthMs ? b : -1;
  }

  /**
   * Counts `runs` runs of bucket `b` at once (an aggregate): `counts[offset + s]` of status
   * index s; runs of statuses this version does not know are in `runs` only.
   */
  addBucketCounts(b: number, counts: ArrayLike<number>, offset: number, runs: number): void {
    this.runs += runs;
    for (let s = 0; s < this.statuses; s++) {
      const n = counts[offset + s]!;
      if (n === 0) continue;
      this.counts[b * this.statuses + s]! += n;
      if (JUDGED[s]) {
        this.bucketJudged[b]! += n;
        if (s === SUCCEEDED) this.bucketSucceeded[b]! += n;
      }
    }
  }

  /** Counts runs of task `t` at once (their buckets are counted by addBucketCounts). */
  addTaskCounts(t: number, runs: number, judged: number, succeeded: number): void {
    this.taskRuns.data[t]! += runs;
    this.taskJudged.data[t]! += judged;
    this.taskSucceeded.data[t]! += succeeded;
  }

  /** Durations of bucket `b` already sorted (their task's come through `result`). */
  addSorted(b: number, data: Float64Array, lo: number, hi: number): void {
    if (hi > lo) (this.sorted[b] ??= []).push({ data, lo, hi });
  }

  /** Counts one run that matches the query (see matchesStatsQuery). */
  add(
    startMs: number,
    status: string,
    durationMs: number | undefined,
    taskId: string,
    taskName: string,
    type: TaskType,
  ): void {
    const t = this.task(taskId, taskName, type, startMs);
    this.addIndexed(startMs, statusIndexOf(status), durationMs ?? NaN, t);
  }

  /** `add` with the status as its RUN_STATUSES index (-1: unknown) and the task from `task()`. */
  addIndexed(startMs: number, status: number, durationMs: number, task: number): void {
    const b = Math.floor((startMs - this.layout.startMs) / this.layout.widthMs);
    if (b < 0 || b >= this.layout.count) return;
    this.runs++;
    this.taskRuns.data[task]!++;
    if (status >= 0) {
      this.counts[b * this.statuses + status]!++;
      if (JUDGED[status]) {
        this.bucketJudged[b]!++;
        this.taskJudged.data[task]!++;
        if (status === SUCCEEDED) {
          this.bucketSucceeded[b]!++;
          this.taskSucceeded.data[task]!++;
        }
      }
    }
    if (durationMs >= 0 && durationMs < Infinity) {
      this.durations.push(durationMs);
      this.durationBucket.push(b);
      this.durationTask.push(task);
    }
  }

  /** Durations grouped by `groupOf` (a counting sort); groups not kept get none. */
  private grouped(
    groupOf: Uint32Array,
    groups: number,
    keep: (g: number) => boolean,
  ): Float64Array[] {
    const n = this.durations.length;
    const sizes = new Uint32Array(groups);
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      if (keep(g)) sizes[g]!++;
    }
    const starts = new Uint32Array(groups + 1);
    for (let g = 0; g < groups; g++) starts[g + 1] = starts[g]! + sizes[g]!;
    const all = new Float64Array(starts[groups]!);
    const at = starts.slice(0, groups);
    const d = this.durations.data;
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      if (keep(g)) all[at[g]!++] = d[i]!;
    }
    return Array.from({ length: groups }, (_, g) => all.subarray(starts[g]!, starts[g + 1]!));
  }

  /**
   * The figures. `taskDurations(t)` gives the durations of task `t` (one of the busiest) that
   * were counted by addTaskCounts rather than `add`.
   */
  result(taskDurations?: (t: number) => Float64Array[]): RunStats {
    const { startMs, widthMs, count } = this.layout;
    const taskCount = this.taskIds.length;
    const order = Array.from({ length: taskCount }, (_, t) => t)
      .sort(
        (a, b) =>
          this.taskRuns.data[b]! - this.taskRuns.data[a]! ||
          (this.taskIds[a]! < this.taskIds[b]! ? -1 : 1),
      )
      .slice(0, RUN_STATS_TOP_TASKS);
    const top = new Set(order);
    const byTask = this.grouped(this.durationTask.data, taskCount, (t) => top.has(t));
    const byBucket = this.grouped(this.durationBucket.data, count, () => true);
    const rate = (succeeded: number, judged: number): { successRate?: number } =>
      judged ? { successRate: succeeded / judged } : {};
    const tasks: RunStatsTask[] = order.map((t) => ({
      taskId: this.taskIds[t]!,
      taskName: this.taskNames[t]!,
      type: this.taskTypes[t]!,
      runs: this.taskRuns.data[t]!,
      succeeded: this.taskSucceeded.data[t]!,
      judged: this.taskJudged.data[t]!,
      ...rate(this.taskSucceeded.data[t]!, this.taskJudged.data[t]!),
      ...figuresOf(withMore(byTask[t]!, taskDurations?.(t))),
    }));
    const countsOf = (b: number): Record<RunStatus, number> => {
      const counts = zeroCounts();
      RUN_STATUSES.forEach((s, i) => (counts[s] = this.counts[b * this.statuses + i]!));
      return counts;
    };
    // With sorted slices, every bucket's loose durations are sorted too and all figures come
    // from sorted slices (the total is the union of the buckets').
    const merged = this.sorted.length > 0;
    const slicesOf = (b: number): SortedSlice[] => {
      const loose = byBucket[b]!.sort();
      return [...(this.sorted[b] ?? []), { data: loose, lo: 0, hi: loose.length }];
    };
    const everySlice: SortedSlice[] = [];
    const figuresOfBucket = (b: number): DurationFigures => {
      if (!merged) return figuresOf(byBucket[b]!);
      const slices = slicesOf(b);
      everySlice.push(...slices);
      return figuresOfSorted(slices);
    };
    const totalCounts = zeroCounts();
    let judged = 0;
    let succeeded = 0;
    const buckets = Array.from({ length: count }, (_, b) => {
      const counts = countsOf(b);
      for (const s of RUN_STATUSES) totalCounts[s] += counts[s];
      judged += this.bucketJudged[b]!;
      succeeded += this.bucketSucceeded[b]!;
      return {
        start: toIso(startMs + b * widthMs),
        counts,
        ...rate(this.bucketSucceeded[b]!, this.bucketJudged[b]!),
        ...figuresOfBucket(b),
      };
    });
    const all = merged ? undefined : this.durations.data.slice(0, this.durations.length);
    return {
      from: this.query.from,
      to: this.query.to,
      bucketMs: widthMs,
      buckets,
      tasks,
      totals: {
        runs: this.runs,
        counts: totalCounts,
        ...rate(succeeded, judged),
        ...(all ? figuresOf(all) : figuresOfSorted(everySlice)),
        tasks: taskCount,
      },
    };
  }
}

/** `a` followed by the arrays of `more` (a new array when there are any). */
function withMore(a: Float64Array, more: Float64Array[] | undefined): Float64Array {
  if (!more?.length) return a;
  const all = new Float64Array(more.reduce((n, m) => n + m.length, a.length));
  all.set(a);
  let at = a.length;
  for (const m of more) {
    all.set(m, at);
    at += m.length;
  }
  return all;
}

/** The stats of whole run records in ascending `startedAt` order (the memory store's runs). */
export function statsOfSortedRuns(runs: readonly Run[], query: RunStatsQuery): RunStats {
  const builder = new RunStatsBuilder(query);
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (runs[mid]!.startedAt < query.from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < runs.length; i++) {
    const run = runs[i]!;
    if (run.startedAt >= query.to) break;
    if (!matchesStatsQuery(query, run, run.trigger.kind === 'test')) continue;
    builder.add(
      Date.parse(run.startedAt),
      run.status,
      run.durationMs,
      run.taskId,
      run.taskName || `${run.configName} (test)`,
      run.type,
    );
  }
  return builder.result();
}
