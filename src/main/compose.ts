/**
 * The composition root: picks the store and executors from settings and builds the App. The
 * Electron app and the headless service both start here.
 */
import { createApp, type App } from './app';
import type { Clock } from './core/clock';
import { ApiExecutor } from './executors/api-executor';
import { DbExecutor } from './executors/db-executor';
import { FileExecutor } from './executors/file-executor';
import type { ExecutorRegistry } from './executors/types';
import { JsonStore } from './store/json/json-store';
import { MemoryStore } from './store/memory/memory-store';
import type { Store, StoreKind } from './store/types';

export interface StoreSettings {
  store: StoreKind;
  /** Data directory for the json store (and lock/key files). */
  dataDir: string;
  mongoUri?: string;
}

export interface ComposeOptions extends StoreSettings {
  clock?: Clock;
  instanceId?: string;
}

export function createStore(settings: StoreSettings, clock?: Clock): Store {
  switch (settings.store) {
    case 'memory':
      return new MemoryStore();
    case 'json':
      return new JsonStore({ dataDir: settings.dataDir, ...(clock ? { clock } : {}) });
    case 'mongodb':
      throw new Error('compose: the mongodb store is not available yet; use --store json');
  }
}

export function createExecutors(): ExecutorRegistry {
  return { api: new ApiExecutor(), db: new DbExecutor(), file: new FileExecutor() };
}

export function composeApp(options: ComposeOptions): App {
  const store = createStore(options, options.clock);
  return createApp({
    store,
    executors: createExecutors(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    ...(options.store === 'json' ? { dataDir: options.dataDir } : {}),
  });
}
