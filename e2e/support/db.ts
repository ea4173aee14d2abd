/**
 * What the db engine specs share (issue #16): the machine's PostgreSQL, MariaDB, SQLite (a temp
 * file) and Redis; the UI steps of a db configuration and a db task; and direct driver
 * connections from the test process, to prepare tables and to check what a run wrote.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { open } from './helpers';

export const PG_URI = process.env.TEST_PG_URI ?? 'postgres://root@127.0.0.1:5432/test';
export const MYSQL_URI = process.env.TEST_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test';
export const REDIS_URI = process.env.TEST_REDIS_URI ?? 'redis://127.0.0.1:6379';

/** A table or key name no other run uses: `prefix_<time>_<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

// ------------------------------------------------------------------ the UI

/** Opens a new db configuration form with its name and connection URI filled in. */
export async function newDbConfiguration(page: Page, name: string, uri: string): Promise<Locator> {
  await open(page, '/configs');
  await page.getByRole('button', { name: 'New configuration' }).click();
  const form = page.getByRole('form', { name: 'New configuration' });
  await form.getByLabel('Type', { exact: true }).selectOption('db');
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Connection URI', { exact: true }).fill(uri);
  return form;
}

/** Adds one SQL parameter row (`label` as the form names it: "Parameter $1", "Parameter 1 (?)"). */
export async function addSqlParameter(
  form: Locator,
  label: string,
  value: string,
  kind: 'text' | 'json' = 'text',
): Promise<void> {
  await form.getByRole('button', { name: 'Add parameter' }).click();
  await form.getByLabel(`${label} kind`, { exact: true }).selectOption(kind);
  await form.getByLabel(label, { exact: true }).fill(value);
}

/** Types a Redis command into the form, its name then each argument. */
export async function fillRedisCommand(form: Locator, [name, ...args]: string[]): Promise<void> {
  await form.getByLabel('Command name', { exact: true }).fill(name!);
  for (const [i, arg] of args.entries()) {
    await form.getByRole('button', { name: 'Add argument' }).click();
    await form.getByLabel(`Argument ${i + 1}`, { exact: true }).fill(arg);
  }
}

/**
 * Presses "Test connection" after checking the operation the form chose for the test, and
 * returns the test result once it shows a succeeded run.
 */
export async function testConnection(form: Locator, operation: 'read' | 'write'): Promise<Locator> {
  await expect(form.getByLabel('Test operation', { exact: true })).toHaveValue(operation);
  await form.getByRole('button', { name: 'Test connection' }).click();
  const tested = form.getByRole('region', { name: 'Test result' });
  await expect(tested).toContainText('succeeded');
  return tested;
}

export async function saveConfiguration(page: Page, form: Locator, name: string): Promise<void> {
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('table', { name: 'Configurations' })).toContainText(name);
}

/** Creates a db task in the Tasks screen for the configuration named `configName`. */
export async function newDbTask(
  page: Page,
  name: string,
  configName: string,
  operation: 'read' | 'write',
): Promise<void> {
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: 'New task' }).click();
  const taskForm = page.getByRole('form', { name: 'New task' });
  await taskForm.getByLabel('Name', { exact: true }).fill(name);
  await taskForm.getByLabel('Type', { exact: true }).selectOption('db');
  await taskForm.getByLabel('Operation', { exact: true }).selectOption(operation);
  await taskForm.getByLabel('Configuration', { exact: true }).selectOption({ label: configName });
  await taskForm.getByRole('button', { name: 'Save task' }).click();
}

/** Runs the task from its row, waits for it to succeed and opens the run's detail. */
export async function runTaskAndOpenDetail(page: Page, taskName: string): Promise<Locator> {
  const row = page.getByRole('row', { name: new RegExp(taskName) });
  await row.getByRole('button', { name: `Run ${taskName} now` }).click();
  await expect(row.getByText('succeeded')).toBeVisible();
  await row.getByRole('link', { name: /\d/ }).first().click();
  return page.getByRole('region', { name: 'Run detail' });
}

/** Checks the "Rows written" counts a SQL write shows, as `[label, value]` pairs in order. */
export async function expectWriteCounts(
  where: Locator,
  counts: readonly (readonly [string, string])[],
): Promise<void> {
  const written = where.getByLabel('Rows written', { exact: true });
  await expect(written.getByRole('term')).toHaveText(counts.map(([label]) => label));
  await expect(written.getByRole('definition')).toHaveText(counts.map(([, value]) => value));
}

// ------------------------------------------------------------------ direct connections

export type Row = Record<string, unknown>;

/** A SQL database reached from the test process, with the URI the service is given for it. */
export interface SqlDatabase {
  /** The engine as the UI names it (MariaDB is "MySQL"). */
  label: 'PostgreSQL' | 'MySQL' | 'SQLite';
  uri: string;
  /** The form's label of the n-th (1-based) parameter, and its marker in the SQL text. */
  parameterLabel(n: number): string;
  marker(n: number): string;
  /** Runs SQL without parameters; rows for a statement that returns some. */
  query(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

const questionMark = {
  parameterLabel: (n: number): string => `Parameter ${n} (?)`,
  marker: (): string => '?',
};

async function openPostgres(): Promise<SqlDatabase> {
  const client = new pg.Client({ connectionString: PG_URI });
  await client.connect();
  return {
    label: 'PostgreSQL',
    uri: PG_URI,
    parameterLabel: (n) => `Parameter $${n}`,
    marker: (n) => `$${n}`,
    query: async (sql) => (await client.query<Row>(sql)).rows,
    close: () => client.end(),
  };
}

async function openMysql(): Promise<SqlDatabase> {
  const connection = await mysql.createConnection(MYSQL_URI);
  return {
    label: 'MySQL',
    uri: MYSQL_URI,
    ...questionMark,
    query: async (sql) => {
      const [result] = await connection.query(sql);
      return Array.isArray(result) ? (result as Row[]) : [];
    },
    close: () => connection.end(),
  };
}

/** A SQLite file in a temp dir of its own, removed by `close`. */
async function openSqlite(): Promise<SqlDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ts-e2e-sqlite-'));
  const file = path.join(dir, 'e2e.db');
  const db = new Database(file);
  return {
    label: 'SQLite',
    uri: `sqlite://${file}`,
    ...questionMark,
    query: async (sql) => {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all() as Row[];
      statement.run();
      return [];
    },
    close: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** How to reach each SQL engine of this machine, by the name the tests give it. */
export const SQL_ENGINES = {
  PostgreSQL: openPostgres,
  MariaDB: openMysql,
  SQLite: openSqlite,
} as const satisfies Record<string, () => Promise<SqlDatabase>>;
export type SqlEngineName = keyof typeof SQL_ENGINES;

/** A table of its own for one test: `(n INT, label VARCHAR(100))`, dropped by `drop`. */
export async function createNumbersTable(
  db: SqlDatabase,
  prefix: string,
): Promise<{ table: string; drop: () => Promise<void> }> {
  const table = uniqueName(prefix);
  await db.query(`CREATE TABLE ${table} (n INT NOT NULL, label VARCHAR(100) NOT NULL)`);
  return { table, drop: async () => void (await db.query(`DROP TABLE IF EXISTS ${table}`)) };
}

/** Not exported: its type is what createClient infers for these options. */
const redisClient = () => createClient({ url: REDIS_URI });
export type RedisClient = ReturnType<typeof redisClient>;

/** Runs `use` with a Redis client of the test process, closed afterwards. */
export async function withRedis<T>(use: (client: RedisClient) => Promise<T>): Promise<T> {
  const client = redisClient();
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}
