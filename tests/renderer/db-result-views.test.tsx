// @vitest-environment jsdom
/**
 * The run result views of the db engines, fed with results the real engines return: PostgreSQL
 * and Redis on this machine, a temp SQLite file (see tests/main/executors/db/db-support.ts).
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DbEngineRunner } from '../../src/main/executors/db/engine-runner';
import { RunResultView } from '../../src/renderer/src/components/RunResultView';
import type { RedisParams, SqlParams } from '../../src/shared/db-params';
import type { Run, RunResult } from '../../src/shared/domain';
import {
  PG_URI,
  REDIS_URI,
  run as runOn,
  tempSqlite,
  uniqueName,
} from '../main/executors/db/db-support';
import { run } from '../support/fixtures';

let runner: DbEngineRunner;
let capped: DbEngineRunner;
beforeAll(() => {
  runner = new DbEngineRunner();
  capped = new DbEngineRunner({ readLimit: 3 });
});
afterAll(async () => {
  await runner.close();
  await capped.close();
});
afterEach(cleanup);

const runOf = (result: RunResult, operation: 'read' | 'write' = 'read'): Run =>
  run('r1', '2026-01-01T00:00:00.000Z', { type: 'db', operation, result });

const read = (params: SqlParams | RedisParams, on = runner): Promise<RunResult> =>
  runOn(on, params, 'read');
const write = (params: SqlParams | RedisParams): Promise<RunResult> =>
  runOn(runner, params, 'write');

describe('SQL rows', () => {
  it('shows the rows in a table with each column name and type in the header', async () => {
    const result = await read({
      uri: PG_URI,
      query: {
        sql: "SELECT 1::int AS id, 'ada'::text AS name, NULL::numeric AS balance UNION ALL SELECT 2, 'bob', 12.50",
      },
    });
    render(<RunResultView run={runOf(result)} />);
    expect(screen.getByText('PostgreSQL — 127.0.0.1:5432')).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Result rows' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((th) => th.textContent);
    expect(headers).toEqual(['id int4', 'name text', 'balance numeric']);
    const cells = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((tr) =>
        within(tr)
          .getAllByRole('cell')
          .map((td) => td.textContent),
      );
    expect(cells).toEqual([
      ['1', 'ada', 'NULL'],
      ['2', 'bob', '12.50'],
    ]);
    expect(screen.getByRole('status')).toHaveTextContent(/^2 rows$/);
  });

  it('marks a read that stopped at the result cap and shows only the rows returned', async () => {
    const result = await read(
      { uri: PG_URI, query: { sql: 'SELECT g AS n FROM generate_series(1, 10) AS g' } },
      capped,
    );
    render(<RunResultView run={runOf(result)} />);
    const table = screen.getByRole('table', { name: 'Result rows' });
    expect(within(table).getAllByRole('row')).toHaveLength(1 + 3);
    expect(screen.getByRole('status')).toHaveTextContent(
      '3 rows; the query had more rows: it stopped at the result cap (add LIMIT to choose how many)',
    );
  });

  it('renders many rows a page at a time and shows more on request', async () => {
    const result = await read({
      uri: PG_URI,
      query: { sql: 'SELECT g AS n FROM generate_series(1, 450) AS g' },
    });
    const user = userEvent.setup();
    render(<RunResultView run={runOf(result)} />);
    const rows = (): number =>
      within(screen.getByRole('table', { name: 'Result rows' })).getAllByRole('row').length - 1;
    expect(rows()).toBe(200);
    await user.click(screen.getByRole('button', { name: 'Show 200 more rows (of 250)' }));
    expect(rows()).toBe(400);
    await user.click(screen.getByRole('button', { name: 'Show 50 more rows (of 50)' }));
    expect(rows()).toBe(450);
    expect(screen.queryByRole('button', { name: /more rows/ })).not.toBeInTheDocument();
  });
});

describe('SQL writes', () => {
  it('shows an insert as counts of rows inserted and skipped', async () => {
    const db = tempSqlite();
    try {
      await write({
        uri: db.uri,
        query: { sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)' },
      });
      await write({ uri: db.uri, insert: { table: 't', rows: [{ id: 1, v: 'a' }] } });
      const result = await write({
        uri: db.uri,
        insert: {
          table: 't',
          rows: [
            { id: 1, v: 'again' },
            { id: 2, v: 'b' },
          ],
          onConflict: 'ignore',
        },
      });
      render(<RunResultView run={runOf(result, 'write')} />);
      const facts = screen.getByLabelText('Rows written');
      const pairs = [...facts.querySelectorAll('dt')].map(
        (dt) => `${dt.textContent}=${dt.nextElementSibling?.textContent}`,
      );
      expect(pairs).toEqual(expect.arrayContaining(['Inserted=1', 'Skipped=1']));
      expect(screen.getByText(/^SQLite — /)).toHaveTextContent(db.file);
    } finally {
      db.remove();
    }
  });

  it('shows an UPDATE as the count of affected rows', async () => {
    const table = uniqueName();
    await write({ uri: PG_URI, query: { sql: `CREATE TABLE ${table} (id int, v text)` } });
    try {
      await write({ uri: PG_URI, insert: { table, rows: [{ id: 1 }, { id: 2 }, { id: 3 }] } });
      const result = await write({
        uri: PG_URI,
        query: { sql: `UPDATE ${table} SET v = $1 WHERE id > $2`, params: ['x', 1] },
      });
      render(<RunResultView run={runOf(result, 'write')} />);
      const facts = screen.getByLabelText('Rows written');
      expect(within(facts).getByText('Affected rows').nextElementSibling).toHaveTextContent('2');
    } finally {
      await write({ uri: PG_URI, query: { sql: `DROP TABLE ${table}` } });
    }
  });
});

describe('Redis replies', () => {
  const key = uniqueName('ui');
  afterAll(async () => {
    await write({ uri: REDIS_URI, command: ['DEL', key, `${key}:list`] });
  });

  it('shows a hash as its fields and values', async () => {
    await write({ uri: REDIS_URI, command: ['HSET', key, 'name', 'Ada', 'city', 'Paris'] });
    const result = await read({ uri: REDIS_URI, command: ['HGETALL', key] });
    render(<RunResultView run={runOf(result)} />);
    expect(screen.getByRole('tab', { name: 'Value' })).toHaveAttribute('aria-selected', 'true');
    const reply = screen.getByRole('region', { name: 'Redis reply' });
    expect(reply).toHaveTextContent(/^HGETALL → map, 2 fields/);
    const fields = within(reply).getByRole('table', { name: 'Reply fields' });
    const pairs = within(fields)
      .getAllByRole('row')
      .map((tr) => tr.textContent);
    expect(pairs.sort()).toEqual(['cityParis', 'nameAda']);
  });

  it('shows a list reply as numbered items', async () => {
    await write({ uri: REDIS_URI, command: ['RPUSH', `${key}:list`, 'first', 'second line'] });
    const result = await read({ uri: REDIS_URI, command: ['LRANGE', `${key}:list`, '0', '-1'] });
    render(<RunResultView run={runOf(result)} />);
    const items = screen.getByRole('table', { name: 'Reply items' });
    expect(
      within(items)
        .getAllByRole('row')
        .map((tr) => tr.textContent),
    ).toEqual(['1first', '2second line']);
    expect(screen.getByRole('region', { name: 'Redis reply' })).toHaveTextContent(/array, 2 items/);
  });

  it('shows a missing key as (nil) and a string reply as its text', async () => {
    const missing = await read({ uri: REDIS_URI, command: ['GET', `${key}:none`] });
    render(<RunResultView run={runOf(missing)} />);
    expect(screen.getByRole('region', { name: 'Redis reply' })).toHaveTextContent(
      'GET → null(nil)',
    );
    cleanup();
    const name = await read({ uri: REDIS_URI, command: ['HGET', key, 'name'] });
    render(<RunResultView run={runOf(name)} />);
    expect(screen.getByRole('region', { name: 'Redis reply' })).toHaveTextContent(
      'HGET → stringAda',
    );
  });
});
