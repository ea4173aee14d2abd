import { describe, expect, it, vi } from 'vitest';
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

  it('records a run whose executor ignores the signal as timed-out at its timeout, without waiting for it', async () => {
    const { runner, clock, finish } = setup();
    const started = runner.start({ task, config, operation: 'read', trigger: { kind: 'manual' } });
    await started.started;
    await clock.advance(1001);

    const run = await started.finished;
    expect(run).toMatchObject({
      status: 'timed-out',
      error: { code: 'TIMEOUT' },
      durationMs: 1000,
    });
    expect(run.result).toBeUndefined();
    expect(runner.activeCount).toBe(0);
    finish(); // a late outcome changes nothing
    await clock.runDue();
    expect((await started.finished).status).toBe('timed-out');
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

/** A runner whose executor holds every run until the test settles it by index. */
function held(concurrency = 4): {
  runner: TaskRunner;
  clock: FakeClock;
  store: MemoryStore;
  calls: Array<{ request: ExecutionRequest; ok: () => void; fail: (message: string) => void }>;
} {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const calls: Array<{
    request: ExecutionRequest;
    ok: () => void;
    fail: (message: string) => void;
  }> = [];
  const runner = new TaskRunner({
    store,
    executors: {
      api: {
        execute: (request: ExecutionRequest) =>
          new Promise((resolve, reject) => {
            calls.push({
              request,
              ok: () => resolve({ result: { summary: 'done' } }),
              fail: (message) => reject(new Error(message)),
            });
          }),
      },
    } as never,
    clock,
    ids: createIdGenerator(() => clock.now()),
    events: new EventBus(),
    instanceId: 'test',
    concurrency: () => concurrency,
    resultMaxBytes: () => 1024,
    random: () => 0.5, // no retry jitter: the backoff is exact
  });
  return { runner, clock, store, calls };
}

const request = (overrides: Partial<Task> = {}): Parameters<TaskRunner['start']>[0] => ({
  task: { ...task, timeoutMs: 60_000, ...overrides },
  config,
  operation: 'read',
  trigger: { kind: 'manual' },
});

describe('TaskRunner concurrency', () => {
  it('starts runs beyond the limit in the order they came, as slots free', async () => {
    const { runner, clock, calls } = held(2);
    const runs = Array.from({ length: 5 }, (_, i) =>
      runner.start({ ...request(), scheduledFor: `2026-01-01T00:00:0${i}.000Z` }),
    );
    await clock.runDue();
    expect(calls).toHaveLength(2);
    expect(runner.activeCount).toBe(2);
    expect(runner.queuedCount).toBe(3);

    calls[0]!.ok();
    await clock.runDue();
    calls[1]!.ok();
    await clock.runDue();
    expect(calls).toHaveLength(4);
    calls[2]!.ok();
    calls[3]!.ok();
    await clock.runDue();
    calls[4]!.ok();
    const finished = await Promise.all(runs.map((r) => r.finished));
    expect(finished.map((r) => r.scheduledFor)).toEqual(
      runs.map((_, i) => `2026-01-01T00:00:0${i}.000Z`),
    );
    expect(calls.map((c) => c.request.task?.id)).toHaveLength(5);
    expect(runner.queuedCount).toBe(0);
  });

  it('records a waiting run as running only once it gets a slot', async () => {
    const { runner, clock, calls, store } = held(1);
    runner.start(request());
    const second = runner.start(request());
    await clock.runDue();
    expect((await store.listRuns({ limit: 10 })).items).toHaveLength(1);
    calls[0]!.ok();
    const started = await second.started;
    expect(started.status).toBe('running');
    expect((await store.listRuns({ limit: 10 })).items).toHaveLength(2);
  });
});

describe('TaskRunner retries', () => {
  it('waits the backoff between attempts, growing by the factor, and frees the slot meanwhile', async () => {
    const { runner, clock, calls } = held(1);
    const flaky = runner.start(request({ retry: { attempts: 3, backoffMs: 1000, factor: 3 } }));
    await clock.runDue();
    calls[0]!.fail('first');
    await clock.runDue();
    // While the retry waits, another run takes the only slot.
    const other = runner.start(request());
    await clock.runDue();
    expect(calls).toHaveLength(2);
    calls[1]!.ok();
    await clock.advance(999);
    expect(calls).toHaveLength(2);
    await clock.advance(1);
    expect(calls).toHaveLength(3);
    calls[2]!.fail('second');
    await clock.advance(2999);
    expect(calls).toHaveLength(3);
    await clock.advance(1);
    calls[3]!.ok();
    const last = await flaky.finished;
    expect(last).toMatchObject({ status: 'succeeded', attempt: 3, trigger: { kind: 'retry' } });
    expect((await other.finished).status).toBe('succeeded');
    expect((await flaky.started).attempt).toBe(1);
  });
});

describe('TaskRunner shutdown', () => {
  it('lets runs finish within the grace period and marks the rest interrupted', async () => {
    const { runner, clock, calls, store } = held(4);
    const quick = runner.start(request());
    const slow = runner.start(request());
    await clock.runDue();
    const done = runner.shutdown(5000);
    await clock.advance(1000);
    calls[0]!.ok();
    await clock.advance(4000);
    await done;
    expect((await quick.finished).status).toBe('succeeded');
    const interrupted = await slow.finished;
    expect(interrupted).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' } });
    expect(calls[1]!.request.signal.aborted).toBe(true);
    const stored = (await store.listRuns({ limit: 10 })).items.map((r) => r.status).sort();
    expect(stored).toEqual(['interrupted', 'succeeded']);
  });

  it('never starts runs still waiting for a slot, and refuses new ones', async () => {
    const { runner, clock, calls, store } = held(1);
    const running = runner.start(request());
    const waiting = runner.start(request());
    await clock.runDue();
    const done = runner.shutdown(1000);
    await expect(waiting.finished).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(waiting.started).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(runner.start(request()).finished).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/shutting down/),
    });
    calls[0]!.ok();
    await clock.advance(0);
    await done;
    expect((await running.finished).status).toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect((await store.listRuns({ limit: 10 })).items).toHaveLength(1);
  });

  it('keeps the last attempt of a run whose retry was waiting when the app stopped', async () => {
    const { runner, clock, calls } = held(1);
    const flaky = runner.start(request({ retry: { attempts: 3, backoffMs: 10_000, factor: 2 } }));
    await clock.runDue();
    calls[0]!.fail('boom');
    await clock.runDue();
    await runner.shutdown(1000);
    expect(await flaky.finished).toMatchObject({ status: 'failed', attempt: 1 });
    expect(calls).toHaveLength(1);
  });
});

describe('TaskRunner settle callback', () => {
  it('tells the callback the final run once, and keeps counting runs when the callback throws', async () => {
    const { runner, clock, calls } = held(1);
    const seen: Array<string | undefined> = [];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      runner.start(request(), (run) => {
        seen.push(run?.status);
        throw new Error('a buggy listener');
      });
      await clock.runDue();
      calls[0]!.ok();
      await clock.runDue();
      expect(seen).toEqual(['succeeded']);
      expect(logged.mock.calls.map((call) => call[0])).toEqual([
        'TaskRunner: an onSettled callback threw: a buggy listener',
      ]);
      // Nothing in flight is left behind: shutdown returns at once.
      await runner.shutdown(60_000);
      expect(runner.activeCount).toBe(0);
    } finally {
      logged.mockRestore();
    }
  });
});
