/**
 * Shared setup of the FileExecutor tests (file-executor-*.test.ts, file-tasks-through-core.test.ts):
 * an HTTP target, a fresh temp folder per test, one executor, and the helpers that run it.
 * `target` and `dir` are live bindings: `useFileSandbox()` registers the hooks that set them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { FileExecutor } from '../../../../src/main/executors/file-executor';
import type { ExecutionOutcome } from '../../../../src/main/executors/types';
import type { FileParams, Task } from '../../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../../support/http-target';
import { taskRequest } from './execution';

export { failure } from './execution';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
export const UNKNOWN_NOPE =
  'unknown placeholder {{nope}}; the built-in values are now, run.id, run.scheduledFor, task.id, task.name, and in a chained task input, input.<path>, parent.id, parent.scheduledFor, or add "nope" to params.variables';
export const UNICODE = 'Zoë & Björk — 東京 🚀\r\nline two\n';

export let target: HttpTarget;
export let dir: string;
export const executor = new FileExecutor({ homeDir: os.tmpdir() });

/** Starts the HTTP target for the file, and gives every test its own empty temp folder. */
export function useFileSandbox(): void {
  beforeAll(async () => {
    target = await startHttpTarget();
  });

  afterAll(async () => {
    await executor.close();
    await target.close();
  });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-executor-'));
  });

  afterEach(async () => {
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });
}

export function execute(
  params: FileParams,
  operation: 'read' | 'write' = 'read',
  options: {
    signal?: AbortSignal;
    resultMaxBytes?: number;
    task?: Partial<Task>;
    executor?: FileExecutor;
  } = {},
): Promise<ExecutionOutcome> {
  const { resultMaxBytes = 64 * 1024, executor: chosen = executor } = options;
  return chosen.execute(taskRequest('file', params, operation, resultMaxBytes, options));
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export async function listDir(where: string): Promise<string[]> {
  return (await fs.readdir(where)).sort();
}
