/**
 * Where MongoDB suites run: a real server when `MONGODB_URI` is set (each suite gets its own
 * database, dropped at the end), else a fresh in-process stand-in.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startMongoStandin, type MongoStandin } from './mongo-standin/index';

export interface MongoTestTarget {
  /** Connection string without a database path. */
  uri: string;
  /** A database name unique to this suite. */
  database: string;
  /** The stand-in when no real server is configured (kill/restart/pause tests need it). */
  standin: MongoStandin | undefined;
  /** Drops the suite's database (real server) or stops the stand-in. */
  stop(): Promise<void>;
}

export async function mongoTestTarget(): Promise<MongoTestTarget> {
  const database = `ts_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const real = process.env.MONGODB_URI;
  if (real) {
    return {
      uri: real,
      database,
      standin: undefined,
      async stop() {
        const client = new MongoClient(real, { serverSelectionTimeoutMS: 5_000 });
        try {
          await client.db(database).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  }
  const standin = await startMongoStandin();
  return { uri: standin.uri, database, standin, stop: () => standin.stop() };
}

/** The target's connection string naming `database` in its path (query options kept). */
export function uriWithDatabase(uri: string, database: string): string {
  const at = uri.indexOf('?');
  const [base, query] = at < 0 ? [uri, ''] : [uri.slice(0, at), uri.slice(at)];
  const host = base.replace(/^(mongodb(?:\+srv)?:\/\/[^/]*)(\/.*)?$/, '$1');
  return `${host}/${database}${query}`;
}
