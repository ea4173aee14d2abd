/**
 * Shared setup of the ApiExecutor tests (api-executor-*.test.ts): an HTTP target, one executor
 * with a small environment, and the helpers that run it. `target` and `executor` are live
 * bindings: `useApiTarget()` registers the hooks that set them.
 */
import { afterAll, beforeAll } from 'vitest';
import { ApiExecutor } from '../../../../src/main/executors/api-executor';
import type { ExecutionOutcome } from '../../../../src/main/executors/types';
import type { ApiParams, Task } from '../../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../../support/http-target';
import { taskRequest } from './execution';

export { closedPort as freePort } from '../db/db-support';
export { failure } from './execution';

export let target: HttpTarget;
export let executor: ApiExecutor;

/** Starts the HTTP target and the executor (API_TOKEN and HIDDEN in its environment). */
export function useApiTarget(): void {
  beforeAll(async () => {
    target = await startHttpTarget();
    executor = new ApiExecutor({ env: { API_TOKEN: 'env-token', HIDDEN: 'hidden-value' } });
  });

  afterAll(async () => {
    await executor.close();
    await target.close();
  });
}

export function execute(
  params: ApiParams,
  options: {
    operation?: 'read' | 'write';
    task?: Partial<Task>;
    signal?: AbortSignal;
    executor?: ApiExecutor;
  } = {},
): Promise<ExecutionOutcome> {
  const operation = options.operation ?? 'read';
  const chosen = options.executor ?? executor;
  return chosen.execute(taskRequest('api', params, operation, 64 * 1024, options));
}

/** The parsed echo of what the target received. */
export interface Echo {
  method: string;
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  json?: unknown;
}
