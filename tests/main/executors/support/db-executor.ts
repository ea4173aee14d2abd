/**
 * Shared setup of the DbExecutor tests (db-executor-*.test.ts): a MongoDB target (a real server
 * with MONGODB_URI, else the stand-in), a direct client on its database, a fresh collection name
 * and executor per test. `target`, `db`, `executor` and `collection` are live bindings:
 * `useMongoCollection()` (called inside a describe) registers the hooks that set them.
 */
import { MongoClient, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { DbExecutor } from '../../../../src/main/executors/db-executor';
import type { ExecutionRequest } from '../../../../src/main/executors/types';
import type { MongoParams } from '../../../../src/shared/domain';
import { mongoTestTarget, type MongoTestTarget } from '../../../support/mongo-target';

export { closedPort, failure } from '../db/db-support';

const T0 = '2026-01-01T00:00:00.000Z';

export function request(
  params: MongoParams,
  operation: 'read' | 'write',
  extra: Partial<ExecutionRequest<'db'>> = {},
): ExecutionRequest<'db'> {
  return {
    task: undefined,
    operation,
    config: { id: 'c1', name: 'db config', type: 'db', params, createdAt: T0, updatedAt: T0 },
    signal: new AbortController().signal,
    resultMaxBytes: 1024 * 1024,
    ...extra,
  };
}

export let target: MongoTestTarget;
let direct: MongoClient;
export let db: Db;
export let executor: DbExecutor;
let n = 0;
export let collection = '';

/** The target's database and this test's collection, with `rest` (the action) added. */
export const params = (rest: Partial<MongoParams>): MongoParams => ({
  uri: target.uri,
  database: target.database,
  collection,
  ...rest,
});

/** Opens the target for the describe, and gives each test a new collection and executor. */
export function useMongoCollection(): void {
  beforeAll(async () => {
    target = await mongoTestTarget();
    direct = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5_000 });
    await direct.connect();
    db = direct.db(target.database);
  });

  afterAll(async () => {
    await direct.close();
    await target.stop();
  });

  beforeEach(() => {
    collection = `c${++n}`;
    executor = new DbExecutor();
  });

  afterEach(async () => {
    await executor.close();
  });
}
