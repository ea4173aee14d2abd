/**
 * Start-up time and idle memory of the headless service:
 * `node --expose-gc --import tsx bench/startup.ts` (or `npm run bench -- startup`).
 * Launches the real `serve` command on loopback in two ways — (a) built: `node
 * out/server/index.js serve …` (what `npm run serve` runs; built first when missing or stale), and
 * (b) tsx: `node --import tsx src/main/cli/main.ts serve …` (how it ran from the sources) — each on
 * two json data dirs: an empty one and one holding 1,000,000 stored runs over the last 30 days
 * (written once, in the store's own segment format, in a child process).
 *
 * What is measured, per launch:
 * - start-up: spawn → the `Task Scheduler listening on …` line, and spawn → the first 200 of
 *   `GET /api/health` (polled from the printed port, 5 ms apart, at most 400 attempts). The
 *   latter is the figure.
 * - idle RSS: VmRSS from /proc/<pid>/status after the service answered and sat idle 2 s (also
 *   VmHWM, the peak since start). Linux only.
 * Each service is stopped with SIGTERM and its exit awaited before the next one starts (the json
 * store locks its data dir). One untimed warm-up launch per combination comes first (disk cache,
 * tsx's transform cache, this process's fetch); then BENCH_N rounds (default 5), the two launches
 * alternating order from round to round. Prints median (min–max) per combination and the built/tsx
 * ratios. BENCH_RUNS=N changes the history size (default 1,000,000); BENCH_IDLE_MS the idle wait
 * (default 2000). Data lives in a temp dir, removed at the end.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/builds.mjs';
import { readSummaries, RUNS_DIR } from '../src/main/store/json/segment';
import type { Run, RunStatus, TaskType } from '../src/shared/domain';
import { sampleRun, writeRunHistory } from './support/run-history';
import {
  BUILT_ENTRY,
  FIXED_SECRET_KEY,
  startServiceProcess,
  TSX_ENTRY,
  type ServiceProcess,
} from './support/service-process';
import { printTable } from './support/markdown-table';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_N ?? 5);
const TOTAL = Number(process.env.BENCH_RUNS ?? 1_000_000);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 2_000);
const HOUR = 3_600_000;
const DAYS = 30;
const TYPES: TaskType[] = ['api', 'db', 'file'];
const STATUSES: RunStatus[] = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed'];
const TOKEN = 'bench-startup-token-0123456789abcdef';
const LISTEN_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 15_000;
const POLL_MS = 5;
const POLL_ATTEMPTS = 400;

const LAUNCHES = { built: BUILT_ENTRY, tsx: TSX_ENTRY } as const;
type Launch = keyof typeof LAUNCHES;

interface Sample {
  listenMs: number;
  healthMs: number;
  attempts: number;
  rssMb: number;
  hwmMb: number;
  exitMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- data

function makeRun(id: string, ms: number, i: number): Run {
  const task = (i * 7) % 1000;
  return sampleRun(
    id,
    ms,
    i,
    {
      id: `task-${task}`,
      name: `Nightly export ${task}`,
      type: TYPES[i % 3]!,
      operation: i % 2 ? 'write' : 'read',
      configId: `config-${i % 200}`,
      configName: `Config ${i % 200}`,
    },
    STATUSES[i % STATUSES.length]!,
  );
}

/** `count` runs over the last DAYS days (inside the default 90-day retention), one file per hour. */
function buildDataDir(dir: string, count: number): Promise<void> {
  const end = Date.now() - 60_000;
  return writeRunHistory(dir, count, end - DAYS * 24 * HOUR, end, makeRun);
}

async function storedRuns(dir: string): Promise<number> {
  let total = 0;
  for (const summary of (await readSummaries(join(dir, RUNS_DIR))).values()) total += summary.runs;
  return total;
}

// ---------------------------------------------------------------- one launch

let current: ChildProcess | undefined;

function readStatusMb(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`bench/startup: no ${field} in /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { rssMb: kb('VmRSS'), hwmMb: kb('VmHWM') };
}

async function launch(how: Launch, dataDir: string): Promise<Sample> {
  const began = performance.now();
  let service: ServiceProcess | undefined;
  try {
    service = await startServiceProcess({
      entry: LAUNCHES[how],
      dataDir,
      token: TOKEN,
      env: { TASK_SCHEDULER_SECRET_KEY: FIXED_SECRET_KEY },
      where: `bench/startup: ${how}`,
      timeoutMs: LISTEN_TIMEOUT_MS,
      onSpawn: (child) => (current = child),
    });
    const { port } = service;
    const listenMs = service.readyAt - began;

    let healthMs = NaN;
    let attempts = 0;
    while (attempts < POLL_ATTEMPTS) {
      attempts++;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`);
        const body = await res.text();
        if (res.status === 200 && JSON.parse(body).ok === true) {
          healthMs = performance.now() - began;
          break;
        }
      } catch {
        // not answering yet
      }
      await sleep(POLL_MS);
    }
    if (Number.isNaN(healthMs)) {
      throw new Error(`bench/startup: ${how} never answered /api/health:\n${service.output()}`);
    }

    await sleep(IDLE_MS);
    const { rssMb, hwmMb } = readStatusMb(service.child.pid!);

    const stopAt = performance.now();
    const code = await service.stop(EXIT_TIMEOUT_MS);
    const exitMs = performance.now() - stopAt;
    if (code !== 0) console.log(`  note: ${how} exited with ${code} after SIGTERM`);
    return { listenMs, healthMs, attempts, rssMb, hwmMb, exitMs };
  } finally {
    await service?.stop(EXIT_TIMEOUT_MS);
    current = undefined;
  }
}

// ---------------------------------------------------------------- report

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: number[], digits: number): string =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const figure = (xs: number[], digits: number): string =>
  `${median(xs).toFixed(digits)} (${range(xs, digits)})`;

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench/startup: reads /proc; Linux only');
  const problems = ensureBuilt(ROOT, ['server'], console.log);
  if (problems.length) throw new Error(`bench/startup: ${problems.join('\n')}`);

  const root = await fs.mkdtemp(join(tmpdir(), 'bench-startup-'));
  const onSignal = (): void => {
    current?.kill('SIGKILL');
    void fs.rm(root, { recursive: true, force: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const dirs = [
      { name: 'empty', dir: join(root, 'empty') },
      { name: `${TOTAL.toLocaleString('en-US')} runs`, dir: join(root, 'big') },
    ];
    await fs.mkdir(dirs[0]!.dir);
    const began = performance.now();
    // Written in a child process, so this process's heap (and GC) stays small while it times.
    execFileSync(process.execPath, [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--build',
      dirs[1]!.dir,
      String(TOTAL),
    ]);
    const stored = await storedRuns(dirs[1]!.dir);
    console.log(
      `built ${stored.toLocaleString('en-US')} runs in ${((performance.now() - began) / 1000).toFixed(1)} s; ` +
        `${N} rounds, idle ${IDLE_MS} ms; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')}`,
    );

    const samples = new Map<string, Sample[]>();
    const key = (how: Launch, dir: string): string => `${how} ${dir}`;
    const order = (round: number): Launch[] => (round % 2 ? ['tsx', 'built'] : ['built', 'tsx']);
    for (const { name, dir } of dirs) {
      for (const how of order(0)) await launch(how, dir); // warm-up, not counted
      for (let round = 0; round < N; round++) {
        for (const how of order(round)) {
          const s = await launch(how, dir);
          const list = samples.get(key(how, name)) ?? [];
          samples.set(key(how, name), list.concat(s));
          console.log(
            `  ${name.padEnd(16)} ${how.padEnd(5)} listening ${s.listenMs.toFixed(0).padStart(5)} ms, ` +
              `health ${s.healthMs.toFixed(0).padStart(5)} ms (${s.attempts} tries), ` +
              `RSS ${s.rssMb.toFixed(1)} MB (peak ${s.hwmMb.toFixed(1)}), exit ${s.exitMs.toFixed(0)} ms`,
          );
        }
      }
    }
    const after = await storedRuns(dirs[1]!.dir);
    if (after !== stored) {
      console.log(`note: the big dir held ${stored} runs before and ${after} after`);
    }
    console.log(
      `load average at end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}\n`,
    );

    const rows: string[][] = [];
    for (const { name } of dirs) {
      for (const how of ['built', 'tsx'] as const) {
        const s = samples.get(key(how, name))!;
        rows.push([
          how,
          name,
          figure(
            s.map((x) => x.healthMs),
            0,
          ),
          figure(
            s.map((x) => x.listenMs),
            0,
          ),
          figure(
            s.map((x) => x.rssMb),
            1,
          ),
          figure(
            s.map((x) => x.hwmMb),
            1,
          ),
        ]);
      }
    }
    printTable(
      [
        'launch',
        'data dir',
        'start-up → health 200, ms',
        'start-up → listening, ms',
        'idle RSS, MB',
        'peak RSS, MB',
      ],
      rows,
    );
    console.log('');
    const ratioRows: string[][] = [];
    for (const { name } of dirs) {
      const b = samples.get(key('built', name))!;
      const t = samples.get(key('tsx', name))!;
      const ratio = (f: (x: Sample) => number): string =>
        (median(b.map(f)) / median(t.map(f))).toFixed(2);
      ratioRows.push([
        name,
        ratio((x) => x.healthMs),
        ratio((x) => x.rssMb),
        ratio((x) => x.hwmMb),
      ]);
    }
    printTable(
      ['data dir', 'built/tsx start-up (medians)', 'built/tsx idle RSS', 'built/tsx peak RSS'],
      ratioRows,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--build') {
  // Only builds a data dir (to inspect or to start a service on by hand): --build <dir> [runs]
  void buildDataDir(process.argv[3]!, Number(process.argv[4] ?? 1_000_000));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
