/**
 * What the stand-in's own tests (mongo-standin-*.test.ts) share: client options that fail fast,
 * a bounded wait, and one stand-in with a connected real driver whose tests each get a new
 * database. `standin`, `client`, `db` and `coll` are live bindings: `useStandinDatabase()`
 * (called inside a describe) registers the hooks that set them.
 */
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMongoStandin, type MongoStandin } from './mongo-standin/index';

export const clientOptions = { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 };

export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export let standin: MongoStandin;
export let client: MongoClient;
export let db: Db;
export let coll: Collection<Document>;
let n = 0;

/** Starts the stand-in and connects the driver for the describe; each test gets `db<n>.items`. */
export function useStandinDatabase(): void {
  beforeAll(async () => {
    standin = await startMongoStandin();
    client = new MongoClient(standin.uri, clientOptions);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await standin.stop();
  });

  beforeEach(() => {
    db = client.db(`db${++n}`);
    coll = db.collection('items');
  });
}
