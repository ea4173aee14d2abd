/**
 * The configuration rules of db tasks per engine (src/main/core/config-rules.ts) through the
 * core's `call`: MongoDB's one action per operation, what PostgreSQL / MySQL / SQLite and Redis
 * configurations need for a read or a write task (with the field each refusal points at), their
 * passwords redacted, and their records read back by the json store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { JsonStore } from '../../../src/main/store/json/json-store';
import type { MethodParams } from '../../../src/shared/contract';
import { REDACTED } from '../../../src/shared/domain';
import { call, expectError, useCoreApp } from './support/core-app';

useCoreApp();

type ConfigInput = MethodParams<'configs.save'>['config'];

const db = (name: string, params: Record<string, unknown>): ConfigInput =>
  ({ name, type: 'db', params }) as ConfigInput;

const PG = 'postgres://app@127.0.0.1:5432/shop';
const insertOnly = db('insert only', {
  uri: PG,
  insert: { table: 'orders', rows: [{ id: 1 }] },
});
const redisSet = db('set', { uri: 'redis://127.0.0.1:6379/0', command: ['SET', 'k', 'v'] });

const uriOf = (config: { params: unknown }): unknown => (config.params as { uri: string }).uri;

/** The VALIDATION error a promise rejects with. */
async function refusal(
  promise: Promise<unknown>,
): Promise<{ message: string; details?: { issues: { path: string[]; message: string }[] } }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'VALIDATION' });
  return error as { message: string; details?: { issues: { path: string[]; message: string }[] } };
}

describe('db configuration rules', () => {
  it('saves SQL and Redis configurations, which have no MongoDB action', async () => {
    for (const config of [
      insertOnly,
      redisSet,
      db('query', { uri: 'sqlite::memory:', query: { sql: 'SELECT 1' } }),
    ]) {
      expect(await call('configs.save', { config })).toMatchObject({ name: config.name });
    }
    expect(await call('configs.list', {})).toHaveLength(3);
  });

  it('still wants exactly one action of a MongoDB configuration', async () => {
    const mongo = { uri: 'mongodb://127.0.0.1:27017', database: 'd', collection: 'c' };
    await expectError(
      call('configs.save', { config: db('none', mongo) }),
      'VALIDATION',
      /^config\.params: needs an action: find, aggregate or count to read/,
    );
    await expectError(
      call('configs.save', { config: db('two', { ...mongo, find: {}, count: {} }) }),
      'VALIDATION',
      /^config\.params: has find and count; keep one read action/,
    );
    expect(await call('configs.list', {})).toEqual([]);
  });

  it('refuses a task its configuration cannot run, pointing at task.configId', async () => {
    const sql = await call('configs.save', { config: insertOnly });
    const error = await refusal(
      call('tasks.save', {
        task: { name: 'Read', type: 'db', operation: 'read', configId: sql.id },
      }),
    );
    expect(error.message).toBe(
      'task.configId: PostgreSQL configuration "insert only" cannot run a read task: params.query: a read task needs query ({ "sql": "SELECT …" }); insert is for write tasks',
    );
    expect(error.details?.issues).toEqual([
      {
        path: ['task', 'configId'],
        message: error.message.replace('task.configId: ', ''),
      },
    ]);

    const redis = await call('configs.save', { config: redisSet });
    const redisError = await refusal(
      call('tasks.save', {
        task: { name: 'Read', type: 'db', operation: 'read', configId: redis.id },
      }),
    );
    expect(redisError.message).toMatch(
      /^task\.configId: Redis configuration "set" cannot run a read task: params\.command\.0: SET is not a read-only command/,
    );
    expect(await call('tasks.list', {})).toEqual([]);
  });

  it('lets the same configurations run the operation they can do', async () => {
    const sql = await call('configs.save', { config: insertOnly });
    const redis = await call('configs.save', { config: redisSet });
    for (const configId of [sql.id, redis.id]) {
      await call('tasks.save', {
        task: { name: `Write ${configId}`, type: 'db', operation: 'write', configId },
      });
    }
    expect(await call('tasks.list', {})).toHaveLength(2);
  });

  it('refuses configs.test of an operation the configuration cannot do, at its params field', async () => {
    const error = await refusal(call('configs.test', { config: insertOnly, operation: 'read' }));
    expect(error.message).toMatch(
      /^PostgreSQL configuration "insert only" cannot run a read task: params\.query: /,
    );
    expect(error.details?.issues.map((i) => i.path)).toEqual([['config', 'params', 'query']]);
    expect(await call('runs.list', {})).toEqual({ items: [] });
  });

  it('redacts the password of every engine’s uri and keeps it when the redacted value comes back', async () => {
    for (const uri of [
      'postgres://app:p@ss:w0rd@127.0.0.1:5432/shop',
      'mysql://app:p@ss:w0rd@127.0.0.1:3306/shop',
      'redis://:p@ss:w0rd@127.0.0.1:6379/0',
    ]) {
      const params = uri.startsWith('redis')
        ? { uri, command: ['GET', 'k'] }
        : { uri, query: { sql: 'SELECT 1' } };
      const saved = await call('configs.save', { config: db(uri, params) });
      const shown = uri.replace('p@ss:w0rd', REDACTED);
      expect(uriOf(saved)).toBe(shown);
      const resaved = await call('configs.save', { config: { ...saved, name: `${uri} again` } });
      expect(uriOf(resaved)).toBe(shown);
      expect(uriOf(await call('configs.get', { id: saved.id, reveal: true }))).toBe(uri);
    }
  });
});

describe('db configurations in the json store', () => {
  it('are read back after a restart, every engine, with no data problem', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'config-rules-'));
    try {
      const first = createApp({ store: new JsonStore({ dataDir }), executors: {} });
      await first.start();
      for (const config of [insertOnly, redisSet])
        await first.core.call('configs.save', { config });
      await first.stop();

      const second = createApp({ store: new JsonStore({ dataDir }), executors: {} });
      await second.start();
      try {
        const names = (await second.core.call('configs.list', {})).map((c) => c.name);
        expect(names.sort()).toEqual(['insert only', 'set']);
        expect((await second.core.call('system.info', {})).problems).toEqual([]);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
