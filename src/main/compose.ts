/**
 * The composition root: picks the store (with its secrets codec) and executors from settings and
 * builds the App. Every entry point starts here: the Electron app, the headless service, and the
 * `export` / `import` commands, so each sees the same store the same way.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors';
import { redactUri } from '../shared/secrets';
import type { DesktopNotifier } from './alerts/senders';
import { createApp, type App } from './app';
import type { Clock } from './core/clock';
import { ApiExecutor } from './executors/api-executor';
import { DbExecutor } from './executors/db-executor';
import { FileExecutor } from './executors/file-executor';
import { RedactingExecutor } from './executors/redacting-executor';
import { SelfGuard } from './executors/self-guard';
import type { Executor, ExecutorRegistry } from './executors/types';
import { Scheduler, type SchedulerOptions } from './scheduler/scheduler';
import type { SecretCodec } from './secrets/codec';
import { EncryptingStore } from './secrets/encrypting-store';
import { FileKeyCodec } from './secrets/file-key-codec';
import { JsonStore } from './store/json/json-store';
import { MemoryStore } from './store/memory/memory-store';
import type { MongoStoreOptions } from './store/mongodb/mongo-store';
import type { DataProblem, Store, StoreKind } from './store/types';

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
  /** Timing of the mongodb store (heartbeat, lease, change polling); defaults otherwise. */
  mongo?: MongoTuning;
  /**
   * False: an instance that stores, serves and runs tasks on demand but fires no schedule
   * (default true).
   */
  schedule?: boolean;
  /**
   * Refuses tasks aimed at this instance (its data directory, its HTTP address); default one
   * guarding `dataDir`. The serve command passes its own to tell it the address once listening.
   */
  self?: SelfGuard;
  /**
   * Where warnings about stored data and the app's background work go (the entry point's logger,
   * src/main/logging/logger.ts); default `console.warn` / `console.error`.
   */
  warn?: (message: string) => void;
  /** The desktop app's OS notifications (the `desktop` alert channel); the service has none. */
  desktop?: DesktopNotifier;
  /** Stand-ins for a bench that times the product's wiring (see ComposeProbes); entry points pass none. */
  probes?: ComposeProbes;
}

/**
 * What bench/scheduler.ts puts into the product's wiring to time scheduling and recording alone:
 * everything else (store, secrets codec, runner, scheduler, executor wrappers) is the product's.
 */
export interface ComposeProbes {
  /** Inner executors that replace the product's own, wrapped as those are (see createExecutors). */
  executors?: ExecutorOptions['inner'];
  /** Told of every fire as the scheduler enqueues it (SchedulerOptions.onFire). */
  onFire?: SchedulerOptions['onFire'];
}

export type MongoTuning = Pick<
  MongoStoreOptions,
  'heartbeatMs' | 'leaseMs' | 'pollMs' | 'changeDetection' | 'timeoutMs' | 'retryWindowMs'
>;

/** The Store methods forwarded to the mongodb store once it is open: every one but these. */
type Forwarded = Exclude<
  keyof Store,
  'kind' | 'location' | 'open' | 'problems' | 'acknowledgeProblem'
>;
/** Each forwarded method (a method added to Store does not compile until it is listed). */
const FORWARDED: Readonly<Record<Forwarded, true>> = {
  close: true,
  listConfigs: true,
  getConfig: true,
  putConfig: true,
  deleteConfigs: true,
  listTasks: true,
  getTask: true,
  putTask: true,
  deleteTasks: true,
  listSchedules: true,
  getSchedule: true,
  putSchedule: true,
  deleteSchedules: true,
  saveScheduleState: true,
  listAlerts: true,
  getAlert: true,
  putAlert: true,
  deleteAlerts: true,
  getSettings: true,
  putSettings: true,
  insertRun: true,
  updateRun: true,
  getRun: true,
  listRuns: true,
  deleteRuns: true,
  taskIdsWithRuns: true,
  runStats: true,
  listRunningRuns: true,
  applyRetention: true,
  flush: true,
  claim: true,
  watchSchedules: true,
  forgetScheduleDeletions: true,
};

/**
 * The mongodb store with its module imported by `open` (issue #19): that module loads the
 * MongoDB driver (about 14 MB of memory), which a service on the json or memory store never
 * needs. Calls before `open` are refused (closing and flushing do nothing); the multi-instance
 * capabilities exist from the start, since the app wires them before it opens the store.
 */
function deferredMongoStore(options: MongoStoreOptions): Store {
  let inner: Store | undefined;
  const location = redactUri(options.uri);
  const store: Record<string, unknown> = {
    kind: 'mongodb',
    location,
    async open(): Promise<void> {
      if (!inner) {
        const { MongoStore } = await import('./store/mongodb/mongo-store');
        inner ??= new MongoStore(options);
      }
      await inner.open();
    },
    problems: (): DataProblem[] => inner?.problems?.() ?? [],
  };
  for (const name of Object.keys(FORWARDED) as Forwarded[]) {
    store[name] = (...args: unknown[]): Promise<unknown> => {
      if (inner) return (inner[name] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      if (name === 'close' || name === 'flush') return Promise.resolve();
      return Promise.reject(
        new AppError('UNAVAILABLE', `the mongodb store at ${location} is not open yet`),
      );
    };
  }
  return store as unknown as Store;
}

export function createStore(
  settings: StoreSettings & { mongo?: MongoTuning; warn?: (message: string) => void },
  clock?: Clock,
  instanceId?: string,
): Store {
  switch (settings.store) {
    case 'memory':
      return new MemoryStore();
    case 'json':
      return new JsonStore({
        dataDir: settings.dataDir,
        ...(clock ? { clock } : {}),
        ...(settings.warn ? { log: settings.warn } : {}),
      });
    case 'mongodb':
      if (!settings.mongoUri) {
        throw new AppError(
          'VALIDATION',
          'compose: the mongodb store needs a connection string; pass --mongo-uri mongodb://host:27017/database',
        );
      }
      // Its module (and the MongoDB driver) loads when the app opens it, never on another store.
      return deferredMongoStore({
        ...settings.mongo,
        uri: settings.mongoUri,
        ...(settings.warn ? { log: settings.warn } : {}),
        ...(clock ? { clock } : {}),
        ...(instanceId ? { instanceId } : {}),
      });
  }
}

export interface ExecutorOptions {
  /** Refuses api/file tasks aimed at this instance (see src/main/executors/self-guard.ts). */
  self?: SelfGuard;
  /** Replaces the product's executor of a type (a bench's no-op); wrapped the same way. */
  inner?: { api?: Executor<'api'>; db?: Executor<'db'>; file?: Executor<'file'> };
}

/** The three executors; api and file runs report no secret value (redacting-executor.ts). */
export function createExecutors(options: ExecutorOptions = {}): ExecutorRegistry {
  const self = options.self ? { self: options.self } : {};
  const inner = options.inner ?? {};
  return {
    api: new RedactingExecutor(inner.api ?? new ApiExecutor(self)),
    db: inner.db ?? new DbExecutor(),
    file: new RedactingExecutor(inner.file ?? new FileExecutor(self)),
  };
}

/**
 * The store an entry point uses: the backend, behind `EncryptingStore` when a codec is given (its
 * multi-instance capabilities, `claim` and `watchSchedules`, pass through).
 */
export function composeStore(options: ComposeOptions & { instanceId: string }): Store {
  const inner = createStore(options, options.clock, options.instanceId);
  return options.secrets ? new EncryptingStore(inner, options.secrets) : inner;
}

/**
 * The secrets codec of the headless entry points (service, export, import): AES-256-GCM under
 * `<data dir>/secret.key` or `TASK_SCHEDULER_SECRET_KEY`; none for the memory store, which
 * keeps nothing at rest.
 */
export async function headlessSecrets(
  settings: StoreSettings,
  env: NodeJS.ProcessEnv,
): Promise<SecretCodec | undefined> {
  return settings.store === 'memory'
    ? undefined
    : FileKeyCodec.open({ dataDir: settings.dataDir, env });
}

export function composeApp(options: ComposeOptions): App {
  const instanceId = options.instanceId ?? randomUUID();
  const store = composeStore({ ...options, instanceId });
  const onFire = options.probes?.onFire;
  return createApp({
    store,
    executors: createExecutors({
      self: options.self ?? new SelfGuard(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.probes?.executors ? { inner: options.probes.executors } : {}),
    }),
    ...(options.schedule !== false
      ? { createScheduler: (deps) => new Scheduler(onFire ? { ...deps, onFire } : deps) }
      : {}),
    instanceId,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.store === 'json' ? { dataDir: options.dataDir } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.desktop ? { alerts: { desktop: options.desktop } } : {}),
  });
}

/**
 * Seals secrets stored in clear (before encryption was on, or imported) with the current codec.
 * Returns the names of configurations whose secrets cannot be decrypted (kept as they are).
 */
export async function sealStoredSecrets(app: App): Promise<string[]> {
  return app.store instanceof EncryptingStore ? (await app.store.reencryptAll()).failed : [];
}
