/**
 * `Store.runStats` on every backend (memory, json, mongodb on the stand-in or MONGODB_URI): the
 * same runs give the same figures, computed over the whole period and kept current as runs are
 * recorded, finished and deleted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bucketLayout,
  durationFigures,
  type RunStatsQuery,
} from '../../../src/main/store/run-stats';
import type { Store } from '../../../src/main/store/types';
import { RUN_STATUSES, type Run, type RunStatus } from '../../../src/shared/domain';
import { at, run } from '../../support/fixtures';
import { useStoreBackends, type StoreHarness } from '../../support/store-backends';

const HOUR = 3_600_000;
const DAY_FROM = at(0); // 2026-01-01T00:00Z
const DAY_TO = at(24 * 60);

const query = (over: Partial<RunStatsQuery> = {}): RunStatsQuery => ({
  from: DAY_FROM,
  to: DAY_TO,
  includeTests: false,
  buckets: 24,
  ...over,
});

/** 100 runs of task-a (durations 1..100 ms) and 10 of task-b, spread over the day. */
function sampleRuns(): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < 100; i++) {
    const status: RunStatus = i % 10 === 0 ? 'failed' : i % 25 === 1 ? 'skipped' : 'succeeded';
    runs.push(
      run(`a-${String(i).padStart(3, '0')}`, at(i * 14), {
        taskId: 'task-a',
        taskName: 'Task A',
        durationMs: i + 1,
        status,
      }),
    );
  }
  for (let i = 0; i < 10; i++) {
    runs.push(
      run(`b-${i}`, at(i * 60 + 30), {
        taskId: 'task-b',
        taskName: 'Task B',
        type: 'db',
        durationMs: 1000 * (i + 1),
      }),
    );
  }
  runs.push(
    run('t-1', at(90), { taskId: '', taskName: 'Test of C', trigger: { kind: 'test' } }),
    run('before', at(-1), { taskId: 'task-a' }),
    run('at-end', DAY_TO, { taskId: 'task-a' }),
  );
  return runs.sort((x, y) => (x.startedAt < y.startedAt ? -1 : 1));
}

type Harness = StoreHarness;

const backends = useStoreBackends('run-stats');

for (const [name, create] of Object.entries(backends)) {
  describe(`${name} store runStats`, () => {
    let harness: Harness;
    let store: Store;
    beforeEach(async () => {
      harness = await create();
      store = harness.store;
      for (const r of sampleRuns()) await store.insertRun(r);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('counts every run of the period once, per status, with every status present', async () => {
      const stats = await store.runStats(query());
      expect(Object.keys(stats.totals.counts).sort()).toEqual([...RUN_STATUSES].sort());
      expect(stats.totals.runs).toBe(110);
      expect(stats.totals.counts).toMatchObject({ failed: 10, skipped: 4, succeeded: 96 });
      expect(stats.totals.tasks).toBe(2);
      const summed = stats.buckets.reduce(
        (n, b) => n + RUN_STATUSES.reduce((m, s) => m + b.counts[s], 0),
        0,
      );
      expect(summed).toBe(110);
      expect(stats.bucketMs).toBe(HOUR);
      expect(stats.buckets).toHaveLength(24);
      expect(stats.buckets[0]!.start).toBe(DAY_FROM);
    });

    it('gives exact percentiles and success rates per task and overall', async () => {
      const stats = await store.runStats(query());
      const [a, b] = stats.tasks;
      expect(a).toMatchObject({ taskId: 'task-a', taskName: 'Task A', type: 'api', runs: 100 });
      expect(a).toMatchObject({ p50: 50, p95: 95, max: 100, judged: 96, succeeded: 86 });
      expect(a!.successRate).toBeCloseTo(86 / 96);
      expect(b).toMatchObject({ taskId: 'task-b', type: 'db', runs: 10, p50: 5000, p95: 10000 });
      expect(b).toMatchObject({ max: 10000, successRate: 1 });
      expect(stats.totals).toMatchObject({ p50: 55, max: 10000 });
    });

    it('keeps test runs out unless asked, and filters by task and type', async () => {
      expect((await store.runStats(query({ includeTests: true }))).totals.runs).toBe(111);
      const onlyB = await store.runStats(query({ taskId: 'task-b' }));
      expect(onlyB.totals.runs).toBe(10);
      expect(onlyB.tasks.map((t) => t.taskId)).toEqual(['task-b']);
      expect((await store.runStats(query({ type: 'db' }))).totals.runs).toBe(10);
      expect((await store.runStats(query({ type: 'file' }))).totals.runs).toBe(0);
    });

    it('counts a run at the period start and leaves out the one at its end', async () => {
      const hour = await store.runStats(query({ from: at(-60), to: DAY_FROM, buckets: 1 }));
      expect(hour.totals.runs).toBe(1); // `before`
      const part = await store.runStats(query({ from: at(15), to: at(45), buckets: 30 }));
      // a-001 (14 min) is before, a-002 (28 min) and b-0 (30 min) are in, a-003 (42) too
      expect(part.totals.runs).toBe(3);
      expect(part.bucketMs).toBe(60_000);
    });

    it('follows runs as they finish, arrive late and are deleted', async () => {
      await store.runStats(query()); // the json store keeps aggregates of this day's hours
      const late = run('late', at(61), { taskId: 'task-b', status: 'running' });
      delete late.durationMs;
      await store.insertRun(late);
      let stats = await store.runStats(query());
      expect(stats.totals.counts.running).toBe(1);
      await store.updateRun({ ...late, status: 'failed', durationMs: 50_000 });
      stats = await store.runStats(query({ taskId: 'task-b' }));
      expect(stats.totals).toMatchObject({ runs: 11, max: 50_000 });
      expect(stats.totals.counts).toMatchObject({ running: 0, failed: 1 });
      await store.deleteRuns({ taskId: 'task-b' });
      expect((await store.runStats(query({ taskId: 'task-b' }))).totals.runs).toBe(0);
      expect((await store.runStats(query())).totals.runs).toBe(100);
    });

    it('answers the same after the store reopens', async () => {
      const before = await store.runStats(query({ includeTests: true }));
      if (harness.reopen) store = await harness.reopen();
      expect(await store.runStats(query({ includeTests: true }))).toEqual(before);
    });
  });
}

describe('run stats figures', () => {
  it('finds the same nearest-rank percentiles as sorting, for any durations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }),
        (xs) => {
          const sorted = [...xs].sort((a, b) => a - b);
          const rank = (p: number): number => sorted[Math.ceil(p * sorted.length) - 1]!;
          expect(durationFigures(xs)).toEqual({
            p50: rank(0.5),
            p95: rank(0.95),
            max: sorted.at(-1),
          });
        },
      ),
    );
    expect(durationFigures([])).toEqual({});
  });

  it('picks round bucket widths aligned to UTC that fit in the buckets asked for', () => {
    const from = Date.parse('2026-01-01T00:10:00Z');
    expect(bucketLayout(from, from + 24 * HOUR, 24)).toMatchObject({ widthMs: 3 * HOUR, count: 9 });
    expect(bucketLayout(from, from + 24 * HOUR, 100)).toMatchObject({ widthMs: 15 * 60_000 });
    expect(bucketLayout(from, from + 400 * 24 * HOUR, 1).count).toBe(1);
    const l = bucketLayout(from, from + 30 * 24 * HOUR, 100);
    expect(l).toMatchObject({ widthMs: 12 * HOUR, count: 61 });
    expect(l.startMs % l.widthMs).toBe(0);
  });
});
