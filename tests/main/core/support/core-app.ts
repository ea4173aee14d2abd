/**
 * The core through its public `call`, on a memory store with a scripted api executor: one fresh
 * app per test (`useCoreApp()` registers the hooks; `app`, `executor` and `events` are live).
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { createApp, type App } from '../../../../src/main/app';
import type { Executor, ExecutionRequest } from '../../../../src/main/executors/types';
import { MemoryStore } from '../../../../src/main/store/memory/memory-store';
import type { MethodName, MethodParams, MethodResult } from '../../../../src/shared/contract';
import type { Configuration, Run, Task } from '../../../../src/shared/domain';
import type { AppEvent } from '../../../../src/shared/events';

/** An api executor whose behaviour each test sets. */
export class ScriptedExecutor implements Executor<'api'> {
  readonly type = 'api' as const;
  calls: ExecutionRequest<'api'>[] = [];
  behaviour: (request: ExecutionRequest<'api'>) => Promise<{ result: Record<string, unknown> }> =
    async () => ({ result: { summary: 'ok', body: { hello: 'world' } } });

  execute(request: ExecutionRequest<'api'>): Promise<{ result: Record<string, unknown> }> {
    this.calls.push(request);
    return this.behaviour(request);
  }
}

export let app: App;
export let executor: ScriptedExecutor;
export let events: AppEvent[];

/** A started app before each test (stopped after it), with its events collected. */
export function useCoreApp(): void {
  beforeEach(async () => {
    executor = new ScriptedExecutor();
    app = createApp({ store: new MemoryStore(), executors: { api: executor } });
    events = [];
    app.events.subscribe((e) => events.push(e));
    await app.start();
  });
  afterEach(async () => {
    await app.stop();
  });
}

export async function call<M extends MethodName>(
  method: M,
  params: MethodParams<M>,
): Promise<MethodResult<M>> {
  return app.core.call(method, params);
}

export async function expectError(
  promise: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
}

export const apiConfigInput = (name = 'Echo'): MethodParams<'configs.save'>['config'] => ({
  name,
  type: 'api',
  params: { url: 'http://127.0.0.1:9/echo', auth: { kind: 'bearer', token: 'top-secret' } },
});

/** A saved api configuration ("Echo") and a read task ("Fetch") that uses it. */
export async function makeTask(
  overrides: Partial<MethodParams<'tasks.save'>['task']> = {},
): Promise<{ config: Configuration; task: Task }> {
  const config = await call('configs.save', { config: apiConfigInput() });
  const task = await call('tasks.save', {
    task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id, ...overrides },
  });
  return { config, task };
}

/**
 * Resolves with the first `count` final records of the task's runs (its `run.finished` events,
 * those seen already included), in the order they ended.
 */
export function finishedRuns(taskId: string, count: number): Promise<Run[]> {
  const ended = (event: AppEvent): Run | undefined =>
    event.name === 'run.finished' && event.data.run.taskId === taskId ? event.data.run : undefined;
  const seen = events.map(ended).filter((run): run is Run => run !== undefined);
  return new Promise((resolve) => {
    const check = (): void => {
      if (seen.length < count) return;
      unsubscribe();
      resolve(seen.slice(0, count));
    };
    const unsubscribe = app.events.subscribe((event) => {
      const run = ended(event);
      if (run) seen.push(run);
      check();
    });
    check();
  });
}
