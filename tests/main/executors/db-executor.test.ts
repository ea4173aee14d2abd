import net from 'node:net';
import { Long, MongoClient, ObjectId, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import type { Clock, TimerHandle } from '../../../src/main/core/clock';
import { DbExecutor } from '../../../src/main/executors/db-executor';
import { MongoPool } from '../../../src/main/executors/mongo-pool';
import { TaskError, type ExecutionRequest } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { MongoParams } from '../../../src/shared/domain';
import { REDACTED } from '../../../src/shared/domain';
import { startMongoStandin, type MongoStandin } from '../../support/mongo-standin/index';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';

const T0 = '2026-01-01T00:00:00.000Z';

function request(
  params: MongoParams,
  operation: 'read' | 'write',
  extra: Partial<ExecutionRequest<'db'>> = {},
): ExecutionRequest<'db'> {
  return {
    task: undefined,
    operation,
    config: { id: 'c1', name: 'db config', type: 'db', params, createdAt: T0, updatedAt: T0 },
    signal: new AbortController().signal,
    resultMaxBytes: 1024 * 1024,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<TaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TaskError);
  return error as TaskError;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('DbExecutor', () => {
  let target: MongoTestTarget;
  let direct: MongoClient;
  let db: Db;
  let executor: DbExecutor;
  let n = 0;
  let collection = '';

  const params = (rest: Partial<MongoParams>): MongoParams => ({
    uri: target.uri,
    database: target.database,
    collection,
    ...rest,
  });

  beforeAll(async () => {
    target = await mongoTestTarget();
    direct = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5_000 });
    await direct.connect();
    db = direct.db(target.database);
  });

  afterAll(async () => {
    await direct.close();
    await target.stop();
  });

  beforeEach(() => {
    collection = `c${++n}`;
    executor = new DbExecutor();
  });

  afterEach(async () => {
    await executor.close();
  });

  it('finds with filter, projection, sort, skip and limit', async () => {
    await db
      .collection(collection)
      .insertMany(Array.from({ length: 10 }, (_, i) => ({ i, even: i % 2 === 0, name: `n${i}` })));
    const { result } = await executor.execute(
      request(
        params({
          find: {
            filter: { even: true },
            projection: { _id: 0, i: 1 },
            sort: { i: -1 },
            skip: 1,
            limit: 3,
          },
        }),
        'read',
      ),
    );
    expect(result.documents).toEqual([{ i: 6 }, { i: 4 }, { i: 2 }]);
    expect(result.count).toBe(3);
    expect(result.limited).toBeUndefined();
    expect(result.summary).toBe(`find: 3 documents from ${target.database}.${collection}`);
  });

  it('round-trips ObjectId, dates, Int64 and decimals through Extended JSON', async () => {
    const id = '65a0000000000000000000aa';
    const written = await executor.execute(
      request(
        params({
          insert: {
            documents: [
              {
                _id: { $oid: id },
                at: { $date: '2024-05-01T10:00:00Z' },
                small: { $numberLong: '5' },
                big: { $numberLong: '9007199254740993' },
                price: { $numberDecimal: '12.50' },
                plain: 1.5,
              },
            ],
          },
        }),
        'write',
      ),
    );
    expect(written.result).toMatchObject({ inserted: 1, insertedIds: [{ $oid: id }] });

    const stored = await db.collection(collection).findOne({ _id: new ObjectId(id) });
    expect(stored!.at).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(stored!.small).toBe(5);
    expect(stored!.big).toBeInstanceOf(Long);
    expect(String(stored!.big)).toBe('9007199254740993');

    const { result } = await executor.execute(
      request(
        params({
          find: { filter: { _id: { $oid: id }, at: { $gte: { $date: '2024-01-01T00:00:00Z' } } } },
        }),
        'read',
      ),
    );
    expect(result.documents).toEqual([
      {
        _id: { $oid: id },
        at: { $date: '2024-05-01T10:00:00Z' },
        small: 5,
        big: { $numberLong: '9007199254740993' },
        price: { $numberDecimal: '12.50' },
        plain: 1.5,
      },
    ]);
  });

  it('aggregates with a pipeline', async () => {
    await db.collection(collection).insertMany([
      { team: 'a', score: 1 },
      { team: 'a', score: 2 },
      { team: 'b', score: 5 },
    ]);
    const { result } = await executor.execute(
      request(
        params({
          aggregate: {
            pipeline: [
              { $group: { _id: '$team', total: { $sum: '$score' } } },
              { $sort: { total: -1 } },
            ],
          },
        }),
        'read',
      ),
    );
    expect(result.documents).toEqual([
      { _id: 'b', total: 5 },
      { _id: 'a', total: 3 },
    ]);
    expect(result.count).toBe(2);
  });

  it('counts matching documents', async () => {
    await db.collection(collection).insertMany([{ k: 1 }, { k: 2 }, { k: 2 }]);
    const { result } = await executor.execute(
      request(params({ count: { filter: { k: 2 } } }), 'read'),
    );
    expect(result).toMatchObject({
      count: 2,
      summary: expect.stringContaining('count: 2 documents'),
    });
  });

  it('updates one or many documents, with upsert, pipelines and replacements', async () => {
    await db.collection(collection).insertMany([
      { k: 1, v: 0 },
      { k: 1, v: 0 },
      { k: 2, v: 0 },
    ]);
    const many = await executor.execute(
      request(
        params({ update: { filter: { k: 1 }, update: { $inc: { v: 1 } }, many: true } }),
        'write',
      ),
    );
    expect(many.result).toMatchObject({ matched: 2, modified: 2, upserted: 0 });
    const one = await executor.execute(
      request(params({ update: { filter: { k: 1 }, update: { $set: { v: 9 } } } }), 'write'),
    );
    expect(one.result).toMatchObject({ matched: 1, modified: 1 });
    const upsert = await executor.execute(
      request(
        params({ update: { filter: { k: 3 }, update: { $set: { v: 3 } }, upsert: true } }),
        'write',
      ),
    );
    expect(upsert.result).toMatchObject({
      matched: 0,
      upserted: 1,
      upsertedId: { $oid: expect.any(String) },
    });
    const pipeline = await executor.execute(
      request(
        params({ update: { filter: { k: 2 }, update: [{ $set: { v: { $add: ['$k', 100] } } }] } }),
        'write',
      ),
    );
    expect(pipeline.result).toMatchObject({ modified: 1 });
    const replaced = await executor.execute(
      request(params({ update: { filter: { k: 3 }, update: { k: 3, replaced: true } } }), 'write'),
    );
    expect(replaced.result).toMatchObject({ matched: 1, modified: 1 });
    const docs = await db
      .collection(collection)
      .find({}, { projection: { _id: 0 } })
      .sort({ k: 1 })
      .toArray();
    expect(docs).toEqual([
      { k: 1, v: 9 },
      { k: 1, v: 1 },
      { k: 2, v: 102 },
      { k: 3, replaced: true },
    ]);
  });

  it('refuses a replacement document with many: true and changes nothing', async () => {
    await db.collection(collection).insertOne({ k: 1 });
    const error = await failure(
      executor.execute(
        request(params({ update: { filter: {}, update: { k: 2 }, many: true } }), 'write'),
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/replaces a whole document/);
    expect(await db.collection(collection).findOne({}, { projection: { _id: 0 } })).toEqual({
      k: 1,
    });
  });

  it('deletes one document by default and all matches with many', async () => {
    await db.collection(collection).insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    const one = await executor.execute(request(params({ delete: { filter: { k: 1 } } }), 'write'));
    expect(one.result).toMatchObject({ deleted: 1 });
    const many = await executor.execute(
      request(params({ delete: { filter: { k: 1 }, many: true } }), 'write'),
    );
    expect(many.result).toMatchObject({
      deleted: 2,
      summary: expect.stringContaining('delete: 2 documents'),
    });
    expect(await db.collection(collection).countDocuments()).toBe(1);
  });

  it('bounds reads without a limit at 1,000 documents and says so', async () => {
    await db.collection(collection).insertMany(Array.from({ length: 1_050 }, (_, i) => ({ i })));
    const capped = await executor.execute(request(params({ find: {} }), 'read'));
    expect(capped.result.count).toBe(1_000);
    expect(capped.result.documents).toHaveLength(1_000);
    expect(capped.result.limited).toBe(true);
    expect(capped.result.summary).toMatch(/stopped at 1,000; set find.limit/);
    const asked = await executor.execute(request(params({ find: { limit: 1_050 } }), 'read'));
    expect(asked.result.count).toBe(1_050);
    expect(asked.result.limited).toBeUndefined();
    const aggregated = await executor.execute(
      request(params({ aggregate: { pipeline: [{ $match: {} }] } }), 'read'),
    );
    expect(aggregated.result).toMatchObject({ count: 1_000, limited: true });
  });

  it('stops reading once the documents exceed the result byte cap', async () => {
    await db
      .collection(collection)
      .insertMany(Array.from({ length: 200 }, (_, i) => ({ i, pad: 'x'.repeat(200) })));
    const { result } = await executor.execute(
      request(params({ find: {} }), 'read', { resultMaxBytes: 2_000 }),
    );
    expect(result.truncated).toBe(true);
    expect(result.count).toBeLessThan(20);
  });

  it.each([
    [
      '$where in a find filter',
      { find: { filter: { $where: 'this.a > 1' } } },
      /\$where runs JavaScript on the server and is refused \(in find.filter\); use a query operator instead/,
    ],
    [
      '$function inside $expr',
      {
        find: {
          filter: {
            $expr: { $function: { body: 'function() { return true }', args: [], lang: 'js' } },
          },
        },
      },
      /\$function runs JavaScript/,
    ],
    [
      '$accumulator in a pipeline',
      { aggregate: { pipeline: [{ $group: { _id: null, x: { $accumulator: {} } } }] } },
      /\$accumulator runs JavaScript.*aggregate.pipeline\[0\]/,
    ],
    ['a $code value', { count: { filter: { a: { $code: 'function() {}' } } } }, /\$code/],
    [
      '$where in an update filter',
      { update: { filter: { $where: '1' }, update: { $set: { a: 1 } } } },
      /\$where/,
    ],
  ])('refuses %s before contacting the server', async (_name, action, message) => {
    const operation = 'update' in action ? 'write' : 'read';
    const error = await failure(
      executor.execute(request(params(action as Partial<MongoParams>), operation)),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(message);
    expect(executor.pool.size).toBe(0);
  });

  it('rejects invalid Extended JSON with a clear message and writes nothing', async () => {
    const error = await failure(
      executor.execute(
        request(params({ insert: { documents: [{ _id: { $oid: 'nope' } }] } }), 'write'),
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/insert.documents is not valid MongoDB Extended JSON/);
    expect(await db.collection(collection).countDocuments()).toBe(0);
  });

  it('rejects a bad sort direction', async () => {
    const error = await failure(
      executor.execute(request(params({ find: { sort: { a: 'up' } } }), 'read')),
    );
    expect(error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/find.sort.a must be 1/),
    });
  });

  it('refuses a configuration without an action for the operation', async () => {
    const error = await failure(executor.execute(request(params({ find: {} }), 'write')));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/a write task needs one of insert, update, delete/);
  });

  it('reports a duplicate key as DUPLICATE_KEY with what was inserted before it', async () => {
    await db.collection(collection).createIndex({ k: 1 }, { unique: true });
    const error = await failure(
      executor.execute(
        request(params({ insert: { documents: [{ k: 1 }, { k: 2 }, { k: 1 }] } }), 'write'),
      ),
    );
    expect(error.code).toBe('DUPLICATE_KEY');
    expect(error.message).toMatch(/E11000 duplicate key error/);
    expect(error.result).toMatchObject({ inserted: 2 });
    expect(await db.collection(collection).countDocuments()).toBe(2);
  });

  it('reports a query the server rejects as INVALID_QUERY', async () => {
    await db.collection(collection).insertOne({ a: 1 });
    const error = await failure(
      executor.execute(request(params({ find: { filter: { a: { $frobnicate: 1 } } } }), 'read')),
    );
    expect(error.code).toBe('INVALID_QUERY');
    expect(error.message).toMatch(/MongoDB refused the find/);
  });

  it('fails fast with CONNECTION on a closed port and never shows the password', async () => {
    const port = await closedPort();
    const started = performance.now();
    const error = await failure(
      executor.execute(
        request(
          {
            uri: `mongodb://app:s3cret-pw@127.0.0.1:${port}/`,
            database: 'x',
            collection: 'y',
            count: {},
          },
          'read',
        ),
      ),
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(5_000);
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toMatch(
      new RegExp(`cannot reach MongoDB at 127.0.0.1:${port} within 3 s`),
    );
    expect(error.message).not.toContain('s3cret-pw');
    expect(executor.pool.size).toBe(0);
  });

  it('reuses one pooled client for runs against the same uri', async () => {
    await db.collection(collection).insertOne({ a: 1 });
    const before = target.standin?.totalConnections;
    await executor.execute(request(params({ count: {} }), 'read'));
    const afterFirst = target.standin?.totalConnections;
    await executor.execute(request(params({ find: {} }), 'read'));
    expect(executor.pool.size).toBe(1);
    if (target.standin) {
      expect(afterFirst).toBeGreaterThan(before!);
      expect(target.standin.totalConnections).toBe(afterFirst);
    }
    const other = `${target.uri}${target.uri.includes('?') ? '&' : '/?'}appName=second`;
    await executor.execute(request({ ...params({ count: {} }), uri: other }, 'read'));
    expect(executor.pool.size).toBe(2);
    await executor.close();
    expect(executor.pool.size).toBe(0);
  });

  it('stops waiting when the run is aborted', async ({ skip }) => {
    if (!target.standin) skip();
    const standin = target.standin!;
    await db.collection(collection).insertOne({ a: 1 });
    await executor.execute(request(params({ count: {} }), 'read')); // connect first
    const controller = new AbortController();
    standin.pause();
    try {
      const running = executor.execute(
        request(params({ find: {} }), 'read', { signal: controller.signal }),
      );
      for (let i = 0; i < 2_000 && standin.pendingCount === 0; i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(standin.pendingCount).toBeGreaterThan(0);
      const reason = new Error('stop now');
      controller.abort(reason);
      await expect(running).rejects.toBe(reason);
    } finally {
      standin.resume();
    }
  });
});

describe('DbExecutor with authentication', () => {
  let standin: MongoStandin;
  beforeAll(async () => {
    standin = await startMongoStandin({ users: [{ user: 'app', password: 'right-pw' }] });
  });
  afterAll(async () => {
    await standin.stop();
  });

  it('reports rejected credentials as AUTH without the password', async () => {
    const executor = new DbExecutor();
    try {
      const error = await failure(
        executor.execute(
          request(
            {
              uri: `mongodb://app:wrong-pw@127.0.0.1:${standin.port}/`,
              database: 'x',
              collection: 'y',
              count: {},
            },
            'read',
          ),
        ),
      );
      expect(error.code).toBe('AUTH');
      expect(error.message).toMatch(/rejected the credentials/);
      expect(error.message).not.toContain('wrong-pw');
    } finally {
      await executor.close();
    }
  });

  it('runs end to end through the core and records counts, documents and a redacted uri', async () => {
    const executor = new DbExecutor();
    const app = createApp({ store: new MemoryStore(), executors: { db: executor } });
    await app.start();
    try {
      const api = app.core.api();
      const uri = `mongodb://app:right-pw@127.0.0.1:${standin.port}/`;
      const writeConfig = await api['configs.save']({
        config: {
          name: 'seed',
          type: 'db',
          params: {
            uri,
            database: 'e2e',
            collection: 'items',
            insert: { documents: [{ n: 1, at: { $date: '2024-01-01T00:00:00Z' } }, { n: 2 }] },
          },
        },
      });
      const readConfig = await api['configs.save']({
        config: {
          name: 'read',
          type: 'db',
          params: {
            uri,
            database: 'e2e',
            collection: 'items',
            find: { sort: { n: 1 }, projection: { _id: 0 } },
          },
        },
      });
      const writer = await api['tasks.save']({
        task: { name: 'seed items', type: 'db', operation: 'write', configId: writeConfig.id },
      });
      const reader = await api['tasks.save']({
        task: { name: 'read items', type: 'db', operation: 'read', configId: readConfig.id },
      });
      const written = await api['tasks.run']({ id: writer.id });
      expect(written.status).toBe('succeeded');
      const read = await api['tasks.run']({ id: reader.id });
      const stored = await api['runs.get']({ id: read.id });
      expect(stored.status).toBe('succeeded');
      expect(stored.result).toMatchObject({
        count: 2,
        documents: [{ n: 1, at: { $date: '2024-01-01T00:00:00Z' } }, { n: 2 }],
      });
      expect((await api['runs.get']({ id: written.id })).result).toMatchObject({ inserted: 2 });
      expect(stored.config.uri).toBe(`mongodb://app:${REDACTED}@127.0.0.1:${standin.port}/`);
      expect(JSON.stringify(stored)).not.toContain('right-pw');
    } finally {
      await app.stop();
    }
    expect(executor.pool.size).toBe(0);
  });
});

describe('MongoPool', () => {
  it('closes a client after it sat idle and keeps one in use', async () => {
    const standin = await startMongoStandin();
    const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
    let now = 0;
    const clock: Clock = {
      now: () => now,
      monotonic: () => now,
      setTimeout: (fn, ms) => {
        const timer = { at: now + ms, fn, cancelled: false };
        timers.push(timer);
        return timer as unknown as TimerHandle;
      },
      clearTimeout: (handle) => {
        (handle as unknown as { cancelled: boolean }).cancelled = true;
      },
    };
    const advance = (ms: number): void => {
      now += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.at <= now) timer.fn();
        else timers.push(timer);
      }
    };
    const pool = new MongoPool({ clock, idleMs: 1_000 });
    try {
      const lease = await pool.acquire(standin.uri);
      advance(5_000);
      expect(pool.size).toBe(1); // in use: never closed
      lease.release();
      advance(999);
      expect(pool.size).toBe(1);
      const again = await pool.acquire(standin.uri);
      again.release();
      advance(999);
      expect(pool.size).toBe(1); // the second use restarted the idle period
      advance(1);
      expect(pool.size).toBe(0);
    } finally {
      await pool.close();
      await standin.stop();
    }
  });
});
