/**
 * The headless service as a child process, for the benches that measure it from outside:
 * `node <entry…> serve --port 0 --store <store> --data-dir <dir> [--token <token>]` from the
 * repository root, the service's environment variables cleared (token, port, host, secret key)
 * unless given, resolved once it prints its listening line. Its output (stdout and stderr) is
 * kept for the error messages, and read as it comes, so the child never blocks on a full pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built service, what `npm run serve` runs. */
export const BUILT_ENTRY = ['out/server/index.js'] as const;
/** The sources through tsx, as the service ran before it was bundled. */
export const TSX_ENTRY = ['--import', 'tsx', 'src/main/cli/main.ts'] as const;
/** A fixed 32-byte key for TASK_SCHEDULER_SECRET_KEY, so no secret.key file is created or read. */
export const FIXED_SECRET_KEY = Buffer.alloc(32, 0x5a).toString('base64');

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))\//;
const READY_TIMEOUT_MS = 60_000;
const FORCE_AFTER_MS = 15_000;

export interface NodeProcess {
  child: ChildProcess;
  /** `performance.now()` when the output first matched `ready`. */
  readyAt: number;
  /** What `ready` matched. */
  match: RegExpMatchArray;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves once it exited: its exit code, -1 when a signal ended it. */
  exited: Promise<number | null>;
  /**
   * SIGTERM, then SIGKILL when it is still there after `forceAfterMs` (default 15 s); resolves
   * with the exit code once it exited. Does nothing more once it exited.
   */
  stop(forceAfterMs?: number): Promise<number | null>;
}

export interface NodeProcessOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Ready once its output (stdout and stderr) matches. */
  ready: RegExp;
  /** Names the bench in error messages (`bench/startup`). */
  where: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Told the child at once (to kill it when the bench is interrupted while it starts). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `node args…` from the repository root; resolves once its output matches `ready`. */
export function startNodeProcess(
  args: string[],
  options: NodeProcessOptions,
): Promise<NodeProcess> {
  const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const stop = async (forceAfterMs = FORCE_AFTER_MS): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
      await exited;
      clearTimeout(force);
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${options.where}: ${why}:\n${out}`));
    };
    const timer = setTimeout(
      () => fail(`the process did not get ready in ${timeoutMs / 1000} s`),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (settled) return;
      const match = options.ready.exec(out);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, readyAt: performance.now(), match, output: () => out, exited, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(`the process exited with ${code} before it was ready`));
  });
}

export interface ServiceProcessOptions {
  /** Node flags and the entry before `serve`; default the built service. */
  entry?: readonly string[];
  dataDir: string;
  /** Default `json`. */
  store?: string;
  /** Given as `--token`; leave out to pass it another way (env) or let the service make one. */
  token?: string;
  /** Over the cleared TASK_SCHEDULER_* variables (e.g. TASK_SCHEDULER_SECRET_KEY). */
  env?: Record<string, string>;
  where: string;
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
}

export interface ServiceProcess extends NodeProcess {
  port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  origin: string;
}

/** Starts `serve` on a free loopback port; resolves once it printed its listening line. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const proc = await startNodeProcess(
    [
      ...(options.entry ?? BUILT_ENTRY),
      'serve',
      '--port',
      '0',
      '--store',
      options.store ?? 'json',
      '--data-dir',
      options.dataDir,
      ...(options.token === undefined ? [] : ['--token', options.token]),
    ],
    {
      env: {
        TASK_SCHEDULER_TOKEN: '',
        TASK_SCHEDULER_PORT: '',
        TASK_SCHEDULER_HOST: '',
        TASK_SCHEDULER_SECRET_KEY: '',
        ...options.env,
      },
      ready: LISTENING,
      where: options.where,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    },
  );
  return { ...proc, origin: proc.match[1]!, port: Number(proc.match[2]) };
}
