/**
 * The json store's per-hour aggregates for `runs.stats` (run-stats.ts keeps them): one finished
 * hour's runs grouped by (task, type, test or not), each group's runs sorted by duration, with
 * its counts; and per (type, test or not) the status counts and the sorted durations. A bucket
 * that covers whole hours adds those counts and sorted slices to the builder (exact percentiles,
 * no copy: run-stats-figures.ts); an hour only partly in the period, or cut by buckets narrower
 * than an hour, is scanned run by run from the same columns. A filter by task reads only that
 * task's groups. Memory: about 25 bytes a run plus 34 bytes a (task, hour) pair.
 */
import { RUN_STATUSES, type TaskType } from '../../../shared/domain';
import { UNJUDGED_STATUSES } from '../../../shared/run-stats';
import type { RunStats } from '../../../shared/run-stats';
import { statusIndexOf, type RunStatsBuilder, type RunStatsQuery } from '../run-stats';

const HOUR = 3_600_000;
const STATUSES = RUN_STATUSES.length;
/** Status column value of a status this version does not know. */
const UNKNOWN = 255;
const SUCCEEDED = RUN_STATUSES.indexOf('succeeded');
const JUDGED = RUN_STATUSES.map((s) => !UNJUDGED_STATUSES.has(s));

/** What runs.stats needs of one run. */
export interface StatsFields {
  id: string;
  startedAt: string;
  taskId: string;
  type: TaskType;
  status: string;
  taskName: string;
  configName: string;
  durationMs: number | undefined;
  test: boolean;
}

/** Task ids and types numbered once for every hour's aggregate (one entry per distinct id). */
export class StatsNames {
  readonly taskIds: string[] = [];
  readonly types: TaskType[] = [];
  private readonly taskIndex = new Map<string, number>();
  private readonly typeIndex = new Map<string, number>();

  task(id: string): number {
    let t = this.taskIndex.get(id);
    if (t === undefined) this.taskIndex.set(id, (t = this.taskIds.push(id) - 1));
    return t;
  }

  type(type: TaskType): number {
    let t = this.typeIndex.get(type);
    if (t === undefined) this.typeIndex.set(type, (t = this.types.push(type) - 1));
    return t;
  }

  /** Task names (a run's, or its configuration's for a test), numbered once. */
  readonly taskNames: string[] = [];
  private readonly nameIndex = new Map<string, number>();

  name(name: string): number {
    let n = this.nameIndex.get(name);
    if (n === undefined) this.nameIndex.set(name, (n = this.taskNames.push(name) - 1));
    return n;
  }

  findTask(id: string): number | undefined {
    return this.taskIndex.get(id);
  }

  findType(type: string): number | undefined {
    return this.typeIndex.get(type);
  }
}

export interface HourAggregate {
  /** The summary's file size and run count this describes (-1: not to be kept). */
  size: number;
  runs: number;
  /** Estimated bytes held. */
  bytes: number;
  /** Every run starts in the file's hour (else the hour is always scanned run by run). */
  inHour: boolean;
  hourMs: number;
  // Runs in group order, each group by duration (runs without one last). Start: `hourMs` plus
  // `offset`, or `far` when some run starts outside the hour.
  offset: Uint32Array;
  far: Float64Array | undefined;
  duration: Float64Array;
  status: Uint8Array;
  /** Task name of each run (StatsNames.taskNames). */
  name: Uint32Array;
  // Groups: (task, type, test), in ascending task number; gStart has one more entry.
  gTask: Uint32Array;
  gType: Uint8Array;
  gTest: Uint8Array;
  gStart: Uint32Array;
  /** Runs of the group with a duration (the first ones). */
  gTimed: Uint32Array;
  gJudged: Uint32Array;
  gSucceeded: Uint32Array;
  /** Start (offset) of the group's earliest run; start and name of its latest. */
  gFirst: Uint32Array;
  gLast: Uint32Array;
  gName: Uint32Array;
  // Kinds: (type, test); kCounts holds STATUSES counts per kind, kDur the sorted durations.
  kType: Uint8Array;
  kTest: Uint8Array;
  kRuns: Uint32Array;
  kCounts: Uint32Array;
  kStart: Uint32Array;
  kDur: Float64Array;
}

const timed = (ms: number | undefined): number =>
  ms !== undefined && ms >= 0 && ms < Infinity ? ms : NaN;

/** Groups and sorts one hour's runs (latest record of each). */
export function aggregateHour(
  runs: readonly StatsFields[],
  names: StatsNames,
  size: number,
  count: number,
  hourMs: number,
): HourAggregate {
  const n = runs.length;
  const key = new Float64Array(n);
  const dur = new Float64Array(n);
  const starts = new Float64Array(n);
  let inHour = true;
  runs.forEach((run, i) => {
    const ms = Date.parse(run.startedAt);
    starts[i] = ms;
    if (!(ms >= hourMs && ms < hourMs + HOUR)) inHour = false;
    const type = names.type(run.type);
    key[i] = (names.task(run.taskId) * 256 + type) * 2 + (run.test ? 1 : 0);
    dur[i] = timed(run.durationMs);
  });
  const order = groupOrder(key, dur);
  let groups = 0;
  for (let j = 0; j < n; j++) if (j === 0 || key[order[j]!] !== key[order[j - 1]!]) groups++;
  const a: HourAggregate = {
    size,
    runs: count,
    bytes: 0,
    inHour,
    hourMs,
    offset: new Uint32Array(n),
    far: inHour ? undefined : new Float64Array(n),
    duration: new Float64Array(n),
    status: new Uint8Array(n),
    name: new Uint32Array(n),
    gTask: new Uint32Array(groups),
    gType: new Uint8Array(groups),
    gTest: new Uint8Array(groups),
    gStart: new Uint32Array(groups + 1),
    gTimed: new Uint32Array(groups),
    gJudged: new Uint32Array(groups),
    gSucceeded: new Uint32Array(groups),
    gFirst: new Uint32Array(groups).fill(HOUR),
    gLast: new Uint32Array(groups),
    gName: new Uint32Array(groups),
    kType: new Uint8Array(0),
    kTest: new Uint8Array(0),
    kRuns: new Uint32Array(0),
    kCounts: new Uint32Array(0),
    kStart: new Uint32Array(1),
    kDur: new Float64Array(0),
  };
  const kinds = new Map<number, number>(); // type * 2 + test → kind
  const kindOfGroup = new Uint32Array(groups);
  let g = -1;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    const run = runs[i]!;
    if (j === 0 || key[i] !== key[order[j - 1]!]) {
      g++;
      a.gStart[g] = j;
      a.gTask[g] = Math.floor(key[i]! / 512);
      a.gType[g] = Math.floor(key[i]! / 2) % 256;
      a.gTest[g] = key[i]! % 2;
      const k = a.gType[g]! * 2 + a.gTest[g]!;
      if (!kinds.has(k)) kinds.set(k, kinds.size);
      kindOfGroup[g] = kinds.get(k)!;
    }
    const ms = starts[i]!;
    const at = inHour ? ms - hourMs : 0;
    if (a.far) a.far[j] = ms;
    else a.offset[j] = at;
    const s = statusIndexOf(run.status);
    a.duration[j] = dur[i]!;
    a.status[j] = s < 0 ? UNKNOWN : s;
    if (dur[i] === dur[i]) a.gTimed[g]!++;
    if (s >= 0 && JUDGED[s]) {
      a.gJudged[g]!++;
      if (s === SUCCEEDED) a.gSucceeded[g]!++;
    }
    a.name[j] = names.name(run.taskName || `${run.configName} (test)`);
    if (at >= a.gLast[g]!) {
      a.gLast[g] = at;
      a.gName[g] = a.name[j]!;
    }
    if (at < a.gFirst[g]!) a.gFirst[g] = at;
  }
  a.gStart[groups] = n;
  kindsOf(a, kinds, kindOfGroup);
  a.bytes = 200 + 17 * n + (a.far ? 8 * n : 0) + 8 * a.kDur.length + 34 * groups;
  a.bytes += 100 * kinds.size;
  return a;
}

/**
 * Run indexes by ascending key, then by duration (none last): a counting sort by key, then a
 * sort of each key's few runs.
 */
function groupOrder(key: Float64Array, dur: Float64Array): Uint32Array {
  const n = key.length;
  const keys = Float64Array.from(new Set(key)).sort();
  const rank = new Map<number, number>();
  keys.forEach((k, r) => rank.set(k, r));
  const ranks = new Uint32Array(n);
  const starts = new Uint32Array(keys.length + 1);
  for (let i = 0; i < n; i++) starts[(ranks[i] = rank.get(key[i]!)!) + 1]!++;
  for (let r = 0; r < keys.length; r++) starts[r + 1]! += starts[r]!;
  const order = new Uint32Array(n);
  const at = starts.slice(0, keys.length);
  for (let i = 0; i < n; i++) order[at[ranks[i]!]!++] = i;
  const byDuration = (a: number, b: number): number => {
    const da = dur[a]!;
    const db = dur[b]!;
    return da !== da ? (db !== db ? 0 : 1) : db !== db ? -1 : da - db;
  };
  for (let r = 0; r < keys.length; r++) {
    if (starts[r + 1]! - starts[r]! > 1)
      order.subarray(starts[r]!, starts[r + 1]!).sort(byDuration);
  }
  return order;
}

/** Fills the (type, test) kinds of `a` from its groups. */
function kindsOf(a: HourAggregate, kinds: Map<number, number>, kindOfGroup: Uint32Array): void {
  const count = kinds.size;
  a.kType = new Uint8Array(count);
  a.kTest = new Uint8Array(count);
  a.kRuns = new Uint32Array(count);
  a.kCounts = new Uint32Array(count * STATUSES);
  a.kStart = new Uint32Array(count + 1);
  for (const [k, kind] of kinds) {
    a.kType[kind] = k >> 1;
    a.kTest[kind] = k & 1;
  }
  const groups = a.gTask.length;
  const timedOf = new Uint32Array(count);
  for (let g = 0; g < groups; g++) timedOf[kindOfGroup[g]!]! += a.gTimed[g]!;
  for (let k = 0; k < count; k++) a.kStart[k + 1] = a.kStart[k]! + timedOf[k]!;
  a.kDur = new Float64Array(a.kStart[count]!);
  const at = a.kStart.slice(0, count);
  for (let g = 0; g < groups; g++) {
    const k = kindOfGroup[g]!;
    const lo = a.gStart[g]!;
    a.kRuns[k]! += a.gStart[g + 1]! - lo;
    for (let i = lo; i < a.gStart[g + 1]!; i++) {
      const s = a.status[i]!;
      if (s !== UNKNOWN) a.kCounts[k * STATUSES + s]!++;
    }
    a.kDur.set(a.duration.subarray(lo, lo + a.gTimed[g]!), at[k]);
    at[k]! += a.gTimed[g]!;
  }
  for (let k = 0; k < count; k++) a.kDur.subarray(a.kStart[k]!, a.kStart[k + 1]!).sort();
}

/** One `runs.stats` call over aggregates: the builder and the query's filters by number. */
export class HourMerger {
  /** Builder task index by task number, and back. */
  private readonly slots: number[] = [];
  private readonly numbers: number[] = [];
  /** Aggregates added whole (their tasks' durations are read at the end). */
  private readonly whole: HourAggregate[] = [];
  /**
   * Per task number, over the hours added whole: runs, judged, succeeded, first start and its
   * type, last start and its name (given to the builder at the end: no call per group).
   */
  private w = wholeTasks(0);
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(
    readonly builder: RunStatsBuilder,
    private readonly query: RunStatsQuery,
    private readonly names: StatsNames,
  ) {
    this.fromMs = Date.parse(query.from);
    this.toMs = Date.parse(query.to);
  }

  /** Adds one hour's aggregate: whole when it lies in one bucket, else run by run. */
  add(a: HourAggregate, hourMs: number): void {
    const task = this.query.taskId === undefined ? -1 : this.names.findTask(this.query.taskId);
    if (task === undefined) return; // no run of the task anywhere
    const type = this.query.type === undefined ? -1 : this.names.findType(this.query.type);
    if (type === undefined) return;
    const b = this.builder.bucketOfSpan(hourMs, hourMs + HOUR);
    const [lo, hi] = task < 0 ? [0, a.gTask.length] : groupsOf(a.gTask, task);
    const tests = this.query.includeTests;
    let merged = false;
    if (b >= 0 && a.inHour) {
      if (task < 0) this.addKinds(a, b, type);
      for (let g = lo; g < hi; g++) {
        if ((type >= 0 && a.gType[g] !== type) || (!tests && a.gTest[g])) continue;
        const runs = a.gStart[g + 1]! - a.gStart[g]!;
        this.countWhole(a, g, runs);
        if (task >= 0) {
          const counts = new Uint32Array(STATUSES);
          for (let i = a.gStart[g]!; i < a.gStart[g + 1]!; i++) {
            if (a.status[i] !== UNKNOWN) counts[a.status[i]!]!++;
          }
          this.builder.addBucketCounts(b, counts, 0, runs);
          this.builder.addSorted(b, a.duration, a.gStart[g]!, a.gStart[g]! + a.gTimed[g]!);
        }
      }
      merged = true;
    } else {
      for (let g = lo; g < hi; g++) {
        if ((type >= 0 && a.gType[g] !== type) || (!tests && a.gTest[g])) continue;
        let t = -1;
        const taskType = this.names.types[a.gType[g]!]!;
        for (let i = a.gStart[g]!; i < a.gStart[g + 1]!; i++) {
          const ms = a.far ? a.far[i]! : a.hourMs + a.offset[i]!;
          if (ms < this.fromMs || ms >= this.toMs) continue;
          const name = this.names.taskNames[a.name[i]!]!;
          if (t < 0) t = this.task(a.gTask[g]!, name, taskType, ms);
          this.builder.seen(t, name, taskType, ms, ms);
          const s = a.status[i]!;
          this.builder.addIndexed(ms, s === UNKNOWN ? -1 : s, a.duration[i]!, t);
        }
      }
    }
    if (merged) this.whole.push(a);
  }

  /** Counts and sorted durations of the hour's kinds that pass the type and test filters. */
  private addKinds(a: HourAggregate, b: number, type: number): void {
    for (let k = 0; k < a.kType.length; k++) {
      if ((type >= 0 && a.kType[k] !== type) || (!this.query.includeTests && a.kTest[k])) continue;
      this.builder.addBucketCounts(b, a.kCounts, k * STATUSES, a.kRuns[k]!);
      this.builder.addSorted(b, a.kDur, a.kStart[k]!, a.kStart[k + 1]!);
    }
  }

  /** Counts group g (all of its runs) for its task. */
  private countWhole(a: HourAggregate, g: number, runs: number): void {
    const n = a.gTask[g]!;
    if (n >= this.w.runs.length) this.w = wholeTasks(this.names.taskIds.length, this.w);
    const w = this.w;
    w.runs[n]! += runs;
    w.judged[n]! += a.gJudged[g]!;
    w.succeeded[n]! += a.gSucceeded[g]!;
    const first = a.hourMs + a.gFirst[g]!;
    const last = a.hourMs + a.gLast[g]!;
    if (first < w.first[n]!) {
      w.first[n] = first;
      w.type[n] = a.gType[g]!;
    }
    if (last >= w.last[n]!) {
      w.last[n] = last;
      w.name[n] = a.gName[g]!;
    }
  }

  /** The figures, once every hour is added. */
  result(): RunStats {
    const w = this.w;
    for (let n = 0; n < w.runs.length; n++) {
      if (w.runs[n] === 0) continue;
      const name = this.names.taskNames[w.name[n]!]!;
      const type = this.names.types[w.type[n]!]!;
      const t = this.task(n, name, type, w.last[n]!);
      this.builder.seen(t, name, type, w.first[n]!, w.last[n]!);
      this.builder.addTaskCounts(t, w.runs[n]!, w.judged[n]!, w.succeeded[n]!);
    }
    return this.builder.result((t) => this.taskDurations(t));
  }

  /** The builder's index of task number `number` (made on first sight). */
  private task(number: number, name: string, type: TaskType, ms: number): number {
    const t = this.slots[number];
    if (t !== undefined) return t;
    const made = this.builder.task(this.names.taskIds[number]!, name, type, ms);
    this.slots[number] = made;
    this.numbers[made] = number;
    return made;
  }

  /** Durations of builder task `t` in the hours added whole (for RunStatsBuilder.result). */
  private taskDurations(t: number): Float64Array[] {
    const number = this.numbers[t];
    if (number === undefined) return [];
    const type = this.query.type === undefined ? -1 : this.names.findType(this.query.type)!;
    const tests = this.query.includeTests;
    const ranges: [Float64Array, number, number][] = [];
    let total = 0;
    for (const a of this.whole) {
      const [lo, hi] = groupsOf(a.gTask, number);
      for (let g = lo; g < hi; g++) {
        if ((type >= 0 && a.gType[g] !== type) || (!tests && a.gTest[g]) || !a.gTimed[g]) continue;
        ranges.push([a.duration, a.gStart[g]!, a.gStart[g]! + a.gTimed[g]!]);
        total += a.gTimed[g]!;
      }
    }
    const out = new Float64Array(total);
    let at = 0;
    for (const [data, lo, hi] of ranges) for (let i = lo; i < hi; i++) out[at++] = data[i]!;
    return [out];
  }
}

interface WholeTasks {
  runs: Float64Array;
  judged: Float64Array;
  succeeded: Float64Array;
  first: Float64Array;
  last: Float64Array;
  type: Uint32Array;
  name: Uint32Array;
}

/** Per task number sums for `count` task numbers, the old ones copied in. */
function wholeTasks(count: number, old?: WholeTasks): WholeTasks {
  const w: WholeTasks = {
    runs: new Float64Array(count),
    judged: new Float64Array(count),
    succeeded: new Float64Array(count),
    first: new Float64Array(count).fill(Infinity),
    last: new Float64Array(count).fill(-Infinity),
    type: new Uint32Array(count),
    name: new Uint32Array(count),
  };
  if (old) for (const k of Object.keys(w) as (keyof WholeTasks)[]) w[k].set(old[k]);
  return w;
}

/** The range of groups of task number `task` (groups are in ascending task number). */
function groupsOf(gTask: Uint32Array, task: number): [number, number] {
  let lo = 0;
  let hi = gTask.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (gTask[mid]! < task) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < gTask.length && gTask[end] === task) end++;
  return [lo, end];
}
