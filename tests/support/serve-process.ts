/**
 * The headless service as a child process, the way `npm run serve` starts it: the built entry
 * (out/server/index.js, built by tests/support/global-setup.ts) under plain `node`, for tests
 * that need the real CLI: its output, its exit, and the first stdout line matching a pattern.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The built service and command line. */
export const SERVE = join(ROOT, 'out', 'server', 'index.js');
/** What `npm run serve` and the package's `bin` run: builds what is stale, then runs SERVE. */
export const LAUNCHER = join(ROOT, 'bin', 'task-scheduler.mjs');

export interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching. */
  line: (pattern: RegExp) => Promise<RegExpMatchArray>;
}

const running: ChildProcess[] = [];

/** Kills every process started since the last call (call it in `afterEach`). */
export function killStarted(): void {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Runs `node <command…>` from the repository root; the token and port env vars are cleared. */
export function start(command: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, command, {
    cwd: ROOT,
    env: { ...process.env, TASK_SCHEDULER_TOKEN: '', TASK_SCHEDULER_PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  const listeners: Array<() => void> = [];
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const l of [...listeners]) l();
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    line: (pattern) =>
      new Promise((res, rej) => {
        const check = (): void => {
          const match = out.match(pattern);
          if (match) res(match);
        };
        listeners.push(check);
        check();
        void exited.then(() =>
          rej(new Error(`the process exited before printing ${pattern}; stderr: ${err}`)),
        );
      }),
  };
}

/** The built command line with these arguments, as `npm run serve -- …` runs it. */
export const serveCli = (...args: string[]): Proc => start([SERVE, ...args]);
