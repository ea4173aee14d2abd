/**
 * The json run log's memory bounds (docs/storage.md, "What memory holds"): hours that are over
 * leave memory once nothing in them is pending or running, past segments stay within the cache's
 * bounds on writes as on reads, and runs in segments that left memory are read back from disk.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLog, type RunLogOptions } from '../../../src/main/store/json/run-log';
import type { Run } from '../../../src/shared/domain';
import { at, run } from '../../support/fixtures';

const HOUR_MINUTES = 60;
let dir: string;
let log: RunLog;
/** The run log's wall clock (minutes after 2026-01-01T00:00Z, see `at`). */
let minutes = 0;

async function openLog(options: RunLogOptions = {}): Promise<RunLog> {
  log = new RunLog(dir, { now: () => Date.parse(at(minutes)), ...options });
  await log.open();
  return log;
}

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'json-run-log-bounds-'));
  minutes = 0;
});

afterEach(async () => {
  await log.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** A run with a core id (its time prefix names its hour) started `minute` minutes after T0. */
function runAt(minute: number, n: number, overrides: Partial<Run> = {}): Run {
  const startedAt = new Date(Date.parse(at(minute)) + (n % 1000)).toISOString();
  const id = `${Date.parse(startedAt).toString(16).padStart(12, '0')}${(n % 4096).toString(16).padStart(3, '0')}abcdef01`;
  return run(id, startedAt, { taskId: `task-${n % 7}`, ...overrides });
}

/** Records `count` runs in the hour `hour` as the runner does: `running`, then final. */
async function recordHour(hour: number, count: number, from = 0): Promise<Run[]> {
  const runs = Array.from({ length: count }, (_, i) =>
    runAt(hour * HOUR_MINUTES + (i % 59), from + i, { status: 'running' }),
  );
  await Promise.all(runs.map((r) => log.insert(r)));
  const finals = runs.map((r) => ({ ...r, status: 'succeeded' as const }));
  await Promise.all(finals.map((r) => log.update(r)));
  return finals;
}

describe('json run log memory bounds', () => {
  it('releases an hour once it is over and nothing in it is pending or running, and reads its runs back from disk', async () => {
    await openLog();
    const first = await recordHour(0, 200);
    expect(log.stats()).toMatchObject({ cachedSegments: 1, liveSegments: 1, cachedRuns: 200 });

    minutes = HOUR_MINUTES; // the clock reaches the next hour
    const second = await recordHour(1, 50, 200);

    expect(log.stats()).toMatchObject({
      segments: 2,
      cachedSegments: 1,
      liveSegments: 1,
      cachedRuns: 50,
    });
    for (const r of [first[0]!, first[199]!, second[0]!]) expect(await log.get(r.id)).toEqual(r);
    const page = await log.list({ limit: 1000 });
    expect(page.items).toHaveLength(250);
    expect(new Set(page.items.map((r) => r.id))).toEqual(
      new Set([...first, ...second].map((r) => r.id)),
    );
  });

  it('keeps an hour that is over while one of its runs is still running, and releases it when that run finishes', async () => {
    await openLog();
    await recordHour(0, 20);
    const late = runAt(59, 999, { status: 'running' });
    await log.insert(late);

    minutes = HOUR_MINUTES;
    await recordHour(1, 10, 100);
    expect(log.stats()).toMatchObject({ cachedSegments: 2, cachedRuns: 31 });

    const finished = { ...late, status: 'failed' as const };
    await log.update(finished);
    // Its append round sees the hour with nothing running and releases it (done by the time a
    // flush, queued after it, is).
    await log.flush();
    expect(log.stats()).toMatchObject({ cachedSegments: 1, cachedRuns: 10 });
    expect(await log.get(late.id)).toEqual(finished);
    expect(await log.runningRuns()).toEqual([]);
  });

  it('stays flat over many hours of recording: at most the current hour is held', async () => {
    await openLog();
    const all: Run[] = [];
    for (let hour = 0; hour < 12; hour++) {
      minutes = hour * HOUR_MINUTES;
      all.push(...(await recordHour(hour, 40, hour * 40)));
      expect(log.stats().cachedSegments).toBeLessThanOrEqual(1);
      expect(log.stats().cachedRuns).toBeLessThanOrEqual(40);
    }
    expect(log.stats()).toMatchObject({ segments: 12, cachedLines: 0 });
    const page = await log.list({ limit: 1000 });
    expect(page.items.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
    const some = all.filter((_, i) => i % 37 === 0);
    for (const r of some) expect(await log.get(r.id)).toEqual(r);
  });

  it('keeps past hours written to (an import) within its run bound, dropping the least recently used first', async () => {
    minutes = 30 * HOUR_MINUTES; // every hour written below is in the past
    await openLog({ cacheRuns: 100 });
    const all: Run[] = [];
    for (let hour = 0; hour < 10; hour++) {
      all.push(...(await recordHour(hour, 30, hour * 30)));
      const { cachedRuns } = log.stats();
      // The bound, plus at most the segment just used.
      expect(cachedRuns).toBeLessThanOrEqual(100 + 30);
    }
    expect(log.stats().cachedSegments).toBeLessThan(10);
    const page = await log.list({ limit: 1000 });
    expect(page.items).toHaveLength(300);
    for (const r of all.filter((_, i) => i % 29 === 0)) expect(await log.get(r.id)).toEqual(r);
    expect(log.stats().cachedRuns).toBeLessThanOrEqual(100 + 30);
  });

  it('keeps segments read for queries within its byte bound, and answers queries over all of them', async () => {
    minutes = 30 * HOUR_MINUTES;
    await openLog();
    const all: Run[] = [];
    for (let hour = 0; hour < 8; hour++) all.push(...(await recordHour(hour, 25, hour * 25)));
    await log.close();
    // Reopened with a small byte bound: each segment read is about 25 records of ~400 bytes.
    await openLog({ cacheBytes: 30_000 });

    const page = await log.list({ limit: 1000 });
    expect(page.items.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
    const { cachedBytes, cachedSegments } = log.stats();
    expect(cachedSegments).toBeLessThan(8);
    // The bound, plus at most the segment read last (its file's text and its entries).
    const sizes = await Promise.all(
      (await fs.readdir(join(dir, 'runs')))
        .filter((name) => name.endsWith('.jsonl'))
        .map(async (name) => (await fs.stat(join(dir, 'runs', name))).size),
    );
    expect(cachedBytes).toBeLessThanOrEqual(30_000 + Math.max(...sizes) + 25 * 210);
    expect(await log.taskIds(at(0), at(8 * HOUR_MINUTES))).toEqual(
      new Set(all.map((r) => r.taskId)),
    );
  });

  it('does not count the current hour against the bound, so a past hour being paged stays in memory', async () => {
    minutes = 10 * HOUR_MINUTES;
    await openLog();
    await recordHour(2, 30); // a past hour
    await log.close();
    await openLog({ cacheRuns: 50 });
    await recordHour(10, 120, 100); // the current hour, past the bound on its own

    const first = await log.list({ from: at(120), to: at(180), limit: 10 });
    await log.insert(runAt(10 * HOUR_MINUTES + 30, 999));
    await log.flush(); // the append round's trim is done
    expect(log.stats()).toMatchObject({ cachedSegments: 2, cachedRuns: 30 + 121 });
    const next = await log.list({
      from: at(120),
      to: at(180),
      limit: 10,
      cursor: first.nextCursor!,
    });
    expect(next.items).toHaveLength(10);
  });
});
