/**
 * The composition root: picks the store and executors from settings and builds the App. The
 * Electron app and the headless service both start here.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors';
import { createApp, type App } from './app';
import type { Clock } from './core/clock';
import { ApiExecutor } from './executors/api-executor';
import { DbExecutor } from './executors/db-executor';
import { FileExecutor } from './executors/file-executor';
import type { ExecutorRegistry } from './executors/types';
import { Scheduler } from './scheduler/scheduler';
import type { SecretCodec } from './secrets/codec';
import { EncryptingStore } from './secrets/encrypting-store';
import { JsonStore } from './store/json/json-store';
import { MemoryStore } from './store/memory/memory-store';
import { MongoStore } from './store/mongodb/mongo-store';
import type { Store, StoreKind } from './store/types';

export interface StoreSettings {
  store: StoreKind;
  /** Data directory for the json store (and lock/key files). */
  dataDir: string;
  mongoUri?: string;
}

export interface ComposeOptions extends StoreSettings {
  clock?: Clock;
  /** Encrypts configuration secrets at rest (safeStorage in the desktop app, a key file headless). */
  secrets?: SecretCodec;
  /** This instance's id (claims, heartbeats, `run.instanceId`); default a random UUID. */
  instanceId?: string;
}

export function createStore(settings: StoreSettings, clock?: Clock, instanceId?: string): Store {
  switch (settings.store) {
    case 'memory':
      return new MemoryStore();
    case 'json':
      return new JsonStore({ dataDir: settings.dataDir, ...(clock ? { clock } : {}) });
    case 'mongodb':
      if (!settings.mongoUri) {
        throw new AppError(
          'VALIDATION',
          'compose: the mongodb store needs a connection string; pass --mongo-uri mongodb://host:27017/database',
        );
      }
      return new MongoStore({
        uri: settings.mongoUri,
        ...(clock ? { clock } : {}),
        ...(instanceId ? { instanceId } : {}),
      });
  }
}

export function createExecutors(): ExecutorRegistry {
  return { api: new ApiExecutor(), db: new DbExecutor(), file: new FileExecutor() };
}

export function composeApp(options: ComposeOptions): App {
  const instanceId = options.instanceId ?? randomUUID();
  const inner = createStore(options, options.clock, instanceId);
  const store = options.secrets ? new EncryptingStore(inner, options.secrets) : inner;
  return createApp({
    store,
    executors: createExecutors(),
    createScheduler: (deps) => new Scheduler(deps),
    instanceId,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.store === 'json' ? { dataDir: options.dataDir } : {}),
  });
}

/**
 * Seals secrets stored in clear (before encryption was on, or imported) with the current codec.
 * Returns the names of configurations whose secrets cannot be decrypted (kept as they are).
 */
export async function sealStoredSecrets(app: App): Promise<string[]> {
  return app.store instanceof EncryptingStore ? (await app.store.reencryptAll()).failed : [];
}
