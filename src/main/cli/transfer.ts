/**
 * The `export` and `import` commands: the command-line form of `system.export` /
 * `system.import`, on a store built by the composition root (with the same secrets codec the
 * service uses), through the same functions, so both write and read the same file. Run them
 * while no service uses a json data dir (its lock refuses a second user); a MongoDB store may
 * stay in use.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { redactUri } from '../../shared/secrets';
import { composeStore, headlessSecrets, type StoreSettings } from '../compose';
import { exportStoreToFile, importStoreFromFile, type TransferResult } from '../store/transfer';
import { parseFlags, UsageError, type FlagSpec } from './flags';
import { readStoreSettings, STORE_FLAGS } from './store-flags';

export type TransferCommand = 'export' | 'import';

const FILE_FLAG: FlagSpec = {
  name: 'file',
  value: 'FILE',
  example: '/home/me/task-scheduler-export.json',
  help: 'the export file (required)',
};
const INCLUDE_SECRETS_FLAG: FlagSpec = {
  name: 'include-secrets',
  help: 'write secrets in clear (default: sealed with this instance key)',
};
const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', help: 'show this help' };

export const TRANSFER_FLAGS: Record<TransferCommand, readonly FlagSpec[]> = {
  export: [FILE_FLAG, INCLUDE_SECRETS_FLAG, ...STORE_FLAGS, HELP_FLAG],
  import: [FILE_FLAG, ...STORE_FLAGS, HELP_FLAG],
};

export interface TransferArgs extends StoreSettings {
  command: TransferCommand;
  file: string;
  includeSecrets: boolean;
  help: boolean;
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function parseTransferArgs(
  command: TransferCommand,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultDataDir: string,
): TransferArgs {
  const given = parseFlags(command, argv, TRANSFER_FLAGS[command]);
  const help = given.has('help');
  const file = given.get('file');
  if (typeof file !== 'string' && !help) {
    throw new UsageError(
      `${command}: --file is required, e.g. --file /home/me/task-scheduler-export.json`,
    );
  }
  return {
    command,
    file: typeof file === 'string' ? resolve(file) : '',
    includeSecrets: given.has('include-secrets'),
    help,
    ...readStoreSettings(command, given, env, defaultDataDir),
  };
}

function describeCounts({ counts }: TransferResult): string {
  return `${counts.configs} configurations, ${counts.tasks} tasks, ${counts.schedules} schedule entries, ${counts.alerts} alerts, ${counts.settings ? 'settings' : 'no settings'}, ${counts.runs} runs`;
}

/** Runs a parsed `export` / `import`; resolves with the exit code (0 done, 1 failed). */
export async function runTransfer(
  args: TransferArgs,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const where =
    args.store === 'mongodb'
      ? `mongodb at ${redactUri(args.mongoUri!)}`
      : args.store === 'json'
        ? `json store in ${args.dataDir}`
        : 'memory store';
  let store;
  try {
    const secrets = await headlessSecrets(args, env);
    store = composeStore({ ...args, instanceId: randomUUID(), ...(secrets ? { secrets } : {}) });
    await store.open();
  } catch (error) {
    io.err(`${args.command}: cannot open the ${where}: ${(error as Error).message}`);
    return 1;
  }
  try {
    if (args.command === 'export') {
      const result = await exportStoreToFile(store, args.file, {
        includeSecrets: args.includeSecrets,
      });
      io.out(`Exported ${describeCounts(result)} from the ${where} to ${result.file}`);
      for (const note of result.notes) io.out(note);
    } else {
      const result = await importStoreFromFile(store, args.file);
      io.out(`Imported ${describeCounts(result)} from ${result.file} into the ${where}`);
      for (const note of result.notes) io.out(note);
    }
    return 0;
  } catch (error) {
    io.err(`${args.command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close().catch(() => undefined);
  }
}
