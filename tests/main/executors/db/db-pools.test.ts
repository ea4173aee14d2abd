/**
 * One engine per uri: shared by runs, a new one for another pool size, none kept after a failed
 * open, closed when unused for a while and at shutdown. Real servers; time from a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { DbPools } from '../../../../src/main/executors/db/db-pools';
import type { SqlEngineApi } from '../../../../src/main/executors/db/db-engine';
import { FakeClock } from '../../../support/fake-clock';
import { PG_URI, REDIS_URI, closedPort, failure } from './db-support';

const signal = new AbortController().signal;
const call = { signal, cap: { maxRows: 10, maxBytes: 10_000 } };

describe('DbPools', () => {
  it('shares one engine per uri and opens another for another pool size', async () => {
    const pools = new DbPools();
    try {
      const a = await pools.acquire({ uri: PG_URI, operation: 'read' }, signal);
      const b = await pools.acquire({ uri: PG_URI, operation: 'write' }, signal);
      expect(b.engine).toBe(a.engine);
      const c = await pools.acquire({ uri: PG_URI, operation: 'read' }, signal, 2);
      expect(c.engine).not.toBe(a.engine);
      await pools.acquire({ uri: REDIS_URI, operation: 'read' }, signal);
      expect(pools.size).toBe(3);
      for (const lease of [a, b, c]) lease.release();
    } finally {
      await pools.close();
    }
  });

  it('keeps no engine after a failed open', async () => {
    const pools = new DbPools();
    const port = await closedPort();
    await failure(
      pools.acquire({ uri: `postgres://root@127.0.0.1:${port}/test`, operation: 'read' }, signal),
    );
    expect(pools.size).toBe(0);
    await pools.close();
  });

  it('closes an engine unused for idleMs, not one in use', async () => {
    const clock = new FakeClock();
    const pools = new DbPools({ clock, idleMs: 60_000 });
    try {
      const busy = await pools.acquire({ uri: REDIS_URI, operation: 'read' }, signal);
      const idle = await pools.acquire({ uri: PG_URI, operation: 'read' }, signal);
      idle.release();
      await clock.advance(59_000);
      expect(pools.size).toBe(2);
      await clock.advance(2_000);
      expect(pools.size).toBe(1);
      await expect(
        (idle.engine as SqlEngineApi).read({ sql: 'SELECT 1', params: [] }, call),
      ).rejects.toThrow();
      busy.release();
    } finally {
      await pools.close();
    }
  });

  it('closes every engine at shutdown and opens none after', async () => {
    const pools = new DbPools();
    const lease = await pools.acquire({ uri: PG_URI, operation: 'read' }, signal);
    lease.release();
    await pools.close();
    expect(pools.size).toBe(0);
    const error = await failure(pools.acquire({ uri: PG_URI, operation: 'read' }, signal));
    expect(error.message).toContain('shutting down');
  });
});
