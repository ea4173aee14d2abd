/**
 * The SQL engines of the db-engines-*-over-http tests: each one's uri for the service, and a
 * direct connection (PostgreSQL, MariaDB through the mysql2 driver, the temp SQLite file) to set
 * up and check data.
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_URI, PG_URI } from '../../executors/db/db-support';
import { sqliteFile } from './db-engines-service';

/** One SQL engine: its uri for the service, and a direct connection to set up and check data. */
export interface SqlTarget {
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

export async function postgresTarget(): Promise<SqlTarget> {
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

export async function mysqlTarget(): Promise<SqlTarget> {
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

export function sqliteTarget(): SqlTarget {
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

export const sqlTargets: Array<{ label: string; open: () => Promise<SqlTarget> | SqlTarget }> = [
  { label: 'PostgreSQL', open: postgresTarget },
  { label: 'MySQL', open: mysqlTarget },
  { label: 'SQLite', open: sqliteTarget },
];
