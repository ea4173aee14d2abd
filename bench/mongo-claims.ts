/**
 * Bench of the mongodb store's exactly-once path: `node --import tsx bench/mongo-claims.ts`.
 * Runs against MONGODB_URI when set, else against the test stand-in started in a child process
 * (so the "server" has its own event loop, as a real one would).
 *
 * 1. Claim-and-record overhead: per scheduled run, claim + insert `running` + replace with the
 *    final record, against record only (insert + replace). Sequential, so these are latencies.
 * 2. Runs/s recorded by three instances together (each tries every slot, one wins) versus one.
 *
 * BENCH_N=… slots per measurement (default 1,000; BENCH_FULL=1: 5,000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { MongoStore } from '../src/main/store/mongodb/mongo-store';
import type { Run } from '../src/shared/domain';

const N = Number(process.env.BENCH_N ?? (process.env.BENCH_FULL === '1' ? 5_000 : 1_000));
const ENTRIES = 50;

async function serverUri(): Promise<{ uri: string; label: string; stop: () => void }> {
  if (process.env.MONGODB_URI) {
    return { uri: process.env.MONGODB_URI, label: 'MongoDB at MONGODB_URI', stop: () => undefined };
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--standin-server'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
  return { uri, label: 'test stand-in (child process)', stop: () => child.stdin.end() };
}

function runRecord(id: string, instanceId: string, entryId: string, slot: string): Run {
  return {
    id,
    taskId: 'task-1',
    taskName: 'bench task',
    type: 'api',
    operation: 'read',
    configId: 'config-1',
    configName: 'bench config',
    config: { url: 'http://127.0.0.1:9/' },
    trigger: { kind: 'schedule', scheduleId: entryId },
    scheduledFor: slot,
    startedAt: new Date().toISOString(),
    status: 'running',
    attempt: 1,
    instanceId,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const slotOf = (k: number): { entryId: string; slot: string } => ({
  entryId: `e${k % ENTRIES}`,
  slot: new Date(Date.UTC(2026, 0, 1) + Math.floor(k / ENTRIES) * 1000).toISOString(),
});

/** One scheduled run as an instance handles it: claim, and if won, record start and finish. */
async function handleSlot(store: MongoStore, k: number, claim: boolean): Promise<boolean> {
  const { entryId, slot } = slotOf(k);
  if (claim && !(await store.claim(entryId, slot))) return false;
  const run = runRecord(`${store.instanceId}-${k}`, store.instanceId, entryId, slot);
  await store.insertRun(run);
  await store.updateRun({ ...run, status: 'succeeded', finishedAt: run.startedAt, durationMs: 1 });
  return true;
}

async function main(): Promise<void> {
  const server = await serverUri();
  const database = `ts_bench_${randomBytes(3).toString('hex')}`;
  const open = async (instanceId: string, db = database): Promise<MongoStore> => {
    const store = new MongoStore({
      uri: server.uri,
      database: db,
      instanceId,
      heartbeatMs: 60_000,
    });
    await store.open();
    return store;
  };
  try {
    // 1. Latency per scheduled run, sequential.
    const solo = await open('solo');
    for (let k = 0; k < 100; k++) await handleSlot(solo, 1_000_000 + k, true); // warm-up
    // Interleaved, so drift (GC, JIT, the server's growing collections) hits both alike.
    const recordOnly: number[] = [];
    const claimed: number[] = [];
    for (let k = 0; k < N; k++) {
      let t0 = performance.now();
      await handleSlot(solo, 2_000_000 + k, false);
      recordOnly.push(performance.now() - t0);
      t0 = performance.now();
      await handleSlot(solo, 3_000_000 + k, true);
      claimed.push(performance.now() - t0);
    }
    recordOnly.sort((a, b) => a - b);
    claimed.sort((a, b) => a - b);
    await solo.close();

    // 2. Throughput: the same N slots handled by one instance, then by three racing for each.
    const throughput = async (
      instances: number,
    ): Promise<{ perSec: number; runs: number; doubled: number }> => {
      const db = `${database}_x${instances}`;
      const stores = await Promise.all(
        Array.from({ length: instances }, (_, i) => open(`inst${i}`, db)),
      );
      const t0 = performance.now();
      await Promise.all(
        stores.map(async (store) => {
          // Each instance works through the slots with a few in flight, as a scheduler batch does.
          const inFlight = 8;
          let next = 0;
          await Promise.all(
            Array.from({ length: inFlight }, async () => {
              while (next < N) await handleSlot(store, next++, true);
            }),
          );
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const client = new MongoClient(server.uri);
      const runs = await client.db(db).collection('runs').countDocuments({});
      const perSlot = await client
        .db(db)
        .collection('runs')
        .aggregate([
          { $group: { _id: { e: '$trigger.scheduleId', s: '$scheduledFor' }, n: { $sum: 1 } } },
          { $match: { n: { $gt: 1 } } },
        ])
        .toArray();
      await client.db(db).dropDatabase();
      await client.close();
      await Promise.all(stores.map((s) => s.close()));
      return { perSec: runs / seconds, runs, doubled: perSlot.length };
    };
    const one = await throughput(1);
    const three = await throughput(3);

    const p = (xs: number[], q: number): string => percentile(xs, q).toFixed(2);
    const overhead = percentile(claimed, 0.5) - percentile(recordOnly, 0.5);
    console.log(
      `mongo-claims bench: ${server.label}, ${N} slots per measurement, ${ENTRIES} entries\n`,
    );
    const rows: Array<[string, string, string]> = [
      [
        'record only (insert + replace) p50 / p95 ms',
        `${p(recordOnly, 0.5)} / ${p(recordOnly, 0.95)}`,
        '(baseline)',
      ],
      ['claim + record p50 / p95 ms', `${p(claimed, 0.5)} / ${p(claimed, 0.95)}`, ''],
      ['claim overhead per run p50 ms', overhead.toFixed(2), '≤ one round trip (≤ 0.5 × record)'],
      ['claim overhead / record p50', (overhead / percentile(recordOnly, 0.5)).toFixed(2), '≤ 0.5'],
      ['runs/s, 1 instance', one.perSec.toFixed(0), ''],
      ['runs/s, 3 instances together', three.perSec.toFixed(0), ''],
      [
        '3 instances / 1 instance',
        (three.perSec / one.perSec).toFixed(2),
        '≥ 0.8 (contention costs little)',
      ],
      ['runs recorded (1 / 3 instances)', `${one.runs} / ${three.runs}`, `${N} / ${N}`],
      ['slots run twice', String(one.doubled + three.doubled), '0'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log(`${'figure'.padEnd(w0)}  ${'value'.padEnd(w1)}  goal`);
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
    console.log(
      '\nNote: with the stand-in every instance shares one process and the server is a single JS event loop, so\nthe 3-vs-1 ratio shows contention cost, not scale-out; run with MONGODB_URI for server figures.',
    );
    const client = new MongoClient(server.uri);
    await client.db(database).dropDatabase();
    await client.close();
  } finally {
    server.stop();
  }
}

if (process.argv[2] === '--standin-server') {
  // Child mode: serve a stand-in and print its URI.
  const { startMongoStandin } = await import('../tests/support/mongo-standin/index');
  const standin = await startMongoStandin();
  process.stdout.write(`${standin.uri}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else {
  await main();
}
