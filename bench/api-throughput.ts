/**
 * Manual runs of an api task (tasks.run through the core, recorded in the json store) against a
 * local HTTP server, compared with raw axios requests to the same server in the same process.
 * Goal: end-to-end throughput ≥ 0.5 × raw axios, at concurrency 1 and 32.
 *
 *   node --import tsx bench/api-throughput.ts          # 2,000 requests per measurement
 *   BENCH_N=500 node --import tsx bench/api-throughput.ts
 *   BENCH_FULL=1 node --import tsx bench/api-throughput.ts   # 10,000 requests per measurement
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { createApp } from '../src/main/app';
import { ApiExecutor } from '../src/main/executors/api-executor';
import { JsonStore } from '../src/main/store/json/json-store';

const N = Number(process.env.BENCH_N ?? (process.env.BENCH_FULL === '1' ? 10_000 : 2_000));
const CONCURRENCIES = [1, 32];
const GOAL = 0.5;
const PAYLOAD = Buffer.from(
  JSON.stringify({
    ok: true,
    items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })),
  }),
);

interface Measure {
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `total` calls of `fn` with `concurrency` workers; returns throughput and latencies. */
async function measure(
  total: number,
  concurrency: number,
  fn: () => Promise<void>,
): Promise<Measure> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        await fn();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Two equal-size measurements as one: throughput by total time, latencies averaged. */
function combine(a: Measure, b: Measure): Measure {
  return {
    perSecond: 2 / (1 / a.perSecond + 1 / b.perSecond),
    p50: (a.p50 + b.p50) / 2,
    p99: Math.max(a.p99, b.p99),
  };
}

async function main(): Promise<void> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': PAYLOAD.length });
    res.end(PAYLOAD);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`;

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-api-'));
  const agent = new http.Agent({ keepAlive: true });
  const raw = axios.create({ httpAgent: agent });
  const executor = new ApiExecutor();
  const app = createApp({ store: new JsonStore({ dataDir }), executors: { api: executor } });
  await app.start();
  await app.core.call('settings.save', { settings: { concurrency: 64, retention: {} } });
  const config = await app.core.call('configs.save', {
    config: { name: 'bench', type: 'api', params: { url } },
  });
  const task = await app.core.call('tasks.save', {
    task: { name: 'bench', type: 'api', operation: 'read', configId: config.id },
  });

  const rawCall = async (): Promise<void> => {
    const response = await raw.get(url);
    if (response.status !== 200) throw new Error(`raw axios got ${response.status}`);
  };
  const appCall = async (): Promise<void> => {
    const run = await app.core.call('tasks.run', { id: task.id });
    if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error?.message}`);
  };

  // Warm up both paths (JIT, sockets, store files).
  await measure(Math.min(200, N), 8, rawCall);
  await measure(Math.min(200, N), 8, appCall);

  const rows: string[][] = [];
  let allMet = true;
  for (const concurrency of CONCURRENCIES) {
    // A-B-B-A order, half the requests each, so load drifting on a shared machine hits both alike.
    const half = Math.ceil(N / 2);
    const raw1 = await measure(half, concurrency, rawCall);
    const app1 = await measure(half, concurrency, appCall);
    const app2 = await measure(half, concurrency, appCall);
    const raw2 = await measure(half, concurrency, rawCall);
    const rawResult = combine(raw1, raw2);
    const appResult = combine(app1, app2);
    const ratio = appResult.perSecond / rawResult.perSecond;
    const met = ratio >= GOAL;
    allMet &&= met;
    rows.push([
      String(concurrency),
      rawResult.perSecond.toFixed(0),
      appResult.perSecond.toFixed(0),
      `${rawResult.p50.toFixed(2)} / ${rawResult.p99.toFixed(2)}`,
      `${appResult.p50.toFixed(2)} / ${appResult.p99.toFixed(2)}`,
      ratio.toFixed(2),
      `≥ ${GOAL}`,
      met ? 'met' : 'MISSED',
    ]);
  }

  const { items } = await app.core.call('runs.list', { limit: 1 });
  await app.stop();
  agent.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fs.rm(dataDir, { recursive: true, force: true });

  const header = [
    'concurrency',
    'raw axios req/s',
    'tasks.run runs/s',
    'raw p50/p99 ms',
    'run p50/p99 ms',
    'ratio',
    'goal',
    'result',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(
    `api throughput: ${N} requests per measurement, json store (${items.length ? 'runs recorded' : 'NO RUNS RECORDED'}), node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  console.log(allMet ? 'All goals met.' : 'Some goals MISSED.');
}

main().catch((error: unknown) => {
  console.error('bench/api-throughput failed:', error);
  process.exitCode = 1;
});
