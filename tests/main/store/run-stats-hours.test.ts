/**
 * The json store's per-hour aggregates for `runs.stats` (src/main/store/json/hour-stats.ts): the
 * figures are the same as counting every run (the memory store), for any period, bucket count
 * and filter, warm or cold; and they follow deletions, retention and late runs exactly.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { RunLog } from '../../../src/main/store/json/run-log';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { durationFigures, type RunStatsQuery } from '../../../src/main/store/run-stats';
import { figuresOfSorted } from '../../../src/main/store/run-stats-figures';
import type { Run, RunStatus, TaskType } from '../../../src/shared/domain';
import { at, run } from '../../support/fixtures';

const HOURS = 48;
const TYPES: TaskType[] = ['api', 'db', 'file'];
const STATUSES: RunStatus[] = ['succeeded', 'succeeded', 'failed', 'skipped', 'running'];

/** 1,500 runs of 7 tasks (and tests) over two days; repeatable (a fixed linear congruence). */
function history(): Run[] {
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const runs: Run[] = [];
  for (let i = 0; i < 1500; i++) {
    const minute = next(HOURS * 60 - 31); // the last half hour is the current one
    const test = next(10) === 0;
    const task = next(7);
    const r = run(`r-${String(i).padStart(4, '0')}`, at(minute + next(60) / 60), {
      taskId: test ? '' : `task-${task}`,
      taskName: test ? '' : `Task ${task}`,
      configName: `Config ${task}`,
      type: TYPES[task % 3]!,
      status: STATUSES[next(STATUSES.length)]!,
      durationMs: next(40) * 5,
      ...(test ? { trigger: { kind: 'test' as const } } : {}),
    });
    if (next(8) === 0) delete r.durationMs;
    runs.push(r);
  }
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
}

const NOW = Date.parse(at(HOURS * 60 - 20));

describe('json store runs.stats over hour aggregates', () => {
  let dir: string;
  let json: JsonStore;
  let memory: MemoryStore;
  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'run-stats-hours-'));
    json = new JsonStore({ dataDir: dir, runLog: { now: () => NOW } });
    memory = new MemoryStore();
    await Promise.all([json.open(), memory.open()]);
    for (const r of history()) {
      await json.insertRun(r);
      await memory.insertRun(r);
    }
  });
  afterAll(async () => {
    await Promise.all([json.close(), memory.close()]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  const same = async (q: RunStatsQuery): Promise<void> => {
    expect(await json.runStats(q)).toEqual(await memory.runStats(q));
  };

  it('gives the same figures as counting every run, for any period, buckets and filter', async () => {
    const query = fc.record({
      fromMin: fc.integer({ min: -90, max: HOURS * 60 }),
      minutes: fc.integer({ min: 1, max: HOURS * 60 + 120 }),
      buckets: fc.integer({ min: 1, max: 500 }),
      includeTests: fc.boolean(),
      taskId: fc.option(fc.constantFrom('task-0', 'task-3', 'task-6', '', 'nobody'), {
        nil: undefined,
      }),
      type: fc.option(fc.constantFrom<TaskType>('api', 'db', 'file', 'shell' as TaskType), {
        nil: undefined,
      }),
    });
    await fc.assert(
      fc.asyncProperty(query, async (p) => {
        await same({
          from: at(p.fromMin),
          to: at(p.fromMin + p.minutes),
          buckets: p.buckets,
          includeTests: p.includeTests,
          ...(p.taskId === undefined ? {} : { taskId: p.taskId }),
          ...(p.type === undefined ? {} : { type: p.type }),
        });
      }),
      { numRuns: 60 },
    );
  });

  it('merges whole hours into day buckets and still scans the edges exactly', async () => {
    const base = { includeTests: true, buckets: 2 };
    await same({ ...base, from: at(0), to: at(HOURS * 60) });
    await same({ ...base, from: at(17.5), to: at(HOURS * 60 - 7) });
    await same({ ...base, from: at(60), to: at(120), taskId: 'task-1', type: 'db' });
  });

  it('changes its figures when runs of an hour are deleted, rewritten, dropped or late', async () => {
    const q: RunStatsQuery = { from: at(0), to: at(HOURS * 60), buckets: 24, includeTests: true };
    const before = await json.runStats(q); // every finished hour is aggregated now
    await same(q);
    // Some runs of hour 5 (the file is rewritten), then the whole of hour 6 (dropped).
    const inHour5 = history().filter((r) => r.startedAt >= at(300) && r.startedAt < at(360));
    const ids = inHour5.filter((_, i) => i % 2 === 0).map((r) => r.id);
    for (const store of [json, memory]) await store.deleteRuns({ ids });
    await same(q);
    for (const store of [json, memory]) await store.deleteRuns({ from: at(360), to: at(420) });
    await same(q);
    const after = await json.runStats(q);
    expect(after.totals.runs).toBeLessThan(before.totals.runs);
    const hour5 = Math.floor((5 * 3_600_000) / after.bucketMs);
    expect(after.buckets[hour5]!.counts).not.toEqual(before.buckets[hour5]!.counts);
    // A late run in an aggregated hour, then it finishes.
    const late = run('late-1', at(130), { taskId: 'task-2', status: 'running', durationMs: 1 });
    for (const store of [json, memory]) await store.insertRun(late);
    await same(q);
    const done = { ...late, status: 'failed' as const, durationMs: 999_999 };
    for (const store of [json, memory]) await store.updateRun(done);
    await same(q);
    expect((await json.runStats(q)).totals.max).toBe(999_999);
    // Retention drops the hours before 08:00 of the first day (a cutoff on an hour boundary,
    // where both stores drop the same runs).
    const policy = { maxAgeDays: 1 };
    const cutoffNow = Date.parse(at(32 * 60));
    for (const store of [json, memory])
      expect(await store.applyRetention(policy, cutoffNow)).toBeGreaterThan(0);
    await same(q);
    expect((await json.runStats(q)).buckets[0]!.counts.succeeded).toBe(0);
  });

  it('answers the same after the store reopens (aggregates made again from the files)', async () => {
    const q: RunStatsQuery = {
      from: at(-60),
      to: at(HOURS * 60),
      buckets: 60,
      includeTests: false,
    };
    const before = await json.runStats(q);
    await json.close();
    json = new JsonStore({ dataDir: dir, runLog: { now: () => NOW } });
    await json.open();
    expect(await json.runStats(q)).toEqual(before);
    await same(q);
  });
});

describe('json run log hour aggregates in memory', () => {
  it('keep at most the bytes allowed, and those of deleted hours go at once', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'run-stats-kept-'));
    const small = new RunLog(dir, { now: () => NOW, statsCacheBytes: 20_000 });
    const memory = new MemoryStore();
    await Promise.all([small.open(), memory.open()]);
    try {
      for (const r of history()) {
        await small.insert(r);
        await memory.insertRun(r);
      }
      const q: RunStatsQuery = { from: at(0), to: at(HOURS * 60), buckets: 48, includeTests: true };
      expect(await small.runStats(q)).toEqual(await memory.runStats(q));
      expect(small.statsKept().bytes).toBeLessThanOrEqual(20_000);
      expect(small.statsKept().hours).toBeGreaterThan(3);
      expect(await small.runStats(q)).toEqual(await memory.runStats(q)); // some kept, some read
      await small.close();

      const log = new RunLog(dir, { now: () => NOW });
      await log.open();
      await log.runStats(q);
      expect(log.statsKept().hours).toBe(HOURS); // not written to since the log opened
      await log.delete({ from: at(0), to: at(600) });
      expect(log.statsKept().hours).toBe(HOURS - 10);
      await log.close();
    } finally {
      await memory.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('percentiles over sorted slices', () => {
  it('are the nearest-rank percentiles of all the slices together, for any durations', () => {
    const slices = fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40 }), {
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(slices, (parts) => {
        const sorted = parts.map((p) => {
          // Padding around each slice: only data[lo..hi) counts.
          const data = Float64Array.from([-1, ...[...p].sort((a, b) => a - b), 1e9]);
          return { data, lo: 1, hi: data.length - 1 };
        });
        expect(figuresOfSorted(sorted)).toEqual(durationFigures(parts.flat()));
      }),
    );
  });
});
