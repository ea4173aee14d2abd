/**
 * Bench of the json store's run history: `node --import tsx bench/json-store.ts`.
 * Builds a data dir of 1,000,000 runs over 30 days (segment files written directly in the store's
 * format through its own module functions), then measures through the public `JsonStore` API.
 * BENCH_RUNS=N changes the history size (default 1,000,000).
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createIdGenerator } from '../src/main/core/ids';
import { JsonStore } from '../src/main/store/json/json-store';
import type { Run, TaskType } from '../src/shared/domain';
import { writeRunHistory } from './support/run-history';

const HOUR = 3_600_000;
const DAYS = 30;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const TYPES: TaskType[] = ['api', 'db', 'file'];

function makeRun(id: string, startMs: number, i: number, status: Run['status'] = 'succeeded'): Run {
  const type = TYPES[i % 3]!;
  const startedAt = new Date(startMs).toISOString();
  return {
    id,
    taskId: `task-${i % 40}`,
    taskName: `Nightly export ${i % 40}`,
    type,
    operation: i % 2 ? 'write' : 'read',
    configId: `config-${i % 20}`,
    configName: `Config ${i % 20}`,
    config: { url: 'https://api.example.com/v1/items?page=1', method: 'GET' },
    trigger: { kind: 'schedule', scheduleId: `entry-${i % 40}` },
    startedAt,
    ...(status === 'running'
      ? {}
      : {
          finishedAt: new Date(startMs + 120).toISOString(),
          durationMs: 120,
          result: { summary: 'HTTP 200, 12 items', statusCode: 200 },
        }),
    status,
    attempt: 1,
  };
}

/** Writes `count` runs spread evenly over DAYS days, one file per hour; one in 499 skipped. */
function buildDataDir(dir: string, count: number): Promise<void> {
  return writeRunHistory(dir, count, START, START + DAYS * 24 * HOUR, (id, ms, i) =>
    makeRun(id, ms, i, i % 499 === 0 ? 'skipped' : 'succeeded'),
  );
}

/** Inserts `count` runs as the app does (running, then final) in concurrent waves. */
async function appendRuns(
  store: JsonStore,
  fromMs: number,
  count: number,
  wave: number,
): Promise<number> {
  let t = fromMs;
  const ids = createIdGenerator(() => t);
  const began = performance.now();
  for (let done = 0; done < count; done += wave) {
    const runs: Run[] = [];
    for (let j = 0; j < wave; j++) {
      t += 5;
      runs.push(makeRun(ids(), t, done + j, 'running'));
    }
    await Promise.all(runs.map((r) => store.insertRun(r)));
    await Promise.all(
      runs.map((r, j) => store.updateRun(makeRun(r.id, Date.parse(r.startedAt), done + j))),
    );
  }
  return performance.now() - began;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Child mode: open the dir, print time and RSS growth as JSON. */
async function openProbe(dir: string): Promise<void> {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const began = performance.now();
  const store = new JsonStore({ dataDir: dir });
  await store.open();
  const ms = performance.now() - began;
  const running = (await store.listRunningRuns()).length;
  global.gc?.();
  const rss1 = process.memoryUsage().rss;
  await store.close();
  process.stdout.write(JSON.stringify({ ms, rssMb: (rss1 - rss0) / 1024 / 1024, running }));
}

async function main(): Promise<void> {
  const total = Number(process.env.BENCH_RUNS ?? 1_000_000);
  const root = await fs.mkdtemp(join(tmpdir(), 'bench-json-store-'));
  const rows: [string, string, string, boolean][] = [];
  try {
    const small = join(root, 'small');
    const big = join(root, 'big');
    let began = performance.now();
    // Built in a child process, so this process's heap (and GC pauses) stay the store's own.
    for (const [dir, count] of [
      [small, 1_000],
      [big, total],
    ] as const) {
      execFileSync(process.execPath, [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--build',
        dir,
        String(count),
      ]);
    }
    console.log(
      `built ${total.toLocaleString()} runs in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );

    // Opening: a fresh process, so RSS growth is the store's alone.
    const probe = JSON.parse(
      execFileSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--open-probe', big],
        { encoding: 'utf8' },
      ),
    ) as { ms: number; rssMb: number };
    rows.push([
      `open data dir with ${total.toLocaleString()} runs`,
      `${probe.ms.toFixed(0)} ms`,
      '≤ 500 ms',
      probe.ms <= 500,
    ]);
    rows.push([
      '  extra RSS after open',
      `${probe.rssMb.toFixed(1)} MB`,
      '≤ 50 MB',
      probe.rssMb <= 50,
    ]);

    // Append cost: the same writes at 1,000 and at `total` stored runs (records = insert + update).
    const after = START + DAYS * 24 * HOUR;
    const perRun: number[] = [];
    for (const dir of [small, big]) {
      const store = new JsonStore({ dataDir: dir });
      await store.open();
      await appendRuns(store, after, 2_000, 100); // warm-up
      const ms = await appendRuns(store, after + HOUR, 10_000, 100);
      perRun.push(ms / 10_000);
      await store.close();
    }
    const ratio = perRun[1]! / perRun[0]!;
    rows.push([
      `append cost at ${total.toLocaleString()} vs 1,000 runs`,
      `${ratio.toFixed(2)}× (${(perRun[1]! * 1000).toFixed(1)} vs ${(perRun[0]! * 1000).toFixed(1)} µs/run)`,
      '≤ 1.5×',
      ratio <= 1.5,
    ]);

    const store = new JsonStore({ dataDir: big });
    await store.open();

    // Sustained writes with an event-loop delay monitor running.
    const pairs = 50_000;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let probeMax = 0;
    let last = performance.now();
    const probeTimer = setInterval(() => {
      const now = performance.now();
      probeMax = Math.max(probeMax, now - last - 1);
      last = now;
    }, 1);
    delay.enable();
    const writeMs = await appendRuns(store, after + 3 * HOUR, pairs, 100);
    await store.flush();
    delay.disable();
    clearInterval(probeTimer);
    const perSecond = (pairs * 2) / (writeMs / 1000);
    rows.push([
      'sustained run records/s (insert+update = 2)',
      `${Math.round(perSecond).toLocaleString()}`,
      '≥ 20,000',
      perSecond >= 20_000,
    ]);
    const blockedMs = Math.max(delay.max / 1e6 - 1, probeMax);
    rows.push([
      '  longest event-loop block while writing',
      `${blockedMs.toFixed(1)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms)`,
      '≤ 5 ms',
      blockedMs <= 5,
    ]);

    // Queries: random 1-hour windows of one type; the latest 50.
    const windowMs: number[] = [];
    for (let q = 0; q < 200; q++) {
      const from =
        START + Math.floor(((q * 7919) % (DAYS * 24 - 2)) * HOUR + ((q * 104729) % HOUR));
      const t0 = performance.now();
      const page = await store.listRuns({
        type: TYPES[q % 3]!,
        from: new Date(from).toISOString(),
        to: new Date(from + HOUR).toISOString(),
        limit: 1000,
      });
      windowMs.push(performance.now() - t0);
      if (page.items.length === 0) throw new Error('bench: a window query found nothing');
    }
    const p95Window = percentile(windowMs, 95);
    rows.push([
      'runs.list 1-hour window of one type, p95',
      `${p95Window.toFixed(1)} ms`,
      '≤ 20 ms',
      p95Window <= 20,
    ]);
    const latestMs: number[] = [];
    for (let q = 0; q < 200; q++) {
      const t0 = performance.now();
      await store.listRuns({ limit: 50 });
      latestMs.push(performance.now() - t0);
    }
    const p95Latest = percentile(latestMs, 95);
    rows.push(['runs.list latest 50, p95', `${p95Latest.toFixed(2)} ms`, '≤ 5 ms', p95Latest <= 5]);

    // A rare filter: a page spans more hours than the segment cache holds (segment-scan.ts).
    for (const [label, query] of [
      ['skipped (1 run in 499)', { status: 'skipped' }],
      ['file + skipped (1 in 1,497)', { type: 'file', status: 'skipped' }],
    ] as const) {
      const times: number[] = [];
      const before = store.runLogStats();
      for (let rep = 0; rep < 5; rep++) {
        let cursor: string | undefined;
        // The first page and the next, as History loads them.
        for (let p = 0; p < 2; p++) {
          const t0 = performance.now();
          const page = await store.listRuns({ ...query, limit: 40, ...(cursor ? { cursor } : {}) });
          times.push(performance.now() - t0);
          if (page.items.length < 40) throw new Error(`bench: ${label} found too few runs`);
          cursor = page.nextCursor;
        }
      }
      const after = store.runLogStats();
      const p50 = percentile(times, 50);
      const files = (after.segmentReads - before.segmentReads) / times.length;
      rows.push([
        `runs.list ${label}, a page of 40, p50 of ${times.length}`,
        `${p50.toFixed(1)} ms (${files.toFixed(0)} files read a page, ${after.cachedSegments - before.cachedSegments} more cached)`,
        '≤ 100 ms',
        p50 <= 100,
      ]);
    }

    // Deleting one (whole) day, and one day not aligned to hours.
    began = performance.now();
    const day = START + 10 * 24 * HOUR;
    const deleted = await store.deleteRuns({
      from: new Date(day).toISOString(),
      to: new Date(day + 24 * HOUR).toISOString(),
    });
    const deleteMs = performance.now() - began;
    rows.push([
      `delete one day (${deleted.toLocaleString()} runs)`,
      `${deleteMs.toFixed(1)} ms`,
      '≤ 50 ms',
      deleteMs <= 50,
    ]);
    began = performance.now();
    const shifted = START + 12 * 24 * HOUR + 30 * 60_000;
    const deleted2 = await store.deleteRuns({
      from: new Date(shifted).toISOString(),
      to: new Date(shifted + 24 * HOUR).toISOString(),
    });
    const delete2Ms = performance.now() - began;
    rows.push([
      `  delete one day from 00:30 (${deleted2.toLocaleString()} runs)`,
      `${delete2Ms.toFixed(1)} ms`,
      '≤ 50 ms',
      delete2Ms <= 50,
    ]);
    await store.close();
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }

  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length), 8));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 4)).join(' | ')} |`;
  console.log(line(['figure', 'measured', 'goal', 'pass']));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat('----')));
  for (const [figure, measured, goal, pass] of rows)
    console.log(line([figure, measured, goal, pass ? 'pass' : 'FAIL']));
}

if (process.argv[2] === '--open-probe') {
  void openProbe(process.argv[3]!);
} else if (process.argv[2] === '--build') {
  // Only builds a data dir (to inspect or to open by hand): --build <dir> [runs]
  void buildDataDir(process.argv[3]!, Number(process.argv[4] ?? 1_000_000));
} else {
  void main();
}
