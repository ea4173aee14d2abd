/**
 * Runs/s of db tasks through the engines (src/main/executors/db/) against the raw drivers, side
 * by side in one process: `node --import tsx bench/db-throughput.ts` (or `npm run bench --
 * db-throughput`). Needs the machine's PostgreSQL, MariaDB and Redis (docs/executors-db.md,
 * "Testing"); SQLite uses a temp file.
 *
 * Per engine, two workloads, each measured in pairs of rounds (engine and raw back to back, the
 * order swapped every pair) so that load from elsewhere hits both alike; medians are printed:
 * - read: one row by primary key (`SELECT … WHERE id = $1`; Redis: HGETALL of one hash).
 * - insert: 10 rows per run (Redis: XADD of one entry).
 * The engine path is the whole run (`DbEngineRunner.execute`: checks, pool lease, read-only mode,
 * value mapping, result); the raw path is the driver call alone. Network engines run
 * CONCURRENCY runs at once (pool size 5, as in the settings); SQLite runs one at a time.
 *
 * BENCH_SECONDS=… seconds per round (default 0.5), BENCH_ROUNDS=… pairs (default 6),
 * BENCH_ONLY=postgres,mysql,sqlite,redis to run some engines only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { DbEngineRunner } from '../src/main/executors/db/engine-runner';
import type { RedisParams, SqlParams } from '../src/shared/db-params';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONCURRENCY = 8;
const POOL = 5;
const TABLE_ROWS = 1_000;
const INSERT_ROWS = 10;
const PG_URI = process.env.BENCH_PG_URI ?? 'postgres://root@127.0.0.1:5432/test';
const MYSQL_URI = process.env.BENCH_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test';
const REDIS_URI = process.env.BENCH_REDIS_URI ?? 'redis://127.0.0.1:6379';
const ONLY = (process.env.BENCH_ONLY ?? 'postgres,mysql,sqlite,redis').split(',');

type Op = (i: number) => Promise<unknown> | unknown;

/** Runs/s of `op` over `SECONDS`, `concurrency` at a time. */
async function rate(op: Op, concurrency: number): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await op(next++);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * ROUNDS pairs of measurements, engine and raw back to back (their order swapped every pair),
 * so each pair sees the same load; the figures are the medians, the ratio the median of the
 * pairs' ratios.
 */
async function compare(
  label: string,
  engine: Op,
  raw: Op,
  concurrency: number,
): Promise<{ label: string; engine: number; raw: number; ratio: number }> {
  await rate(engine, concurrency); // warm up both paths (pools, statement caches, JIT)
  await rate(raw, concurrency);
  const engines: number[] = [];
  const raws: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let e: number;
    let r: number;
    if (round % 2 === 0) {
      e = await rate(engine, concurrency);
      r = await rate(raw, concurrency);
    } else {
      r = await rate(raw, concurrency);
      e = await rate(engine, concurrency);
    }
    engines.push(e);
    raws.push(r);
    ratios.push(e / r);
  }
  const row = { label, engine: median(engines), raw: median(raws), ratio: median(ratios) };
  console.log(
    `${label.padEnd(26)} engine ${row.engine.toFixed(0).padStart(7)} runs/s   raw driver ${row.raw
      .toFixed(0)
      .padStart(7)} runs/s   ratio ${row.ratio.toFixed(2)}`,
  );
  return row;
}

const signal = new AbortController().signal;
const runner = new DbEngineRunner({ poolOptions: { poolSize: POOL } });
const table = `bench_${process.pid}_${Date.now().toString(36)}`;
const results: { label: string; engine: number; raw: number; ratio: number }[] = [];

function read(params: SqlParams | RedisParams): Promise<unknown> {
  return runner.execute({ params, operation: 'read', signal, resultMaxBytes: 64 * 1024 });
}
function write(params: SqlParams | RedisParams): Promise<unknown> {
  return runner.execute({ params, operation: 'write', signal, resultMaxBytes: 64 * 1024 });
}

let nextId = TABLE_ROWS + 1;
function insertRows(): Record<string, unknown>[] {
  return Array.from({ length: INSERT_ROWS }, () => {
    const id = nextId++;
    return { id, name: `row ${id}`, amount: '12.50' };
  });
}
function insertSql(marks: (n: number) => string): string {
  const tuples = Array.from(
    { length: INSERT_ROWS },
    (_, r) => `(${[1, 2, 3].map((c) => marks(r * 3 + c)).join(', ')})`,
  );
  return `INSERT INTO ${table} (id, name, amount) VALUES ${tuples.join(', ')}`;
}
const flat = (rows: Record<string, unknown>[]): unknown[] =>
  rows.flatMap((r) => [r['id'], r['name'], r['amount']]);

async function sqlEngine(
  name: string,
  uri: string,
  exec: (sql: string, values?: unknown[]) => Promise<unknown> | unknown,
  rawRead: Op,
  rawInsert: Op,
  mark: (n: number) => string,
  concurrency: number,
): Promise<void> {
  await exec(
    `CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(100), amount numeric(10,2))`,
  );
  try {
    for (let i = 1; i <= TABLE_ROWS; i += 100) {
      const rows = Array.from({ length: 100 }, (_, k) => ({
        id: i + k,
        name: `row ${i + k}`,
        amount: '1.00',
      }));
      await write({ uri, insert: { table, rows } });
    }
    const readSql = `SELECT id, name, amount FROM ${table} WHERE id = ${mark(1)}`;
    results.push(
      await compare(
        `${name} read`,
        (i) => read({ uri, query: { sql: readSql, params: [(i % TABLE_ROWS) + 1] } }),
        rawRead,
        concurrency,
      ),
    );
    results.push(
      await compare(
        `${name} insert ${INSERT_ROWS} rows`,
        () => write({ uri, insert: { table, rows: insertRows() } }),
        rawInsert,
        concurrency,
      ),
    );
  } finally {
    await exec(`DROP TABLE ${table}`);
  }
}

// ---------------------------------------------------------------- PostgreSQL

if (ONLY.includes('postgres')) {
  const pool = new pg.Pool({ connectionString: PG_URI, max: POOL });
  const readSql = `SELECT id, name, amount FROM ${table} WHERE id = $1`;
  const ins = insertSql((n) => `$${n}`);
  await sqlEngine(
    'PostgreSQL',
    PG_URI,
    (sql, values) => pool.query(sql, values),
    (i) => pool.query(readSql, [(i % TABLE_ROWS) + 1]),
    () => pool.query(ins, flat(insertRows())),
    (n) => `$${n}`,
    CONCURRENCY,
  );
  await pool.end();
}

// ---------------------------------------------------------------- MySQL / MariaDB

if (ONLY.includes('mysql')) {
  const pool = mysql.createPool({ uri: MYSQL_URI, connectionLimit: POOL });
  const readSql = `SELECT id, name, amount FROM ${table} WHERE id = ?`;
  const ins = insertSql(() => '?');
  await sqlEngine(
    'MariaDB',
    MYSQL_URI,
    (sql, values) => (values ? pool.execute(sql, values as never) : pool.query(sql)),
    (i) => pool.execute(readSql, [(i % TABLE_ROWS) + 1]),
    () => pool.execute(ins, flat(insertRows()) as never),
    () => '?',
    CONCURRENCY,
  );
  await pool.end();
}

// ---------------------------------------------------------------- SQLite

if (ONLY.includes('sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'db-bench-'));
  const file = join(dir, 'bench.db');
  const uri = `sqlite://${file}`;
  const db = new Database(file);
  const readStmt = (): Database.Statement =>
    db.prepare(`SELECT id, name, amount FROM ${table} WHERE id = ?`);
  let rs: Database.Statement | undefined;
  let is: Database.Statement | undefined;
  try {
    await sqlEngine(
      'SQLite',
      uri,
      (sql) => db.exec(sql),
      (i) => (rs ??= readStmt()).get((i % TABLE_ROWS) + 1),
      () => (is ??= db.prepare(insertSql(() => '?'))).run(...flat(insertRows())),
      () => '?',
      1,
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- Redis

if (ONLY.includes('redis')) {
  const client = createClient({ url: REDIS_URI });
  client.on('error', () => undefined);
  await client.connect();
  const key = `${table}:h`;
  const stream = `${table}:s`;
  await client.sendCommand(['HSET', key, 'name', 'bench', 'amount', '12.50', 'id', '1']);
  try {
    results.push(
      await compare(
        'Redis read (HGETALL)',
        () => read({ uri: REDIS_URI, command: ['HGETALL', key] }),
        () => client.sendCommand(['HGETALL', key]),
        CONCURRENCY,
      ),
    );
    results.push(
      await compare(
        'Redis write (XADD)',
        () =>
          write({
            uri: REDIS_URI,
            command: ['XADD', stream, 'MAXLEN', '~', '1000', '*', 'v', '1'],
          }),
        () => client.sendCommand(['XADD', stream, 'MAXLEN', '~', '1000', '*', 'v', '1']),
        CONCURRENCY,
      ),
    );
  } finally {
    await client.sendCommand(['DEL', key, stream]);
    await client.close();
  }
}

await runner.close();
const worst = results.reduce((a, b) => (a.ratio < b.ratio ? a : b));
console.log(
  `\nlowest ratio: ${worst.ratio.toFixed(2)} (${worst.label}); goal ≥ 0.50 — ${
    worst.ratio >= 0.5 ? 'met' : 'NOT met'
  }`,
);
