/**
 * The SQL engines against the machine's real PostgreSQL and MariaDB and a temp SQLite file: the
 * same behaviour through `DbEngineRunner`, engine by engine. Every test makes and drops its own
 * table.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DbEngineRunner } from '../../../../src/main/executors/db/engine-runner';
import type { SqlParams } from '../../../../src/shared/db-params';
import { eventually, failure, run, sqlTargets, uniqueName } from './db-support';

const targets = sqlTargets();
const runner = new DbEngineRunner();

afterAll(async () => {
  await runner.close();
  for (const target of targets) target.cleanup();
});

describe.each(targets)('$label', (target) => {
  const { uri, mark } = target;
  let table = '';
  const write = (params: Omit<SqlParams, 'uri'>): ReturnType<typeof run> =>
    run(runner, { uri, ...params }, 'write');
  const read = (sql: string, params: unknown[] = []): ReturnType<typeof run> =>
    run(runner, { uri, query: { sql, params } }, 'read');

  /** How many of the server's statements hold `token` (the cancelled one must be gone). */
  const stillRunning = async (token: string): Promise<number> =>
    Number(((await read(target.running!(token)))['rows'] as { n: unknown }[])[0]!.n);

  beforeEach(async () => {
    table = uniqueName();
    await write({
      query: {
        sql: `CREATE TABLE ${table} (id integer PRIMARY KEY, name ${target.text} NOT NULL, score integer)`,
      },
    });
    return async () => {
      await write({ query: { sql: `DROP TABLE IF EXISTS ${table}` } });
    };
  });

  it('inserts rows, reads them back with columns and types, updates and deletes', async () => {
    const inserted = await write({
      insert: {
        table,
        rows: [
          { id: 1, name: 'ada', score: 3 },
          { id: 2, name: 'bob', score: 5 },
        ],
      },
    });
    expect(inserted).toMatchObject({ engine: target.engine, action: 'insert', inserted: 2 });

    const rows = await read(
      `SELECT id, name, score FROM ${table} WHERE score > ${mark(1)} ORDER BY id`,
      [1],
    );
    expect(rows['rows']).toEqual([
      { id: 1, name: 'ada', score: 3 },
      { id: 2, name: 'bob', score: 5 },
    ]);
    expect(rows['rowCount']).toBe(2);
    expect((rows['columns'] as { name: string }[]).map((c) => c.name)).toEqual([
      'id',
      'name',
      'score',
    ]);
    expect((rows['columns'] as { type: string }[]).every((c) => typeof c.type === 'string')).toBe(
      true,
    );
    expect(rows['summary']).toContain('2 rows');

    const updated = await write({
      query: { sql: `UPDATE ${table} SET score = score + 1 WHERE id = ${mark(1)}`, params: [2] },
    });
    expect(updated['affectedRows']).toBe(1);
    const deleted = await write({
      query: { sql: `DELETE FROM ${table} WHERE id = ${mark(1)}`, params: [1] },
    });
    expect(deleted['affectedRows']).toBe(1);
    expect((await read(`SELECT id, score FROM ${table}`))['rows']).toEqual([{ id: 2, score: 6 }]);
  });

  it('stores an injection attempt in a bound value as text, and the table survives', async () => {
    const attack = `'; DROP TABLE ${table}; --`;
    await write({
      query: {
        sql: `INSERT INTO ${table} (id, name) VALUES (${mark(1)}, ${mark(2)})`,
        params: [1, attack],
      },
    });
    await write({ insert: { table, rows: [{ id: 2, name: `x'); DELETE FROM ${table}; --` }] } });
    const rows = await read(`SELECT name FROM ${table} WHERE name = ${mark(1)}`, [attack]);
    expect(rows['rows']).toEqual([{ name: attack }]);
    expect((await read(`SELECT count(*) AS n FROM ${table}`))['rows']).toEqual([
      { n: target.engine === 'sqlite' ? 2 : '2' },
    ]);
  });

  it('refuses a write statement in a read task with the engine’s own read-only error', async () => {
    await write({ insert: { table, rows: [{ id: 1, name: 'kept' }] } });
    for (const sql of [`DELETE FROM ${table}`, `DROP TABLE ${table}`]) {
      const error = await failure(read(sql));
      expect(error.code).toBe('READ_ONLY');
      expect(error.message).toContain(target.label);
      expect(error.message).toMatch(/read-only|READ ONLY|writes/i);
    }
    expect((await read(`SELECT name FROM ${table}`))['rows']).toEqual([{ name: 'kept' }]);
  });

  it('skips or updates rows whose key exists, as onConflict says', async () => {
    await write({ insert: { table, rows: [{ id: 1, name: 'first', score: 1 }] } });
    const ignored = await write({
      insert: {
        table,
        rows: [
          { id: 1, name: 'again', score: 9 },
          { id: 2, name: 'new', score: 2 },
        ],
        onConflict: 'ignore',
      },
    });
    expect(ignored).toMatchObject({ inserted: 1, skipped: 1 });
    const upserted = await write({
      insert: {
        table,
        rows: [
          { id: 1, name: 'changed', score: 7 },
          { id: 3, name: 'third', score: 3 },
        ],
        onConflict: { update: ['name'] },
      },
    });
    expect(upserted['affectedRows']).toBe(2);
    if (target.engine !== 'sqlite') expect(upserted).toMatchObject({ inserted: 1, updated: 1 });
    expect((await read(`SELECT id, name, score FROM ${table} ORDER BY id`))['rows']).toEqual([
      { id: 1, name: 'changed', score: 1 },
      { id: 2, name: 'new', score: 2 },
      { id: 3, name: 'third', score: 3 },
    ]);
  });

  it('inserts every row or none: a duplicate in the last statement rolls back the first ones', async () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => ({ id: i + 1, name: `n${i}` }));
    rows.push({ id: 1, name: 'duplicate' });
    const error = await failure(write({ insert: { table, rows } }));
    expect(error.code).toBe('DUPLICATE_KEY');
    expect(error.message).toContain('rolled back');
    expect(error.result).toMatchObject({ inserted: 0 });
    expect((await read(`SELECT count(*) AS n FROM ${table}`))['rows']).toEqual([
      { n: target.engine === 'sqlite' ? 0 : '0' },
    ]);
  });

  it('inserts only the listed columns, missing keys as NULL, other keys ignored', async () => {
    const result = await write({
      insert: {
        table,
        columns: ['id', 'name', 'score'],
        rows: [
          { id: 1, name: 'a', extra: 'ignored' },
          { id: 2, name: 'b', score: 4 },
        ],
      },
    });
    expect(result['inserted']).toBe(2);
    expect((await read(`SELECT id, score FROM ${table} ORDER BY id`))['rows']).toEqual([
      { id: 1, score: null },
      { id: 2, score: 4 },
    ]);
  });

  it('stops at the row cap and says the rows were truncated', async () => {
    await write({
      insert: { table, rows: Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `r${i}` })) },
    });
    const capped = new DbEngineRunner({ readLimit: 10 });
    try {
      const result = await run(
        capped,
        { uri, query: { sql: `SELECT id FROM ${table} ORDER BY id` } },
        'read',
      );
      expect(result['rows']).toHaveLength(10);
      expect(result['truncated']).toBe(true);
      expect(result['summary']).toContain('result cap');
      const bytes = await run(
        runner,
        { uri, query: { sql: `SELECT id, name FROM ${table}` } },
        'read',
        {
          resultMaxBytes: 100,
        },
      );
      expect((bytes['rows'] as unknown[]).length).toBeLessThan(30);
      expect(bytes['truncated']).toBe(true);
    } finally {
      await capped.close();
    }
  });

  it('reports a syntax error with its position', async () => {
    const error = await failure(read(`SELECT id,\n  FROM ${table}`));
    expect(error.code).toBe('SYNTAX');
    expect(error.message).toContain('line 2, column 3');
    expect(error.message).toContain('FROM');
  });

  it('runs one statement per run: a second one in the text is refused and nothing runs', async () => {
    await write({ insert: { table, rows: [{ id: 1, name: 'kept' }] } });
    const error = await failure(
      write({ query: { sql: `UPDATE ${table} SET name = 'changed'; DROP TABLE ${table}` } }),
    );
    expect(error.code).toBe('SYNTAX');
    expect((await read(`SELECT name FROM ${table}`))['rows']).toEqual([{ name: 'kept' }]);
  });

  it('reports an unknown table and an unknown column with the driver’s message', async () => {
    const missing = await failure(read(`SELECT id FROM ${table}_missing`));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain(`${table}_missing`);
    const column = await failure(read(`SELECT nope FROM ${table}`));
    expect(column.code).toBe('NOT_FOUND');
    expect(column.message).toContain('nope');
  });

  it('reports a duplicate key and a NOT NULL violation as constraint failures', async () => {
    await write({ insert: { table, rows: [{ id: 1, name: 'a' }] } });
    const duplicate = await failure(write({ insert: { table, rows: [{ id: 1, name: 'b' }] } }));
    expect(duplicate.code).toBe('DUPLICATE_KEY');
    expect(duplicate.message).toMatch(/PRIMARY|pkey|\.id/);
    const notNull = await failure(
      write({
        query: { sql: `INSERT INTO ${table} (id, name) VALUES (${mark(1)}, NULL)`, params: [2] },
      }),
    );
    expect(notNull.code).toBe('CONSTRAINT');
    expect(notNull.message).toContain('name');
  });

  it('returns the rows of a write that reads (RETURNING or SELECT)', async () => {
    await write({ insert: { table, rows: [{ id: 1, name: 'a' }] } });
    const sql =
      target.engine === 'mysql'
        ? `SELECT id, name FROM ${table}`
        : `UPDATE ${table} SET score = 5 RETURNING id, score`;
    const result = await write({ query: { sql } });
    expect(result['rows']).toHaveLength(1);
    expect(result['columns']).toBeDefined();
  });

  // SQLite runs in this process and cannot cancel a statement: its timeout is checked between rows.
  const slow = target.slow;
  if (slow)
    it('cancels a statement that outlives timeoutMs on the server', async () => {
      const token = uniqueName('slow');
      const started = performance.now();
      const error = await failure(
        run(runner, { uri, query: { sql: `${slow(20)} /* ${token} */` }, timeoutMs: 300 }, 'read'),
      );
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toContain('timeoutMs');
      expect(performance.now() - started).toBeLessThan(5_000);
      await eventually(async () => (await stillRunning(token)) === 0);
      // The pool is still usable afterwards.
      expect((await read('SELECT 1 AS one'))['rows']).toEqual([{ one: 1 }]);
    });

  if (slow)
    it('stops the statement on the server when the run is aborted', async () => {
      const controller = new AbortController();
      const reason = new Error('run stopped');
      const token = uniqueName('slow');
      const pending = run(runner, { uri, query: { sql: `${slow(20)} /* ${token} */` } }, 'read', {
        signal: controller.signal,
      });
      // The statement is seen running on the server, then the run is aborted.
      await eventually(async () => (await stillRunning(token)) === 1);
      const started = performance.now();
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      expect(performance.now() - started).toBeLessThan(5_000);
      await eventually(async () => (await stillRunning(token)) === 0);
      expect((await read('SELECT 2 AS two'))['rows']).toEqual([{ two: 2 }]);
    });

  // SQLite judges each statement itself; the servers keep a session that a statement may change.
  if (target.engine !== 'sqlite')
    it('does not let a read that turned read-only off make the next read write', async () => {
      const flip =
        target.engine === 'postgres'
          ? 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE'
          : 'SET SESSION TRANSACTION READ WRITE';
      await write({ insert: { table, rows: [{ id: 1, name: 'kept' }] } });
      const one = new DbEngineRunner({ poolOptions: { poolSize: 1 } });
      try {
        await run(one, { uri, query: { sql: flip } }, 'read');
        const error = await failure(
          run(one, { uri, query: { sql: `DELETE FROM ${table}` } }, 'read'),
        );
        expect(error.code).toBe('READ_ONLY');
      } finally {
        await one.close();
      }
      expect((await read(`SELECT name FROM ${table}`))['rows']).toEqual([{ name: 'kept' }]);
    });

  it('fills placeholders in params and rows from the run, never in the SQL', async () => {
    const fill = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value).replaceAll('{{name}}', 'filled')) as unknown;
    await run(runner, { uri, insert: { table, rows: [{ id: 1, name: '{{name}}' }] } }, 'write', {
      fill,
    });
    const rows = await run(
      runner,
      {
        uri,
        query: { sql: `SELECT id FROM ${table} WHERE name = ${mark(1)}`, params: ['{{name}}'] },
      },
      'read',
      { fill },
    );
    expect(rows['rows']).toEqual([{ id: 1 }]);
    const unfilled = await failure(
      run(
        runner,
        {
          uri,
          query: { sql: `SELECT id FROM ${table} WHERE name = ${mark(1)}`, params: ['{{name}}'] },
        },
        'read',
      ),
    );
    expect(unfilled.code).toBe('INVALID_CONFIG');
    expect(unfilled.message).toContain('{{name}}');
  });
});
