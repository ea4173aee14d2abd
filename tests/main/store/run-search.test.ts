/**
 * `listRuns` with `configId` and `q` (search) in every store: memory, json (across segments and
 * after a reopen, when records are read back from files) and mongodb (the stand-in unless
 * MONGODB_URI is set). The search is a literal, case-insensitive part of the task name, the
 * configuration name or the error message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunQuery, Store } from '../../../src/main/store/types';
import { at, run } from '../../support/fixtures';
import { useStoreBackends, type StoreHarness } from '../../support/store-backends';

type Harness = StoreHarness;

const backends = useStoreBackends('run-search');

for (const [name, create] of Object.entries(backends)) {
  describe(`searching runs in the ${name} store`, () => {
    let harness: Harness;
    let store: Store;
    beforeEach(async () => {
      harness = await create();
      store = harness.store;
      // Two hours apart, so the json store keeps them in two segments.
      await store.insertRun(
        run('r1', at(0), { taskName: 'Fetch orders', configName: 'Shop API', configId: 'c-shop' }),
      );
      await store.insertRun(
        run('r2', at(10), {
          taskName: 'Sync users',
          configName: 'CRM (prod)',
          configId: 'c-crm',
          status: 'failed',
          error: { code: 'HTTP_STATUS', message: 'HTTP 503 Service Unavailable from a.b' },
        }),
      );
      await store.insertRun(
        run('r3', at(130), {
          taskName: 'fetch ORDERS again',
          configName: 'Shop API',
          configId: 'c-shop',
        }),
      );
      await store.insertRun(
        run('r4', at(140), {
          taskName: 'Report',
          configName: 'Mail [.*] relay',
          configId: 'c-mail',
        }),
      );
      if (harness.reopen) store = await harness.reopen();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const ids = async (query: Omit<RunQuery, 'limit'>, limit = 100): Promise<string[]> =>
      (await store.listRuns({ ...query, limit })).items.map((r) => r.id);

    it('finds a part of the task name whatever its case, newest first', async () => {
      expect(await ids({ q: 'fetch orders' })).toEqual(['r3', 'r1']);
      expect(await ids({ q: 'ORDERS' })).toEqual(['r3', 'r1']);
    });

    it('finds a part of the configuration name or of the error message', async () => {
      expect(await ids({ q: 'crm (PROD' })).toEqual(['r2']);
      expect(await ids({ q: 'service unavailable' })).toEqual(['r2']);
      expect(await ids({ q: 'shop' })).toEqual(['r3', 'r1']);
    });

    it('matches regular expression characters literally', async () => {
      expect(await ids({ q: '[.*]' })).toEqual(['r4']);
      expect(await ids({ q: 'a.b' })).toEqual(['r2']);
      expect(await ids({ q: '.*' })).toEqual(['r4']);
      expect(await ids({ q: 'no such text' })).toEqual([]);
    });

    it('filters by configuration and combines it with the other filters and the search', async () => {
      expect(await ids({ configId: 'c-shop' })).toEqual(['r3', 'r1']);
      expect(await ids({ configId: 'c-shop', q: 'again' })).toEqual(['r3']);
      expect(await ids({ configId: 'c-shop', from: at(60) })).toEqual(['r3']);
      expect(await ids({ configId: 'c-crm', status: 'succeeded' })).toEqual([]);
      expect(await ids({ configId: 'c-none' })).toEqual([]);
    });

    it('pages a search with cursors', async () => {
      const first = await store.listRuns({ q: 'o', limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual(['r4', 'r3']);
      expect(first.nextCursor).toBeDefined();
      const second = await store.listRuns({ q: 'o', limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((r) => r.id)).toEqual(['r2', 'r1']);
    });
  });
}
