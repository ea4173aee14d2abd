import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/core/event-bus';
import { createIdGenerator } from '../../../src/main/core/ids';
import { TaskRunner } from '../../../src/main/core/task-runner';
import type { ExecutionRequest } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Configuration, Task } from '../../../src/shared/domain';
import { FakeClock } from '../../support/fake-clock';

const config: Configuration = {
  id: 'c1',
  name: 'echo',
  type: 'api',
  params: { url: 'http://127.0.0.1:9/' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const task: Task = {
  id: 't1',
  name: 'slow',
  type: 'api',
  operation: 'read',
  configId: 'c1',
  timeoutMs: 1000,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function setup(): {
  runner: TaskRunner;
  clock: FakeClock;
  requests: ExecutionRequest[];
  finish: () => void;
} {
  const clock = new FakeClock();
  const requests: ExecutionRequest[] = [];
  let finish!: () => void;
  const runner = new TaskRunner({
    store: new MemoryStore(),
    executors: {
      api: {
        execute: (request: ExecutionRequest) => {
          requests.push(request);
          return new Promise((resolve) => {
            finish = () => resolve({ result: { data: 'late' } });
          });
        },
      },
    } as never,
    clock,
    ids: createIdGenerator(() => clock.now()),
    events: new EventBus(),
    instanceId: 'test',
    concurrency: () => 4,
    resultMaxBytes: () => 1024,
  });
  return { runner, clock, requests, finish: () => finish() };
}

describe('TaskRunner abort signal', () => {
  it('hands a signal already aborted by the timeout to an executor that reads it late, and records timed-out', async () => {
    const { runner, clock, requests, finish } = setup();
    const started = runner.start({ task, config, operation: 'read', trigger: { kind: 'manual' } });
    await started.started;
    await clock.advance(1001);

    const signal = requests[0]!.signal;
    expect(signal.aborted).toBe(true);
    expect(String((signal.reason as Error).message)).toMatch(/timed out after 1000 ms/);
    finish();
    expect(await started.finished).toMatchObject({
      status: 'timed-out',
      error: { code: 'TIMEOUT' },
    });
  });

  it('records a run whose executor never looked at the signal as timed-out once its timeout passed', async () => {
    const { runner, clock, finish } = setup();
    const started = runner.start({ task, config, operation: 'read', trigger: { kind: 'manual' } });
    await started.started;
    await clock.advance(1001);
    finish();

    const run = await started.finished;
    expect(run).toMatchObject({ status: 'timed-out', error: { code: 'TIMEOUT' } });
    expect(run.result).toBeUndefined();
  });

  it('gives an executor a live signal that the timeout aborts later', async () => {
    const { runner, clock, requests, finish } = setup();
    const started = runner.start({ task, config, operation: 'read', trigger: { kind: 'manual' } });
    await started.started;
    const signal = requests[0]!.signal;
    expect(signal.aborted).toBe(false);

    await clock.advance(1001);
    expect(signal.aborted).toBe(true);
    finish();
    expect((await started.finished).status).toBe('timed-out');
  });
});
