/**
 * The command line of the headless app: `task-scheduler [serve|export|import] [options]`, also
 * `npm run serve -- …`. Built into out/server/index.js and run by plain `node`. Exit codes: 0 done
 * (or a clean stop), 1 could not start or failed (or a forced stop), 2 bad command or flags.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_VERSION } from '../app';
import {
  createLogger,
  DEFAULT_LOG_LEVEL,
  logLevelFromEnv,
  type LogDestination,
} from '../logging/logger';
import { defaultDataDir, packageRoot } from '../paths';
import { runServe, type ServeIo } from '../server/serve';
import { formatFlags, UsageError } from './flags';
import { parseServeSettings, SERVE_FLAGS } from './serve-flags';
import { parseTransferArgs, runTransfer, TRANSFER_FLAGS } from './transfer';

const COMMANDS = ['serve', 'export', 'import'] as const;
type Command = (typeof COMMANDS)[number];

export const USAGE = `Usage: task-scheduler [command] [options]     (or: npm run serve -- [command] [options])

Commands:
  serve     run the scheduler with its HTTP API and web UI (the default)
  export    write the whole store to one JSON file
  import    read such a file into the store (checked whole before anything is stored)

Every command:
  -h, --help      show this help
  -v, --version   print the version

serve options (each also as an environment variable; flags win):
${formatFlags(SERVE_FLAGS.filter((f) => f.name !== 'help'))}

export options:
${formatFlags(TRANSFER_FLAGS.export.filter((f) => f.name !== 'help'))}

import options:
${formatFlags(TRANSFER_FLAGS.import.filter((f) => f.name !== 'help'))}

Exit codes: 0 done or stopped cleanly, 1 could not start or failed, 2 bad command or flags.
Docs: docs/headless.md`;

export interface CliHooks {
  /** Runs once `serve`'s flags are known to be good, before the service starts (UI build). */
  beforeServe?: () => void | Promise<void>;
  /** `serve` stops when this parent process goes away (see `ServeOptions.stopWithParent`). */
  stopWithParent?: number;
  /** Where `serve` writes its log lines; default stderr (JSON, or readable text on a terminal). */
  logOutput?: LogDestination & { isTTY?: boolean };
}

const consoleIo: ServeIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function wantsVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--version' || a === '-v');
}

/** Runs one command line; resolves with the process exit code. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: ServeIo = consoleIo,
  hooks: CliHooks = {},
): Promise<number> {
  if (wantsVersion(argv)) {
    io.out(`task-scheduler ${APP_VERSION}`);
    return 0;
  }
  const first = argv[0];
  const command: Command =
    first !== undefined && !first.startsWith('-') ? (first as Command) : 'serve';
  const rest = command === first ? argv.slice(1) : argv;
  try {
    if (!(COMMANDS as readonly string[]).includes(command)) {
      throw new UsageError(
        `task-scheduler: unknown command "${command}"; use one of ${COMMANDS.join(', ')}`,
      );
    }
    if (command === 'serve') {
      const settings = parseServeSettings(rest, env, defaultDataDir());
      if (settings.help) return help(io);
      await hooks.beforeServe?.();
      return await runServe(settings, {
        env,
        io,
        log: createLogger({
          level: settings.logLevel ?? DEFAULT_LOG_LEVEL,
          name: 'service',
          ...(hooks.logOutput ? { output: hooks.logOutput } : {}),
        }),
        staticDir: join(packageRoot(), 'out', 'renderer'),
        ...(hooks.stopWithParent !== undefined ? { stopWithParent: hooks.stopWithParent } : {}),
      });
    }
    const args = parseTransferArgs(command, rest, env, defaultDataDir());
    if (args.help) return help(io);
    return await runTransfer(args, env, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    io.err('Run with --help to see every command and option.');
    return 2;
  }
}

function help(io: ServeIo): number {
  io.out(USAGE);
  return 0;
}

/**
 * Logging must never stop the service: once stdout or stderr is gone (a closed pipe, EPIPE) or
 * fails, what is written there is dropped instead of crashing the process with an unhandled
 * stream error, and the service goes on (and still stops cleanly on a signal).
 */
function dropWritesToBrokenOutput(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

/** Runs `runCli` for this process and exits with its code. */
export function main(argv: readonly string[] = process.argv.slice(2), hooks?: CliHooks): void {
  dropWritesToBrokenOutput();
  runCli(argv, process.env, consoleIo, hooks).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Outside any command: logged at the level the environment names.
      createLogger({ level: logLevelFromEnv(process.env), name: 'cli' }).fatal(
        'Task Scheduler: unexpected failure',
        { error },
      );
      process.exit(1);
    },
  );
}

function startedAsProgram(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// `node out/server/index.js …` (or the sources under tsx); not when imported by the launcher.
if (startedAsProgram()) main();
