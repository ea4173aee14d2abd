import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/core/event-bus';
import { createIdGenerator } from '../../../src/main/core/ids';
import { TaskRunner } from '../../../src/main/core/task-runner';
import type { ExecutionOutcome } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { parseParams } from '../../../src/shared/contract';
import type { Configuration, RetryPolicy, Task } from '../../../src/shared/domain';
import { RETRY_MAX_DELAY_MS, retryDelayMs } from '../../../src/shared/limits';
import { FakeClock } from '../../support/fake-clock';

const TIMER_LIMIT_MS = 2 ** 31 - 1;
const config: Configuration = {
  id: 'c1',
  name: 'echo',
  type: 'api',
  params: { url: 'http://127.0.0.1:9/' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const task = (retry: RetryPolicy): Task => ({
  id: 't1',
  name: 'flaky',
  type: 'api',
  operation: 'read',
  configId: 'c1',
  retry,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

/** A runner whose executor fails every attempt (or returns `outcome`), counting the calls. */
function failing(random: () => number, outcome?: () => ExecutionOutcome) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const attempts: number[] = [];
  const runner = new TaskRunner({
    store,
    executors: {
      api: {
        execute: () => {
          attempts.push(clock.now());
          return outcome ? Promise.resolve(outcome()) : Promise.reject(new Error('down'));
        },
      },
    } as never,
    clock,
    ids: createIdGenerator(() => clock.now()),
    events: new EventBus(),
    instanceId: 'test',
    concurrency: () => 4,
    resultMaxBytes: () => 1024,
    random,
  });
  return { runner, clock, store, attempts };
}

describe('the retry backoff', () => {
  it('grows by the factor and is capped at one hour, whatever the policy says', () => {
    const none = (): number => 0.5;
    expect(retryDelayMs({ backoffMs: 1000, factor: 3 }, 1, none)).toBe(1000);
    expect(retryDelayMs({ backoffMs: 1000, factor: 3 }, 3, none)).toBe(9000);
    expect(retryDelayMs({ backoffMs: 3_600_000, factor: 10 }, 19, none)).toBe(RETRY_MAX_DELAY_MS);
    expect(retryDelayMs({ backoffMs: 1000, factor: 1e308 }, 5, none)).toBe(RETRY_MAX_DELAY_MS);
    expect(retryDelayMs({ backoffMs: Number.NaN, factor: 2 }, 2, none)).toBe(RETRY_MAX_DELAY_MS);
    expect(retryDelayMs(undefined, 2, none)).toBe(2000);
  });

  it('spreads each wait by at most 10 % either way, and stays under the timer limit', () => {
    const policy = { backoffMs: 3_600_000, factor: 10 };
    expect(retryDelayMs(policy, 20, () => 0)).toBe(3_240_000);
    expect(retryDelayMs(policy, 20, () => 1)).toBe(3_960_000);
    expect(retryDelayMs({ backoffMs: 1000, factor: 2 }, 1, () => 0.75)).toBe(1050);
    expect(retryDelayMs({ backoffMs: 1000, factor: 2 }, 1, () => Number.NaN)).toBe(1000);
    for (let attempt = 1; attempt <= 40; attempt++) {
      const delay = retryDelayMs(policy, attempt, Math.random);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(TIMER_LIMIT_MS);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('makes the runner wait the capped delay instead of retrying after about 1 ms', async () => {
    const { runner, clock, attempts } = failing(() => 0.5);
    const started = runner.start({
      task: task({ attempts: 20, backoffMs: 3_600_000, factor: 10 }),
      config,
      operation: 'read',
      trigger: { kind: 'manual' },
    });
    await clock.runDue();
    expect(attempts).toHaveLength(1);
    await clock.advance(3_600_000 - 1);
    expect(attempts).toHaveLength(1);
    await clock.advance(1);
    expect(attempts).toHaveLength(2);
    // The third wait would be 10 hours uncapped (and 10^18 hours at the 19th): one hour.
    await clock.advance(3_600_000);
    expect(attempts).toHaveLength(3);
    expect(attempts[2]! - attempts[1]!).toBe(3_600_000);
    await runner.shutdown(0);
    expect((await started.finished).attempt).toBe(3);
  });

  it('applies the jitter from the random seam', async () => {
    const { runner, clock, attempts } = failing(() => 0);
    runner.start({
      task: task({ attempts: 2, backoffMs: 10_000, factor: 2 }),
      config,
      operation: 'read',
      trigger: { kind: 'manual' },
    });
    await clock.runDue();
    await clock.advance(8_999);
    expect(attempts).toHaveLength(1);
    await clock.advance(1);
    expect(attempts).toHaveLength(2);
  });

  it('is bounded in the schema: attempts, backoffMs and factor name their limits', () => {
    const save = (retry: unknown): unknown =>
      parseParams('tasks.save', {
        task: { name: 'x', type: 'api', operation: 'read', configId: 'c', retry },
      });
    expect(() => save({ attempts: 21 })).toThrow(/task\.retry\.attempts: must be at most 20/);
    expect(() => save({ attempts: 3, backoffMs: 3_600_001 })).toThrow(
      /task\.retry\.backoffMs: must be at most 3600000 \(1 hour\)/,
    );
    expect(() => save({ attempts: 3, factor: 11 })).toThrow(
      /task\.retry\.factor: must be at most 10/,
    );
    expect(() => save({ attempts: 3, factor: 0.5 })).toThrow(
      /task\.retry\.factor: must be at least 1/,
    );
    expect(() => save({ attempts: 3, backoffMs: -1 })).toThrow(/backoffMs: must not be negative/);
  });
});

describe('a result nested deeper than the limit', () => {
  it('is recorded as JSON text, and the run finishes instead of staying running', async () => {
    const depth = 100_000;
    const body: unknown = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    const { runner, clock, store } = failing(Math.random, () => ({ result: { body } }));
    const started = runner.start({
      task: undefined,
      config,
      operation: 'read',
      trigger: { kind: 'test' },
    });
    await clock.runDue();
    const run = await started.finished;
    expect(run.status).toBe('succeeded');
    expect(run.result).toMatchObject({
      truncated: true,
      bodyNote: expect.stringMatching(/nested more than 64/),
    });
    expect(typeof run.result?.body).toBe('string');
    const stored = await store.getRun(run.id);
    expect(stored?.status).toBe('succeeded');
  });
});
