/**
 * The `serve` command: build the App through the composition root, serve it over HTTP, and shut
 * down cleanly on SIGINT/SIGTERM. Resolves with the exit code: 0 clean stop, 1 start failure or
 * forced stop. Flags are read before this runs (src/main/cli/serve-flags.ts). The lines a person
 * or a script reads at start and stop (listening address, token, store) go to stdout through
 * `io.out`; everything else is a log line (`log`, src/main/logging/logger.ts).
 */
import { join } from 'node:path';
import type { Run } from '../../shared/domain';
import { messageOf } from '../../shared/errors';
import type { App } from '../app';
import { composeApp, headlessSecrets, sealStoredSecrets, type StoreSettings } from '../compose';
import { SelfGuard } from '../executors/self-guard';
import type { Logger, LogLevel } from '../logging/logger';
import { generateToken, persistentToken, TOKEN_FILE } from './auth';
import { createHttpServer, type HttpServer } from './http-server';

export interface ServeSettings extends StoreSettings {
  host: string;
  port: number;
  /** Undefined: the one kept in `<dataDir>/token`, made at the first start (and printed). */
  token?: string;
  /** Where a given token came from (`--token`, `TASK_SCHEDULER_TOKEN`): printed instead of it. */
  tokenSource?: string;
  /** A second token that opens `/metrics` only (`--metrics-token`). */
  metricsToken?: string;
  /** Replace the kept token with a new one (`--new-token`). */
  newToken?: boolean;
  allowedHosts: string[];
  logLevel?: LogLevel;
  help: boolean;
}

export interface ServeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  io: ServeIo;
  log: Logger;
  /** The built web UI (index.html and assets); the API works without it. */
  staticDir: string;
  /**
   * Stop (as on SIGTERM) once this process is no longer the parent: under `npm run serve` a
   * SIGTERM to npm kills the shell between npm and us without reaching us.
   */
  stopWithParent?: number;
}

/**
 * The access token: the given one, else (json and mongodb stores) the one kept in the data dir,
 * else (the memory store keeps nothing) a new one for this run.
 */
async function accessToken(settings: ServeSettings): Promise<string> {
  if (settings.token !== undefined) return settings.token;
  if (settings.store === 'memory') return generateToken();
  return persistentToken(settings.dataDir, settings.newToken === true);
}

/** How a finished run is logged: failures as warnings, the rest at debug. */
function logRunFinished(log: Logger, run: Run): void {
  const failed = run.status !== 'succeeded';
  if (!log.isEnabled(failed ? 'warn' : 'debug')) return;
  const fields = {
    runId: run.id,
    taskId: run.taskId,
    task: run.taskName,
    status: run.status,
    trigger: run.trigger,
    durationMs: run.durationMs,
    ...(run.error ? { error: run.error } : {}),
  };
  if (failed) log.warn(`run ${run.status}`, fields);
  else log.debug('run succeeded', fields);
}

/**
 * Runs the service until a signal stops it; resolves with the process exit code. Installs the
 * SIGINT/SIGTERM handlers itself.
 */
export async function runServe(
  settings: ServeSettings,
  { env, io, log, staticDir, stopWithParent }: ServeOptions,
): Promise<number> {
  let app: App;
  // Told the address once listening: tasks may not call this service or read its data dir.
  const self = new SelfGuard({ dataDir: settings.dataDir });
  try {
    const secrets = await headlessSecrets(settings, env);
    app = composeApp({
      store: settings.store,
      dataDir: settings.dataDir,
      ...(settings.mongoUri ? { mongoUri: settings.mongoUri } : {}),
      ...(secrets ? { secrets } : {}),
      self,
      warn: (message) => log.warn(message),
    });
    await app.start();
    const unreadable = await sealStoredSecrets(app);
    if (unreadable.length > 0) {
      log.warn(
        `Secrets: cannot decrypt the secrets of ${unreadable.join(', ')} with ${secrets?.description}; they are kept as stored. Restore the original key or re-enter those secrets.`,
      );
    }
  } catch (error) {
    log.error(`Task Scheduler could not start: ${messageOf(error)}`);
    return 1;
  }

  let http: HttpServer;
  let signals: ReturnType<typeof stopOnSignals> | undefined;
  try {
    const token = await accessToken(settings);
    const httpLog = log.child({ component: 'http' });
    http = createHttpServer({
      app,
      token,
      host: settings.host,
      port: settings.port,
      staticDir,
      allowedHosts: settings.allowedHosts,
      ...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}),
      log: (message, error) => httpLog.error(message, error === undefined ? {} : { error }),
      refusals: (line) => httpLog.warn(line.message, line.fields),
    });
    signals = stopOnSignals(app, http, { io, log }, stopWithParent);
    const { url, host, port } = await http.listen();
    self.serviceListening({ host, port });
    io.out(`Task Scheduler listening on ${url}`);
    if (settings.token === undefined) {
      io.out(
        `Access token: ${token}  (send "Authorization: Bearer ${token}", or open ${url}#token=${token} in a browser)`,
      );
      if (settings.store !== 'memory') {
        io.out(
          `The token is kept in ${join(settings.dataDir, TOKEN_FILE)} for the next start; --new-token replaces it.`,
        );
      }
    } else {
      // The user knows the token; printing it would put it in logs and scrollback.
      io.out(
        `Access token: the one given by ${settings.tokenSource ?? '--token'}  (send "Authorization: Bearer <token>", or open ${url}#token=<token> in a browser)`,
      );
    }
    io.out(
      `Store: ${settings.store}${settings.store === 'json' ? ` in ${settings.dataDir}` : ''}. Press Ctrl+C to stop.`,
    );
    const runLog = log.child({ component: 'runs' });
    if (runLog.isEnabled('warn')) {
      app.events.subscribe((event) => {
        if (event.name === 'run.finished') logRunFinished(runLog, event.data.run);
      });
    }
    log.debug('service started', { url, store: settings.store, logLevel: log.level });
  } catch (error) {
    log.error(`Task Scheduler could not start: ${messageOf(error)}`);
    signals?.dispose();
    await app.stop().catch(() => undefined);
    return 1;
  }

  return signals.exitCode;
}

/** How often the service looks whether its parent (`stopWithParent`) is still there. */
const PARENT_CHECK_MS = 250;

/**
 * Installs the SIGINT/SIGTERM handlers (and the parent watch); resolves with the exit code once
 * the service stopped. Installed before the listening lines are printed, so a signal sent on
 * seeing them is handled.
 */
function stopOnSignals(
  app: App,
  http: HttpServer,
  { io, log }: { io: ServeIo; log: Logger },
  parentPid: number | undefined,
): { exitCode: Promise<number>; dispose: () => void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  let parentWatch: ReturnType<typeof setInterval> | undefined;
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (parentWatch !== undefined) clearInterval(parentWatch);
  };
  const exitCode = new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (why: string): void => {
      stopping = true;
      if (parentWatch !== undefined) clearInterval(parentWatch);
      io.out(`${why}; stopping (running tasks get the grace period to finish)…`);
      http.stopAccepting();
      void (async () => {
        let code = 0;
        try {
          await app.stop();
        } catch (error) {
          log.error(`Task Scheduler: stopping the app failed: ${messageOf(error)}`);
          code = 1;
        }
        await http.close({ forceAfterMs: 2_000 });
        io.out('Task Scheduler stopped.');
        resolveExit(code);
      })();
    };
    onSignal = (signal: NodeJS.Signals): void => {
      if (!stopping) return stop(`Received ${signal}`);
      log.warn(`Received ${signal} again; exiting now without waiting for running tasks.`);
      resolveExit(1);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (parentPid !== undefined) {
      const check = (): void => {
        if (!stopping && process.ppid !== parentPid) stop(`Process ${parentPid} (npm) went away`);
      };
      parentWatch = setInterval(check, PARENT_CHECK_MS);
      parentWatch.unref();
      check();
    }
  });
  return { exitCode, dispose };
}
