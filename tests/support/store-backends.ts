/**
 * The three stores as test harnesses, for suites that run the same cases against each: memory,
 * json (in a temp dir, with `reopen` to read records back from the files) and mongodb (the
 * stand-in unless MONGODB_URI is set; one fresh database per harness, dropped at cleanup).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { MongoClient } from 'mongodb';
import { JsonStore } from '../../src/main/store/json/json-store';
import { MemoryStore } from '../../src/main/store/memory/memory-store';
import { MongoStore } from '../../src/main/store/mongodb/mongo-store';
import type { Store } from '../../src/main/store/types';
import { mongoTestTarget, type MongoTestTarget } from './mongo-target';

export interface StoreHarness {
  store: Store;
  /** json only: closes the store and opens a new one on the same files. */
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

/** A json store in a fresh temp dir (named after `label`), reopened on the same files by `reopen`. */
export async function jsonHarness(label: string): Promise<StoreHarness> {
  const dir = await fs.mkdtemp(join(tmpdir(), `${label}-`));
  let store = new JsonStore({ dataDir: dir });
  await store.open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new JsonStore({ dataDir: dir });
      await store.open();
      return store;
    },
    cleanup: async () => {
      await store.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers the MongoDB target's start and stop on the calling file (beforeAll / afterAll) and
 * returns a factory per store; `label` names the temp dirs and databases.
 */
export function useStoreBackends(label: string): Record<string, () => Promise<StoreHarness>> {
  let target: MongoTestTarget | undefined;
  let databases = 0;
  beforeAll(async () => {
    target = await mongoTestTarget();
  });
  afterAll(async () => {
    await target?.stop();
  });
  return {
    memory: async () => {
      const store = new MemoryStore();
      await store.open();
      return { store, cleanup: () => store.close() };
    },
    json: () => jsonHarness(label),
    mongodb: async () => {
      const database = `${target!.database}_${label.replace(/\W/g, '_')}_${++databases}`;
      const store = new MongoStore({ uri: target!.uri, database });
      await store.open();
      return {
        store,
        cleanup: async () => {
          await store.close();
          const client = new MongoClient(target!.uri, { serverSelectionTimeoutMS: 3000 });
          await client.db(database).dropDatabase();
          await client.close();
        },
      };
    },
  };
}
