import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../../src/main/core/clock';
import { MongoPool } from '../../../src/main/executors/mongo-pool';
import { startMongoStandin } from '../../support/mongo-standin/index';

describe('MongoPool', () => {
  it('closes a client after it sat idle and keeps one in use', async () => {
    const standin = await startMongoStandin();
    const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
    let now = 0;
    const clock: Clock = {
      now: () => now,
      monotonic: () => now,
      setTimeout: (fn, ms) => {
        const timer = { at: now + ms, fn, cancelled: false };
        timers.push(timer);
        return timer as unknown as TimerHandle;
      },
      clearTimeout: (handle) => {
        (handle as unknown as { cancelled: boolean }).cancelled = true;
      },
    };
    const advance = (ms: number): void => {
      now += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.at <= now) timer.fn();
        else timers.push(timer);
      }
    };
    const pool = new MongoPool({ clock, idleMs: 1_000 });
    try {
      const lease = await pool.acquire(standin.uri);
      advance(5_000);
      expect(pool.size).toBe(1); // in use: never closed
      lease.release();
      advance(999);
      expect(pool.size).toBe(1);
      const again = await pool.acquire(standin.uri);
      again.release();
      advance(999);
      expect(pool.size).toBe(1); // the second use restarted the idle period
      advance(1);
      expect(pool.size).toBe(0);
    } finally {
      await pool.close();
      await standin.stop();
    }
  });
});
