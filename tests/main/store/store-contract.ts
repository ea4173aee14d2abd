/**
 * The one contract suite every `Store` backend passes (memory, json, mongodb). A backend's test
 * file calls `describeStoreContract` with a factory; `reopen` (when given) closes the store and
 * opens a new one over the same data, so persistence is checked too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/shared/domain';
import { settingsSchema } from '../../../src/shared/domain';
import { createIdGenerator } from '../../../src/main/core/ids';
import type { Store } from '../../../src/main/store/types';
import { apiConfig, at, entry, run, task } from '../../support/fixtures';
import type { StoreHarness } from '../../support/store-backends';

export function describeStoreContract(name: string, create: () => Promise<StoreHarness>): void {
  describe(`${name} store contract`, () => {
    let harness: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      harness = await create();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    async function reopenIfPersistent(): Promise<void> {
      if (harness.reopen) store = await harness.reopen();
    }

    describe('catalog', () => {
      it('stores, lists, replaces and deletes configurations', async () => {
        await store.putConfig(apiConfig('c1'));
        await store.putConfig(apiConfig('c2'));
        await store.putConfig(apiConfig('c1', { name: 'renamed' }));
        await reopenIfPersistent();
        expect((await store.listConfigs()).map((c) => c.id).sort()).toEqual(['c1', 'c2']);
        expect((await store.getConfig('c1'))?.name).toBe('renamed');
        expect(await store.deleteConfigs(['c1', 'missing'])).toBe(1);
        await reopenIfPersistent();
        expect(await store.getConfig('c1')).toBeUndefined();
        expect((await store.listConfigs()).map((c) => c.id)).toEqual(['c2']);
      });

      it('stores tasks and schedule entries by id', async () => {
        await store.putTask(task('t1', 'c1'));
        await store.putSchedule(entry('e1', 't1'));
        await store.putSchedule(entry('e2', 't1', { enabled: false }));
        await reopenIfPersistent();
        expect(await store.getTask('t1')).toEqual(task('t1', 'c1'));
        expect((await store.listSchedules()).length).toBe(2);
        expect(await store.getSchedule('e2')).toEqual(entry('e2', 't1', { enabled: false }));
        expect(await store.deleteSchedules(['e1', 'e2'])).toBe(2);
        expect(await store.deleteTasks(['t1'])).toBe(1);
        await reopenIfPersistent();
        expect(await store.listTasks()).toEqual([]);
        expect(await store.listSchedules()).toEqual([]);
      });

      it('saves schedule state without touching other fields, never rewinding lastRunAt or reviving a deleted entry', async () => {
        await store.putSchedule(entry('e1', 't1', { lastRunAt: at(5), nextRunAt: at(6) }));
        await store.putSchedule(entry('e2', 't1'));
        await store.putSchedule(entry('e3', 't1', { nextRunAt: at(9) }));
        await store.deleteSchedules(['e2']);
        // An edit lands after the scheduler took its numbers: the state write must not undo it.
        await store.putSchedule(
          entry('e1', 't1', { everySeconds: 30, lastRunAt: at(5), nextRunAt: at(6) }),
        );
        await store.saveScheduleState([
          { id: 'e1', lastRunAt: at(4), nextRunAt: at(7) },
          { id: 'e2', lastRunAt: at(8), nextRunAt: at(9) },
          { id: 'e3', lastRunAt: at(8) },
          { id: 'missing', lastRunAt: at(8) },
        ]);
        await reopenIfPersistent();
        expect(await store.getSchedule('e1')).toEqual(
          entry('e1', 't1', { everySeconds: 30, lastRunAt: at(5), nextRunAt: at(7) }),
        );
        expect(await store.getSchedule('e2')).toBeUndefined();
        expect(await store.getSchedule('missing')).toBeUndefined();
        const e3 = await store.getSchedule('e3');
        expect(e3).toEqual(entry('e3', 't1', { lastRunAt: at(8) }));
        expect(e3).not.toHaveProperty('nextRunAt');
        await store.saveScheduleState([{ id: 'e3', lastRunAt: at(10), nextRunAt: at(11) }]);
        expect(await store.getSchedule('e3')).toMatchObject({
          lastRunAt: at(10),
          nextRunAt: at(11),
        });
        expect((await store.listSchedules()).map((e) => e.id).sort()).toEqual(['e1', 'e3']);
      });

      it('returns copies, so a caller mutating a result changes nothing stored', async () => {
        await store.putTask(task('t1', 'c1'));
        const got = await store.getTask('t1');
        got!.name = 'mutated';
        (await store.listTasks())[0]!.name = 'mutated too';
        expect((await store.getTask('t1'))?.name).toBe('task t1');
      });

      it('keeps settings', async () => {
        expect(await store.getSettings()).toBeUndefined();
        const settings = settingsSchema.parse({ concurrency: 7, retention: { maxRuns: 10 } });
        await store.putSettings(settings);
        await reopenIfPersistent();
        expect(await store.getSettings()).toEqual(settings);
      });
    });

    describe('runs', () => {
      async function seed(
        count: number,
        make: (i: number) => Partial<Run> = () => ({}),
      ): Promise<Run[]> {
        const runs: Run[] = [];
        for (let i = 0; i < count; i++) {
          const r = run(`r${String(i).padStart(4, '0')}`, at(i), make(i));
          await store.insertRun(r);
          runs.push(r);
        }
        return runs;
      }

      it('records a running run and replaces it when it finishes', async () => {
        const started = run('r1', at(0), {
          status: 'running',
          finishedAt: undefined,
          durationMs: undefined,
        });
        delete started.finishedAt;
        delete started.durationMs;
        await store.insertRun(started);
        expect((await store.listRunningRuns()).map((r) => r.id)).toEqual(['r1']);
        const finished = {
          ...started,
          status: 'failed' as const,
          finishedAt: at(1),
          durationMs: 60_000,
          error: { code: 'X', message: 'boom' },
        };
        await store.updateRun(finished);
        await store.flush();
        await reopenIfPersistent();
        expect(await store.getRun('r1')).toEqual(finished);
        expect(await store.listRunningRuns()).toEqual([]);
        const page = await store.listRuns({ limit: 10 });
        expect(page.items).toEqual([finished]);
      });

      it('lists runs newest first and pages through them with a cursor', async () => {
        await seed(25);
        await reopenIfPersistent();
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listRuns({ limit: 10, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toEqual(
          Array.from({ length: 25 }, (_, i) => `r${String(24 - i).padStart(4, '0')}`),
        );
      });

      it('breaks ties in startedAt by id, newest id first', async () => {
        await store.insertRun(run('a', at(0)));
        await store.insertRun(run('c', at(0)));
        await store.insertRun(run('b', at(0)));
        const first = await store.listRuns({ limit: 2 });
        expect(first.items.map((r) => r.id)).toEqual(['c', 'b']);
        const second = await store.listRuns({ limit: 2, cursor: first.nextCursor! });
        expect(second.items.map((r) => r.id)).toEqual(['a']);
        expect(second.nextCursor).toBeUndefined();
      });

      it('filters by task, type, status and a [from, to) window on startedAt', async () => {
        await seed(30, (i) => ({
          taskId: i % 2 ? 'odd' : 'even',
          type: i % 3 === 0 ? 'db' : 'api',
          status: i % 5 === 0 ? 'failed' : 'succeeded',
        }));
        await reopenIfPersistent();
        const ids = async (q: Parameters<Store['listRuns']>[0]): Promise<string[]> =>
          (await store.listRuns(q)).items.map((r) => r.id);
        expect(await ids({ limit: 100, taskId: 'odd' })).toHaveLength(15);
        expect(await ids({ limit: 100, type: 'db' })).toHaveLength(10);
        expect(await ids({ limit: 100, status: 'failed' })).toEqual([
          'r0025',
          'r0020',
          'r0015',
          'r0010',
          'r0005',
          'r0000',
        ]);
        expect(await ids({ limit: 100, from: at(10), to: at(13) })).toEqual([
          'r0012',
          'r0011',
          'r0010',
        ]);
        expect(
          await ids({ limit: 100, from: at(10), to: at(20), type: 'db', taskId: 'even' }),
        ).toEqual(['r0018', 'r0012']);
        const paged = await store.listRuns({ limit: 2, from: at(10), to: at(20), type: 'api' });
        expect(paged.items.map((r) => r.id)).toEqual(['r0019', 'r0017']);
        const rest = await store.listRuns({
          limit: 100,
          from: at(10),
          to: at(20),
          type: 'api',
          cursor: paged.nextCursor!,
        });
        expect(rest.items.map((r) => r.id)).toEqual(['r0016', 'r0014', 'r0013', 'r0011', 'r0010']);
      });

      it('lists the runs a run started (parentRunId), across hours and page by page', async () => {
        const parentId = createIdGenerator(() => Date.parse(at(0)))();
        const child = (id: string, minutes: number, parentRunId: string, retry = false): Run =>
          run(id, at(minutes), {
            trigger: { kind: retry ? 'retry' : 'chain', parentRunId, parentTaskId: 'task-1' },
          });
        await store.insertRun(run(parentId, at(0)));
        await store.insertRun(child('c1', 1, parentId));
        await store.insertRun(child('other', 2, 'someone-else'));
        await store.insertRun(child('c2', 3, parentId, true));
        await store.insertRun(run('plain', at(4)));
        await store.insertRun(child('imported-child', 5, 'imported-parent'));
        await store.insertRun({ ...child('c3', 150, parentId), status: 'failed' });
        await store.flush();
        await reopenIfPersistent();
        const ids = async (q: Omit<Parameters<Store['listRuns']>[0], 'limit'>): Promise<string[]> =>
          (await store.listRuns({ limit: 10, ...q })).items.map((r) => r.id);
        expect(await ids({ parentRunId: parentId })).toEqual(['c3', 'c2', 'c1']);
        const first = await store.listRuns({ limit: 2, parentRunId: parentId });
        expect(first.items.map((r) => r.id)).toEqual(['c3', 'c2']);
        expect(await ids({ parentRunId: parentId, cursor: first.nextCursor! })).toEqual(['c1']);
        expect(await ids({ parentRunId: parentId, status: 'succeeded' })).toEqual(['c2', 'c1']);
        expect(await ids({ parentRunId: parentId, to: at(2) })).toEqual(['c1']);
        expect(await ids({ parentRunId: 'imported-parent' })).toEqual(['imported-child']);
        expect(await ids({ parentRunId: 'nobody' })).toEqual([]);
      });

      it('finds runs across days and months', async () => {
        await store.insertRun(run('old', '2025-12-31T23:59:59.999Z'));
        await store.insertRun(run('new', '2026-02-01T00:00:00.000Z'));
        await store.insertRun(run('mid', '2026-01-15T12:00:00.000Z'));
        await reopenIfPersistent();
        expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual([
          'new',
          'mid',
          'old',
        ]);
        expect(
          (await store.listRuns({ limit: 10, from: '2026-01-01T00:00:00.000Z' })).items.map(
            (r) => r.id,
          ),
        ).toEqual(['new', 'mid']);
        expect(await store.getRun('old')).toBeDefined();
      });

      it('rejects a second run with the same id and leaves the first intact', async () => {
        await store.insertRun(run('r1', at(0)));
        await expect(
          store.insertRun(run('r1', at(1), { taskName: 'other' })),
        ).rejects.toMatchObject({ code: 'CONFLICT' });
        expect((await store.getRun('r1'))?.taskName).toBe('task 1');
        expect((await store.listRuns({ limit: 10 })).items).toHaveLength(1);
      });

      it('refuses to update a run it never recorded', async () => {
        await expect(store.updateRun(run('ghost', at(0)))).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect((await store.listRuns({ limit: 10 })).items).toEqual([]);
      });

      it('deletes runs in a period, of a task, or by id, and keeps the rest', async () => {
        await seed(20, (i) => ({ taskId: i < 5 ? 'first' : 'other' }));
        expect(await store.deleteRuns({ from: at(10), to: at(15) })).toBe(5);
        expect(await store.deleteRuns({ taskId: 'first' })).toBe(5);
        expect(await store.deleteRuns({ ids: ['r0019', 'nope'] })).toBe(1);
        await store.flush();
        await reopenIfPersistent();
        const left = (await store.listRuns({ limit: 100 })).items.map((r) => r.id);
        expect(left).toEqual([
          'r0018',
          'r0017',
          'r0016',
          'r0015',
          'r0009',
          'r0008',
          'r0007',
          'r0006',
          'r0005',
        ]);
        expect(await store.getRun('r0012')).toBeUndefined();
      });

      it('tells which tasks ran in a period', async () => {
        await seed(10, (i) => ({ taskId: `t${i % 3}` }));
        await reopenIfPersistent();
        expect([...(await store.taskIdsWithRuns(at(0), at(2)))].sort()).toEqual(['t0', 't1']);
        expect([...(await store.taskIdsWithRuns(at(5)))].sort()).toEqual(['t0', 't1', 't2']);
        expect([...(await store.taskIdsWithRuns(undefined, at(1)))]).toEqual(['t0']);
      });

      it('applies retention by age and by count, keeping the newest runs', async () => {
        // Three days of runs, ten per day.
        for (let day = 0; day < 3; day++) {
          for (let i = 0; i < 10; i++) {
            await store.insertRun(run(`d${day}-${i}`, at(day * 1440 + i)));
          }
        }
        const now = Date.parse(at(3 * 1440));
        const droppedByAge = await store.applyRetention({ maxAgeDays: 2 }, now);
        expect(droppedByAge).toBe(10);
        expect(await store.getRun('d0-5')).toBeUndefined();
        const droppedByCount = await store.applyRetention({ maxRuns: 10 }, now);
        // Stores may drop whole segments, so they keep at least maxRuns and never drop the newest.
        expect(droppedByCount).toBeGreaterThan(0);
        await store.flush();
        await reopenIfPersistent();
        const left = (await store.listRuns({ limit: 100 })).items.map((r) => r.id);
        expect(left.length).toBeGreaterThanOrEqual(10);
        expect(left.length).toBe(20 - droppedByCount);
        expect(left.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `d2-${9 - i}`));
      });
    });
  });
}
