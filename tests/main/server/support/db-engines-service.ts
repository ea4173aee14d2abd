/**
 * What the db-engines-*-over-http tests share: the built service on a json store in a temp
 * folder, a temp SQLite file, and helpers that call `/api` and run a db task. `base` and `dir`
 * are live bindings: `useDbEnginesService()` registers the hooks that set them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Configuration, Run, Task } from '../../../../src/shared/domain';
import {
  killStarted,
  postJson,
  serveJson,
  type ServiceAnswer,
} from '../../../support/serve-process';
import { tempSqlite, uniqueName } from '../../executors/db/db-support';

const TOKEN = 'db-engines-token-0123456789';
/** The service's connect timeout (DbPools' default). */
export const CONNECT_TIMEOUT_MS = 3_000;

export let base = '';
export let dir = '';
export const sqliteFile = tempSqlite();

/** Starts the service for the test file; stops it and removes the temp folder and file after. */
export function useDbEnginesService(): void {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'db-engines-http-'));
    ({ base } = await serveJson(join(dir, 'data'), TOKEN));
  });

  afterAll(async () => {
    killStarted();
    await rm(dir, { recursive: true, force: true });
    sqliteFile.remove();
  });
}

export const post = (method: string, params: unknown): Promise<ServiceAnswer> =>
  postJson(base, TOKEN, method, params);

/** The result of a call that must succeed. */
export async function ok<T>(method: string, params: unknown): Promise<T> {
  const answer = await post(method, params);
  expect(answer.error?.message, method).toBeUndefined();
  expect(answer.status).toBe(200);
  return answer.result as T;
}

/** Saves a configuration and a task, runs the task, and returns the run as runs.get has it. */
export async function runTask(
  operation: 'read' | 'write',
  params: Record<string, unknown>,
): Promise<Run> {
  const name = uniqueName(operation);
  const config = await ok<Configuration>('configs.save', {
    config: { name, type: 'db', params },
  });
  const task = await ok<Task>('tasks.save', {
    task: { name, type: 'db', operation, configId: config.id },
  });
  const run = await ok<Run>('tasks.run', { id: task.id });
  expect(await ok<Run>('runs.get', { id: run.id })).toEqual(run);
  return run;
}
