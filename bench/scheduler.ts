/**
 * Scheduler engine bench: prints each goal's figure against the goal, with the store used and the
 * machine load. Run with `node --expose-gc --import tsx bench/scheduler.ts` (or
 * `npm run bench -- scheduler`); without --expose-gc it re-runs itself with the flag.
 *
 * Default run: about 4 minutes. `BENCH_FULL=1`: the 1,000-entry run lasts 10 minutes (drift goal)
 * instead of 2. `BENCH_ONLY=memory,block,freq10k,cron10k,engine10k,runner,freq1k` runs only
 * those scenarios; `BENCH_SECONDS=N` changes the 10,000-entry windows (default 20 s);
 * `BENCH_CONCURRENCY=N` the runner's concurrency setting in the 10,000-entry runs (default 256,
 * as someone running that many entries would set it; the app's default of 4 keeps up too, with
 * more and smaller appends).
 * `BENCH_DEBUG=1` prints per-second lateness. Recording-on runs use the json store (the default
 * store) in a temp dir; the memory store would keep every run in RAM.
 *
 * What is measured:
 * - lateness: the moment the fire path enqueues a run (the entry leaves the heap and its
 *   fire handed to the run queue, before any store read) minus the slot it fires for, on the wall
 *   clock (`Date.now()`, ms). This is what the goals are about ("the fire path only enqueues a
 *   run; execution and recording happen off it"). The later hand-over to `runner.start` (after the
 *   batch's task/config reads) is printed as "dispatch" for information.
 * - missed slots: (entry, slot) pairs in the window that got no fire at all, neither a `schedule`
 *   nor a `catch-up` fire naming that slot.
 * - overlap-skipped: fires recorded as `skipped` because the entry's previous run had not
 *   finished. Not missed slots, but a no-op run should finish well within the 1 s interval, so a
 *   large count means run recording (runner + store) cannot keep up.
 * - CPU: user + system time of the whole process (all threads) over the window / wall time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../src/main/app';
import { systemClock } from '../src/main/core/clock';
import { EventBus } from '../src/main/core/event-bus';
import { createIdGenerator } from '../src/main/core/ids';
import { TaskRunner } from '../src/main/core/task-runner';
import type { Executor } from '../src/main/executors/types';
import { Scheduler, type SchedulerRunner } from '../src/main/scheduler/scheduler';
import { JsonStore } from '../src/main/store/json/json-store';
import { MemoryStore } from '../src/main/store/memory/memory-store';
import type { Store } from '../src/main/store/types';
import type { Configuration, Run, ScheduleEntry, Task } from '../src/shared/domain';

if (typeof globalThis.gc !== 'function') {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)],
    { stdio: 'inherit', env: process.env },
  );
  process.exit(result.status ?? 1);
}
const gc = (): void => {
  globalThis.gc!();
  globalThis.gc!();
};

const FULL = process.env.BENCH_FULL === '1';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const selected = (name: string): boolean => !ONLY || ONLY.includes(name);

type Row = [string, string, string, string];
const rows: Row[] = [];
const quiet = {
  warn: (): void => undefined,
  error: (...args: unknown[]): void => console.error(...args),
};
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

const noop: Executor<'api'> = {
  type: 'api',
  execute: () => Promise.resolve({ result: { summary: 'no-op' } }),
};

/** Growable columns of numbers: cheap to append on the fire path, no per-fire allocation. */
class Samples {
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

interface Probe {
  app: App;
  scheduler: Scheduler;
  /** Fire path: one sample per enqueued fire. */
  enqueued: Samples;
  /** One sample per fire handed to the runner (started or recorded as skipped/failed). */
  dispatched: Samples;
  skipped: number;
  /** Catch-up fires (a missed window's one fire): [entry index, time enqueued]. */
  catchUps: Array<[number, number]>;
  finished: Map<string, number>;
  cleanup: () => Promise<void>;
  storeName: string;
}

/** Bench entry ids are `e` + index, so the fire path needs no map lookup to find the index. */
const indexOf = (id: string): number => Number(id.slice(1));

/**
 * `record: false` replaces the runner with one that records nothing (each run "finishes" at once),
 * to show what the engine alone costs; the store still gets the entries' state writes.
 */
async function startProbe(
  kind: 'json' | 'memory',
  concurrency?: number,
  record = true,
): Promise<Probe> {
  let store: Store;
  let cleanup = (): Promise<void> => Promise.resolve();
  if (kind === 'json') {
    const dataDir = await mkdtemp(join(tmpdir(), 'ts-bench-scheduler-'));
    store = new JsonStore({ dataDir });
    cleanup = () => rm(dataDir, { recursive: true, force: true });
  } else {
    store = new MemoryStore();
  }
  const probe: Omit<Probe, 'app' | 'scheduler'> & Partial<Probe> = {
    enqueued: new Samples(),
    dispatched: new Samples(),
    skipped: 0,
    catchUps: [],
    finished: new Map(),
    cleanup,
    storeName: kind,
  };
  const app = createApp({
    store,
    executors: { api: noop },
    createScheduler: (deps) => {
      const countFinished = (status: string): void => {
        probe.finished.set(status, (probe.finished.get(status) ?? 0) + 1);
      };
      // The probe's own work counts in the CPU figure: parse each distinct slot once.
      let lastIso = '';
      let lastSlot = NaN;
      const slotOf = (iso: string): number => {
        if (iso !== lastIso) {
          lastIso = iso;
          lastSlot = Date.parse(iso);
        }
        return lastSlot;
      };
      const runner: SchedulerRunner = {
        start: (request, onSettled) => {
          const slot = slotOf(request.scheduledFor!);
          probe.dispatched.add(indexOf(request.trigger.scheduleId!), slot, Date.now());
          if (!record) {
            countFinished('not recorded');
            const done = Promise.resolve({} as Run);
            queueMicrotask(() => onSettled?.({} as Run, undefined));
            return { started: done, finished: done };
          }
          return deps.runner.start(request, (run, error) => {
            countFinished(run ? run.status : 'error');
            onSettled?.(run, error);
          });
        },
        recordUnstarted: (request, status, error) => {
          const slot = slotOf(request.scheduledFor!);
          probe.dispatched.add(indexOf(request.trigger.scheduleId!), slot, Date.now());
          probe.skipped++;
          countFinished(status);
          return deps.runner.recordUnstarted(request, status, error);
        },
      };
      probe.scheduler = new Scheduler({
        ...deps,
        runner,
        logger: quiet,
        onFire: (id, slot, kind) => {
          const at = Date.now();
          probe.enqueued.add(indexOf(id), slot, at);
          if (kind === 'catch-up') probe.catchUps.push([indexOf(id), at]);
        },
      });
      return probe.scheduler;
    },
  });
  probe.app = app;
  await app.start();
  if (concurrency !== undefined) {
    const settings = await app.core.call('settings.get', {});
    await app.core.call('settings.save', { settings: { ...settings, concurrency } });
  }
  return probe as Probe;
}

async function stopProbe(probe: Probe): Promise<void> {
  await probe.app.stop();
  await probe.cleanup();
  // Collect this scenario's garbage now, not as a long pause inside the next one's window.
  gc();
}

/** Adds `n` entries as the core would (stored, then announced), anchored on a whole second. */
async function addEntries(probe: Probe, n: number, kind: 'frequency' | 'cron'): Promise<number> {
  const { app } = probe;
  const config = await app.core.call('configs.save', {
    config: { name: 'noop', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
  });
  const task = await app.core.call('tasks.save', {
    task: { name: 'noop', type: 'api', operation: 'read', configId: config.id },
  });
  // At least a second ahead, so adding the entries never straddles the first slot.
  const anchor = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const now = new Date().toISOString();
  const entries: ScheduleEntry[] = [];
  for (let i = 0; i < n; i++) {
    entries.push({
      id: `e${String(i).padStart(6, '0')}`,
      taskId: task.id,
      kind,
      ...(kind === 'frequency'
        ? { everySeconds: 1, anchorAt: new Date(anchor).toISOString() }
        : { cron: '* * * * * *', timezone: 'UTC' }),
      enabled: true,
      overlap: 'skip',
      missed: 'run-once',
      createdAt: now,
      updatedAt: now,
    });
  }
  await Promise.all(entries.map((e) => app.store.putSchedule(e)));
  for (const e of entries) probe.scheduler.entryChanged(e);
  return anchor;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const wait = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Analysis {
  fires: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Samples for slots in [from, to): lateness figures and missed (entry, slot) pairs. */
function analyse(samples: Samples, n: number, from: number, to: number): Analysis {
  const seconds = Math.round((to - from) / 1000);
  const seen = new Uint8Array(n * seconds);
  const lateness: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const slot = samples.slot[i]!;
    if (slot < from || slot >= to) continue;
    lateness.push(samples.at[i]! - slot);
    const s = Math.floor((slot - from) / 1000);
    if ((slot - from) % 1000 === 0) seen[samples.entry[i]! * seconds + s] = 1;
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

const status = (ok: boolean, bad: string): string => (ok ? 'ok' : bad);

function latenessRows(label: string, a: Analysis, goals: { p99: number; max?: number }): void {
  rows.push([`${label}: missed slots`, String(a.missed), '0', status(a.missed === 0, 'MISSED')]);
  rows.push([
    `${label}: enqueue lateness p99`,
    `${a.p99} ms (p50 ${a.p50}, ${a.fires} fires)`,
    `≤ ${goals.p99} ms`,
    status(a.p99 <= goals.p99, 'OVER'),
  ]);
  if (goals.max !== undefined) {
    rows.push([
      `${label}: enqueue lateness max`,
      `${a.max} ms`,
      `≤ ${goals.max} ms`,
      status(a.max <= goals.max, 'OVER'),
    ]);
  }
}

function recordingRows(label: string, probe: Probe, n: number, d: Analysis): void {
  rows.push([
    `${label}: dispatch lateness p99 (after store reads)`,
    `${d.p99} ms (max ${d.max})`,
    'info',
    '',
  ]);
  const finished = [...probe.finished]
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  rows.push([
    `${label}: runs recorded (whole run, warm-up included)`,
    finished || 'none',
    'info',
    finished ? '' : 'NO RUNS',
  ]);
  rows.push([
    `${label}: overlap-skipped fires`,
    `${probe.skipped} (${((probe.skipped / Math.max(1, d.fires)) * 100).toFixed(1)} % of fires)`,
    'info: ≈ 0 = recording keeps up',
    probe.skipped <= n / 100 ? 'ok' : 'BEHIND',
  ]);
}

async function steadyRun(
  label: string,
  storeKind: 'json' | 'memory',
  n: number,
  kind: 'frequency' | 'cron',
  seconds: number,
  goals: { p99: number; max?: number; cpu?: number },
  record = true,
): Promise<void> {
  const probe = await startProbe(storeKind, CONCURRENCY, record);
  const anchor = await addEntries(probe, n, kind);
  // Skip the first two slots (entries being added, JIT warm-up).
  const from = anchor + 2000;
  const to = from + seconds * 1000;
  await wait(from - 500 - Date.now());
  gc();
  await wait(from - Date.now());
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await wait(to - Date.now());
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  await wait(500); // let the last slot's fires and runs finish
  const a = analyse(probe.enqueued, n, from, to);
  const d = analyse(probe.dispatched, n, from, to);
  if (process.env.BENCH_DEBUG === '1') {
    const perSecond = Array.from({ length: seconds }, (_, i) => {
      const s = analyse(probe.enqueued, n, from + i * 1000, from + (i + 1) * 1000);
      return `${s.p50}/${s.max}`;
    });
    console.log(`${label}: enqueue lateness p50/max per second: ${perSecond.join(' ')}`);
  }
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  const full = record
    ? `${label} (${probe.storeName} store, concurrency ${CONCURRENCY}, ${seconds} s)`
    : `${label} (engine only: runs not recorded, ${probe.storeName} store for entry state, ${seconds} s)`;
  latenessRows(full, a, goals);
  if (goals.cpu !== undefined) {
    rows.push([
      `${full}: CPU`,
      `${cpuPct.toFixed(1)} % (user ${((cpu.user / 1000 / wall) * 100).toFixed(1)}, system ${((cpu.system / 1000 / wall) * 100).toFixed(1)})`,
      `≤ ${goals.cpu} %`,
      status(cpuPct <= goals.cpu, 'OVER'),
    ]);
  }
  recordingRows(full, probe, n, d);
  await stopProbe(probe);
}

/** The 1,000-entry goal and the drift goal share one run: all of it, first vs last minute. */
async function driftRun(n: number, minutes: number): Promise<void> {
  const probe = await startProbe('json');
  const anchor = await addEntries(probe, n, 'frequency');
  const from = anchor + 2000;
  const to = from + minutes * 60_000;
  await wait(to - Date.now() + 500);
  const all = analyse(probe.enqueued, n, from, to);
  const first = analyse(probe.enqueued, n, from, from + 60_000);
  const last = analyse(probe.enqueued, n, to - 60_000, to);
  const d = analyse(probe.dispatched, n, from, to);
  if (process.env.BENCH_DEBUG === '1') {
    const slow: string[] = [];
    for (let i = 0; i < minutes * 60; i++) {
      const s = analyse(probe.enqueued, n, from + i * 1000, from + (i + 1) * 1000);
      if (s.max > 10) slow.push(`${i}s: p50 ${s.p50} max ${s.max}`);
    }
    console.log(`seconds with a fire over 10 ms late: ${slow.join(', ') || 'none'}`);
  }
  const delta = last.mean - first.mean;
  const label = `${n} × every 1 s, ${minutes} min (json store, concurrency 4)`;
  latenessRows(label, all, { p99: 10, max: 30 });
  rows.push([
    `${label}: drift (mean lateness last min − first min)`,
    `${delta.toFixed(2)} ms (${first.mean.toFixed(2)} → ${last.mean.toFixed(2)})`,
    '|Δ| ≤ 2 ms',
    status(Math.abs(delta) <= 2, 'OVER'),
  ]);
  if (!FULL) rows.push([`${label}: drift goal`, 'measured over 2 min', '10 min', 'BENCH_FULL=1']);
  recordingRows(label, probe, n, d);
  await stopProbe(probe);
}

async function blockRun(n: number): Promise<void> {
  const probe = await startProbe('json');
  const anchor = await addEntries(probe, n, 'frequency');
  await wait(anchor + 2500 - Date.now());
  const blockStart = Date.now();
  while (Date.now() - blockStart < 3000) {
    // Block the event loop for 3 s.
  }
  const blockEnd = Date.now();
  await wait(400);
  // Fires enqueued right after the block, per entry: the missed window gives at most one each.
  const counts = new Map<number, number>();
  const e = probe.enqueued;
  for (let i = 0; i < e.length; i++) {
    const at = e.at[i]!;
    if (at >= blockEnd && at < blockEnd + 400) {
      counts.set(e.entry[i]!, (counts.get(e.entry[i]!) ?? 0) + 1);
    }
  }
  const catchUps = probe.catchUps.filter(([, at]) => at >= blockEnd && at < blockEnd + 400);
  const max = Math.max(0, ...counts.values());
  rows.push([
    `${n} entries after a 3 s event-loop block (json store): fires per entry in the 400 ms after`,
    `max ${max} (${counts.size} entries fired, ${catchUps.length} as catch-up)`,
    '≤ 1',
    status(max <= 1 && counts.size === n, 'BURST'),
  ]);
  await stopProbe(probe);
}

async function memoryRun(n: number): Promise<void> {
  const store = new MemoryStore();
  const probe = await startProbe('memory');
  await probe.scheduler.stop();
  const now = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    await store.putSchedule({
      id: `m${String(i).padStart(6, '0')}`,
      taskId: 'task',
      kind: i % 2 ? 'frequency' : 'cron',
      ...(i % 2 ? { everySeconds: 3600, anchorAt: now } : { cron: '0 * * * *', timezone: 'UTC' }),
      enabled: true,
      overlap: 'skip',
      missed: 'run-once',
      createdAt: now,
      updatedAt: now,
    });
  }
  const scheduler = new Scheduler({
    store,
    runner: probe.app.runner,
    clock: {
      now: Date.now,
      monotonic: () => performance.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
    events: probe.app.events,
    instanceId: 'bench',
    settings: () => probe.app.core.currentSettings,
    logger: quiet,
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  await scheduler.start();
  await scheduler.flush();
  gc();
  const after = process.memoryUsage().heapUsed;
  const perEntry = (after - before) / n;
  rows.push([
    `memory per scheduled entry (${n}, half cron, half frequency; engine heap only)`,
    `${(perEntry / 1024).toFixed(2)} KB`,
    '≤ 2 KB',
    status(perEntry <= 2048, 'OVER'),
  ]);
  if (scheduler.status().entries !== n) throw new Error('bench: not every entry was scheduled');
  await scheduler.stop();
  await stopProbe(probe);
}

/**
 * The TaskRunner's own CPU per run, over a store that stores nothing (resolves at once): how much
 * of the recording cost is the runner rather than the store. 10,000 runs started at once, as a
 * tick of 10,000 entries does.
 */
async function runnerRun(): Promise<void> {
  const nullStore = {
    insertRun: () => Promise.resolve(),
    updateRun: () => Promise.resolve(),
  } as unknown as Store;
  const runner = new TaskRunner({
    store: nullStore,
    executors: { api: noop },
    clock: systemClock,
    ids: createIdGenerator(),
    events: new EventBus(),
    instanceId: 'bench',
    concurrency: () => CONCURRENCY,
    resultMaxBytes: () => 64 * 1024,
  });
  const now = new Date().toISOString();
  const config: Configuration = {
    id: 'c',
    name: 'noop',
    type: 'api',
    params: { url: 'http://127.0.0.1:9/' },
    createdAt: now,
    updatedAt: now,
  };
  const task: Task = {
    id: 't',
    name: 'noop',
    type: 'api',
    operation: 'read',
    configId: 'c',
    createdAt: now,
    updatedAt: now,
  };
  // As the scheduler does: one trigger per entry, and a callback rather than `finished`.
  const trigger = { kind: 'schedule', scheduleId: 'e' } as const;
  const round = (): Promise<void> =>
    new Promise((resolve) => {
      let left = 10_000;
      const settled = (): void => {
        if (--left === 0) resolve();
      };
      for (let i = 0; i < 10_000; i++) {
        runner.start({ task, config, operation: 'read', trigger, scheduledFor: now }, settled);
      }
    });
  for (let i = 0; i < 3; i++) await round(); // warm-up
  gc();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 10; i++) await round();
  const cpu = process.cpuUsage(cpu0);
  const perRun = (cpu.user + cpu.system) / 100_000;
  rows.push([
    `TaskRunner alone, no-op task, store that stores nothing: CPU per run`,
    `${perRun.toFixed(1)} µs (= ${perRun.toFixed(0)} % of a core at 10,000 runs/s)`,
    'info',
    '',
  ]);
  gc();
}

const minutes = FULL ? 10 : 2;
const loadStart = load();
console.log(
  `Scheduler bench (${FULL ? 'BENCH_FULL: 10-minute' : 'default: 2-minute; BENCH_FULL=1 for a 10-minute'} drift run${ONLY ? `; only ${ONLY.join(', ')}` : ''}). Node ${process.version}, load average (1/5/15 min) at start: ${loadStart}`,
);
if (selected('memory')) await memoryRun(10_000);
if (selected('block')) await blockRun(1_000);
if (selected('freq10k')) {
  await steadyRun('10,000 × every 1 s', 'json', 10_000, 'frequency', SECONDS, {
    p99: 100,
    cpu: 25,
  });
}
if (selected('cron10k')) {
  await steadyRun('10,000 × cron "* * * * * *"', 'json', 10_000, 'cron', SECONDS, {
    p99: 100,
    cpu: 25,
  });
}
if (selected('engine10k')) {
  await steadyRun(
    '10,000 × every 1 s',
    'json',
    10_000,
    'frequency',
    Math.min(SECONDS, 10),
    { p99: 100, cpu: 25 },
    false,
  );
}
if (selected('runner')) await runnerRun();
if (selected('freq1k')) await driftRun(1_000, minutes);

const header: Row = ['figure', 'measured', 'goal', 'status'];
const widths = [0, 1, 2, 3].map((i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of rows) console.log(line(row));
console.log(`load average (1/5/15 min): start ${loadStart}, end ${load()}`);
