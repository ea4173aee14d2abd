/**
 * Db tasks of PostgreSQL, MariaDB (MySQL) and SQLite through the built service's HTTP API
 * (issue #16), against the machine's real servers (TEST_PG_URI, TEST_MYSQL_URI override them)
 * and a temp SQLite file: configurations, tasks and runs saved and run through `/api`, their
 * data checked with the drivers directly. Every test makes its own table and drops it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Configuration, Run, Task } from '../../../src/shared/domain';
import { uniqueName } from '../executors/db/db-support';
import { ok, post, runTask, useDbEnginesService } from './support/db-engines-service';
import { sqlTargets, type SqlTarget } from './support/sql-targets';

useDbEnginesService();

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
        `^task\\.configId: ${target.label} configuration ".*" cannot run a read task: params\\.query: a read task needs query`,
      ),
    );
    expect(answer.error?.details?.issues?.[0]?.path).toEqual(['task', 'configId']);
    expect(await ok<Task[]>('tasks.list', {})).toEqual(tasks);
  });
});
