/**
 * The headless service's command line: parse flags, build the App, serve it over HTTP, and shut
 * down cleanly on SIGINT/SIGTERM. Exit codes: 0 clean stop, 1 start failure or forced stop,
 * 2 bad flags.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { App } from '../app';
import { composeApp, sealStoredSecrets } from '../compose';
import { defaultDataDir } from '../paths';
import { generateToken } from './auth';
import { createHttpServer, type HttpServer } from './http-server';
import { FileKeyCodec } from '../secrets/file-key-codec';
import { runTransferCli } from '../store/transfer-cli';
import { parseServeSettings, USAGE, UsageError, type ServeSettings } from './settings';

/** The repository root, so the built renderer is found whatever the working directory. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RENDERER_DIR = join(ROOT, 'out', 'renderer');

export interface ServeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: ServeIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the service until a signal stops it; resolves with the process exit code. Installs the
 * SIGINT/SIGTERM handlers itself.
 */
export async function runServe(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: ServeIo = consoleIo,
): Promise<number> {
  // `serve export|import --file F …`: the command-line form of system.export / system.import.
  if (argv[0] === 'export' || argv[0] === 'import') return runTransferCli(argv, env, io);
  let settings: ServeSettings;
  try {
    settings = parseServeSettings(argv, env, defaultDataDir());
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      io.err('Run with --help to see every option.');
      return 2;
    }
    throw error;
  }
  if (settings.help) {
    io.out(USAGE);
    return 0;
  }

  let app: App;
  try {
    // Secrets at rest: AES-256-GCM under <data-dir>/secret.key or TASK_SCHEDULER_SECRET_KEY.
    const secrets =
      settings.store === 'memory'
        ? undefined
        : await FileKeyCodec.open({ dataDir: settings.dataDir, env });
    app = composeApp({
      store: settings.store,
      dataDir: settings.dataDir,
      ...(settings.mongoUri ? { mongoUri: settings.mongoUri } : {}),
      ...(secrets ? { secrets } : {}),
    });
    await app.start();
    const unreadable = await sealStoredSecrets(app);
    if (unreadable.length > 0) {
      io.err(
        `Secrets: cannot decrypt the secrets of ${unreadable.join(', ')} with ${secrets?.description}; they are kept as stored. Restore the original key or re-enter those secrets.`,
      );
    }
  } catch (error) {
    io.err(`Task Scheduler could not start: ${messageOf(error)}`);
    return 1;
  }

  const token = settings.token ?? generateToken();
  let http: HttpServer;
  let signals: ReturnType<typeof stopOnSignals> | undefined;
  try {
    http = createHttpServer({
      app,
      token,
      host: settings.host,
      port: settings.port,
      staticDir: RENDERER_DIR,
      allowedHosts: settings.allowedHosts,
    });
    signals = stopOnSignals(app, http, io);
    const { url } = await http.listen();
    io.out(`Task Scheduler listening on ${url}`);
    io.out(
      `Access token: ${token}  (send "Authorization: Bearer ${token}", or open ${url}#token=${token} in a browser)`,
    );
    io.out(
      `Store: ${settings.store}${settings.store === 'json' ? ` in ${settings.dataDir}` : ''}. Press Ctrl+C to stop.`,
    );
  } catch (error) {
    io.err(`Task Scheduler could not start: ${messageOf(error)}`);
    signals?.dispose();
    await app.stop().catch(() => undefined);
    return 1;
  }

  return signals.exitCode;
}

/**
 * Installs the SIGINT/SIGTERM handlers; resolves with the exit code once the service stopped.
 * Installed before the listening lines are printed, so a signal sent on seeing them is handled.
 */
function stopOnSignals(
  app: App,
  http: HttpServer,
  io: ServeIo,
): { exitCode: Promise<number>; dispose: () => void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const exitCode = new Promise<number>((resolveExit) => {
    let stopping = false;
    onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.err(`Received ${signal} again; exiting now without waiting for running tasks.`);
        resolveExit(1);
        return;
      }
      stopping = true;
      io.out(`Received ${signal}; stopping (running tasks get the grace period to finish)…`);
      http.stopAccepting();
      void (async () => {
        let code = 0;
        try {
          await app.stop();
        } catch (error) {
          io.err(`Task Scheduler: stopping the app failed: ${messageOf(error)}`);
          code = 1;
        }
        await http.close({ forceAfterMs: 2_000 });
        io.out('Task Scheduler stopped.');
        resolveExit(code);
      })();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { exitCode, dispose };
}

// Run when started as a program (not when imported by tests).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runServe(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('Task Scheduler: unexpected failure:', error);
      process.exit(1);
    },
  );
}
