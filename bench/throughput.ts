/**
 * Throughput of api tasks through the headless service as users run it, side by side with raw
 * axios in the same run: `node --import tsx bench/throughput.ts` (or `npm run bench -- throughput`).
 *
 * The built service (`out/server/index.js serve`, built first when missing or stale) runs as a
 * child process with its default settings and a json store in a temp dir. This process hosts the
 * local endpoint (answers after 0, 50 or 200 ms with a 20-item JSON body) and the callers.
 *
 * 1. Runs/s: 32 concurrent callers (node:http, keep-alive) each `POST /api/tasks.run { id }`
 *    (wait for the run) of an api task aimed at the endpoint, versus 32 raw axios callers
 *    (keep-alive) requesting the endpoint directly; measured raw–service–service–raw so drifting load hits both alike. At 0 ms and
 *    50 ms latency. Goals: service ≥ 0.6 × raw at 0 ms, ≥ 0.8 × raw at 50 ms.
 * 2. 100 api tasks, each with a schedule entry every 10 s (overlap `skip`, the default), against
 *    the endpoint at 200 ms latency, for BENCH_SLOTS slots (default 6). Each run's lateness is
 *    `startedAt − scheduledFor` from its record. Goals: every run starts ≤ 100 ms after its slot,
 *    0 skipped.
 *
 * Prints the load average before and after each part, the service's CPU time per run, and how
 * much of the time each process's main thread ran and waited for a CPU (busy machines).
 *
 * Environment: BENCH_N (requests per measurement, default 3000), BENCH_CALLERS (default 32),
 * BENCH_WARMUP (calls of each kind before measuring, default 5000), BENCH_LATENCIES (default 0,50), BENCH_SLOTS, BENCH_TASKS (default 100), BENCH_ONLY=rate|schedule,
 * BENCH_STORE=memory (default json), BENCH_LAUNCH=tsx (the service from the sources, no build;
 * for profiling while editing), BENCH_SERVICE (another built entry, e.g. a build of an older
 * commit for before/after figures), BENCH_NODE_ARGS (node flags for the service, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import axios, { type AxiosInstance } from 'axios';
import { ensureBuilt } from '../scripts/builds.mjs';
import type { Run, Settings } from '../src/shared/domain';
import {
  NO_TIMES,
  processTimes,
  startEndpoint,
  startService,
  type Service,
  type Times,
} from './support/throughput-service';
import { printTable } from './support/markdown-table';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_N ?? 3_000);
const SLOTS = Number(process.env.BENCH_SLOTS ?? 6);
const TASKS = Number(process.env.BENCH_TASKS ?? 100);
const ONLY = process.env.BENCH_ONLY;
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,50').split(',').map(Number);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 32);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5_000);
/** BENCH_STORE=memory takes the store out of the figures (default json, as users run it). */
const STORE = process.env.BENCH_STORE ?? 'json';
/** BENCH_LAUNCH=tsx runs the service from the sources (no build; for profiling while editing). */
const TSX = process.env.BENCH_LAUNCH === 'tsx';
const EVERY_S = 10;
const RATE_GOALS: Record<number, number> = { 0: 0.6, 50: 0.8 };
const LATE_GOAL_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

// ---------------------------------------------------------------- part 1: runs per second

interface Measure {
  perSecond: number;
  p50: number;
  p99: number;
  seconds: number;
  /** Of the service (zero for raw axios) and of this process, over the measurement. */
  service: Times;
  bench: Times;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const minus = (a: Times, b: Times): Times => ({
  cpuMs: a.cpuMs - b.cpuMs,
  ranMs: a.ranMs - b.ranMs,
  waitedMs: a.waitedMs - b.waitedMs,
});
const plus = (a: Times, b: Times): Times => ({
  cpuMs: a.cpuMs + b.cpuMs,
  ranMs: a.ranMs + b.ranMs,
  waitedMs: a.waitedMs + b.waitedMs,
});

/** `total` calls of `fn` by CALLERS concurrent callers. */
async function measure(
  total: number,
  fn: () => Promise<void>,
  serviceTimes: () => Times = () => NO_TIMES,
): Promise<Measure> {
  const latencies: number[] = [];
  let next = 0;
  const service0 = serviceTimes();
  const bench0 = processTimes(process.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        await fn();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const service = minus(serviceTimes(), service0);
  const bench = minus(processTimes(process.pid), bench0);
  latencies.sort((a, b) => a - b);
  return {
    perSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    seconds,
    service,
    bench,
  };
}

/** Two equal-size measurements as one: throughput by total time, latencies averaged. */
function combine(a: Measure, b: Measure): Measure {
  return {
    perSecond: 2 / (1 / a.perSecond + 1 / b.perSecond),
    p50: (a.p50 + b.p50) / 2,
    p99: Math.max(a.p99, b.p99),
    seconds: a.seconds + b.seconds,
    service: plus(a.service, b.service),
    bench: plus(a.bench, b.bench),
  };
}

/** "ran 55 % / waited 40 %": a main thread's share of the wall time running and waiting for a CPU. */
function share(times: Times, seconds: number): string {
  const pct = (ms: number): string => `${((ms / 10 / seconds) | 0).toString()} %`;
  return `${pct(times.ranMs)} / ${pct(times.waitedMs)}`;
}

async function rates(
  service: Service,
  base: string,
  raw: AxiosInstance,
  notes: string[],
): Promise<string[][]> {
  const rows: string[][] = [];
  for (const latency of LATENCIES) {
    const url = `${base}/lat/${latency}`;
    const config = await service.api<{ id: string }>('configs.save', {
      config: { name: `endpoint ${latency} ms`, type: 'api', params: { url } },
    });
    const task = await service.api<{ id: string }>('tasks.save', {
      task: { name: `fetch ${latency} ms`, type: 'api', operation: 'read', configId: config.id },
    });
    const rawCall = async (): Promise<void> => {
      const response = await raw.get(url);
      if (response.status !== 200) throw new Error(`raw axios got ${response.status}`);
    };
    const runCall = async (): Promise<void> => {
      const run = await service.api<Run>('tasks.run', { id: task.id });
      if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error?.message}`);
    };
    const n = latency === 0 ? N : Math.min(N, 2_000);
    // Warm-up (JIT, sockets, store files): the service's code runs in thousands of runs before
    // V8 has optimized it as a long-running service has.
    await measure(WARMUP, rawCall);
    await measure(WARMUP, runCall);
    const half = Math.ceil(n / 2);
    const raw1 = await measure(half, rawCall);
    const app1 = await measure(half, runCall, service.times);
    const app2 = await measure(half, runCall, service.times);
    const raw2 = await measure(half, rawCall);
    const r = combine(raw1, raw2);
    const a = combine(app1, app2);
    const ratio = a.perSecond / r.perSecond;
    const perRun = (t: Times): string => ((t.cpuMs * 1000) / (2 * half)).toFixed(0);
    // What the ratio would be if CPU alone limited each side and each process had a core.
    const cpuBound = r.bench.cpuMs / Math.max(a.service.cpuMs, a.bench.cpuMs, Number.MIN_VALUE);
    notes.push(
      `${latency} ms: with a core per process, CPU alone would allow ≈ ${cpuBound.toFixed(2)}× (raw CPU per request ÷ the larger of the service's and this process's CPU per run)`,
    );
    const goal = RATE_GOALS[latency] ?? 0.8;
    rows.push([
      `${latency} ms`,
      r.perSecond.toFixed(0),
      a.perSecond.toFixed(0),
      `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`,
      `${a.p50.toFixed(1)} / ${a.p99.toFixed(1)}`,
      `${perRun(r.bench)} / ${perRun(a.service)} / ${perRun(a.bench)}`,
      share(r.bench, r.seconds),
      `${share(a.service, a.seconds)}; ${share(a.bench, a.seconds)}`,
      ratio.toFixed(2),
      `≥ ${goal}`,
      ratio >= goal ? 'met' : 'MISSED',
    ]);
  }
  return rows;
}

// ---------------------------------------------------------------- part 2: 100 tasks every 10 s

interface ScheduleFigures {
  runs: number;
  expected: number;
  skipped: number;
  late: number[];
  queued: number[];
  maxDuration: number;
}

async function scheduled(service: Service, base: string): Promise<ScheduleFigures> {
  const url = `${base}/lat/200`;
  const entries: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const config = await service.api<{ id: string }>('configs.save', {
      config: { name: `slow endpoint ${i}`, type: 'api', params: { url: `${url}?task=${i}` } },
    });
    const task = await service.api<{ id: string }>('tasks.save', {
      task: { name: `every 10 s #${i}`, type: 'api', operation: 'read', configId: config.id },
    });
    entries.push(task.id);
  }
  const from = new Date().toISOString();
  const saved: string[] = [];
  for (const taskId of entries) {
    const entry = await service.api<{ id: string }>('schedules.save', {
      entry: { taskId, kind: 'frequency', everySeconds: EVERY_S },
    });
    saved.push(entry.id);
  }
  const savedAt = Date.now();
  // The slots of the first entry saved come first; wait for the last entry's last slot and its runs.
  await sleep(SLOTS * EVERY_S * 1000 + (Date.now() - savedAt) + 500);
  const until = Date.now();
  await service.api('schedules.delete', { all: true });
  for (let i = 0; i < 100; i++) {
    const info = await service.api<{ scheduler: { activeRuns: number; queuedRuns: number } }>(
      'system.info',
      {},
    );
    if (info.scheduler.activeRuns === 0 && info.scheduler.queuedRuns === 0) break;
    await sleep(100);
  }
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.api<{ items: Run[]; nextCursor?: string }>('runs.list', {
      from,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const mine = runs.filter(
    (r) =>
      r.trigger.scheduleId !== undefined &&
      saved.includes(r.trigger.scheduleId) &&
      r.scheduledFor !== undefined &&
      Date.parse(r.scheduledFor) <= until,
  );
  const executed = mine.filter((r) => r.status !== 'skipped');
  const late = executed
    .map((r) => Date.parse(r.startedAt) - Date.parse(r.scheduledFor!))
    .sort((a, b) => a - b);
  const queued = executed
    .map((r) => (r as Run & { queuedMs?: number }).queuedMs ?? 0)
    .sort((a, b) => a - b);
  const other = executed.filter((r) => r.status !== 'succeeded');
  if (other.length > 0) {
    console.log(
      `note: ${other.length} scheduled runs did not succeed, e.g. ${other[0]!.status}: ${other[0]!.error?.message}`,
    );
  }
  return {
    runs: executed.length,
    expected: SLOTS * TASKS,
    skipped: mine.length - executed.length,
    late,
    queued,
    maxDuration: Math.max(0, ...executed.map((r) => r.durationMs ?? 0)),
  };
}

// ---------------------------------------------------------------- report

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench/throughput: reads /proc; Linux only');
  const problems = TSX ? [] : ensureBuilt(ROOT, ['server'], console.log);
  if (problems.length) throw new Error(`bench/throughput: ${problems.join('\n')}`);
  const dataDir = await fs.mkdtemp(join(tmpdir(), 'bench-throughput-'));
  const endpoint = await startEndpoint();
  const service = await startService({
    dataDir,
    store: STORE,
    tsx: TSX,
    entry: process.env.BENCH_SERVICE,
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    callers: CALLERS,
  });
  const rawAgent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ httpAgent: rawAgent });
  let allMet = true;
  try {
    const settings = await service.api<Settings>('settings.get', {});
    console.log(
      `bench/throughput: ${TSX ? 'service from the sources (tsx)' : (process.env.BENCH_SERVICE ?? 'built service')}, ${STORE} store, default settings (${JSON.stringify(settings)}), ` +
        `${CALLERS} callers, node ${process.version}, ${cpus().length} cores`,
    );
    if (ONLY !== 'schedule') {
      const before = load();
      const notes: string[] = [];
      const rows = await rates(service, endpoint.base, raw, notes);
      console.log(`\nRuns per second (${N} requests per measurement at 0 ms, ≤ 2000 at 50 ms)`);
      printTable(
        [
          'latency',
          'raw axios req/s',
          'tasks.run runs/s',
          'raw p50/p99 ms',
          'run p50/p99 ms',
          'CPU µs/req raw / service / bench',
          'raw: ran / waited',
          'service; bench: ran / waited',
          'ratio',
          'goal',
          'result',
        ],
        rows,
      );
      for (const note of notes) console.log(note);
      console.log(
        "ran / waited: the share of the time the main thread ran, and was runnable but waited for a CPU (other work on the machine); high waits mean the figures say more about the machine's load than about the code.",
      );
      allMet &&= rows.every((r) => r[10] === 'met');
      console.log(`load average before ${before}, after ${load()}`);
    }
    if (ONLY !== 'rate') {
      const before = load();
      console.log(
        `\n${TASKS} api tasks every ${EVERY_S} s against a 200 ms endpoint, ${SLOTS} slots (about ${SLOTS * EVERY_S} s)…`,
      );
      const f = await scheduled(service, endpoint.base);
      const p = (sorted: number[], q: number): string => percentile(sorted, q).toFixed(0);
      const worst = f.late[f.late.length - 1] ?? NaN;
      const startsMet = f.runs > 0 && worst <= LATE_GOAL_MS;
      const skipsMet = f.skipped === 0 && f.runs === f.expected;
      allMet &&= startsMet && skipsMet;
      printTable(
        ['figure', 'measured', 'goal', 'result'],
        [
          [
            'runs started / expected',
            `${f.runs} / ${f.expected}`,
            'all',
            f.runs === f.expected ? 'met' : 'MISSED',
          ],
          ['skipped (overlap)', String(f.skipped), '0', f.skipped === 0 ? 'met' : 'MISSED'],
          [
            'start lateness p50 / p99 / max',
            `${p(f.late, 50)} / ${p(f.late, 99)} / ${worst.toFixed(0)} ms`,
            `max ≤ ${LATE_GOAL_MS} ms`,
            startsMet ? 'met' : 'MISSED',
          ],
          [
            'queuedMs p50 / max',
            `${p(f.queued, 50)} / ${(f.queued[f.queued.length - 1] ?? 0).toFixed(0)} ms`,
            'info',
            '',
          ],
          ['longest run', `${f.maxDuration.toFixed(0)} ms`, 'info', ''],
        ],
      );
      console.log(`load average before ${before}, after ${load()}`);
    }
  } finally {
    await service.stop();
    rawAgent.destroy();
    await endpoint.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  console.log(allMet ? '\nAll goals met.' : '\nSome goals MISSED.');
}

main().catch((error: unknown) => {
  console.error('bench/throughput failed:', error);
  process.exitCode = 1;
});
