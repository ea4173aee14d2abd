/**
 * Command-line flags and `TASK_SCHEDULER_*` environment variables of the headless service.
 * Flags win over the environment; anything wrong is a `UsageError` (the CLI exits with code 2).
 */
import { resolve } from 'node:path';
import type { StoreKind } from '../store/types';
import { DEFAULT_HOST, DEFAULT_PORT } from './http-server';

export interface ServeSettings {
  host: string;
  port: number;
  store: StoreKind;
  dataDir: string;
  mongoUri?: string;
  /** Undefined: generate one at start. */
  token?: string;
  allowedHosts: string[];
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run serve -- [options]
       node --import tsx src/main/server/serve.ts [options]

Options (each also as an environment variable; flags win):
  --port N              port to listen on, 0 = any free port    TASK_SCHEDULER_PORT   (8787)
  --host H              address to bind                         TASK_SCHEDULER_HOST   (127.0.0.1)
  --data-dir DIR        where the json store keeps its files    TASK_SCHEDULER_DATA_DIR
  --store KIND          memory | json | mongodb                 TASK_SCHEDULER_STORE  (json)
  --mongo-uri URI       MongoDB connection string (--store mongodb)  TASK_SCHEDULER_MONGO_URI
  --token T             access token (default: a random one)    TASK_SCHEDULER_TOKEN
  --allowed-hosts a,b   extra Host names to answer (name or name:port)  TASK_SCHEDULER_ALLOWED_HOSTS
  --help                show this help
`;

const FLAGS = {
  '--port': 'TASK_SCHEDULER_PORT',
  '--host': 'TASK_SCHEDULER_HOST',
  '--data-dir': 'TASK_SCHEDULER_DATA_DIR',
  '--store': 'TASK_SCHEDULER_STORE',
  '--mongo-uri': 'TASK_SCHEDULER_MONGO_URI',
  '--token': 'TASK_SCHEDULER_TOKEN',
  '--allowed-hosts': 'TASK_SCHEDULER_ALLOWED_HOSTS',
} as const;
type Flag = keyof typeof FLAGS;
const STORES: readonly StoreKind[] = ['memory', 'json', 'mongodb'];

function isFlag(name: string): name is Flag {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/** Where a value came from, for error messages. */
function source(flag: Flag, fromFlag: boolean): string {
  return fromFlag ? flag : FLAGS[flag];
}

export function parseServeSettings(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultDataDir: string,
): ServeSettings {
  const given = new Map<Flag, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!isFlag(name)) {
      throw new UsageError(
        `serve: unknown option "${arg}"; known options: ${Object.keys(FLAGS).join(', ')}, --help`,
      );
    }
    let value: string | undefined;
    if (name !== arg) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new UsageError(`serve: ${name} needs a value, e.g. ${name} ${example(name)}`);
      }
      i++;
    }
    if (given.has(name)) throw new UsageError(`serve: ${name} is given twice; give it once`);
    given.set(name, value);
  }

  const read = (flag: Flag): { value: string; fromFlag: boolean } | undefined => {
    const fromFlag = given.get(flag);
    if (fromFlag !== undefined) return { value: fromFlag, fromFlag: true };
    const fromEnv = env[FLAGS[flag]];
    return fromEnv !== undefined && fromEnv !== ''
      ? { value: fromEnv, fromFlag: false }
      : undefined;
  };

  let port = DEFAULT_PORT;
  const portValue = read('--port');
  if (portValue) {
    const text = portValue.value.trim();
    if (!/^\d+$/.test(text) || Number(text) > 65535) {
      throw new UsageError(
        `serve: ${source('--port', portValue.fromFlag)} "${portValue.value}" is not a port; use a whole number from 0 to 65535 (0 picks a free port)`,
      );
    }
    port = Number(text);
  }

  const hostValue = read('--host');
  const host = hostValue?.value.trim() ?? DEFAULT_HOST;
  if (host === '' || /[\s/]/.test(host)) {
    throw new UsageError(
      `serve: ${source('--host', hostValue?.fromFlag ?? true)} "${hostValue?.value}" is not a host; use e.g. 127.0.0.1, ::1 or 0.0.0.0`,
    );
  }

  let store: StoreKind = 'json';
  const storeValue = read('--store');
  if (storeValue) {
    if (!(STORES as readonly string[]).includes(storeValue.value)) {
      throw new UsageError(
        `serve: ${source('--store', storeValue.fromFlag)} "${storeValue.value}" is not a store; use one of ${STORES.join(', ')}`,
      );
    }
    store = storeValue.value as StoreKind;
  }

  const mongoUri = read('--mongo-uri')?.value.trim();
  if (mongoUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongoUri)) {
    throw new UsageError(
      'serve: --mongo-uri must start with mongodb:// or mongodb+srv://, e.g. mongodb://127.0.0.1:27017/task-scheduler',
    );
  }
  if (store === 'mongodb' && mongoUri === undefined) {
    throw new UsageError(
      'serve: --store mongodb needs --mongo-uri (or TASK_SCHEDULER_MONGO_URI), e.g. mongodb://127.0.0.1:27017/task-scheduler',
    );
  }

  const dataDirValue = read('--data-dir');
  if (dataDirValue && dataDirValue.value.trim() === '') {
    throw new UsageError('serve: --data-dir must not be empty; give a folder path');
  }
  const dataDir = resolve(dataDirValue?.value ?? defaultDataDir);

  const tokenValue = read('--token');
  if (tokenValue && !/^[\x21-\x7e]+$/.test(tokenValue.value)) {
    throw new UsageError(
      `serve: ${source('--token', tokenValue.fromFlag)} must be printable ASCII without spaces (it travels in an HTTP header)`,
    );
  }

  const hostsValue = read('--allowed-hosts');
  const allowedHosts = (hostsValue?.value ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  for (const entry of allowedHosts) {
    if (/[\s/?#@\\]/.test(entry)) {
      throw new UsageError(
        `serve: --allowed-hosts entry "${entry}" is not a host name; use name or name:port, comma-separated`,
      );
    }
  }

  return {
    host,
    port,
    store,
    dataDir,
    ...(mongoUri !== undefined ? { mongoUri } : {}),
    ...(tokenValue ? { token: tokenValue.value } : {}),
    allowedHosts,
    help,
  };
}

function example(flag: Flag): string {
  switch (flag) {
    case '--port':
      return '8787';
    case '--host':
      return '127.0.0.1';
    case '--data-dir':
      return '~/task-scheduler-data';
    case '--store':
      return 'json';
    case '--mongo-uri':
      return 'mongodb://127.0.0.1:27017/task-scheduler';
    case '--token':
      return 'my-secret-token';
    case '--allowed-hosts':
      return 'scheduler.lan,192.168.1.10';
  }
}
