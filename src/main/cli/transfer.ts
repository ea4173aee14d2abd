/**
 * Export or import a whole store from the command line (the headless form of system.export /
 * system.import). Run it while no service uses a json data dir (its lock refuses a second user);
 * a MongoDB store may stay in use.
 *
 *   node --import tsx src/main/store/transfer-cli.ts export --store json --data-dir D --file F
 *   node --import tsx src/main/store/transfer-cli.ts import --store mongodb --mongo-uri U --file F
 *
 * Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStore } from '../compose';
import { defaultDataDir } from '../paths';
import { redactUri } from '../../shared/secrets';
import { exportStoreToFile, importStoreFromFile, type TransferResult } from './transfer';
import type { StoreKind } from './types';

export const TRANSFER_USAGE = `Usage: transfer-cli <export|import> --file FILE [options]

  export                write the whole store to FILE (JSON; holds secrets in clear: keep it private)
  import                upsert everything in FILE into the store (idempotent, verified by counts)
  --file FILE           the export file
  --store KIND          memory | json | mongodb       TASK_SCHEDULER_STORE     (json)
  --data-dir DIR        the json store's directory     TASK_SCHEDULER_DATA_DIR  (${defaultDataDir()})
  --mongo-uri URI       MongoDB connection string      TASK_SCHEDULER_MONGO_URI`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

interface TransferArgs {
  command: 'export' | 'import';
  file: string;
  store: StoreKind;
  dataDir: string;
  mongoUri?: string;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): TransferArgs {
  const [command, ...rest] = argv;
  if (command !== 'export' && command !== 'import') {
    throw new UsageError(
      `transfer-cli: the first argument must be export or import (got ${command === undefined ? 'nothing' : `"${command}"`})`,
    );
  }
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (!['--file', '--store', '--data-dir', '--mongo-uri'].includes(flag)) {
      throw new UsageError(`transfer-cli: unknown option "${flag}"`);
    }
    const value = rest[++i];
    if (value === undefined || value.startsWith('--')) {
      throw new UsageError(`transfer-cli: ${flag} needs a value`);
    }
    flags.set(flag, value);
  }
  const file = flags.get('--file');
  if (!file) throw new UsageError('transfer-cli: --file is required');
  const store = flags.get('--store') ?? env.TASK_SCHEDULER_STORE ?? 'json';
  if (store !== 'memory' && store !== 'json' && store !== 'mongodb') {
    throw new UsageError(`transfer-cli: --store must be memory, json or mongodb (got "${store}")`);
  }
  const mongoUri = flags.get('--mongo-uri') ?? env.TASK_SCHEDULER_MONGO_URI;
  if (store === 'mongodb' && !mongoUri) {
    throw new UsageError('transfer-cli: --store mongodb needs --mongo-uri mongodb://host/db');
  }
  return {
    command,
    file: resolve(file),
    store,
    dataDir: resolve(flags.get('--data-dir') ?? env.TASK_SCHEDULER_DATA_DIR ?? defaultDataDir()),
    ...(mongoUri ? { mongoUri } : {}),
  };
}

function describeCounts({ counts }: TransferResult): string {
  return `${counts.configs} configurations, ${counts.tasks} tasks, ${counts.schedules} schedule entries, ${counts.settings ? 'settings' : 'no settings'}, ${counts.runs} runs`;
}

export async function runTransferCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = consoleIo,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(TRANSFER_USAGE);
    return 0;
  }
  let args: TransferArgs;
  try {
    args = parseArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    io.err(TRANSFER_USAGE);
    return 2;
  }
  const where =
    args.store === 'mongodb'
      ? `mongodb at ${redactUri(args.mongoUri!)}`
      : args.store === 'json'
        ? `json store in ${args.dataDir}`
        : 'memory store';
  const store = createStore(args);
  try {
    await store.open();
  } catch (error) {
    io.err(`transfer-cli: cannot open the ${where}: ${(error as Error).message}`);
    return 1;
  }
  try {
    if (args.command === 'export') {
      const result = await exportStoreToFile(store, args.file);
      io.out(`Exported ${describeCounts(result)} from the ${where} to ${result.file}`);
    } else {
      const result = await importStoreFromFile(store, args.file);
      io.out(`Imported ${describeCounts(result)} from ${result.file} into the ${where}`);
    }
    return 0;
  } catch (error) {
    io.err(`transfer-cli: ${args.command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close().catch(() => undefined);
  }
}

// Run when started as a program (not when imported by tests).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runTransferCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('transfer-cli: unexpected failure:', error);
      process.exit(1);
    },
  );
}
