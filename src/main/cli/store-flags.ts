/**
 * The flags that choose a store, shared by `serve`, `export` and `import`, and their reading
 * into the composition root's `StoreSettings`.
 */
import { resolve } from 'node:path';
import { STORE_KINDS, type StoreKind } from '../../shared/contract';
import type { StoreSettings } from '../compose';
import { readFlag, UsageError, type FlagSpec, type GivenFlags } from './flags';

const MONGO_EXAMPLE = 'mongodb://127.0.0.1:27017/task-scheduler';

export const STORE_FLAG = {
  store: {
    name: 'store',
    value: 'KIND',
    env: 'TASK_SCHEDULER_STORE',
    default: 'json',
    example: 'json',
    help: STORE_KINDS.join(' | '),
  },
  dataDir: {
    name: 'data-dir',
    value: 'DIR',
    env: 'TASK_SCHEDULER_DATA_DIR',
    example: '~/task-scheduler-data',
    help: 'json store files, secret.key and locks',
  },
  mongoUri: {
    name: 'mongo-uri',
    value: 'URI',
    env: 'TASK_SCHEDULER_MONGO_URI',
    example: MONGO_EXAMPLE,
    help: 'MongoDB connection string (--store mongodb)',
  },
} as const satisfies Record<string, FlagSpec>;

export const STORE_FLAGS: readonly FlagSpec[] = Object.values(STORE_FLAG);

/** The store settings given by flags or environment; `where` prefixes messages. */
export function readStoreSettings(
  where: string,
  given: GivenFlags,
  env: NodeJS.ProcessEnv,
  defaultDataDir: string,
): StoreSettings {
  let store: StoreKind = 'json';
  const storeValue = readFlag(given, STORE_FLAG.store, env);
  if (storeValue) {
    if (!(STORE_KINDS as readonly string[]).includes(storeValue.value)) {
      throw new UsageError(
        `${where}: ${storeValue.source} "${storeValue.value}" is not a store; use one of ${STORE_KINDS.join(', ')}`,
      );
    }
    store = storeValue.value as StoreKind;
  }

  const mongoUri = readFlag(given, STORE_FLAG.mongoUri, env)?.value.trim();
  if (mongoUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongoUri)) {
    throw new UsageError(
      `${where}: --mongo-uri must start with mongodb:// or mongodb+srv://, e.g. ${MONGO_EXAMPLE}`,
    );
  }
  if (store === 'mongodb' && mongoUri === undefined) {
    throw new UsageError(
      `${where}: --store mongodb needs --mongo-uri (or TASK_SCHEDULER_MONGO_URI), e.g. ${MONGO_EXAMPLE}`,
    );
  }

  const dataDirValue = readFlag(given, STORE_FLAG.dataDir, env);
  if (dataDirValue && dataDirValue.value.trim() === '') {
    throw new UsageError(`${where}: --data-dir must not be empty; give a folder path`);
  }
  return {
    store,
    dataDir: resolve(dataDirValue?.value ?? defaultDataDir),
    ...(mongoUri !== undefined ? { mongoUri } : {}),
  };
}
