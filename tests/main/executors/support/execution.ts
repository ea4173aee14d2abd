/**
 * What the api and file executor tests share: the request a test task sends its executor, and
 * the TaskError a failing execution rejects with.
 */
import { expect } from 'vitest';
import { TaskError, type ExecutionRequest } from '../../../../src/main/executors/types';
import type { Configuration, Task } from '../../../../src/shared/domain';

const T0 = '2026-01-01T00:00:00.000Z';

type ConfigOf<T extends 'api' | 'file'> = Extract<Configuration, { type: T }>;

export interface TaskRequestOptions {
  task?: Partial<Task> | undefined;
  signal?: AbortSignal | undefined;
}

/** Task `t1` of `type` running config `c1` that holds `params`. */
export function taskRequest<T extends 'api' | 'file'>(
  type: T,
  params: ConfigOf<T>['params'],
  operation: 'read' | 'write',
  resultMaxBytes: number,
  options: TaskRequestOptions = {},
): ExecutionRequest<T> {
  const config = { id: 'c1', name: 'cfg', type, params, createdAt: T0, updatedAt: T0 };
  return {
    task: {
      id: 't1',
      name: 'task',
      type,
      operation,
      configId: 'c1',
      createdAt: T0,
      updatedAt: T0,
      ...options.task,
    },
    operation,
    config: config as ConfigOf<T>,
    signal: options.signal ?? new AbortController().signal,
    resultMaxBytes,
  };
}

export async function failure(promise: Promise<unknown>): Promise<TaskError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error('expected the execution to fail');
}
