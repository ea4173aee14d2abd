/**
 * Placeholders in db tasks (issues #15 and #16): the run's values and a chained run's input fill
 * SQL `params`, a structured `insert`, Redis arguments and MongoDB's JSON fields, through
 * `DbExecutor` against the machine's real PostgreSQL and Redis and the MongoDB stand-in. A value
 * is always bound, never spliced into SQL: an injection attempt is stored as text.
 */
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbExecutor } from '../../../src/main/executors/db-executor';
import type { ExecutionRequest } from '../../../src/main/executors/types';
import type { DbParams } from '../../../src/shared/domain';
import type { TemplateContext } from '../../../src/shared/templates';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';
import { PG_URI, REDIS_URI, uniqueName } from './db/db-support';

const T0 = '2026-01-01T00:00:00.000Z';
const INJECTION = "'; DROP TABLE t; --";
const CHAINED: TemplateContext = {
  now: '2026-12-01T10:30:00.000Z',
  run: { id: 'run-7', scheduledFor: '2026-12-01T10:30:00.000Z' },
  task: { id: 'task-1', name: 'Store rates' },
  parent: { id: 'run-6', scheduledFor: '2026-12-01T10:00:00.000Z' },
  input: {
    result: {
      statusCode: 200,
      body: {
        items: [
          { code: 'EUR', rate: 1 },
          { code: 'USD', rate: 1.08 },
        ],
        note: INJECTION,
      },
    },
  },
};

function request(
  params: DbParams,
  operation: 'read' | 'write',
  template: TemplateContext = CHAINED,
): ExecutionRequest<'db'> {
  return {
    task: undefined,
    operation,
    config: { id: 'c1', name: 'db config', type: 'db', params, createdAt: T0, updatedAt: T0 },
    signal: new AbortController().signal,
    resultMaxBytes: 1024 * 1024,
    template,
  };
}

const executor = new DbExecutor();
afterAll(() => executor.close());

describe('placeholders in a PostgreSQL task', () => {
  const table = uniqueName('placeholders');
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_URI });
    await client.connect();
    await client.query(`CREATE TABLE ${table} (code text PRIMARY KEY, rate numeric, note text)`);
  });
  afterAll(async () => {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  });

  it('inserts the parent result given as {{input.body.items}} as rows', async () => {
    const { result } = await executor.execute(
      request({ uri: PG_URI, insert: { table, rows: '{{input.body.items}}' } }, 'write'),
    );
    expect(result).toMatchObject({ inserted: 2 });
    const stored = await client.query(
      `SELECT code, rate::text AS rate FROM ${table} ORDER BY code`,
    );
    expect(stored.rows).toEqual([
      { code: 'EUR', rate: '1' },
      { code: 'USD', rate: '1.08' },
    ]);
  });

  it('binds a placeholder in params, so an injection attempt is stored as text and the table survives', async () => {
    await executor.execute(
      request(
        {
          uri: PG_URI,
          query: {
            sql: `UPDATE ${table} SET note = $1 WHERE code = $2`,
            params: ['{{input.body.note}}', 'EUR'],
          },
        },
        'write',
      ),
    );
    const stored = await client.query(`SELECT note FROM ${table} WHERE code = 'EUR'`);
    expect(stored.rows).toEqual([{ note: INJECTION }]);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([
      { n: 2 },
    ]);
  });

  it('reads with the run values in params: {{input.body.items[1].code}} and a formatted date', async () => {
    const { result } = await executor.execute(
      request(
        {
          uri: PG_URI,
          query: {
            sql: `SELECT code, $2::text AS day FROM ${table} WHERE code = $1`,
            params: ['{{input.body.items[1].code}}', '{{run.scheduledFor | date: "yyyy-MM-dd"}}'],
          },
        },
        'read',
      ),
    );
    expect(result.rows).toEqual([{ code: 'USD', day: '2026-12-01' }]);
  });

  it('fails naming the path and the keys that exist when an input path is missing', async () => {
    const run = executor.execute(
      request(
        {
          uri: PG_URI,
          query: { sql: `SELECT $1::text AS x`, params: ['{{input.body.itemz}}'] },
        },
        'read',
      ),
    );
    await expect(run).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/itemz[\s\S]*items/),
    });
  });
});

describe('placeholders in a Redis task', () => {
  const key = uniqueName('placeholders');
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    client = createClient({ url: REDIS_URI });
    await client.connect();
  });
  afterAll(async () => {
    await client.del(key);
    await client.quit();
  });

  it('fills the arguments of a command, the JSON of the input included', async () => {
    await executor.execute(
      request({ uri: REDIS_URI, command: ['SET', key, '{{input.body.items | json}}'] }, 'write'),
    );
    expect(JSON.parse((await client.get(key)) ?? 'null')).toEqual(
      (CHAINED.input!.result as { body: { items: unknown } }).body.items,
    );
  });
});

describe('placeholders in a MongoDB task', () => {
  let target: MongoTestTarget;
  let direct: MongoClient;
  const collection = uniqueName('placeholders');

  beforeAll(async () => {
    target = await mongoTestTarget();
    direct = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5_000 });
    await direct.connect();
  });
  afterAll(async () => {
    await direct.close();
    await target.stop();
  });

  it('inserts {{input.body.items}} as documents and finds them with a filled filter', async () => {
    const base = { uri: target.uri, database: target.database, collection };
    await executor.execute(
      request({ ...base, insert: { documents: '{{input.body.items}}' } }, 'write'),
    );
    const { result } = await executor.execute(
      request(
        {
          ...base,
          find: { filter: { code: '{{input.body.items[0].code}}' }, projection: { _id: 0 } },
        },
        'read',
      ),
    );
    expect(result.documents).toEqual([{ code: 'EUR', rate: 1 }]);
  });

  it('refuses server-side JavaScript brought in by an input value', async () => {
    const base = { uri: target.uri, database: target.database, collection };
    const template: TemplateContext = {
      ...CHAINED,
      input: { result: { body: { filter: { $where: 'sleep(1000) || true' } } } },
    };
    const run = executor.execute(
      request({ ...base, find: { filter: '{{input.body.filter}}' } }, 'read', template),
    );
    await expect(run).rejects.toMatchObject({ message: expect.stringMatching(/\$where/) });
  });

  it('fails before sending when a whole-field placeholder fills in the wrong shape', async () => {
    const base = { uri: target.uri, database: target.database, collection };
    const run = executor.execute(
      request({ ...base, insert: { documents: '{{input.body.note}}' } }, 'write'),
    );
    await expect(run).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'insert.documents must be a non-empty array of documents (objects) once filled; got string',
    });
  });
});
