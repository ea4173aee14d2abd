/**
 * Memory that stays flat: `node --expose-gc --import tsx bench/memory.ts` (or
 * `npm run bench -- memory`); without --expose-gc it re-runs itself with the flag.
 *
 * 1. Recording. The app is wired as the product wires it (`composeApp`: json store in a temp data
 *    dir behind the encrypting store with the key-file codec, the scheduler, the three
 *    executors) on a fake clock that runs with real time but jumps to the next UTC hour on
 *    command. BENCH_ENTRIES (default 1,000) frequency entries fire every second, each a file read
 *    task of a small JSON file (real work: scheduler → runner → file executor → run records in the
 *    hourly segments), so about 1,000 runs a second are recorded. Each simulated hour lasts
 *    BENCH_HOUR_SECONDS (default 20) real seconds; BENCH_HOURS (default 5) hours, so 4 boundaries.
 *    Heap after GC (`global.gc()` twice, `heapUsed`) is sampled every second, at the end of each
 *    hour (just before the jump: the hour's segment is still in memory) and 2 s after each jump
 *    (the boundary figure: the hour just closed should be released by then).
 *    Goal: the boundary figures after the first one stay within 10 % of the first.
 * 2. Idle service. The built service (`out/server/index.js serve`, built first when stale) on that
 *    same data dir (the entries deleted first, so it idles over the recorded history), polled until
 *    `GET /api/health` answers, idle BENCH_IDLE_MS (default 2,000) ms, then VmRSS from
 *    /proc/<pid>/status. A bare `node` idling the same way is measured beside it (the floor).
 *    Goal: the service's RSS ≤ 60 MB.
 * Prints PASS/FAIL per goal; exits 1 when one fails. Linux only (reads /proc).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/builds.mjs';
import type { App } from '../src/main/app';
import { systemClock, type Clock } from '../src/main/core/clock';
import { composeApp, headlessSecrets } from '../src/main/compose';
import {
  FIXED_SECRET_KEY,
  startNodeProcess,
  startServiceProcess,
  type NodeProcess,
} from './support/service-process';

if (typeof globalThis.gc !== 'function') {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)],
    { stdio: 'inherit', env: process.env },
  );
  process.exit(result.status ?? 1);
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000);
const HOUR_SECONDS = Number(process.env.BENCH_HOUR_SECONDS ?? 20);
const HOURS = Math.max(3, Number(process.env.BENCH_HOURS ?? 5));
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 2_000);
const SETTLE_MS = 2_000;
const HOUR = 3_600_000;
const GROWTH_GOAL = 10; // %
const RSS_GOAL_MB = 60;
const TOKEN = 'bench-memory-token-0123456789abcdef';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function heapAfterGc(): number {
  globalThis.gc!();
  globalThis.gc!();
  return process.memoryUsage().heapUsed;
}

/** Real time plus an offset that only ever grows: `jumpToNextHour` moves it to an hour start. */
function jumpingClock(): Clock & { jumpToNextHour(): string } {
  // Start 1 s into a whole UTC hour, a day ahead (nothing real is in that hour).
  const start = (Math.floor(Date.now() / HOUR) + 24) * HOUR + 1_000;
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    monotonic: () => performance.now(),
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
    jumpToNextHour() {
      const now = Date.now() + offset;
      offset += (Math.floor(now / HOUR) + 1) * HOUR - now;
      return new Date(Date.now() + offset).toISOString();
    },
  };
}

// ---------------------------------------------------------------- 1. recording

interface HourFigures {
  hour: string;
  runs: number;
  /** Heap after GC 2 s after the jump into this hour (undefined for the first hour). */
  boundary: number | undefined;
  /** Heap after GC at the end of the hour, just before the next jump. */
  end: number;
}

async function setUp(app: App, file: string): Promise<void> {
  const api = app.core.api();
  await api['settings.save']({
    settings: { ...(await api['settings.get']({})), concurrency: 64 },
  });
  const config = await api['configs.save']({
    config: { name: 'Sample file', type: 'file', params: { location: file, format: 'json' } },
  });
  for (let i = 0; i < ENTRIES; i++) {
    const task = await api['tasks.save']({
      task: { name: `Read sample ${i}`, type: 'file', operation: 'read', configId: config.id },
    });
    await api['schedules.save']({
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 1, missed: 'skip' },
    });
  }
}

async function record(dataDir: string, file: string): Promise<HourFigures[]> {
  const clock = jumpingClock();
  const settings = { store: 'json' as const, dataDir };
  const secrets = await headlessSecrets(settings, { TASK_SCHEDULER_SECRET_KEY: FIXED_SECRET_KEY });
  const app = composeApp({ ...settings, clock, ...(secrets ? { secrets } : {}) });
  const warn = console.warn;
  console.warn = () => undefined; // the scheduler notes every jump of the clock
  let runs = 0;
  app.events.subscribe((event) => {
    if (event.name === 'run.finished') runs++;
  });
  const hours: HourFigures[] = [];
  try {
    await app.start();
    await setUp(app, file);
    console.log(
      `recording: ${ENTRIES} entries every second, ${HOURS} hours of ${HOUR_SECONDS} s; load ${load()}`,
    );
    let hour = new Date(clock.now()).toISOString().slice(0, 13);
    for (let h = 0; h < HOURS; h++) {
      const began = runs;
      const startedAt = performance.now();
      let boundary: number | undefined;
      if (h > 0) {
        await sleep(SETTLE_MS);
        boundary = heapAfterGc();
      }
      const series: string[] = [];
      while (performance.now() - startedAt < HOUR_SECONDS * 1000) {
        await sleep(1000);
        series.push(mb(heapAfterGc()));
      }
      const end = heapAfterGc();
      const count = runs - began;
      const seconds = (performance.now() - startedAt) / 1000;
      hours.push({ hour, runs: count, boundary, end });
      console.log(
        `  hour ${hour}: ${count} runs (${(count / seconds).toFixed(0)}/s), heap after GC ` +
          `${boundary === undefined ? '' : `${mb(boundary)} MB at the boundary, `}${mb(end)} MB at the end; ` +
          `per second: ${series.join(' ')}`,
      );
      if (h < HOURS - 1) hour = clock.jumpToNextHour().slice(0, 13);
    }
    // The service measured next idles over this history: no entry fires there.
    await app.core.api()['schedules.delete']({ all: true });
  } finally {
    await app.stop();
    console.warn = warn;
  }
  return hours;
}

// ---------------------------------------------------------------- 2. idle service

function rssOf(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`bench/memory: no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Waits until `ready()` holds, idles, reads the process's RSS, stops it. */
async function idleRss(
  proc: NodeProcess,
  ready: () => Promise<boolean>,
): Promise<{ rss: number; anon: number; file: number }> {
  try {
    const deadline = performance.now() + 60_000;
    while (!(await ready())) {
      if (proc.child.exitCode !== null) {
        throw new Error(`bench/memory: the process exited:\n${proc.output()}`);
      }
      if (performance.now() > deadline) {
        throw new Error(`bench/memory: not ready in 60 s:\n${proc.output()}`);
      }
      await sleep(20);
    }
    await sleep(IDLE_MS);
    return rssOf(proc.child.pid!);
  } finally {
    await proc.stop();
  }
}

async function healthAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    return res.status === 200;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- report

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench/memory: reads /proc; Linux only');
  const root = await fs.mkdtemp(join(tmpdir(), 'bench-memory-'));
  try {
    const dataDir = join(root, 'data');
    const file = join(root, 'sample.json');
    await fs.writeFile(file, JSON.stringify({ items: [1, 2, 3], note: 'a small file to read' }));

    const hours = await record(dataDir, file);
    const boundaries = hours.filter((h) => h.boundary !== undefined);
    const first = boundaries[0]!.boundary!;
    const growth = boundaries.slice(1).map((h) => ((h.boundary! - first) / first) * 100);
    const worst = Math.max(...growth.map(Math.abs));
    const perRun = hours
      .slice(1)
      .map((h) => (h.end - h.boundary!) / Math.max(1, h.runs))
      .map((b) => b.toFixed(0));

    const problems = ensureBuilt(ROOT, ['server'], console.log);
    if (problems.length) throw new Error(`bench/memory: ${problems.join('\n')}`);
    const serviceProcess = await startServiceProcess({
      dataDir,
      token: TOKEN,
      env: { TASK_SCHEDULER_SECRET_KEY: FIXED_SECRET_KEY },
      where: 'bench/memory',
    });
    const service = await idleRss(serviceProcess, () => healthAnswers(serviceProcess.port));
    const bare = await idleRss(
      await startNodeProcess(['-e', 'console.log("ready"); setInterval(() => {}, 1000);'], {
        ready: /ready/,
        where: 'bench/memory: bare node',
      }),
      () => Promise.resolve(true),
    );

    console.log('');
    console.log('| boundary (into hour) | heap after GC, MB | vs first boundary |');
    console.log('| -------------------- | ----------------- | ----------------- |');
    boundaries.forEach((h, i) => {
      const vs = i === 0 ? '—' : `${growth[i - 1]! >= 0 ? '+' : ''}${growth[i - 1]!.toFixed(1)} %`;
      console.log(`| ${h.hour}        | ${mb(h.boundary!).padStart(17)} | ${vs.padStart(17)} |`);
    });
    console.log(
      `\nwithin an hour the current hour's segment grows by about ${perRun.join(' / ')} bytes of heap per run ` +
        `(released at the next boundary); runs recorded per hour: ${hours.map((h) => h.runs).join(' / ')}`,
    );
    console.log(
      `idle service: RSS ${mb(service.rss)} MB (anonymous ${mb(service.anon)}, file-backed ${mb(service.file)}); ` +
        `bare node beside it ${mb(bare.rss)} MB (anonymous ${mb(bare.anon)}); ratio ${(service.rss / bare.rss).toFixed(2)}`,
    );
    console.log(`load average at end ${load()}\n`);
    const heapOk = worst <= GROWTH_GOAL;
    const rssOk = service.rss <= RSS_GOAL_MB * 1024 * 1024;
    console.log(
      `${heapOk ? 'PASS' : 'FAIL'}  heap after GC after the first boundary: worst ${worst.toFixed(1)} % (goal ≤ ${GROWTH_GOAL} %)`,
    );
    console.log(
      `${rssOk ? 'PASS' : 'FAIL'}  idle built service RSS: ${mb(service.rss)} MB (goal ≤ ${RSS_GOAL_MB} MB)`,
    );
    if (!heapOk || !rssOk) process.exitCode = 1;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
