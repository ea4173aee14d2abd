/**
 * Starts a local HTTP target and the headless service the way `npm run serve` does (the launcher
 * bin/task-scheduler.mjs builds the service and the UI when stale, then serves both; json store
 * in a temp data dir, port 0), and hands their addresses to the specs through environment
 * variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpTarget } from '../../tests/support/http-target';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function waitForLine(child: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`e2e setup: the service did not start in ${ms} ms:\n${out}`)),
      ms,
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`e2e setup: the service exited with ${code}:\n${out}`));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const target = await startHttpTarget();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ts-e2e-'));
  const token = 'e2e-token-0123456789abcdef0123';
  const service = spawn(
    process.execPath,
    [
      'bin/task-scheduler.mjs',
      'serve',
      '--port',
      '0',
      '--store',
      'json',
      '--data-dir',
      dataDir,
      '--token',
      token,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    },
  );
  const match = await waitForLine(service, /listening on (http:\/\/\S+?)\/?\s/, 60_000);
  process.env.E2E_URL = match[1]!.replace(/\/$/, '');
  process.env.E2E_TOKEN = token;
  process.env.E2E_TARGET = target.url;
  process.env.E2E_DATA_DIR = dataDir;
  return async () => {
    service.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (service.exitCode !== null) resolve();
      else service.once('exit', () => resolve());
    });
    await target.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
