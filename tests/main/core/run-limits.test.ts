/**
 * The runner's limits: a task's `maxConcurrent` beside the global `concurrency`, the wait each run
 * records as `queuedMs`, and the queue `system.info` reports. Executors hold every run until the
 * test settles it, on fake time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { EventBus } from '../../../src/main/core/event-bus';
import { createIdGenerator } from '../../../src/main/core/ids';
import { TaskRunner } from '../../../src/main/core/task-runner';
import { createExecutors } from '../../../src/main/compose';
import type { ExecutionRequest } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { SystemInfo } from '../../../src/shared/contract';
import type { Configuration, Run, Task } from '../../../src/shared/domain';
import { FakeClock } from '../../support/fake-clock';

const config: Configuration = {
  id: 'c1',
  name: 'target',
  type: 'api',
  params: { url: 'http://127.0.0.1:9/' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const baseTask: Task = {
  id: 't1',
  name: 'limited',
  type: 'api',
  operation: 'read',
  configId: 'c1',
  timeoutMs: 60_000,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

interface Held {
  request: ExecutionRequest;
  ok: () => void;
  fail: () => void;
}

function held(concurrency: number): { runner: TaskRunner; clock: FakeClock; calls: Held[] } {
  const clock = new FakeClock();
  const calls: Held[] = [];
  const runner = new TaskRunner({
    store: new MemoryStore(),
    executors: {
      api: {
        execute: (request: ExecutionRequest) =>
          new Promise((resolve, reject) => {
            calls.push({
              request,
              ok: () => resolve({ result: { summary: 'done' } }),
              fail: () => reject(new Error('failed on purpose')),
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
    random: () => 0.5,
  });
  return { runner, clock, calls };
}

const run = (task: Partial<Task> = {}, n = 0): Parameters<TaskRunner['start']>[0] => ({
  task: { ...baseTask, ...task },
  config,
  operation: 'read',
  trigger: { kind: 'manual' },
  scheduledFor: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
});

describe('a task with maxConcurrent', () => {
  it('executes at most that many of its runs at once, the rest in the order they came', async () => {
    const { runner, clock, calls } = held(10);
    const runs = Array.from({ length: 5 }, (_, i) => runner.start(run({ maxConcurrent: 2 }, i)));
    await clock.runDue();
    expect(calls).toHaveLength(2);
    expect(runner.activeCount).toBe(2);
    expect(runner.queuedCount).toBe(3);

    calls[1]!.ok();
    await clock.runDue();
    expect(calls).toHaveLength(3);
    calls[0]!.ok();
    calls[2]!.ok();
    await clock.runDue();
    expect(calls).toHaveLength(5);
    expect(runner.activeCount).toBe(2);
    calls[3]!.ok();
    calls[4]!.ok();
    const finished = await Promise.all(runs.map((r) => r.finished));
    expect(calls.map((c) => c.request.task?.id)).toEqual(['t1', 't1', 't1', 't1', 't1']);
    expect(finished.map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
    expect(runner.queuedCount).toBe(0);
  });

  it('lets runs of other tasks pass while it waits at its limit', async () => {
    const { runner, clock, calls } = held(10);
    runner.start(run({ maxConcurrent: 1 }));
    runner.start(run({ maxConcurrent: 1 }));
    runner.start(run({ id: 't2', name: 'free' }));
    await clock.runDue();
    expect(calls.map((c) => c.request.task?.id)).toEqual(['t1', 't2']);
    expect(runner.queuedCount).toBe(1);
  });

  it('waits for a global slot too, without jumping ahead of runs already waiting for one', async () => {
    const { runner, clock, calls } = held(2);
    runner.start(run({ maxConcurrent: 1 }, 0)); // t1 runs
    runner.start(run({ maxConcurrent: 1 }, 1)); // t1 waits for its task
    runner.start(run({ id: 't2' }, 2)); // t2 runs: 2 slots in use
    runner.start(run({ id: 't3' }, 3)); // waits for a global slot
    await clock.runDue();
    expect(calls.map((c) => c.request.task?.id)).toEqual(['t1', 't2']);
    expect(runner.queuedCount).toBe(2);

    // t1's run ends: its next run may pass its task's gate, but t3 waited for a slot first.
    calls[0]!.ok();
    await clock.runDue();
    expect(calls.map((c) => c.request.task?.id)).toEqual(['t1', 't2', 't3']);
    calls[1]!.ok();
    await clock.runDue();
    expect(calls.map((c) => c.request.task?.id)).toEqual(['t1', 't2', 't3', 't1']);
    expect(runner.queuedCount).toBe(0);
  });

  it('frees its slot during a retry backoff, so its next run goes first', async () => {
    const { runner, clock, calls } = held(10);
    const flaky = runner.start(
      run({ maxConcurrent: 1, retry: { attempts: 2, backoffMs: 1000, factor: 1 } }),
    );
    const next = runner.start(run({ maxConcurrent: 1 }));
    await clock.runDue();
    calls[0]!.fail();
    await clock.runDue();
    expect(calls).toHaveLength(2); // the waiting run took the task's slot
    calls[1]!.ok();
    expect((await next.finished).status).toBe('succeeded');
    await clock.advance(1000);
    expect(calls).toHaveLength(3);
    calls[2]!.ok();
    expect(await flaky.finished).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('drops its waiting runs at shutdown without recording them', async () => {
    const { runner, clock, calls } = held(10);
    const first = runner.start(run({ maxConcurrent: 1 }));
    const waiting = runner.start(run({ maxConcurrent: 1 }));
    await clock.runDue();
    const done = runner.shutdown(1000);
    await expect(waiting.finished).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    calls[0]!.ok();
    await clock.advance(0);
    await done;
    expect((await first.finished).status).toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect(runner.queuedCount).toBe(0);
  });
});

describe('queuedMs', () => {
  it('records how long each run waited for a slot, and 0 for one that did not wait', async () => {
    const { runner, clock, calls } = held(1);
    const first = runner.start(run());
    const second = runner.start(run());
    await clock.runDue();
    await clock.advance(750);
    calls[0]!.ok();
    await clock.runDue();
    expect((await second.started).queuedMs).toBe(750);
    calls[1]!.ok();
    expect((await first.finished).queuedMs).toBe(0);
    expect((await second.finished).queuedMs).toBe(750);
  });

  it('counts a wait at the task limit as well as at the global one', async () => {
    const { runner, clock, calls } = held(5);
    runner.start(run({ maxConcurrent: 1 }));
    const second = runner.start(run({ maxConcurrent: 1 }));
    await clock.runDue();
    await clock.advance(300);
    expect(runner.oldestQueuedMs).toBe(300);
    calls[0]!.ok();
    await clock.runDue();
    calls[1]!.ok();
    expect((await second.finished).queuedMs).toBe(300);
    expect(runner.oldestQueuedMs).toBe(0);
  });
});

let app: App | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A 127.0.0.1 server that answers after `release()`, counting requests in flight. */
async function slowServer(): Promise<{
  url: string;
  inFlight: () => number;
  peak: () => number;
  release: () => void;
}> {
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let peak = 0;
  let released = false;
  server = http.createServer((_req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const answer = (): void => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    if (released) answer();
    else waiting.push(answer);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`,
    inFlight: () => inFlight,
    peak: () => peak,
    release: () => {
      released = true;
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('limits through the core API', () => {
  it('sends a slow server at most maxConcurrent requests of a task, and system.info shows the queue', async () => {
    const target = await slowServer();
    app = createApp({ store: new MemoryStore(), executors: createExecutors() });
    await app.start();
    const saved = await app.core.call('configs.save', {
      config: { name: 'slow', type: 'api', params: { url: target.url } },
    });
    const task = await app.core.call('tasks.save', {
      task: {
        name: 'two at a time',
        type: 'api',
        operation: 'read',
        configId: saved.id,
        maxConcurrent: 2,
      },
    });
    const runs = Array.from({ length: 6 }, () => app!.core.call('tasks.run', { id: task.id }));
    await until(() => target.inFlight() === 2, 'two requests reach the server');
    const info = async (): Promise<SystemInfo['scheduler']> =>
      (await app!.core.call('system.info', {})).scheduler;
    expect(await info()).toMatchObject({
      activeRuns: 2,
      queuedRuns: 4,
      concurrency: app.core.currentSettings.concurrency,
    });
    // The oldest wait grows while the server holds the first two.
    await until(async () => (await info()).oldestQueuedMs >= 30, 'the oldest wait reaches 30 ms');

    target.release();
    const finished: Run[] = await Promise.all(runs);
    expect(finished.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(target.peak()).toBe(2);
    expect(finished.filter((r) => (r.queuedMs ?? 0) > 0).length).toBeGreaterThanOrEqual(1);
    expect((await app.core.call('system.info', {})).scheduler).toMatchObject({
      activeRuns: 0,
      queuedRuns: 0,
      oldestQueuedMs: 0,
    });
  });
});
