/**
 * Scheduler engine bench: prints each goal's figure against the goal. Run with
 * `node --expose-gc --import tsx bench/scheduler.ts` (or `npm run bench -- scheduler`); without
 * --expose-gc it re-runs itself with the flag. Default run: about 4 minutes. BENCH_FULL=1 makes
 * the drift run 10 minutes instead of 2.
 *
 * Lateness is measured where the scheduler hands a fire to the TaskRunner (`runner.start` or the
 * skipped-run record): dispatch time minus the slot (`scheduledFor`), on the real clock.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../src/main/app';
import type { Executor } from '../src/main/executors/types';
import { Scheduler, type SchedulerRunner } from '../src/main/scheduler/scheduler';
import { JsonStore } from '../src/main/store/json/json-store';
import { MemoryStore } from '../src/main/store/memory/memory-store';
import type { Store } from '../src/main/store/types';
import type { ScheduleEntry } from '../src/shared/domain';

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
const rows: Array<[string, string, string, string]> = [];
const quiet = {
  warn: (): void => undefined,
  error: (...args: unknown[]) => console.error(...args),
};

const noop: Executor<'api'> = {
  type: 'api',
  execute: () => Promise.resolve({ result: { summary: 'no-op' } }),
};

interface Probe {
  app: App;
  scheduler: Scheduler;
  /** Per dispatch: [entry index, slot ms, lateness ms]. */
  fires: Array<[number, number, number]>;
  skipped: number;
}

async function startProbe(store: Store): Promise<Probe> {
  const probe = { fires: [], skipped: 0 } as unknown as Probe;
  const index = new Map<string, number>();
  const app = createApp({
    store,
    executors: { api: noop },
    createScheduler: (deps) => {
      const runner: SchedulerRunner = {
        start: (request) => {
          const slot = Date.parse(request.scheduledFor!);
          probe.fires.push([index.get(request.trigger.scheduleId!) ?? -1, slot, Date.now() - slot]);
          return deps.runner.start(request);
        },
        recordUnstarted: (request, status, error) => {
          const slot = Date.parse(request.scheduledFor!);
          probe.fires.push([index.get(request.trigger.scheduleId!) ?? -1, slot, Date.now() - slot]);
          probe.skipped++;
          return deps.runner.recordUnstarted(request, status, error);
        },
      };
      probe.scheduler = new Scheduler({ ...deps, runner, logger: quiet });
      return probe.scheduler;
    },
  });
  probe.app = app;
  (probe as unknown as { index: Map<string, number> }).index = index;
  await app.start();
  return probe;
}

/** Adds `n` entries as the core would (stored, then announced), anchored on a whole second. */
async function addEntries(probe: Probe, n: number, kind: 'frequency' | 'cron'): Promise<number> {
  const { app } = probe;
  const index = (probe as unknown as { index: Map<string, number> }).index;
  const config = await app.core.call('configs.save', {
    config: { name: 'noop', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
  });
  const task = await app.core.call('tasks.save', {
    task: { name: 'noop', type: 'api', operation: 'read', configId: config.id },
  });
  const anchor = Math.ceil(Date.now() / 1000) * 1000;
  const now = new Date().toISOString();
  const entries: ScheduleEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = `e${String(i).padStart(6, '0')}`;
    index.set(id, i);
    entries.push({
      id,
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fires in [from, to) slots: lateness figures and missed slots (entry×second without a fire). */
function analyse(probe: Probe, n: number, from: number, to: number) {
  const lateness: number[] = [];
  const seen = new Set<number>();
  for (const [entry, slot, late] of probe.fires) {
    if (slot < from || slot >= to) continue;
    lateness.push(late);
    seen.add(entry * 1e6 + (slot - from) / 1000);
  }
  lateness.sort((a, b) => a - b);
  const expected = n * Math.round((to - from) / 1000);
  return {
    lateness,
    missed: expected - seen.size,
    p99: percentile(lateness, 99),
    max: lateness[lateness.length - 1] ?? NaN,
    mean: lateness.reduce((a, b) => a + b, 0) / Math.max(1, lateness.length),
  };
}

async function steadyRun(
  label: string,
  store: Store,
  n: number,
  kind: 'frequency' | 'cron',
  seconds: number,
  goals: { p99: number; max?: number; cpu?: number },
): Promise<void> {
  const probe = await startProbe(store);
  const anchor = await addEntries(probe, n, kind);
  // Skip the first two seconds (entries being added, JIT warm-up).
  const from = anchor + 2000;
  const to = from + seconds * 1000;
  await wait(from - Date.now());
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await wait(to - Date.now() + 300);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const a = analyse(probe, n, from, to);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wall) * 100;
  const runs = (await probe.app.store.listRuns({ limit: 1 })).items.length > 0;
  rows.push([`${label}: missed slots`, String(a.missed), '0', a.missed === 0 ? 'ok' : 'MISSED']);
  rows.push([
    `${label}: lateness p99`,
    `${a.p99} ms`,
    `≤ ${goals.p99} ms`,
    a.p99 <= goals.p99 ? 'ok' : 'OVER',
  ]);
  if (goals.max !== undefined) {
    rows.push([
      `${label}: lateness max`,
      `${a.max} ms`,
      `≤ ${goals.max} ms`,
      a.max <= goals.max ? 'ok' : 'OVER',
    ]);
  }
  if (goals.cpu !== undefined) {
    rows.push([
      `${label}: CPU`,
      `${cpuPct.toFixed(1)} %`,
      `≤ ${goals.cpu} %`,
      cpuPct <= goals.cpu ? 'ok' : 'OVER',
    ]);
  }
  rows.push([
    `${label}: skipped (overlap) fires`,
    String(probe.skipped),
    'info',
    runs ? 'runs recorded' : 'NO RUNS',
  ]);
  await probe.app.stop();
}

async function driftRun(n: number, minutes: number): Promise<void> {
  const probe = await startProbe(new MemoryStore());
  const anchor = await addEntries(probe, n, 'frequency');
  const from = anchor + 2000;
  const to = from + minutes * 60_000;
  await wait(to - Date.now() + 300);
  const all = analyse(probe, n, from, to);
  const first = analyse(probe, n, from, from + 60_000);
  const last = analyse(probe, n, to - 60_000, to);
  const delta = Math.abs(last.mean - first.mean);
  const label = `${n} × every 1 s, ${minutes} min (memory)`;
  rows.push([
    `${label}: missed slots`,
    String(all.missed),
    '0',
    all.missed === 0 ? 'ok' : 'MISSED',
  ]);
  rows.push([`${label}: lateness p99`, `${all.p99} ms`, '≤ 10 ms', all.p99 <= 10 ? 'ok' : 'OVER']);
  rows.push([`${label}: lateness max`, `${all.max} ms`, '≤ 30 ms', all.max <= 30 ? 'ok' : 'OVER']);
  rows.push([
    `${label}: drift (mean last min − first min)`,
    `${(last.mean - first.mean).toFixed(2)} ms (${first.mean.toFixed(2)} → ${last.mean.toFixed(2)})`,
    '|Δ| ≤ 2 ms',
    delta <= 2 ? 'ok' : 'OVER',
  ]);
  await probe.app.stop();
}

async function blockRun(n: number): Promise<void> {
  const probe = await startProbe(new MemoryStore());
  const anchor = await addEntries(probe, n, 'frequency');
  await wait(anchor + 2500 - Date.now());
  const blockStart = Date.now();
  while (Date.now() - blockStart < 3000) {
    // Block the event loop for 3 s.
  }
  const blockEnd = Date.now();
  await wait(400);
  // Fires dispatched right after the block, per entry: the missed window gives at most one each.
  const counts = new Map<number, number>();
  let catchUps = 0;
  for (const [entry, slot, late] of probe.fires) {
    if (slot + late >= blockEnd && slot + late < blockEnd + 400) {
      counts.set(entry, (counts.get(entry) ?? 0) + 1);
      if (slot < blockEnd - 1000) catchUps++;
    }
  }
  const max = Math.max(0, ...counts.values());
  rows.push([
    `${n} entries after a 3 s event-loop block: fires per entry`,
    `max ${max} (${counts.size} entries fired once, ${catchUps} of them for slots ≥ 1 s old)`,
    '≤ 1',
    max <= 1 ? 'ok' : 'BURST',
  ]);
  await probe.app.stop();
}

async function memoryRun(n: number): Promise<void> {
  const store = new MemoryStore();
  const probe = await startProbe(store);
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
    `memory per scheduled entry (${n}, half cron, half frequency)`,
    `${(perEntry / 1024).toFixed(2)} KB`,
    '≤ 2 KB',
    perEntry <= 2048 ? 'ok' : 'OVER',
  ]);
  if (scheduler.status().entries !== n) throw new Error('bench: not every entry was scheduled');
  await scheduler.stop();
  await probe.app.stop();
}

async function jsonStore(): Promise<{ store: Store; cleanup: () => Promise<void> } | undefined> {
  if (Object.getPrototypeOf(JsonStore.prototype) === MemoryStore.prototype) return undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'ts-bench-scheduler-'));
  return {
    store: new JsonStore({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

const driftMinutes = FULL ? 10 : 2;
console.log(
  `Scheduler bench (${FULL ? 'BENCH_FULL: 10-minute drift run' : 'default: 2-minute drift run; BENCH_FULL=1 for 10'}), about ${FULL ? 12 : 4} minutes…`,
);
await memoryRun(10_000);
await blockRun(1_000);
await steadyRun('10,000 × every 1 s (memory store)', new MemoryStore(), 10_000, 'frequency', 20, {
  p99: 100,
  cpu: 25,
});
await steadyRun(
  '10,000 × cron "* * * * * *" (memory store)',
  new MemoryStore(),
  10_000,
  'cron',
  20,
  {
    p99: 100,
    cpu: 25,
  },
);
const json = await jsonStore();
if (json) {
  await steadyRun('10,000 × every 1 s (json store)', json.store, 10_000, 'frequency', 20, {
    p99: 100,
    cpu: 25,
  });
  await json.cleanup();
} else {
  rows.push(['10,000 × every 1 s (json store)', 'not run', '', 'JsonStore is a placeholder']);
}
// The 1,000-entry goal (60 s) and the drift goal share one run: first vs last minute.
await driftRun(1_000, driftMinutes);

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(['figure', 'measured', 'goal', 'status']));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
