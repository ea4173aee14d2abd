/**
 * The 10,000-entries-every-second case on the product itself: the built headless service
 * (`out/server/index.js serve`, what `npm run serve` runs; built first when missing or stale) with
 * the json store in a temp data dir and its own `secret.key` (so the encrypting store is in), the
 * real executors, everything created through its HTTP API. Its CPU is read from
 * `/proc/<pid>/stat` (utime + stime, all threads) over a window. Linux only.
 * `node --import tsx bench/scheduler-service.ts` (or `npm run bench -- scheduler-service`).
 *
 * Each layout (`BENCH_ONLY=aligned,spread`, as in bench/scheduler.ts) starts a fresh service,
 * saves `settings.concurrency` (`BENCH_CONCURRENCY`, default 256), one configuration and task,
 * then BENCH_ENTRIES (default 10,000) `frequency` entries every 1 s through `schedules.save`
 * (16 requests at a time), waits two slots after the last save, and measures a BENCH_SECONDS
 * window (default 20 s). The runs of its slots are read back through `runs.list`.
 *
 * The task (`BENCH_TASK`) decides what a run costs besides scheduling and recording:
 * - `self` (default): an api GET of the service's own address, which the executor refuses before
 *   any I/O (SelfGuard): each run fails at once. The nearest the product has to a no-op task, so
 *   the figure compares with bench/scheduler.ts's (no-op executor in the product wiring).
 * - `file`: a file read of a 2-byte file (a real task; the file executor's cost per run counts).
 * - `api`: an api GET of `http://127.0.0.1:9/` (a closed port: "connection refused" per run).
 * `BENCH_SERVICE` runs another built entry (e.g. a build of an older commit) for before/after figures.
 * `BENCH_NODE_ARGS` passes node flags to the service (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/builds.mjs';
import type { Run } from '../src/shared/domain';
import {
  load,
  percentile,
  processCpuMs,
  readBackRuns,
  Report,
  status,
  statusList,
  threadCpu,
  threadShares,
} from './support/scheduler-figures';
import { BUILT_ENTRY, startServiceProcess } from './support/service-process';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_ENTRIES ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const TASK = (process.env.BENCH_TASK ?? 'self') as 'self' | 'file' | 'api';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const NODE_ARGS = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
/** Another built entry (a build of an older commit) for before/after figures. */
const SERVICE = process.env.BENCH_SERVICE;
const TOKEN = 'bench-scheduler-service-token-0123456789';
const SAVE_PARALLEL = 16;
const report = new Report();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Service {
  child: ChildProcess;
  port: number;
  call: <T>(method: string, params: unknown) => Promise<T>;
  stop: () => Promise<void>;
}

async function startService(dataDir: string): Promise<Service> {
  const service = await startServiceProcess({
    entry: [...NODE_ARGS, ...(SERVICE ? [SERVICE] : BUILT_ENTRY)],
    dataDir,
    // The token by environment; no secret key: the service makes <data dir>/secret.key, as by default.
    env: { TASK_SCHEDULER_TOKEN: TOKEN },
    where: 'bench/scheduler-service',
  });
  const { port } = service;
  const call = async <T>(method: string, params: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (!res.ok) throw new Error(`bench: ${method} answered ${res.status}: ${body.error?.message}`);
    return body.result as T;
  };
  const stop = async (): Promise<void> => {
    await service.stop(30_000);
  };
  return { child: service.child, port, call, stop };
}

function configFor(port: number, file: string): Record<string, unknown> {
  const auth = { kind: 'bearer', token: 'bench-token-0123456789abcdef' };
  switch (TASK) {
    case 'self':
      return { name: 'self', type: 'api', params: { url: `http://127.0.0.1:${port}/`, auth } };
    case 'api':
      return { name: 'closed port', type: 'api', params: { url: 'http://127.0.0.1:9/', auth } };
    case 'file':
      return { name: 'input', type: 'file', params: { location: file, format: 'text' } };
  }
}

async function layoutRun(layout: 'aligned' | 'spread'): Promise<void> {
  const root = await fs.mkdtemp(join(tmpdir(), 'ts-bench-sched-service-'));
  const dataDir = join(root, 'data');
  const service = await startService(dataDir);
  try {
    const { call } = service;
    const settings = await call<Record<string, unknown>>('settings.get', {});
    await call('settings.save', { settings: { ...settings, concurrency: CONCURRENCY } });
    const file = join(root, 'input.txt');
    await fs.writeFile(file, 'ok');
    const config = await call<{ id: string }>('configs.save', {
      config: configFor(service.port, file),
    });
    const task = await call<{ id: string }>('tasks.save', {
      task: {
        name: 'bench',
        type: TASK === 'file' ? 'file' : 'api',
        operation: 'read',
        configId: config.id,
      },
    });
    // Entry i fires at startAt + offset(i) + k·1000; one saved after its first slot fires from
    // the next one on (the window starts after the last save).
    const startAt = Math.ceil(Date.now() / 1000) * 1000 + 3000;
    const offsetOf = (i: number): number => (layout === 'spread' ? Math.floor((i * 1000) / N) : 0);
    const offsets = new Map<string, number>();
    const began = Date.now();
    let next = 0;
    const saveSome = async (): Promise<void> => {
      while (next < N) {
        const i = next++;
        const entry = await call<{ id: string }>('schedules.save', {
          entry: {
            taskId: task.id,
            kind: 'frequency',
            everySeconds: 1,
            startAt: new Date(startAt + offsetOf(i)).toISOString(),
            overlap: 'skip',
            missed: 'run-once',
          },
        });
        offsets.set(entry.id, offsetOf(i));
      }
    };
    await Promise.all(Array.from({ length: SAVE_PARALLEL }, saveSome));
    const savedIn = Date.now() - began;
    // Two slots of warm-up after the first one and after the last save.
    const from = startAt + Math.max(3000, Math.ceil((Date.now() + 2000 - startAt) / 1000) * 1000);
    const to = from + SECONDS * 1000;
    await sleep(from - Date.now());
    const pid = service.child.pid!;
    const cpu0 = processCpuMs(pid);
    const threads0 = threadCpu(pid);
    const wall0 = performance.now();
    await sleep(to - Date.now());
    const cpu1 = processCpuMs(pid);
    const threads1 = threadCpu(pid);
    const wall = performance.now() - wall0;
    const cpuPct = ((cpu1 - cpu0) / wall) * 100;
    await sleep(1500); // let the last slot's runs finish

    const back = await readBackRuns(
      (params) => call<{ items: Run[]; nextCursor?: string }>('runs.list', params),
      offsets,
      from,
      to,
    );
    const label = `${N.toLocaleString('en-US')} × every 1 s ${layout} (built service, task "${TASK}", concurrency ${CONCURRENCY}, ${SECONDS} s)`;
    report.add(
      `${label}: CPU of the service process`,
      `${cpuPct.toFixed(1)} % (${threadShares(pid, threads0, threads1, wall)})`,
      '≤ 25 %',
      status(cpuPct <= 25, 'OVER'),
    );
    report.add(
      `${label}: slots without a run`,
      String(back.missed),
      '0',
      status(back.missed === 0, 'MISSED'),
    );
    const s = back.startLateness;
    report.add(
      `${label}: run start lateness p50 / p99 / max (startedAt − slot)`,
      `${percentile(s, 50)} / ${percentile(s, 99)} / ${s[s.length - 1] ?? NaN} ms`,
    );
    const skipped = back.byStatus.get('skipped') ?? 0;
    report.add(
      `${label}: runs by status`,
      statusList(back.byStatus),
      'info: skipped ≈ 0 = recording keeps up',
      status(skipped <= N / 100, 'BEHIND'),
    );
    report.add(`${label}: ${N} schedules.save over HTTP`, `${savedIn} ms`);
  } finally {
    await service.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (process.platform !== 'linux')
  throw new Error('bench/scheduler-service: reads /proc; Linux only');
const problems = SERVICE ? [] : ensureBuilt(ROOT, ['server'], console.log);
if (problems.length) throw new Error(`bench/scheduler-service: ${problems.join('\n')}`);
const loadStart = load();
console.log(
  `Scheduler bench on the built service. Node ${process.version}, task "${TASK}", load average (1/5/15 min) at start: ${loadStart}`,
);
for (const layout of ['aligned', 'spread'] as const) {
  if (!ONLY || ONLY.includes(layout)) await layoutRun(layout);
}
report.print();
console.log(`load average (1/5/15 min): start ${loadStart}, end ${load()}`);
