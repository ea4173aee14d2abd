import { describe, expect, it } from 'vitest';
import type { MongoParams } from '../../../src/shared/domain';
import {
  closedPort,
  collection,
  db,
  executor,
  failure,
  params,
  request,
  target,
  useMongoCollection,
} from './support/db-executor';

describe('DbExecutor', () => {
  useMongoCollection();

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
