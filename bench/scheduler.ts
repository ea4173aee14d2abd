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
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/main/core/clock';
import { EventBus } from '../src/main/core/event-bus';
import { createIdGenerator } from '../src/main/core/ids';
import { TaskRunner } from '../src/main/core/task-runner';
import { Scheduler } from '../src/main/scheduler/scheduler';
import { MemoryStore } from '../src/main/store/memory/memory-store';
import type { Store } from '../src/main/store/types';
import { settingsSchema, type Configuration, type Run, type Task } from '../src/shared/domain';
import {
  analyse,
  load,
  percentile,
  readBackRuns,
  Report,
  status,
  statusList,
  threadCpu,
  threadShares,
  type Analysis,
} from './support/scheduler-figures';
import {
  addEntries,
  noop,
  startProbe,
  stopProbe,
  type Entries,
  type Layout,
  type Probe,
  type Wiring,
} from './support/scheduler-probe';

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
