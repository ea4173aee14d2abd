/**
 * Db tasks of PostgreSQL, MariaDB (MySQL), SQLite and Redis through the built service's HTTP API
 * (issue #16), against the machine's real servers (TEST_PG_URI, TEST_MYSQL_URI, TEST_REDIS_URI
 * override them) and a temp SQLite file: configurations, tasks and runs saved and run through
 * `/api`, their data checked with the drivers directly. Every test makes its own table or key
 * and drops it.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED, type Configuration, type Run, type Task } from '../../../src/shared/domain';
import { killStarted, serveJson } from '../../support/serve-process';
import {
  MYSQL_URI,
  PG_URI,
  REDIS_URI,
  closedPort,
  tempSqlite,
  uniqueName,
} from '../executors/db/db-support';

const TOKEN = 'db-engines-token-0123456789';
/** The service's connect timeout (DbPools' default). */
const CONNECT_TIMEOUT_MS = 3_000;

interface ErrorBody {
  code: string;
  message: string;
  details?: { issues?: Array<{ path: string[]; message: string }> };
}

let base = '';
let dir = '';
const sqliteFile = tempSqlite();

async function post(
  method: string,
  params: unknown,
): Promise<{ status: number; result?: unknown; error?: ErrorBody }> {
  const res = await fetch(`${base}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: ErrorBody };
  return { status: res.status, ...body };
}

/** The result of a call that must succeed. */
async function ok<T>(method: string, params: unknown): Promise<T> {
  const answer = await post(method, params);
  expect(answer.error?.message, method).toBeUndefined();
  expect(answer.status).toBe(200);
  return answer.result as T;
}

/** Saves a configuration and a task, runs the task, and returns the run as runs.get has it. */
async function runTask(operation: 'read' | 'write', params: Record<string, unknown>): Promise<Run> {
  const name = uniqueName(operation);
  const config = await ok<Configuration>('configs.save', {
    config: { name, type: 'db', params },
  });
  const task = await ok<Task>('tasks.save', {
    task: { name, type: 'db', operation, configId: config.id },
  });
  const run = await ok<Run>('tasks.run', { id: task.id });
  expect(await ok<Run>('runs.get', { id: run.id })).toEqual(run);
  return run;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'db-engines-http-'));
  ({ base } = await serveJson(join(dir, 'data'), TOKEN));
});

afterAll(async () => {
  killStarted();
  await rm(dir, { recursive: true, force: true });
  sqliteFile.remove();
});

// ---------------------------------------------------------------- SQL engines

/** One SQL engine: its uri for the service, and a direct connection to set up and check data. */
interface SqlTarget {
  label: string;
  engine: 'postgres' | 'mysql' | 'sqlite';
  uri: string;
  host: string;
  /** The nth bound-value marker. */
  mark: (n: number) => string;
  /** Runs SQL directly (not through the service); the rows of a query. */
  exec: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}

async function postgresTarget(): Promise<SqlTarget> {
  const client = new pg.Client({ connectionString: PG_URI });
  await client.connect();
  return {
    label: 'PostgreSQL',
    engine: 'postgres',
    uri: PG_URI,
    host: '127.0.0.1:5432',
    mark: (n) => `$${n}`,
    exec: async (sql, params) => (await client.query(sql, params)).rows,
    close: () => client.end(),
  };
}

async function mysqlTarget(): Promise<SqlTarget> {
  const connection = await mysql.createConnection(MYSQL_URI.replace(/^mariadb:/, 'mysql:'));
  return {
    label: 'MySQL',
    engine: 'mysql',
    uri: MYSQL_URI,
    host: '127.0.0.1:3306',
    mark: () => '?',
    exec: async (sql, params) => {
      const [rows] = await connection.query(sql, params);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: () => connection.end(),
  };
}

function sqliteTarget(): SqlTarget {
  const db = new Database(sqliteFile.file);
  return {
    label: 'SQLite',
    engine: 'sqlite',
    uri: sqliteFile.uri,
    host: sqliteFile.file,
    mark: () => '?',
    exec: (sql, params = []) => {
      const statement = db.prepare(sql);
      if (!statement.reader) {
        statement.run(...params);
        return Promise.resolve([]);
      }
      return Promise.resolve(statement.all(...params) as Record<string, unknown>[]);
    },
    close: () => Promise.resolve(void db.close()),
  };
}

const sqlTargets: Array<{ label: string; open: () => Promise<SqlTarget> | SqlTarget }> = [
  { label: 'PostgreSQL', open: postgresTarget },
  { label: 'MySQL', open: mysqlTarget },
  { label: 'SQLite', open: sqliteTarget },
];

describe.each(sqlTargets)('$label db tasks over HTTP', ({ open }) => {
  let target: SqlTarget;
  let table = '';

  beforeAll(async () => {
    target = await open();
  });
  afterAll(async () => {
    await target.close();
  });
  beforeEach(async () => {
    table = uniqueName('t');
    await target.exec(`CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(200) NOT NULL)`);
    return async () => {
      await target.exec(`DROP TABLE IF EXISTS ${table}`);
    };
  });

  const names = async (): Promise<unknown[]> =>
    (await target.exec(`SELECT name FROM ${table} ORDER BY id`)).map((row) => row['name']);

  it('inserts rows with a write task and reads them back with a read task', async () => {
    const written = await runTask('write', {
      uri: target.uri,
      insert: {
        table,
        rows: [
          { id: 1, name: 'ada' },
          { id: 2, name: 'bob' },
        ],
      },
    });
    expect(written.status).toBe('succeeded');
    expect(written.result).toMatchObject({
      engine: target.engine,
      host: target.host,
      action: 'insert',
      inserted: 2,
    });
    expect(await names()).toEqual(['ada', 'bob']);

    const read = await runTask('read', {
      uri: target.uri,
      query: {
        sql: `SELECT id, name FROM ${table} WHERE id >= ${target.mark(1)} ORDER BY id`,
        params: [1],
      },
    });
    expect(read.status).toBe('succeeded');
    expect(read.result).toMatchObject({
      engine: target.engine,
      action: 'query',
      rowCount: 2,
      rows: [
        { id: 1, name: 'ada' },
        { id: 2, name: 'bob' },
      ],
    });
    const columns = read.result!['columns'] as Array<{ name: string; type: string }>;
    expect(columns.map((c) => c.name)).toEqual(['id', 'name']);
    expect(read.result!.summary).toContain(`2 rows from ${target.label} at ${target.host}`);
  });

  it('updates rows with a write query and reports the affected rows', async () => {
    await target.exec(`INSERT INTO ${table} (id, name) VALUES (1, 'ada'), (2, 'bob')`);
    const run = await runTask('write', {
      uri: target.uri,
      query: {
        sql: `UPDATE ${table} SET name = ${target.mark(1)} WHERE id = ${target.mark(2)}`,
        params: ['ann', 1],
      },
    });
    expect(run.status).toBe('succeeded');
    expect(run.result).toMatchObject({ action: 'query', affectedRows: 1 });
    expect(await names()).toEqual(['ann', 'bob']);
  });

  it('stores an SQL injection attempt in a param as text, and the table survives', async () => {
    const attack = `'; DROP TABLE ${table}; --`;
    const run = await runTask('write', {
      uri: target.uri,
      query: {
        sql: `INSERT INTO ${table} (id, name) VALUES (${target.mark(1)}, ${target.mark(2)})`,
        params: [7, attack],
      },
    });
    expect(run.status).toBe('succeeded');
    expect(await names()).toEqual([attack]);
  });

  it('refuses a write statement in a read task with the engine’s read-only error', async () => {
    await target.exec(`INSERT INTO ${table} (id, name) VALUES (1, 'ada')`);
    const run = await runTask('read', {
      uri: target.uri,
      query: { sql: `DELETE FROM ${table}` },
    });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('READ_ONLY');
    expect(run.error?.message).toContain(`${target.label} at ${target.host} refused`);
    expect(run.error?.message).toContain('a read task runs statements that only read');
    expect(await names()).toEqual(['ada']);
  });

  it('tests a configuration through configs.test without storing it', async () => {
    await target.exec(`INSERT INTO ${table} (id, name) VALUES (1, 'ada')`);
    const before = await ok<Configuration[]>('configs.list', {});
    const run = await ok<Run>('configs.test', {
      config: {
        name: 'trying',
        type: 'db',
        params: { uri: target.uri, query: { sql: `SELECT name FROM ${table}` } },
      },
      operation: 'read',
    });
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: { kind: 'test' },
      result: { engine: target.engine, rows: [{ name: 'ada' }], rowCount: 1 },
    });
    expect(await ok<Configuration[]>('configs.list', {})).toEqual(before);
  });

  it('refuses at tasks.save a read task whose configuration only inserts, storing no task', async () => {
    const config = await ok<Configuration>('configs.save', {
      config: {
        name: uniqueName('insert-only'),
        type: 'db',
        params: { uri: target.uri, insert: { table, rows: [{ id: 1, name: 'ada' }] } },
      },
    });
    const tasks = await ok<Task[]>('tasks.list', {});
    const answer = await post('tasks.save', {
      task: { name: 'reads', type: 'db', operation: 'read', configId: config.id },
    });
    expect(answer.status).toBe(400);
    expect(answer.error?.code).toBe('VALIDATION');
    expect(answer.error?.message).toMatch(
      new RegExp(
        `^tasks\\.save: task\\.configId: ${target.label} configuration ".*" cannot run a read task: params\\.query: a read task needs query`,
      ),
    );
    expect(answer.error?.details?.issues?.[0]?.path).toEqual(['task', 'configId']);
    expect(await ok<Task[]>('tasks.list', {})).toEqual(tasks);
  });
});

// ---------------------------------------------------------------- Redis

describe('Redis db tasks over HTTP', () => {
  const redis = createClient({ url: REDIS_URI });
  let key = '';

  beforeAll(async () => {
    redis.on('error', () => undefined);
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
  });
  beforeEach(() => {
    key = uniqueName('key');
    return async () => {
      await redis.del(key);
    };
  });

  it('writes a hash with a write task and reads it back with a read task', async () => {
    const written = await runTask('write', {
      uri: REDIS_URI,
      command: ['HSET', key, 'name', 'ada', 'visits', 42],
    });
    expect(written.status).toBe('succeeded');
    expect(written.result).toMatchObject({
      engine: 'redis',
      command: 'HSET',
      replyType: 'integer',
      data: 2,
    });
    expect(await redis.hGetAll(key)).toEqual({ name: 'ada', visits: '42' });

    const read = await runTask('read', { uri: REDIS_URI, command: ['HGETALL', key] });
    expect(read.status).toBe('succeeded');
    expect(read.result).toMatchObject({
      engine: 'redis',
      replyType: 'map',
      data: { name: 'ada', visits: '42' },
    });
  });

  it('tests a configuration through configs.test', async () => {
    await redis.set(key, 'hello');
    const run = await ok<Run>('configs.test', {
      config: { name: 'trying', type: 'db', params: { uri: REDIS_URI, command: ['GET', key] } },
      operation: 'read',
    });
    expect(run).toMatchObject({ status: 'succeeded', result: { data: 'hello' } });
  });

  it('refuses a read task that would write, at tasks.save and at configs.test', async () => {
    const params = { uri: REDIS_URI, command: ['SET', key, 'x'] };
    const config = await ok<Configuration>('configs.save', {
      config: { name: uniqueName('set'), type: 'db', params },
    });
    const saved = await post('tasks.save', {
      task: { name: 'reads', type: 'db', operation: 'read', configId: config.id },
    });
    expect(saved.status).toBe(400);
    expect(saved.error?.message).toContain(
      'cannot run a read task: params.command.0: SET is not a read-only command',
    );
    const tested = await post('configs.test', {
      config: { name: 'trying', type: 'db', params },
      operation: 'read',
    });
    expect(tested.status).toBe(400);
    expect(tested.error?.details?.issues?.[0]?.path).toEqual(['config', 'params', 'command', '0']);
    expect(await redis.exists(key)).toBe(0);
  });
});

// ---------------------------------------------------------------- connections

describe('db tasks that cannot reach their server', () => {
  let port = 0;
  beforeAll(async () => {
    port = await closedPort();
  });

  it.each([
    { label: 'PostgreSQL', uri: (p: number) => `postgres://root:s3cret-pw@127.0.0.1:${p}/test` },
    { label: 'MySQL', uri: (p: number) => `mysql://root:s3cret-pw@127.0.0.1:${p}/test` },
    { label: 'Redis', uri: (p: number) => `redis://:s3cret-pw@127.0.0.1:${p}` },
  ])(
    'fails a $label task on a closed port at once, naming engine and host, never the password',
    async ({ label, uri }) => {
      const run = await runTask(
        'read',
        label === 'Redis'
          ? { uri: uri(port), command: ['PING'] }
          : { uri: uri(port), query: { sql: 'SELECT 1' } },
      );
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('CONNECTION');
      expect(run.error?.message).toContain(`${label} at 127.0.0.1:${port} cannot be reached`);
      expect(run.error?.message).not.toContain('s3cret-pw');
      expect(run.config['uri']).toBe(uri(port).replace('s3cret-pw', REDACTED));
      expect(run.durationMs).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
    },
  );

  it('fails a MariaDB task with a wrong password as AUTH, and keeps the password sealed', async () => {
    const admin = await mysqlTarget();
    const user = uniqueName('u').slice(0, 32);
    await admin.exec(`CREATE USER '${user}'@'%' IDENTIFIED BY 'right-pw-123'`);
    await admin.exec(`GRANT SELECT ON *.* TO '${user}'@'%'`);
    try {
      const uri = (password: string): string =>
        MYSQL_URI.replace(/\/\/[^@/]*@/, `//${user}:${password}@`);
      const wrong = await runTask('read', { uri: uri('wrong-pw-456'), query: { sql: 'SELECT 1' } });
      expect(wrong.status).toBe('failed');
      expect(wrong.error?.code).toBe('AUTH');
      expect(wrong.error?.message).toContain('MySQL at 127.0.0.1:3306 rejected the credentials');
      expect(wrong.error?.message).not.toContain('wrong-pw-456');
      expect(wrong.durationMs).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);

      const right = await runTask('read', {
        uri: uri('right-pw-123'),
        query: { sql: 'SELECT CURRENT_USER() AS me' },
      });
      expect(right.error?.message).toBeUndefined();
      expect(right.status).toBe('succeeded');
      expect(right.config['uri']).not.toContain('right-pw-123');
      // Sealed at rest: no file of the data directory holds a password in clear.
      for (const file of await readdir(join(dir, 'data'), { recursive: true })) {
        const text = await readFile(join(dir, 'data', file)).catch(() => Buffer.alloc(0));
        expect(text.includes('right-pw-123'), file).toBe(false);
        expect(text.includes('wrong-pw-456'), file).toBe(false);
      }
    } finally {
      await admin.exec(`DROP USER IF EXISTS '${user}'@'%'`);
      await admin.close();
    }
  });
});

// ---------------------------------------------------------------- bad input

describe('bad db configurations are refused at configs.save and configs.test', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['an unknown scheme', { uri: 'oracle://127.0.0.1/x', query: { sql: 'SELECT 1' } }, ['uri']],
    ['a uri without a host', { uri: 'postgres:///test', query: { sql: 'SELECT 1' } }, ['uri']],
    [
      'a placeholder inside sql',
      { uri: PG_URI, query: { sql: 'SELECT * FROM t WHERE id = {{id}}' } },
      ['query', 'sql'],
    ],
    [
      'params that is not an array',
      { uri: PG_URI, query: { sql: 'SELECT $1', params: { id: 1 } } },
      ['query', 'params'],
    ],
    [
      'an insert with no rows',
      { uri: MYSQL_URI, insert: { table: 't', rows: [] } },
      ['insert', 'rows'],
    ],
    [
      'insert rows with differing keys',
      { uri: MYSQL_URI, insert: { table: 't', rows: [{ a: 1 }, { b: 2 }] } },
      ['insert', 'rows', '1'],
    ],
    ['a SQL configuration without query or insert', { uri: sqliteFile.uri }, ['query']],
    ['an empty Redis command', { uri: REDIS_URI, command: [] }, ['command']],
    ['an admin Redis command', { uri: REDIS_URI, command: ['FLUSHALL'] }, ['command', '0']],
  ];

  it.each(cases)(
    'refuses %s with VALIDATION naming the field, storing nothing',
    async (_, params, path) => {
      const before = await ok<Configuration[]>('configs.list', {});
      const config = { name: 'bad', type: 'db', params };
      for (const [method, extra] of [
        ['configs.save', {}],
        ['configs.test', { operation: 'write' }],
      ] as const) {
        const answer = await post(method, { config, ...extra });
        expect(answer.status, method).toBe(400);
        expect(answer.error?.code).toBe('VALIDATION');
        expect(answer.error?.message).toMatch(
          new RegExp(`^${method.replace('.', '\\.')}: config\\.params\\.${path.join('\\.')}: \\S`),
        );
        expect(answer.error?.details?.issues?.[0]?.path).toEqual(['config', 'params', ...path]);
      }
      expect(await ok<Configuration[]>('configs.list', {})).toEqual(before);
    },
  );
});
