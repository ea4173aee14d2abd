/**
 * What the db engine tests share: the machine's real servers (PostgreSQL, MariaDB, Redis; see
 * docs/executors-db.md, "Testing"), a temp SQLite file, unique table names so runs never
 * collide, a closed port, and helpers to run a task through `DbEngineRunner`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type {
  DbEngineRunner,
  PlaceholderFill,
} from '../../../../src/main/executors/db/engine-runner';
import { TaskError } from '../../../../src/main/executors/types';
import type { RedisParams, SqlEngine, SqlParams } from '../../../../src/shared/db-params';
import type { RunResult } from '../../../../src/shared/domain';

export const PG_URI = process.env.TEST_PG_URI ?? 'postgres://root@127.0.0.1:5432/test';
export const MYSQL_URI = process.env.TEST_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/test';
export const REDIS_URI = process.env.TEST_REDIS_URI ?? 'redis://127.0.0.1:6379';

let counter = 0;
/** A table (or key) name no other run uses: `t_<pid>_<time>_<n>`. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
}

/** A SQLite file in a fresh temp folder; `remove()` deletes the folder. */
export function tempSqlite(): { uri: string; file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'db-engine-'));
  const file = join(dir, 'test.db');
  return {
    uri: `sqlite://${file}`,
    file,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunOptions {
  signal?: AbortSignal;
  resultMaxBytes?: number;
  fill?: PlaceholderFill;
}

export function run(
  runner: DbEngineRunner,
  params: SqlParams | RedisParams,
  operation: 'read' | 'write',
  options: RunOptions = {},
): Promise<RunResult> {
  return runner
    .execute({
      params,
      operation,
      signal: options.signal ?? new AbortController().signal,
      resultMaxBytes: options.resultMaxBytes ?? 1024 * 1024,
      fill: options.fill,
    })
    .then((outcome) => outcome.result);
}

/** The TaskError a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<TaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TaskError);
  return error as TaskError;
}

/** One SQL engine as the shared suites see it: its uri and the dialect's bits. */
export interface SqlTarget {
  engine: SqlEngine;
  label: string;
  uri: string;
  /** The nth bound-value marker: `$n` or `?`. */
  mark: (n: number) => string;
  /** A column type for text. */
  text: string;
  /** A statement that takes about `seconds` on the server (SQLite cannot cancel one). */
  slow: ((seconds: number) => string) | undefined;
  /** A read counting the server's statements whose text holds `token` (other sessions'). */
  running: ((token: string) => string) | undefined;
  cleanup: () => void;
}

export function sqlTargets(): SqlTarget[] {
  const sqlite = tempSqlite();
  return [
    {
      engine: 'postgres',
      label: 'PostgreSQL',
      uri: PG_URI,
      mark: (n) => `$${n}`,
      text: 'text',
      slow: (s) => `SELECT pg_sleep(${s})`,
      running: (token) =>
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%${token}%' AND pid <> pg_backend_pid()`,
      cleanup: () => undefined,
    },
    {
      engine: 'mysql',
      label: 'MySQL',
      uri: MYSQL_URI,
      mark: () => '?',
      text: 'varchar(200)',
      slow: (s) => `SELECT SLEEP(${s})`,
      running: (token) =>
        `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%${token}%' AND ID <> CONNECTION_ID()`,
      cleanup: () => undefined,
    },
    {
      engine: 'sqlite',
      label: 'SQLite',
      uri: sqlite.uri,
      mark: () => '?',
      text: 'text',
      slow: undefined,
      running: undefined,
      cleanup: sqlite.remove,
    },
  ];
}

/** Polls `check` until it holds, for at most `ms` (no fixed sleeps). */
export async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
