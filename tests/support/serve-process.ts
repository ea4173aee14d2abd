/**
 * The headless service as a child process, the way `npm run serve` starts it: the built entry
 * (out/server/index.js, built by tests/support/global-setup.ts) under plain `node`, for tests
 * that need the real CLI: its output, its exit, and the first stdout line matching a pattern.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * Kills every process started since the last call (call it in `afterEach`); for processes
 * started in their own group (`detached`), the whole group.
 */
export function killStarted(): void {
  for (const child of running.splice(0)) {
    try {
      if (groups.has(child)) process.kill(-child.pid!, 'SIGKILL');
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

const groups = new WeakSet<ChildProcess>();

export interface StartOptions {
  env?: Record<string, string>;
  /** Its own process group (as a terminal or a supervisor starts it); killed as a group. */
  detached?: boolean;
  cwd?: string;
}

/**
 * Runs `file args…` (from the repository root unless `cwd`); the token and port env vars are
 * cleared.
 */
export function startProcess(file: string, args: string[], options: StartOptions = {}): Proc {
  const child = spawn(file, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TASK_SCHEDULER_TOKEN: '', TASK_SCHEDULER_PORT: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  running.push(child);
  if (options.detached) groups.add(child);
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

/** Runs `node <command…>` from the repository root. */
export const start = (command: string[], env: Record<string, string> = {}): Proc =>
  startProcess(process.execPath, command, { env });

/** `npm run serve -- <args>` in its own process group, as a user or a supervisor runs it. */
export const npmServe = (args: string[], options: Omit<StartOptions, 'detached'> = {}): Proc =>
  startProcess('npm', ['run', '--silent', 'serve', '--', ...args], { ...options, detached: true });

/** The built command line with these arguments, as `npm run serve -- …` runs it. */
export const serveCli = (...args: string[]): Proc => start([SERVE, ...args]);

/**
 * The built service on a free loopback port with a json store in `dataDir`; resolves once it
 * listens, with its base URL (`http://127.0.0.1:<port>/`).
 */
export async function serveJson(
  dataDir: string,
  token: string,
  ...args: string[]
): Promise<{ proc: Proc; base: string }> {
  const proc = serveCli(
    '--port',
    '0',
    '--store',
    'json',
    '--data-dir',
    dataDir,
    '--token',
    token,
    ...args,
  );
  const [, base] = (await proc.line(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/)) as [
    string,
    string,
  ];
  return { proc, base };
}

/** The `error` of a service answer that failed. */
export interface ServiceError {
  code: string;
  message: string;
  details?: { issues?: Array<{ path: string[]; message: string }> };
}

/** A service answer: the HTTP status and the body's `result` or `error`. */
export interface ServiceAnswer {
  status: number;
  result?: unknown;
  error?: ServiceError;
}

/**
 * `POST <base>api/<method>` with `params` as JSON and `token` as the bearer token (given up
 * after 15 s); `base` is what `serveJson` resolves with.
 */
export async function postJson(
  base: string,
  token: string,
  method: string,
  params: unknown,
): Promise<ServiceAnswer> {
  const res = await fetch(`${base}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: ServiceError };
  return { status: res.status, ...body };
}

/** The processes of a process group: pid → command line. */
export function groupMembers(pgid: number): Map<number, string[]> {
  const members = new Map<number, string[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      members.set(
        Number(name),
        readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean),
      );
    } catch {
      // exited meanwhile
    }
  }
  return members;
}
