/**
 * Scheduling while large bodies are parsed, on the built service (issue #19 item 1, "a separate
 * small limit for CPU-heavy steps"): `node --import tsx bench/heavy-bodies.ts` (or
 * `npm run bench -- heavy-bodies`).
 *
 * The built service (`out/server/index.js serve`, built first when stale) with a json store in a
 * temp dir; this process hosts a local endpoint with a small JSON answer and a large one
 * (`/lat/0` and `/large`: BENCH_BODY_MB, default 3 MB of JSON, an array of objects). Through the HTTP API it saves
 * BENCH_LIGHT (default 200) entries every 1 s of an api read of the small answer, their start
 * times spread over the second, and BENCH_HEAVY (default 6) entries every 1 s of an api read of
 * the large answer, all on the same whole second, so the large bodies arrive together. After
 * BENCH_SECONDS (default 20) the runs are read back: the light runs' `startedAt − scheduledFor`
 * is how late a schedule fires while the large bodies are parsed. `BENCH_SERVICE` runs another
 * built entry (a build of an older commit) for before/after figures; `BENCH_NODE_ARGS` passes node
 * flags to the service (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/builds.mjs';
import type { Run } from '../src/shared/domain';
import { load, percentile, Report, status } from './support/scheduler-figures';
import { startEndpoint, startService } from './support/throughput-service';

const LIGHT = Number(process.env.BENCH_LIGHT ?? 200);
const HEAVY = Number(process.env.BENCH_HEAVY ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BODY_MB = Number(process.env.BENCH_BODY_MB ?? 3);

function largeBody(megabytes: number): Buffer {
  const items: unknown[] = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1024 * 1024; i++) {
    const item = { id: i, name: `item number ${i}`, price: i * 1.5, tags: ['a', 'b'], ok: true };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return Buffer.from(JSON.stringify({ items }));
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const entry = process.env.BENCH_SERVICE;
  const problems = entry ? [] : ensureBuilt(ROOT, ['server'], console.log);
  if (problems.length) throw new Error(problems.join('\n'));
  const loadStart = load();
  const endpoint = await startEndpoint(largeBody(BODY_MB));
  const dataDir = await fs.mkdtemp(join(tmpdir(), 'ts-bench-heavy-'));
  const service = await startService({
    dataDir,
    store: 'json',
    tsx: false,
    entry,
    nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
    callers: 16,
  });
  try {
    const task = async (name: string, url: string): Promise<string> => {
      const config = await service.api<{ id: string }>('configs.save', {
        config: { name, type: 'api', params: { url, maxResponseBytes: 64 * 1024 * 1024 } },
      });
      const saved = await service.api<{ id: string }>('tasks.save', {
        task: { name, type: 'api', operation: 'read', configId: config.id },
      });
      return saved.id;
    };
    const light = await task('small answer', `${endpoint.base}/lat/0`);
    const heavy = await task(`${BODY_MB} MB answer`, `${endpoint.base}/large`);
    const first = Math.ceil(Date.now() / 1000) * 1000 + 5_000;
    const saves: Array<Promise<unknown>> = [];
    for (let i = 0; i < LIGHT; i++) {
      const startAt = new Date(first + Math.floor((i * 1000) / LIGHT)).toISOString();
      saves.push(
        service.api('schedules.save', {
          entry: { taskId: light, kind: 'frequency', everySeconds: 1, startAt },
        }),
      );
    }
    for (let i = 0; i < HEAVY; i++) {
      const startAt = new Date(first).toISOString();
      saves.push(
        service.api('schedules.save', {
          entry: { taskId: heavy, kind: 'frequency', everySeconds: 1, startAt, overlap: 'allow' },
        }),
      );
    }
    await Promise.all(saves);
    const from = first + 2_000; // two slots of warm-up
    const until = from + SECONDS * 1000;
    await sleep(until + 2_000 - Date.now());
    const runs: Run[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.api<{ items: Run[]; nextCursor?: string }>('runs.list', {
        from: new Date(from).toISOString(),
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      runs.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const inWindow = runs.filter((r) => {
      const slot = Date.parse(r.scheduledFor ?? '');
      return slot >= from && slot < until;
    });
    const late = (taskId: string): number[] =>
      inWindow
        .filter((r) => r.taskId === taskId && r.status !== 'skipped')
        .map((r) => Date.parse(r.startedAt) - Date.parse(r.scheduledFor!))
        .sort((a, b) => a - b);
    const lightLate = late(light);
    const heavyRuns = inWindow.filter((r) => r.taskId === heavy);
    const byStatus = (list: Run[]): string =>
      [...new Set(list.map((r) => r.status))]
        .map((s) => `${s} ${list.filter((r) => r.status === s).length}`)
        .join(', ');
    const report = new Report();
    const label = `${LIGHT} light + ${HEAVY} × ${BODY_MB} MB entries every 1 s (${SECONDS} s${entry ? `, ${entry}` : ''})`;
    const p99 = percentile(lightLate, 99);
    report.add(
      `${label}: light runs' start lateness p50 / p99 / max`,
      `${percentile(lightLate, 50)} / ${p99} / ${lightLate.at(-1) ?? '—'} ms (${lightLate.length} runs)`,
      'p99 ≤ 100 ms',
      status(p99 <= 100, 'OVER'),
    );
    report.add(
      `${label}: light runs by status`,
      byStatus(inWindow.filter((r) => r.taskId === light)),
    );
    report.add(`${label}: large-answer runs by status`, byStatus(heavyRuns));
    console.log(
      `Heavy bodies bench on the built service. Node ${process.version}, load average at start: ${loadStart}`,
    );
    report.print();
    console.log(`load average (1/5/15 min): start ${loadStart}, end ${load()}`);
  } finally {
    await service.stop();
    await endpoint.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();
