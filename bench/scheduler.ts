/**
 * Scheduler engine bench: prints each goal's figure against the goal, with the wiring used and the
 * machine load. Run with `node --expose-gc --import tsx bench/scheduler.ts` (or
 * `npm run bench -- scheduler`, which also runs bench/scheduler-service.ts, the same case on the
 * built service); without --expose-gc it re-runs itself with the flag.
 *
 * The app is wired as the headless product wires it: `composeApp` (the composition root) with the
 * json store in a temp dir behind the encrypting store (the service's `secret.key` codec), the
 * real runner, scheduler and executor wrappers. Only the api executor inside its wrapper is a
 * no-op (ComposeProbes), so the figures are scheduling and recording, not network I/O. Entries,
 * the task and its configuration (with a bearer token, so secrets are sealed and opened) are
 * saved through the core's `schedules.save`, as the HTTP API saves them.
 *
 * Default run: about 5 minutes. `BENCH_FULL=1`: the 1,000-entry run lasts 10 minutes (drift goal)
 * instead of 2. `BENCH_ONLY=memory,block,freq10k,spread10k,bare10k,cron10k,engine10k,runner,freq1k`
 * runs only those scenarios; `BENCH_SECONDS=N` changes the 10,000-entry windows (default 20 s);
 * `BENCH_CONCURRENCY=N` the runner's concurrency setting in the 10,000-entry runs (default 256,
 * as someone running that many entries would set it; the app's default is 4).
 * `BENCH_DEBUG=1` prints per-second lateness.
 *
 * Entry layouts:
 * - aligned: every entry's `startAt` is the same whole second, so all fire in one tick a second.
 * - spread: `startAt`s spread evenly over a second (10 per millisecond for 10,000), as entries
 *   saved at different moments are (each is anchored when saved): the product's common case.
 *
 * What is measured:
 * - lateness: the moment the fire path enqueues a run (`SchedulerOptions.onFire`: the entry left
 *   the heap and its fire went to the run queue, before any store read) minus the slot it fires
 *   for, on the wall clock (`Date.now()`, ms). This is what the goals are about ("the fire path
 *   only enqueues a run; execution and recording happen off it").
 * - missed slots: (entry, slot) pairs in the window that got no fire at all, neither a `schedule`
 *   nor a `catch-up` fire naming that slot.
 * - runs read back after the window (`runs.list`): by status, and `startedAt − scheduledFor` of the
 *   runs that started (the batch's store reads and the runner's queue included), for information.
 *   `skipped` runs are fires whose previous run had not finished (overlap `skip`): a no-op run
 *   should finish well within the 1 s interval, so a large count means recording cannot keep up.
 * - CPU: user + system time of the whole process (all threads) over the window / wall time, and
 *   the main thread's and the other threads' (GC helpers, libuv pool) shares from /proc.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../src/main/app';
import { composeApp, headlessSecrets, sealStoredSecrets } from '../src/main/compose';
import { systemClock } from '../src/main/core/clock';
import { EventBus } from '../src/main/core/event-bus';
import { createIdGenerator } from '../src/main/core/ids';
import { TaskRunner } from '../src/main/core/task-runner';
import type { Executor } from '../src/main/executors/types';
import { Scheduler, type SchedulerRunner } from '../src/main/scheduler/scheduler';
import { JsonStore } from '../src/main/store/json/json-store';
import { MemoryStore } from '../src/main/store/memory/memory-store';
import type { Store } from '../src/main/store/types';
import {
  settingsSchema,
  type Configuration,
  type Run,
  type ScheduleEntryInput,
  type Task,
} from '../src/shared/domain';
import {
  analyse,
  load,
  percentile,
  readBackRuns,
  Report,
  Samples,
  status,
  statusList,
  threadCpu,
  threadShares,
  type Analysis,
} from './support/scheduler-figures';

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
const report = new Report();

const noop: Executor<'api'> = {
  type: 'api',
  execute: () => Promise.resolve({ result: { summary: 'no-op' } }),
};

/**
 * - product: composeApp as the service builds it (json store, encrypting store, executor wrappers).
 * - bare: what this bench wired before issue #19: createApp over a JsonStore without the
 *   encrypting store, the no-op executor unwrapped.
 * - engine: bare, and the runner replaced by one that records nothing (each run "finishes" at
 *   once), to show what the engine alone costs; the store still gets the entries' state writes.
 */
type Wiring = 'product' | 'bare' | 'engine';
type Layout = 'aligned' | 'spread';

interface Probe {
  app: App;
  wiring: Wiring;
  /** Fire path: one sample per enqueued fire. */
  enqueued: Samples;
  /** Catch-up fires (a missed window's one fire): [entry index, time enqueued]. */
  catchUps: Array<[number, number]>;
  /** Entry id → its index in the bench (a Map lookup per fire counts in the CPU figure). */
  index: Map<string, number>;
  cleanup: () => Promise<void>;
}

async function startProbe(wiring: Wiring, concurrency?: number): Promise<Probe> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ts-bench-scheduler-'));
  const probe: Omit<Probe, 'app'> & Partial<Probe> = {
    wiring,
    enqueued: new Samples(),
    catchUps: [],
    index: new Map(),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
  const onFire = (id: string, slot: number, kind: 'schedule' | 'catch-up'): void => {
    const at = Date.now();
    const i = probe.index.get(id) ?? -1;
    probe.enqueued.add(i, slot, at);
    if (kind === 'catch-up') probe.catchUps.push([i, at]);
  };
  let app: App;
  if (wiring === 'product') {
    const settings = { store: 'json', dataDir } as const;
    const secrets = await headlessSecrets(settings, {});
    app = composeApp({
      ...settings,
      ...(secrets ? { secrets } : {}),
      probes: { executors: { api: noop }, onFire },
    });
  } else {
    const recordNothing: SchedulerRunner = {
      start: (_request, onSettled) => {
        const done = Promise.resolve({} as Run);
        queueMicrotask(() => onSettled?.({} as Run, undefined));
        return { started: done, finished: done };
      },
      recordUnstarted: () => Promise.resolve({} as Run),
    };
    app = createApp({
      store: new JsonStore({ dataDir }),
      executors: { api: noop },
      createScheduler: (deps) =>
        new Scheduler({
          ...deps,
          ...(wiring === 'engine' ? { runner: recordNothing } : {}),
          onFire,
        }),
    });
  }
  probe.app = app;
  await app.start();
  await sealStoredSecrets(app); // as the service does after start (nothing to seal here)
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

interface Entries {
  /**
   * The first slot of the measured window: two slots after the entries' first one and after the
   * last save (JIT warm-up, the first state write). Every entry fires once a second, at
   * `from + offsets[i] + k·1000`.
   */
  from: number;
  /** Entry index → its slots' offset in the second (ms). */
  offsets: Float64Array;
  /** Entry id → the same offset. */
  byId: Map<string, number>;
}

/**
 * Saves `n` entries through the core (as `schedules.save` over HTTP does). An entry saved after
 * its first slot fires from the next one on; the window starts after the last save anyway.
 */
async function addEntries(
  probe: Probe,
  n: number,
  kind: 'frequency' | 'cron',
  layout: Layout,
): Promise<Entries> {
  const { app } = probe;
  const config = await app.core.call('configs.save', {
    config: {
      name: 'noop',
      type: 'api',
      params: {
        url: 'http://127.0.0.1:9/',
        auth: { kind: 'bearer', token: 'bench-token-0123456789abcdef' },
      },
    },
  });
  const task = await app.core.call('tasks.save', {
    task: { name: 'noop', type: 'api', operation: 'read', configId: config.id },
  });
  // Frequency entries fire one interval after startAt, cron ones on every whole second.
  const startAt = Math.ceil(Date.now() / 1000) * 1000 + (kind === 'frequency' ? 2000 : 0);
  const offsets = new Float64Array(n);
  const byId = new Map<string, number>();
  const inputs: ScheduleEntryInput[] = [];
  for (let i = 0; i < n; i++) {
    offsets[i] = kind === 'frequency' && layout === 'spread' ? Math.floor((i * 1000) / n) : 0;
    inputs.push({
      taskId: task.id,
      kind,
      ...(kind === 'frequency'
        ? { everySeconds: 1, startAt: new Date(startAt + offsets[i]!).toISOString() }
        : { cron: '* * * * * *', timezone: 'UTC' }),
      overlap: 'skip',
      missed: 'run-once',
    });
  }
  // In chunks, so the catalog writes of one chunk are shared.
  const began = Date.now();
  for (let from = 0; from < n; from += 200) {
    const saved = await Promise.all(
      inputs.slice(from, from + 200).map((entry) => app.core.call('schedules.save', { entry })),
    );
    saved.forEach((entry, j) => {
      probe.index.set(entry.id, from + j);
      byId.set(entry.id, offsets[from + j]!);
    });
  }
  if (process.env.BENCH_DEBUG === '1')
    console.log(`saved ${n} entries in ${Date.now() - began} ms`);
  const from = startAt + Math.max(3000, Math.ceil((Date.now() + 2000 - startAt) / 1000) * 1000);
  return { from, offsets, byId };
}

const wait = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function latenessRows(label: string, a: Analysis, goals: { p99: number; max?: number }): void {
  report.add(`${label}: missed slots`, String(a.missed), '0', status(a.missed === 0, 'MISSED'));
  report.add(
    `${label}: enqueue lateness p99`,
    `${a.p99} ms (p50 ${a.p50}, ${a.fires} fires)`,
    `≤ ${goals.p99} ms`,
    status(a.p99 <= goals.p99, 'OVER'),
  );
  if (goals.max !== undefined) {
    report.add(
      `${label}: enqueue lateness max`,
      `${a.max} ms`,
      `≤ ${goals.max} ms`,
      status(a.max <= goals.max, 'OVER'),
    );
  }
}

/** Runs of the window read back from the store: statuses, skipped fires, start lateness. */
async function recordingRows(
  label: string,
  probe: Probe,
  entries: Entries,
  from: number,
  to: number,
): Promise<void> {
  const back = await readBackRuns(
    (params) => probe.app.core.call('runs.list', params),
    entries.byId,
    from,
    to,
  );
  const s = back.startLateness;
  report.add(
    `${label}: run start lateness p50 / p99 / max (startedAt − slot)`,
    `${percentile(s, 50)} / ${percentile(s, 99)} / ${s[s.length - 1] ?? NaN} ms`,
  );
  const runs = [...back.byStatus.values()].reduce((a, b) => a + b, 0);
  const skipped = back.byStatus.get('skipped') ?? 0;
  report.add(
    `${label}: runs recorded for the window's slots`,
    `${statusList(back.byStatus)} (${back.missed} slots without a run)`,
    'info',
    runs ? '' : 'NO RUNS',
  );
  report.add(
    `${label}: overlap-skipped fires`,
    `${skipped} (${((skipped / Math.max(1, runs)) * 100).toFixed(1)} % of runs)`,
    'info: ≈ 0 = recording keeps up',
    status(skipped <= entries.offsets.length / 100, 'BEHIND'),
  );
}

async function steadyRun(
  name: string,
  wiring: Wiring,
  layout: Layout,
  n: number,
  kind: 'frequency' | 'cron',
  seconds: number,
  goals: { p99: number; max?: number; cpu?: number },
): Promise<void> {
  const probe = await startProbe(wiring, CONCURRENCY);
  const entries = await addEntries(probe, n, kind, layout);
  const { from } = entries;
  const to = from + seconds * 1000;
  await wait(from - 500 - Date.now());
  gc();
  await wait(from - Date.now());
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpu(process.pid);
  const wall0 = performance.now();
  await wait(to - Date.now());
  const cpu = process.cpuUsage(cpu0);
  const threads1 = threadCpu(process.pid);
  const wall = performance.now() - wall0;
  if (process.env.BENCH_DEBUG === '1') {
    // On the clock of `--cpu-prof` profiles (µs), to cut a profile to the window.
    const endUs = Number(process.hrtime.bigint() / 1000n);
    console.log(`${name}: window in hrtime µs: ${endUs - Math.round(wall * 1000)} – ${endUs}`);
  }
  await wait(1500); // let the last slot's fires and runs finish
  const a = analyse(probe.enqueued, entries.offsets, from, to);
  if (process.env.BENCH_DEBUG === '1') {
    const perSecond = Array.from({ length: seconds }, (_, i) => {
      const s = analyse(probe.enqueued, entries.offsets, from + i * 1000, from + (i + 1) * 1000);
      return `${s.p50}/${s.max}`;
    });
    console.log(`${name}: enqueue lateness p50/max per second: ${perSecond.join(' ')}`);
  }
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  const how =
    wiring === 'product'
      ? 'product wiring'
      : wiring === 'bare'
        ? 'bare wiring (no encrypting store, as before #19)'
        : 'engine only: runs not recorded, json store for entry state';
  const label = `${name} ${layout} (${how}, concurrency ${CONCURRENCY}, ${seconds} s)`;
  latenessRows(label, a, goals);
  if (goals.cpu !== undefined) {
    report.add(
      `${label}: CPU`,
      `${cpuPct.toFixed(1)} % (user ${((cpu.user / 1000 / wall) * 100).toFixed(1)}, system ${((cpu.system / 1000 / wall) * 100).toFixed(1)}; ${threadShares(process.pid, threads0, threads1, wall)})`,
      `≤ ${goals.cpu} %`,
      status(cpuPct <= goals.cpu, 'OVER'),
    );
  }
  if (wiring !== 'engine') await recordingRows(label, probe, entries, from, to);
  await stopProbe(probe);
}

/** The 1,000-entry goal and the drift goal share one run: all of it, first vs last minute. */
async function driftRun(n: number, minutes: number): Promise<void> {
  const probe = await startProbe('product');
  const entries = await addEntries(probe, n, 'frequency', 'aligned');
  const { from } = entries;
  const to = from + minutes * 60_000;
  await wait(to - Date.now() + 1500);
  const { offsets } = entries;
  const all = analyse(probe.enqueued, offsets, from, to);
  const first = analyse(probe.enqueued, offsets, from, from + 60_000);
  const last = analyse(probe.enqueued, offsets, to - 60_000, to);
  if (process.env.BENCH_DEBUG === '1') {
    const slow: string[] = [];
    for (let i = 0; i < minutes * 60; i++) {
      const s = analyse(probe.enqueued, offsets, from + i * 1000, from + (i + 1) * 1000);
      if (s.max > 10) slow.push(`${i}s: p50 ${s.p50} max ${s.max}`);
    }
    console.log(`seconds with a fire over 10 ms late: ${slow.join(', ') || 'none'}`);
  }
  const delta = last.mean - first.mean;
  const label = `${n} × every 1 s aligned, ${minutes} min (product wiring, concurrency 4)`;
  latenessRows(label, all, { p99: 10, max: 30 });
  report.add(
    `${label}: drift (mean lateness last min − first min)`,
    `${delta.toFixed(2)} ms (${first.mean.toFixed(2)} → ${last.mean.toFixed(2)})`,
    '|Δ| ≤ 2 ms',
    status(Math.abs(delta) <= 2, 'OVER'),
  );
  if (!FULL) report.add(`${label}: drift goal`, 'measured over 2 min', '10 min', 'BENCH_FULL=1');
  await recordingRows(label, probe, entries, from, to);
  await stopProbe(probe);
}

async function blockRun(n: number): Promise<void> {
  const probe = await startProbe('product');
  const { from } = await addEntries(probe, n, 'frequency', 'aligned');
  await wait(from - 500 - Date.now());
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
  report.add(
    `${n} entries after a 3 s event-loop block (product wiring): fires per entry in the 400 ms after`,
    `max ${max} (${counts.size} entries fired, ${catchUps.length} as catch-up)`,
    '≤ 1',
    status(max <= 1 && counts.size === n, 'BURST'),
  );
  await stopProbe(probe);
}

async function memoryRun(n: number): Promise<void> {
  const store = new MemoryStore();
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
  const settings = settingsSchema.parse({});
  const scheduler = new Scheduler({
    store,
    runner: {
      start: () => {
        throw new Error('bench: nothing fires within the memory measurement');
      },
      recordUnstarted: () => Promise.resolve({} as Run),
    },
    clock: systemClock,
    events: new EventBus(),
    instanceId: 'bench',
    settings: () => settings,
    logger: { warn: () => undefined, error: (...args: unknown[]) => console.error(...args) },
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  await scheduler.start();
  await scheduler.flush();
  gc();
  const after = process.memoryUsage().heapUsed;
  const perEntry = (after - before) / n;
  report.add(
    `memory per scheduled entry (${n}, half cron, half frequency; engine heap only)`,
    `${(perEntry / 1024).toFixed(2)} KB`,
    '≤ 2 KB',
    status(perEntry <= 2048, 'OVER'),
  );
  if (scheduler.status().entries !== n) throw new Error('bench: not every entry was scheduled');
  await scheduler.stop();
  gc();
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
  report.add(
    `TaskRunner alone, no-op task, store that stores nothing: CPU per run`,
    `${perRun.toFixed(1)} µs (= ${perRun.toFixed(0)} % of a core at 10,000 runs/s)`,
  );
  gc();
}

const minutes = FULL ? 10 : 2;
const loadStart = load();
console.log(
  `Scheduler bench (${FULL ? 'BENCH_FULL: 10-minute' : 'default: 2-minute; BENCH_FULL=1 for a 10-minute'} drift run${ONLY ? `; only ${ONLY.join(', ')}` : ''}). Node ${process.version}, load average (1/5/15 min) at start: ${loadStart}`,
);
const goal10k = { p99: 100, cpu: 25 };
const freq = (name: string, wiring: Wiring, layout: Layout, seconds = SECONDS): Promise<void> =>
  steadyRun(name, wiring, layout, 10_000, 'frequency', seconds, goal10k);
if (selected('memory')) await memoryRun(10_000);
if (selected('block')) await blockRun(1_000);
if (selected('spread10k')) await freq('10,000 × every 1 s', 'product', 'spread');
if (selected('freq10k')) await freq('10,000 × every 1 s', 'product', 'aligned');
if (selected('bare10k')) await freq('10,000 × every 1 s', 'bare', 'aligned');
if (selected('cron10k')) {
  await steadyRun(
    '10,000 × cron "* * * * * *"',
    'product',
    'aligned',
    10_000,
    'cron',
    SECONDS,
    goal10k,
  );
}
if (selected('engine10k')) {
  await freq('10,000 × every 1 s', 'engine', 'aligned', Math.min(SECONDS, 10));
}
if (selected('runner')) await runnerRun();
if (selected('freq1k')) await driftRun(1_000, minutes);

report.print();
console.log(`load average (1/5/15 min): start ${loadStart}, end ${load()}`);
