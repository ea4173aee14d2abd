/**
 * The database drivers, each imported on its first use (issue #19): a service that never runs a
 * db task of an engine never loads that engine's driver (each costs 7 to 25 MB of memory). A
 * failed import is not kept, so a later run tries again (after `npm rebuild better-sqlite3`…).
 * The engines take the loaded module in their constructor (db-pools.ts loads it); MongoDB's is
 * loaded by mongo-pool.ts and db-executor.ts.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type * as Mongodb from 'mongodb';
import type Mysql2 from 'mysql2';
import type Pg from 'pg';
import type * as Redis from 'redis';
import { TaskError } from '../types';
import { messageOf } from './db-engine';

export type MongoDriver = typeof Mongodb;
export type PgDriver = typeof Pg;
export type MysqlDriver = typeof Mysql2;
export type SqliteDriver = typeof BetterSqlite3;
export type RedisDriver = typeof Redis;

/**
 * `load` run once, its promise shared by every caller until it fails; a failure is a TaskError
 * naming the driver (`package`, for `engine`).
 */
function once<T>(engine: string, name: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw new TaskError(
        'DB_ERROR',
        `the ${engine} driver (${name}) cannot be loaded: ${messageOf(error)}; install the app's dependencies again (npm install)`,
      );
    }));
}

export const loadMongo: () => Promise<MongoDriver> = once(
  'MongoDB',
  'mongodb',
  () => import('mongodb'),
);
export const loadPg: () => Promise<PgDriver> = once(
  'PostgreSQL',
  'pg',
  async () => (await import('pg')).default,
);
export const loadMysql: () => Promise<MysqlDriver> = once(
  'MySQL',
  'mysql2',
  async () => (await import('mysql2')).default,
);
export const loadSqlite: () => Promise<SqliteDriver> = once(
  'SQLite',
  'better-sqlite3',
  async () => (await import('better-sqlite3')).default,
);
export const loadRedis: () => Promise<RedisDriver> = once('Redis', 'redis', () => import('redis'));
