/**
 * What the json store file tests (json-store-*.test.ts beyond the contract) share: a fresh data
 * dir per test, stores opened on it, and child processes that hold or use it
 * (fixtures/json-store-child.ts), all closed or killed after each test. `dir` is a live binding:
 * `useJsonStoreDir()` registers the hooks that set it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, vi } from 'vitest';
import { JsonStore } from '../../../../src/main/store/json/json-store';

const CHILD = fileURLToPath(new URL('../fixtures/json-store-child.ts', import.meta.url));

export let dir: string;
const open: JsonStore[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

export async function openStore(dataDir = dir, log?: (line: string) => void): Promise<JsonStore> {
  const store = new JsonStore({ dataDir, ...(log ? { log } : {}) });
  await store.open();
  open.push(store);
  return store;
}

export function startChild(
  mode: string,
  dataDir = dir,
): {
  child: ChildProcessWithoutNullStreams;
  nextLine: (match: (line: string) => boolean) => Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dataDir], {
    cwd: process.cwd(),
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const nextLine = (match: (line: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const seen = lines.find(match);
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
      child.once('exit', (code) =>
        reject(new Error(`child exited (${code}) before the expected line; stderr: ${stderr}`)),
      );
    });
  return { child, nextLine };
}

export function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Gives each test a new data dir; after it, restores mocks, kills children, closes stores. */
export function useJsonStoreDir(): void {
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'json-store-files-'));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    for (const store of open.splice(0)) await store.close();
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });
}
