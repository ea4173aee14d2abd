/**
 * Values reach JSON faithfully, engine by engine: bigint and numeric as strings, dates as ISO
 * times, bytes as base64, JSON columns as JSON (real servers and a temp SQLite file).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DbEngineRunner } from '../../../../src/main/executors/db/engine-runner';
import { MYSQL_URI, PG_URI, run, tempSqlite, uniqueName } from './db-support';

const runner = new DbEngineRunner();
const sqlite = tempSqlite();

afterAll(async () => {
  await runner.close();
  sqlite.remove();
});

async function roundTrip(
  uri: string,
  create: string,
  insert: { sql: string; params: unknown[] },
  select: string,
  table: string,
): Promise<{ row: Record<string, unknown>; types: Record<string, string> }> {
  await run(runner, { uri, query: { sql: create } }, 'write');
  try {
    await run(runner, { uri, query: insert }, 'write');
    const result = await run(runner, { uri, query: { sql: select } }, 'read');
    const columns = result['columns'] as { name: string; type: string }[];
    return {
      row: (result['rows'] as Record<string, unknown>[])[0]!,
      types: Object.fromEntries(columns.map((c) => [c.name, c.type])),
    };
  } finally {
    await run(runner, { uri, query: { sql: `DROP TABLE ${table}` } }, 'write');
  }
}

describe('value mapping', () => {
  it('maps PostgreSQL int8, numeric, timestamps, dates, bytea, json and arrays to JSON', async () => {
    const t = uniqueName();
    const { row, types } = await roundTrip(
      PG_URI,
      `CREATE TABLE ${t} (big int8, amount numeric(20,5), at timestamptz, local timestamp, day date,
        bytes bytea, doc jsonb, plain json, ratio float8, flag bool, bigs int8[], amounts numeric[],
        ats timestamptz[], span interval)`,
      {
        sql: `INSERT INTO ${t} VALUES ($1, $2, $3, $4, $5, decode($6, 'base64'), $7, $8, 'NaN', $9,
          '{1,9223372036854775807}', '{1.10,2.25}', $10, '1 day 02:00:00')`,
        params: [
          '9223372036854775807',
          '12345678901234.56789',
          '2024-03-10 12:34:56.123456+05:30',
          '2024-03-10 12:34:56.5',
          '2024-03-10',
          Buffer.from([0, 1, 255]).toString('base64'),
          { a: [1, 2], b: { c: null } },
          [1, 'x'],
          true,
          '{"2024-01-01 00:00:00+00","2024-06-01 12:00:00.25-02"}',
        ],
      },
      `SELECT * FROM ${t}`,
      t,
    );
    expect(row).toEqual({
      big: '9223372036854775807',
      amount: '12345678901234.56789',
      at: '2024-03-10T07:04:56.123456Z',
      local: '2024-03-10T12:34:56.5',
      day: '2024-03-10',
      bytes: 'AAH/',
      doc: { a: [1, 2], b: { c: null } },
      plain: [1, 'x'],
      ratio: 'NaN',
      flag: true,
      bigs: ['1', '9223372036854775807'],
      amounts: ['1.10', '2.25'],
      ats: ['2024-01-01T00:00:00Z', '2024-06-01T14:00:00.25Z'],
      span: '1 day 02:00:00',
    });
    expect(types).toMatchObject({
      big: 'int8',
      amount: 'numeric',
      at: 'timestamptz',
      bytes: 'bytea',
      doc: 'jsonb',
      bigs: 'int8[]',
    });
  });

  it('names PostgreSQL types it has no name for by asking the server', async () => {
    const type = uniqueName('mood');
    const t = uniqueName();
    await run(
      runner,
      { uri: PG_URI, query: { sql: `CREATE TYPE ${type} AS ENUM ('ok', 'sad')` } },
      'write',
    );
    try {
      const { row, types } = await roundTrip(
        PG_URI,
        `CREATE TABLE ${t} (m ${type})`,
        { sql: `INSERT INTO ${t} VALUES ($1)`, params: ['sad'] },
        `SELECT m FROM ${t}`,
        t,
      );
      expect(row).toEqual({ m: 'sad' });
      expect(types).toEqual({ m: type });
    } finally {
      await run(runner, { uri: PG_URI, query: { sql: `DROP TYPE ${type}` } }, 'write');
    }
  });

  it('maps MySQL BIGINT, DECIMAL, TIMESTAMP, DATETIME, DATE, BIT, binary and JSON values to JSON', async () => {
    const t = uniqueName();
    const { row, types } = await roundTrip(
      MYSQL_URI,
      `CREATE TABLE ${t} (big bigint, ubig bigint unsigned, amount decimal(20,5), at timestamp(6) NULL,
        local datetime(6), day date, bytes varbinary(10), blobbed blob, bits bit(12), doc text, js json)`,
      {
        sql: `INSERT INTO ${t} VALUES (?, ?, ?, ?, ?, ?, FROM_BASE64(?), FROM_BASE64(?), b'101000000001', ?, ?)`,
        params: [
          '9223372036854775807',
          '18446744073709551615',
          '12345678901234.56789',
          '2024-03-10 12:34:56.123456',
          '2024-03-10 12:34:56.5',
          '2024-03-10',
          'AAH/',
          'AAH/',
          { a: 1 },
          { b: [true, null] },
        ],
      },
      `SELECT * FROM ${t}`,
      t,
    );
    expect(row).toEqual({
      big: '9223372036854775807',
      ubig: '18446744073709551615',
      amount: '12345678901234.56789',
      at: '2024-03-10T12:34:56.123456Z',
      local: '2024-03-10T12:34:56.500000',
      day: '2024-03-10',
      bytes: 'AAH/',
      blobbed: 'AAH/',
      bits: 2561,
      doc: '{"a":1}',
      js: { b: [true, null] },
    });
    expect(types).toMatchObject({
      big: 'BIGINT',
      ubig: 'BIGINT UNSIGNED',
      amount: 'DECIMAL',
      at: 'TIMESTAMP',
      local: 'DATETIME',
      bytes: 'VARBINARY',
      blobbed: 'BLOB',
      doc: 'TEXT',
      js: 'JSON',
    });
  });

  it('maps SQLite integers, reals, text, JSON columns and blobs to JSON', async () => {
    const t = uniqueName();
    const { row, types } = await roundTrip(
      sqlite.uri,
      `CREATE TABLE ${t} (small integer, big integer, ratio real, name text, doc json, bytes blob)`,
      {
        sql: `INSERT INTO ${t} VALUES (?, ?, ?, ?, ?, X'0001FF')`,
        params: [42, '9007199254740993', 1.5, 'text', { a: [1, 2] }],
      },
      `SELECT * FROM ${t}`,
      t,
    );
    expect(row).toEqual({
      small: 42,
      big: '9007199254740993',
      ratio: 1.5,
      name: 'text',
      doc: { a: [1, 2] },
      bytes: 'AAH/',
    });
    expect(types).toEqual({
      small: 'INTEGER',
      big: 'INTEGER',
      ratio: 'REAL',
      name: 'TEXT',
      doc: 'json',
      bytes: 'BLOB',
    });
  });

  it('names repeated column names apart', async () => {
    const result = await run(
      runner,
      { uri: sqlite.uri, query: { sql: 'SELECT 1 AS id, 2 AS id, 3 AS id' } },
      'read',
    );
    expect(result['rows']).toEqual([{ id: 1, id_2: 2, id_3: 3 }]);
  });
});
