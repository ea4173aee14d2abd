/**
 * What the scheduler benches (bench/scheduler.ts in process, bench/scheduler-service.ts on the
 * built service) share: fire samples, lateness and missed-slot analysis, runs read back from the
 * store, per-thread CPU from /proc, and the printed table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Run } from '../../src/shared/domain';

export type Row = [string, string, string, string];

/** The figures of one bench run, printed as one table at the end. */
export class Report {
  readonly rows: Row[] = [];

  add(figure: string, measured: string, goal = 'info', status = ''): void {
    this.rows.push([figure, measured, goal, status]);
  }

  print(): void {
    const header: Row = ['figure', 'measured', 'goal', 'status'];
    const all = [header, ...this.rows];
    const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
    for (const row of this.rows) console.log(line(row));
  }
}

export const status = (ok: boolean, bad: string): string => (ok ? 'ok' : bad);

export const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** Growable columns of numbers: cheap to append on the fire path, no per-fire allocation. */
export class Samples {
  entry = new Int32Array(1 << 16);
  slot = new Float64Array(1 << 16);
  at = new Float64Array(1 << 16);
  length = 0;

  add(entry: number, slot: number, at: number): void {
    if (this.length === this.entry.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.entry = grow(this.entry);
      this.slot = grow(this.slot);
      this.at = grow(this.at);
    }
    this.entry[this.length] = entry;
    this.slot[this.length] = slot;
    this.at[this.length] = at;
    this.length++;
  }
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Analysis {
  fires: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Lateness of the samples whose slot is in [from, to), and the (entry, slot) pairs in it that got
 * no sample. Entry i fires every second at `from + offsets[i] + k·1000` (offsets in [0, 1000)).
 */
export function analyse(
  samples: Samples,
  offsets: Float64Array,
  from: number,
  to: number,
): Analysis {
  const n = offsets.length;
  const seconds = Math.round((to - from) / 1000);
  const seen = new Uint8Array(n * seconds);
  const lateness: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const slot = samples.slot[i]!;
    if (slot < from || slot >= to) continue;
    lateness.push(samples.at[i]! - slot);
    const entry = samples.entry[i]!;
    if (entry < 0 || entry >= n) continue;
    const rel = slot - from - offsets[entry]!;
    if (rel >= 0 && rel % 1000 === 0) seen[entry * seconds + rel / 1000] = 1;
  }
  const sorted = Float64Array.from(lateness).sort();
  let hit = 0;
  for (const v of seen) hit += v;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    fires: sorted.length,
    missed: n * seconds - hit,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sum / Math.max(1, sorted.length),
  };
}

/** CPU time (user + system, ms) of each thread of a process: its main thread and the rest. */
export interface ThreadCpu {
  main: number;
  others: number;
}

const CLK_TCK = 100; // USER_HZ: /proc counts in 1/100 s on Linux

function ticksOf(stat: string): number {
  // Fields after the parenthesised command: state(0) … utime(11) stime(12).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The process's CPU time from /proc/<pid>/stat (all threads), in ms. Linux only. */
export function processCpuMs(pid: number): number {
  return (ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / CLK_TCK;
}

/** Per-thread CPU of a process (threads that exited meanwhile are not counted). Linux only. */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(
        tid,
        (ticksOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) * 1000) / CLK_TCK,
      );
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Main-thread and other threads' share of a core between two `threadCpu` snapshots. */
export function threadShares(
  pid: number,
  before: Map<string, number>,
  after: Map<string, number>,
  wallMs: number,
): string {
  let main = 0;
  let others = 0;
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === String(pid)) main += used;
    else others += used;
  }
  return `main thread ${((main / wallMs) * 100).toFixed(1)}, other threads ${((others / wallMs) * 100).toFixed(1)}`;
}

export interface ReadBack {
  /** (entry, slot) pairs in the window with no run record at all. */
  missed: number;
  byStatus: Map<string, number>;
  /** `startedAt − scheduledFor` of runs that started (not skipped), ms, sorted. */
  startLateness: Float64Array;
}

/**
 * Reads back the first-attempt runs of slots in [from, to) through `runs.list` and checks them
 * against the entries (id → offset in the second of its slots).
 */
export async function readBackRuns(
  list: (params: {
    from: string;
    to: string;
    limit: number;
    cursor?: string;
  }) => Promise<{ items: Run[]; nextCursor?: string }>,
  offsets: Map<string, number>,
  from: number,
  to: number,
): Promise<ReadBack> {
  const seconds = Math.round((to - from) / 1000);
  const seen = new Set<string>();
  const byStatus = new Map<string, number>();
  const starts: number[] = [];
  let cursor: string | undefined;
  // Filtered on startedAt: runs start after their slot, so a few seconds more are read.
  do {
    const page = await list({
      from: new Date(from).toISOString(),
      to: new Date(to + 5_000).toISOString(),
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.items) {
      const slot = Date.parse(run.scheduledFor ?? '');
      if (!(slot >= from && slot < to) || run.attempt !== 1) continue;
      const id = run.trigger.scheduleId ?? '';
      const offset = offsets.get(id);
      if (offset === undefined || (slot - from - offset) % 1000 !== 0) continue;
      seen.add(`${id}@${slot}`);
      byStatus.set(run.status, (byStatus.get(run.status) ?? 0) + 1);
      if (run.status !== 'skipped') starts.push(Date.parse(run.startedAt) - slot);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return {
    missed: offsets.size * seconds - seen.size,
    byStatus,
    startLateness: Float64Array.from(starts).sort(),
  };
}

export const statusList = (byStatus: Map<string, number>): string =>
  [...byStatus]
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
