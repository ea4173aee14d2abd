/**
 * `runs.cancel` through the core: a running run is recorded `cancelled` with who and when, its
 * executor's signal aborts, no retry or chained run follows; runs that are not running, unknown
 * ids and runs of another instance are refused with a sentence.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionRequest } from '../../../src/main/executors/types';
import { run as runRecord } from '../../support/fixtures';
import {
  app,
  call,
  events,
  executor,
  expectError,
  finishedRuns,
  makeTask,
  useCoreApp,
} from './support/core-app';

useCoreApp();

/** Runs hang until their signal aborts; `started` resolves once `count` requests arrived. */
function hangUntilAborted(): { started: Promise<ExecutionRequest<'api'>> } {
  let tell!: (request: ExecutionRequest<'api'>) => void;
  const started = new Promise<ExecutionRequest<'api'>>((resolve) => (tell = resolve));
  executor.behaviour = (request) =>
    new Promise((_resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
      tell(request);
    });
  return { started };
}

describe('cancelling a run', () => {
  it('records it cancelled with the time, aborts its executor and answers the final record', async () => {
    const { task } = await makeTask();
    const { started } = hangUntilAborted();
    const running = await call('tasks.run', { id: task.id, wait: false });
    const request = await started;
    const cancelled = await call('runs.cancel', { id: running.id });
    expect(cancelled).toMatchObject({
      id: running.id,
      status: 'cancelled',
      error: {
        code: 'CANCELLED',
        message: expect.stringMatching(/^Cancelled by the user at \d{4}-/),
      },
    });
    expect(cancelled.finishedAt).toBeDefined();
    expect(request.signal.aborted).toBe(true);
    expect(await call('runs.get', { id: running.id })).toMatchObject({ status: 'cancelled' });
    expect(events.some((e) => e.name === 'run.finished' && e.data.run.status === 'cancelled')).toBe(
      true,
    );
  });

  it('records it cancelled even when the executor ignores its signal', async () => {
    const { task } = await makeTask();
    let tell!: () => void;
    const started = new Promise<void>((resolve) => (tell = resolve));
    executor.behaviour = () => {
      tell();
      return new Promise(() => undefined);
    };
    const running = await call('tasks.run', { id: task.id, wait: false });
    await started;
    expect((await call('runs.cancel', { id: running.id })).status).toBe('cancelled');
    expect(app.runner.activeCount).toBe(0);
  });

  it('stops the retries of the run: no further attempt follows', async () => {
    const { task } = await makeTask({ retry: { attempts: 3, backoffMs: 0, factor: 1 } });
    const { started } = hangUntilAborted();
    const running = await call('tasks.run', { id: task.id, wait: false });
    await started;
    await call('runs.cancel', { id: running.id });
    const [only] = await finishedRuns(task.id, 1);
    expect(only!.status).toBe('cancelled');
    await app.runner.shutdown(1000);
    expect((await call('runs.list', { taskId: task.id })).items).toHaveLength(1);
    expect(executor.calls).toHaveLength(1);
  });

  it('starts no task that runs after it, whatever its when', async () => {
    const { config, task } = await makeTask();
    for (const when of ['succeeded', 'failed', 'finished'] as const) {
      await call('tasks.save', {
        task: {
          name: `After (${when})`,
          type: 'api',
          operation: 'read',
          configId: config.id,
          runAfter: [{ taskId: task.id, when }],
        },
      });
    }
    const { started } = hangUntilAborted();
    const running = await call('tasks.run', { id: task.id, wait: false });
    await started;
    await call('runs.cancel', { id: running.id });
    await app.runner.shutdown(1000);
    expect((await call('runs.list', { parentRunId: running.id })).items).toEqual([]);
    expect(executor.calls).toHaveLength(1);
  });

  it('refuses a run that is not running, naming its status', async () => {
    const { task } = await makeTask();
    const done = await call('tasks.run', { id: task.id });
    await expectError(
      call('runs.cancel', { id: done.id }),
      'CONFLICT',
      /is not running \(it is succeeded\); only a running run can be cancelled/,
    );
  });

  it('refuses an unknown id as not found and a malformed one as invalid', async () => {
    await expectError(call('runs.cancel', { id: 'no-such-run' }), 'NOT_FOUND', /No run with id/);
    await expectError(call('runs.cancel', { id: '' } as never), 'VALIDATION', /id/);
    await expectError(call('runs.cancel', {} as never), 'VALIDATION', /id/);
  });

  it('refuses a run of another instance, saying which one runs it and to cancel it there', async () => {
    await app.store.insertRun(
      runRecord('r-elsewhere', new Date().toISOString(), {
        status: 'running',
        instanceId: 'instance-b',
        finishedAt: undefined,
        durationMs: undefined,
      }),
    );
    await expectError(
      call('runs.cancel', { id: 'r-elsewhere' }),
      'CONFLICT',
      /runs on instance instance-b, not on this one .*; cancel it through the instance that runs it/,
    );
  });

  it('refuses a running record that nothing on this instance runs', async () => {
    const left = runRecord('r-left', new Date().toISOString(), { status: 'running' });
    delete left.finishedAt;
    delete left.durationMs;
    await app.store.insertRun(left);
    await expectError(
      call('runs.cancel', { id: 'r-left' }),
      'CONFLICT',
      /nothing on this instance runs it/,
    );
  });
});
