import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { createApp } from '../../../src/main/app';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import { AppError } from '../../../src/shared/errors';
import { REDACTED } from '../../../src/shared/domain';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';
import { at, entry, run, task } from '../../support/fixtures';
import { describeStoreContract } from './store-contract';

if (!process.env.MONGODB_URI) {
  console.info('mongo-store tests: MONGODB_URI is not set; running against the stand-in only');
}

let target: MongoTestTarget;
let dbCounter = 0;
beforeAll(async () => {
  target = await mongoTestTarget();
});
afterAll(async () => {
  await target.stop();
});

/** Each test gets its own database inside the suite's target. */
function freshDatabase(): string {
  dbCounter += 1;
  return `${target.database}_${dbCounter}`;
}

async function dropDatabase(database: string): Promise<void> {
  const client = new MongoClient(target.uri, { serverSelectionTimeoutMS: 3000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}

describeStoreContract('mongodb', async () => {
  const database = freshDatabase();
  let store = new MongoStore({ uri: target.uri, database });
  await store.open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new MongoStore({ uri: target.uri, database });
      await store.open();
      return store;
    },
    cleanup: async () => {
      await store.close();
      await dropDatabase(database);
    },
  };
});

describe('mongodb store specifics', () => {
  it('creates its indexes on first open and opening again changes nothing', async () => {
    const database = freshDatabase();
    const first = new MongoStore({ uri: target.uri, database, runTtlDays: 30 });
    await first.open();
    await first.close();
    const second = new MongoStore({ uri: target.uri, database, runTtlDays: 30 });
    await second.open();
    await second.close();
    const client = new MongoClient(target.uri);
    try {
      const db = client.db(database);
      const runIndexes = await db.collection('runs').listIndexes().toArray();
      const byName = new Map(runIndexes.map((i) => [i.name as string, i]));
      expect([...byName.keys()].sort()).toEqual(
        [
          '_id_',
          'runs_parent_time',
          'runs_status_time',
          'runs_task_time',
          'runs_time',
          'runs_ttl',
          'runs_type_time',
        ].sort(),
      );
      expect(byName.get('runs_time')?.key).toEqual({ startedAt: -1, _id: -1 });
      expect(byName.get('runs_parent_time')?.key).toEqual({
        'trigger.parentRunId': 1,
        startedAt: -1,
        _id: -1,
      });
      expect(byName.get('runs_ttl')?.expireAfterSeconds).toBe(30 * 86_400);
      const scheduleIndexes = await db.collection('schedules').listIndexes().toArray();
      expect(scheduleIndexes.map((i) => i.key)).toContainEqual({ nextRunAt: 1 });
    } finally {
      await client.close();
      await dropDatabase(database);
    }
  });

  it('keeps user data whose keys start with $ or hold dots exactly as given', async () => {
    const database = freshDatabase();
    const store = new MongoStore({ uri: target.uri, database });
    await store.open();
    try {
      const config = {
        id: 'db1',
        name: 'db config',
        type: 'db' as const,
        params: {
          uri: 'mongodb://u:pw@127.0.0.1:1/x',
          database: 'x',
          collection: 'y',
          find: { filter: { $or: [{ 'a.b': 1 }, { c: { $gt: 2 } }] } },
        },
        createdAt: at(0),
        updatedAt: at(0),
      };
      await store.putConfig(config);
      const withResult = run('r1', at(1), {
        result: { summary: 'ok', data: { $weird: { 'dotted.key': [1, 'two', null] } } },
      });
      await store.insertRun(withResult);
      expect(await store.getConfig('db1')).toEqual(config);
      expect(await store.getRun('r1')).toEqual(withResult);
    } finally {
      await store.close();
      await dropDatabase(database);
    }
  });

  it('shows only the redacted URI as its location', () => {
    const store = new MongoStore({ uri: 'mongodb://admin:hunter2@127.0.0.1:27017/app' });
    expect(store.kind).toBe('mongodb');
    expect(store.location).toBe(`mongodb://admin:${REDACTED}@127.0.0.1:27017/app`);
    expect(store.location).not.toContain('hunter2');
  });

  it('reports the redacted URI, never the password, in system.info', async () => {
    const database = freshDatabase();
    const uri = new URL(target.uri);
    const app = createApp({ store: new MongoStore({ uri: target.uri, database }), executors: {} });
    await app.start();
    try {
      const info = await app.core.call('system.info', {});
      expect(info).toMatchObject({ store: 'mongodb', location: expect.stringContaining(uri.host) });
      if (uri.password) expect(JSON.stringify(info)).not.toContain(uri.password);
    } finally {
      await app.stop();
      await dropDatabase(database);
    }
  });

  it('fails to open with UNAVAILABLE within a few seconds when no server answers, without the password', async () => {
    // Port 1 on loopback: nothing listens there.
    const store = new MongoStore({
      uri: 'mongodb://admin:hunter2@127.0.0.1:1/app',
      timeoutMs: 500,
    });
    const error = await store.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('UNAVAILABLE');
    expect((error as AppError).message).toMatch(
      /^MongoStore: cannot reach MongoDB at mongodb:\/\/admin:••••••@127\.0\.0\.1:1\/app within 1 s: .*; check the URI and that the server runs$/,
    );
    expect((error as AppError).message).not.toContain('hunter2');
  });

  it('rejects a malformed URI with a VALIDATION error', async () => {
    const store = new MongoStore({ uri: 'mongodb://127.0.0.1:27017/db?notAnOption=1&w=banana' });
    await expect(store.open()).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('refuses to work before open and after close with UNAVAILABLE', async () => {
    const database = freshDatabase();
    const store = new MongoStore({ uri: target.uri, database });
    await expect(store.listTasks()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await store.open();
    await store.putTask(task('t1', 'c1'));
    await store.close();
    await expect(store.putTask(task('t2', 'c1'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await dropDatabase(database);
  });

  it('gives a fire to exactly one claimant, whatever the number of instances', async () => {
    const database = freshDatabase();
    const stores = [0, 1, 2].map(
      (i) => new MongoStore({ uri: target.uri, database, instanceId: `i${i}` }),
    );
    await Promise.all(stores.map((s) => s.open()));
    try {
      const won = await Promise.all(stores.map((s) => s.claim('e1', at(5))));
      expect(won.filter(Boolean)).toHaveLength(1);
      // A second round for the same slot: nobody wins it again.
      expect(await Promise.all(stores.map((s) => s.claim('e1', at(5))))).toEqual([
        false,
        false,
        false,
      ]);
      expect(await stores[1]!.claim('e1', at(6))).toBe(true);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropDatabase(database);
    }
  });

  it('lists as orphaned only runs whose instance is gone, and the sweep of a live instance interrupts them', async () => {
    const database = freshDatabase();
    const leaseMs = 400;
    const alive = new MongoStore({
      uri: target.uri,
      database,
      instanceId: 'alive',
      leaseMs,
      heartbeatMs: 100,
    });
    const doomed = new MongoStore({
      uri: target.uri,
      database,
      instanceId: 'doomed',
      leaseMs,
      heartbeatMs: 100,
    });
    await alive.open();
    await doomed.open();
    try {
      const running = (id: string, instanceId: string): ReturnType<typeof run> => {
        const r = run(id, new Date().toISOString(), { status: 'running', instanceId });
        delete r.finishedAt;
        delete r.durationMs;
        return r;
      };
      await alive.insertRun(running('mine', 'alive-runner'));
      await doomed.insertRun(running('theirs', 'doomed-runner'));
      expect(await alive.listRunningRuns()).toEqual([]);
      // The doomed instance stops; its runner's run was left `running` (a kill is tested with a
      // real child process in mongo-multi-instance.test.ts).
      await doomed.close();
      const deadline = Date.now() + 5000;
      let swept: string | undefined;
      while (Date.now() < deadline) {
        const r = await alive.getRun('theirs');
        if (r?.status === 'interrupted') {
          swept = r.error?.message;
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(swept).toMatch(/doomed-runner.*stopped heartbeating.*not run again/);
      expect((await alive.getRun('mine'))?.status).toBe('running');
      expect(await alive.listRunningRuns()).toEqual([]);
    } finally {
      await alive.close();
      await dropDatabase(database);
    }
  });

  it('reports schedule edits and deletions made through another instance', async () => {
    const database = freshDatabase();
    const a = new MongoStore({ uri: target.uri, database, pollMs: 50, changeDetection: 'poll' });
    const b = new MongoStore({ uri: target.uri, database, pollMs: 50 });
    await a.open();
    await b.open();
    try {
      await a.putSchedule(entry('e1', 't1'));
      const changed: string[] = [];
      const removed: string[] = [];
      const stop = await b.watchSchedules({
        changed: (e) => changed.push(`${e.id}@${e.updatedAt}`),
        removed: (id) => removed.push(id),
      });
      await a.putSchedule(entry('e1', 't1', { updatedAt: at(1), everySeconds: 5 }));
      await a.putSchedule(entry('e2', 't1', { updatedAt: at(1) }));
      await b.putSchedule(entry('e3', 't1', { updatedAt: at(1) }));
      await a.deleteSchedules(['e2']);
      await a.putSchedule(entry('e4', 't1', { updatedAt: at(2) }));
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !changed.includes(`e4@${at(2)}`)) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(changed).toContain(`e1@${at(1)}`);
      expect(changed).toContain(`e4@${at(2)}`);
      // Its own write (e3) is not echoed back.
      expect(changed.some((c) => c.startsWith('e3@'))).toBe(false);
      stop();
      expect(b.changeDetection === 'poll' || b.changeDetection === 'change-stream').toBe(true);
    } finally {
      await a.close();
      await b.close();
      await dropDatabase(database);
    }
  });

  it('keeps a newer edit when a stale copy of the entry is saved, and never revives a deleted one', async () => {
    const database = freshDatabase();
    const store = new MongoStore({ uri: target.uri, database });
    await store.open();
    try {
      await store.putSchedule(entry('e1', 't1', { updatedAt: at(5), everySeconds: 10 }));
      // An instance that fired the older version writes it back with its lastRunAt.
      await store.putSchedule(entry('e1', 't1', { updatedAt: at(1), lastRunAt: at(4) }));
      const kept = await store.getSchedule('e1');
      expect(kept?.everySeconds).toBe(10);
      expect(kept?.lastRunAt).toBe(at(4));
      await store.deleteSchedules(['e1']);
      await store.putSchedule(entry('e1', 't1', { updatedAt: at(1), lastRunAt: at(6) }));
      expect(await store.getSchedule('e1')).toBeUndefined();
    } finally {
      await store.close();
      await dropDatabase(database);
    }
  });
});
