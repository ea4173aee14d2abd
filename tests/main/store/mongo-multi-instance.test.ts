/**
 * Several scheduler instances sharing one MongoDB: every (entry, slot) runs exactly once, a killed
 * instance's run becomes `interrupted` (never run twice), and a database outage delays fires
 * instead of losing or doubling them. Real time, real HTTP on 127.0.0.1, real child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import type { App } from '../../../src/main/app';
import { composeApp, type MongoTuning } from '../../../src/main/compose';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import type { Store } from '../../../src/main/store/types';
import type { Run } from '../../../src/shared/domain';
import { allRuns } from '../../support/fixtures';
import { mongoTestTarget, uriWithDatabase, type MongoTestTarget } from '../../support/mongo-target';

if (!process.env.MONGODB_URI) {
  console.info('mongo multi-instance tests: MONGODB_URI is not set; running against the stand-in');
} else {
  console.info(
    'mongo multi-instance tests: the outage test is skipped against MONGODB_URI: it must stop the server, which only the stand-in can',
  );
}

let target: MongoTestTarget;
let dbCounter = 0;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  target = await mongoTestTarget();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await target.stop();
});

function freshDatabase(): string {
  dbCounter += 1;
  return `${target.database}_m${dbCounter}`;
}

/** A local HTTP server: /ok answers at once, /hang never answers until the server closes. */
async function startWorkload(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
    // /hang: left open on purpose.
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

interface Instance {
  app: App;
  store: Store;
}

/** One instance, built by the product's composition root (no wiring by hand). */
async function startInstance(
  database: string,
  instanceId: string,
  mongo: MongoTuning = {},
  schedule = true,
): Promise<Instance> {
  const app = composeApp({
    store: 'mongodb',
    dataDir: '',
    mongoUri: uriWithDatabase(target.uri, database),
    instanceId,
    schedule,
    mongo: { pollMs: 300, changeDetection: 'poll', ...mongo },
  });
  await app.start();
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await app.stop();
  });
  const stop = app.stop.bind(app);
  app.stop = async () => {
    stopped = true;
    await stop();
  };
  return { app, store: app.store };
}

async function seed(app: App, url: string, entries: number): Promise<string[]> {
  const config = await app.core.call('configs.save', {
    config: { name: 'Work', type: 'api', params: { url } },
  });
  const task = await app.core.call('tasks.save', {
    task: { name: 'Work', type: 'api', operation: 'read', configId: config.id },
  });
  const ids: string[] = [];
  for (let i = 0; i < entries; i++) {
    const entry = await app.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 1, overlap: 'skip' },
    });
    ids.push(entry.id);
  }
  return ids;
}

/** Polls (bounded) until `done()` holds; returns whether it did. */
async function pollUntil(done: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await done()) return true;
    await delay(100);
  }
  return done();
}

/** (entry, slot) → how many runs; and per entry, its sorted slots. */
function slotsOf(runs: Run[]): { perSlot: Map<string, number>; perEntry: Map<string, number[]> } {
  const perSlot = new Map<string, number>();
  const perEntry = new Map<string, number[]>();
  for (const run of runs) {
    if (!run.trigger.scheduleId || !run.scheduledFor) continue;
    const key = `${run.trigger.scheduleId}|${run.scheduledFor}`;
    perSlot.set(key, (perSlot.get(key) ?? 0) + 1);
    const list = perEntry.get(run.trigger.scheduleId) ?? [];
    list.push(Date.parse(run.scheduledFor));
    perEntry.set(run.trigger.scheduleId, list);
  }
  for (const list of perEntry.values()) list.sort((a, b) => a - b);
  return { perSlot, perEntry };
}

/** Every entry's slots form an unbroken 1 s sequence: nothing lost in between. */
function gapsOf(perEntry: Map<string, number[]>): string[] {
  const gaps: string[] = [];
  for (const [id, slots] of perEntry) {
    for (let i = 1; i < slots.length; i++) {
      if (slots[i]! - slots[i - 1]! !== 1000) {
        gaps.push(
          `${id}: ${new Date(slots[i - 1]!).toISOString()} → ${new Date(slots[i]!).toISOString()}`,
        );
      }
    }
  }
  return gaps;
}

/**
 * Runs that neither succeeded nor were skipped for overlap (a run still in flight when the next
 * slot came, e.g. on a loaded machine; the slot is still recorded exactly once).
 */
function unexpectedOutcomes(runs: Run[]): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const key = `${run.status}: ${run.error?.code ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  console.info('run outcomes:', Object.fromEntries(counts));
  return runs
    .filter(
      (r) => r.status !== 'succeeded' && !(r.status === 'skipped' && r.error?.code === 'OVERLAP'),
    )
    .map((r) => `${r.id} ${r.status}: ${r.error?.message ?? ''}`);
}

describe('several instances on one MongoDB', () => {
  it('three instances run each slot of 50 every-second entries exactly once for 10 s', async () => {
    const database = freshDatabase();
    const work = await startWorkload();
    const instances = [
      await startInstance(database, 'inst-a'),
      await startInstance(database, 'inst-b'),
      await startInstance(database, 'inst-c'),
    ];
    const entryIds = await seed(instances[0]!.app, `${work.url}/ok`, 50);
    const finishedPerEntry = async (): Promise<boolean> => {
      const { perEntry } = slotsOf(
        (await allRuns(instances[0]!.store)).filter((r) => r.status !== 'running'),
      );
      return entryIds.every((id) => (perEntry.get(id)?.length ?? 0) >= 10);
    };
    expect(await pollUntil(finishedPerEntry, 30_000)).toBe(true);
    for (const { app } of instances) await app.stop();

    const reader = await startInstance(database, 'reader', {}, false);
    const runs = await allRuns(reader.store);
    const { perSlot, perEntry } = slotsOf(runs);
    const doubled = [...perSlot].filter(([, n]) => n > 1);
    expect(doubled).toEqual([]);
    expect(gapsOf(perEntry)).toEqual([]);
    expect([...perEntry.keys()].sort()).toEqual([...entryIds].sort());
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    expect(unexpectedOutcomes(runs)).toEqual([]);
    const byInstance = new Map<string, number>();
    for (const run of runs)
      byInstance.set(run.instanceId!, (byInstance.get(run.instanceId!) ?? 0) + 1);
    console.info('runs per instance:', Object.fromEntries(byInstance), 'total', runs.length);
    expect(byInstance.size).toBeGreaterThanOrEqual(2);
    // Every run is one HTTP request: nothing ran twice behind the records' back.
    expect(work.hits()).toBe(runs.filter((r) => r.status === 'succeeded').length);
  }, 60_000);

  it('marks the run of a killed instance interrupted and never runs its slot again', async () => {
    const database = freshDatabase();
    const work = await startWorkload();
    const leaseMs = 1500;
    // The survivor schedules nothing: it only heartbeats and sweeps, so the child runs the slot.
    const survivor = await startInstance(
      database,
      'survivor',
      { leaseMs, heartbeatMs: 250 },
      false,
    );
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'tests/main/store/mongo-instance-child.ts',
        target.uri,
        database,
        'doomed',
        String(leaseMs),
        '250',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      });
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${out}`)));
    });
    const [entryId] = await seed(survivor.app, `${work.url}/hang`, 1);
    let victim: Run | undefined;
    expect(
      await pollUntil(async () => {
        victim = (await allRuns(survivor.store)).find((r) => r.status === 'running');
        return victim !== undefined && work.hits() > 0;
      }, 10_000),
    ).toBe(true);
    expect(victim!.instanceId).toBe('doomed');

    child.kill('SIGKILL');
    await exited;
    let final: Run | undefined;
    expect(
      await pollUntil(async () => {
        final = await survivor.store.getRun(victim!.id);
        return final?.status === 'interrupted';
      }, 10_000),
    ).toBe(true);
    expect(final!.error?.code).toBe('INTERRUPTED');
    expect(final!.error?.message).toMatch(/doomed.*stopped heartbeating/);

    // A fresh instance starting now neither re-runs the slot nor finds anything to interrupt.
    const late = await startInstance(database, 'late', { leaseMs, heartbeatMs: 250 });
    expect(await late.store.listRunningRuns()).toEqual([]);
    await late.app.stop();
    const runs = await allRuns(survivor.store);
    const { perSlot } = slotsOf(runs);
    expect(perSlot.get(`${entryId}|${victim!.scheduledFor}`)).toBe(1);
    expect([...perSlot].filter(([, n]) => n > 1)).toEqual([]);
    // Only the victim ever reached the endpoint (later slots were skipped as overlapping or not yet claimed).
    expect(work.hits()).toBe(runs.filter((r) => r.status !== 'skipped').length);
    const client = new MongoClient(target.uri);
    try {
      const claim = await client
        .db(database)
        .collection<{ _id: string; instanceId: string }>('claims')
        .findOne({ _id: `${entryId}|${victim!.scheduledFor}` });
      expect(claim?.instanceId).toBe('doomed');
    } finally {
      await client.close();
    }
  }, 60_000);

  it.skipIf(!!process.env.MONGODB_URI)(
    'a database outage gives UNAVAILABLE errors, then every slot is recorded once the database is back (stand-in only: it can stop the server)',
    async () => {
      const standin = target.standin!;
      const database = freshDatabase();
      const work = await startWorkload();
      const options = { timeoutMs: 1000, retryWindowMs: 20_000 };
      const a = await startInstance(database, 'out-a', options);
      const b = await startInstance(database, 'out-b', options);
      const impatient = new MongoStore({
        uri: target.uri,
        database,
        timeoutMs: 500,
        retryWindowMs: 0,
      });
      await impatient.open();
      cleanups.push(() => impatient.close());
      const entryIds = await seed(a.app, `${work.url}/ok`, 5);
      const finished = async (after: number): Promise<boolean> => {
        const { perEntry } = slotsOf(
          (await allRuns(a.store)).filter((r) => r.status !== 'running'),
        );
        return entryIds.every((id) => (perEntry.get(id) ?? []).some((slot) => slot > after));
      };
      const warm = Date.now() + 1000;
      expect(await pollUntil(() => finished(warm), 10_000)).toBe(true);

      await standin.stop();
      const error = await impatient.listTasks().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'UNAVAILABLE' });
      expect((error as Error).message).toMatch(
        /^MongoStore: cannot list tasks: MongoDB at mongodb:\/\/127\.0\.0\.1:\d+ is unreachable/,
      );
      // Keep the server away across at least one fire of every entry.
      const downSince = Date.now();
      await pollUntil(async () => Date.now() - downSince > 1500, 3000);
      await standin.restart();
      const backAt = Date.now();
      expect(await pollUntil(() => finished(backAt + 1000), 20_000)).toBe(true);
      await a.app.stop();
      await b.app.stop();

      const runs = await allRuns(impatient);
      const { perSlot, perEntry } = slotsOf(runs);
      expect([...perSlot].filter(([, n]) => n > 1)).toEqual([]);
      expect(gapsOf(perEntry)).toEqual([]);
      const outage = runs.filter(
        (r) => Date.parse(r.scheduledFor!) >= downSince && Date.parse(r.scheduledFor!) < backAt,
      );
      expect(outage.length).toBeGreaterThanOrEqual(entryIds.length);
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(unexpectedOutcomes(runs)).toEqual([]);
    },
    60_000,
  );
});
