/**
 * Queries of the json run log on a rare status, task or type read only the matching lines of the
 * segments not in memory (src/main/store/json/segment-scan.ts): the same pages a whole read
 * gives, the last record of a run winning, nothing found by text elsewhere in a record, and a
 * file the scan cannot trust (a line in another key order, a torn last line) read as before.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLog } from '../../../src/main/store/json/run-log';
import { RUNS_DIR, writeSegmentFile } from '../../../src/main/store/json/segment';
import type { Run, RunStatus, TaskType } from '../../../src/shared/domain';
import { at, run } from '../../support/fixtures';

let dir: string;
let log: RunLog | undefined;

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'json-segment-scan-'));
  await fs.mkdir(join(dir, RUNS_DIR));
});

afterEach(async () => {
  await log?.close();
  log = undefined;
  await fs.rm(dir, { recursive: true, force: true });
});

const TYPES: TaskType[] = ['api', 'db', 'file'];

function runAt(minute: number, n: number, overrides: Partial<Run> = {}): Run {
  const startedAt = at(minute);
  const id = `${Date.parse(startedAt).toString(16).padStart(12, '0')}${n.toString(16).padStart(4, '0')}abcdef01`;
  return run(id, startedAt, { taskId: `task-${n % 40}`, type: TYPES[n % 3]!, ...overrides });
}

const hourKey = (minute: number): string => at(minute).slice(0, 13);

/** Six hours of 240 runs each, one run in 37 skipped; written as the store writes segments. */
async function writeHours(): Promise<Run[]> {
  const all: Run[] = [];
  for (let h = 0; h < 6; h++) {
    const runs: Run[] = [];
    for (let i = 0; i < 240; i++) {
      const n = h * 240 + i;
      const status: RunStatus = n % 37 === 0 ? 'skipped' : 'succeeded';
      runs.push(runAt(h * 60 + i / 4, n, { status }));
    }
    await writeSegmentFile(join(dir, RUNS_DIR), hourKey(h * 60), runs);
    all.push(...runs);
  }
  return all;
}

async function openLog(): Promise<RunLog> {
  log = new RunLog(dir, { now: () => Date.parse(at(24 * 60)) });
  await log.open();
  return log;
}

/** Opens the log once to write its summaries file, then again: the hours start out of memory. */
async function reopenLog(): Promise<RunLog> {
  await (await openLog()).close();
  log = undefined;
  return openLog();
}

/** Every page of `query`, `limit` at a time, newest first. */
async function pages(opened: RunLog, query: Parameters<RunLog['list']>[0]): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await opened.list({ ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

const newestFirst = (runs: Run[]): string[] =>
  [...runs]
    .sort((a, b) =>
      a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1,
    )
    .map((r) => r.id);

describe('json run log: rare filters read only the matching lines', () => {
  it('pages a rare status over six hours as a whole read does, without caching the hours', async () => {
    const all = await writeHours();
    const opened = await reopenLog();
    expect(opened.stats()).toMatchObject({ cachedSegments: 0, segmentReads: 0 });
    const skipped = await pages(opened, { status: 'skipped', limit: 7 });
    expect(skipped).toEqual(newestFirst(all.filter((r) => r.status === 'skipped')));
    expect(skipped.length).toBeGreaterThan(30);
    // Read, but not kept: memory holds none of the six hours.
    expect(opened.stats()).toMatchObject({ cachedSegments: 0 });
    expect(opened.stats().segmentReads).toBeGreaterThanOrEqual(6);

    // Type and status together, one task, a type alone: the same runs as the records say.
    expect(await pages(opened, { type: 'file', status: 'skipped', limit: 5 })).toEqual(
      newestFirst(all.filter((r) => r.status === 'skipped' && r.type === 'file')),
    );
    expect(await pages(opened, { taskId: 'task-7', limit: 9 })).toEqual(
      newestFirst(all.filter((r) => r.taskId === 'task-7')),
    );
    expect(await pages(opened, { type: 'db', limit: 100 })).toEqual(
      newestFirst(all.filter((r) => r.type === 'db')),
    );
    // Whole runs come back, not only their head.
    const [first] = (await opened.list({ status: 'skipped', limit: 1 })).items;
    expect(first).toEqual(all.filter((r) => r.status === 'skipped').at(-1));
  });

  it('finds a run by the status of its last record, not by the one it was started with', async () => {
    const opened = await openLog();
    const started = runAt(5, 1, {
      status: 'running',
      finishedAt: undefined,
      durationMs: undefined,
    });
    await opened.insert(started);
    await opened.insert(runAt(6, 2, { status: 'succeeded' }));
    const finished: Run = { ...started, status: 'failed', finishedAt: at(7), durationMs: 120_000 };
    await opened.update(finished);
    await opened.close();
    log = undefined;

    const reopened = await reopenLog();
    expect((await reopened.list({ status: 'running', limit: 10 })).items).toEqual([]);
    expect((await reopened.list({ status: 'failed', limit: 10 })).items).toEqual([finished]);
    expect(
      (await reopened.list({ status: 'succeeded', limit: 10 })).items.map((r) => r.id),
    ).toEqual([runAt(6, 2).id]);
  });

  it('does not find a run whose result only holds the filter text', async () => {
    const decoy = runAt(1, 1, {
      type: 'api',
      status: 'succeeded',
      result: { data: { type: 'api', status: 'skipped', taskId: 'task-x' } },
    } as Partial<Run>);
    const real = runAt(2, 2, { type: 'api', status: 'skipped' });
    await writeSegmentFile(join(dir, RUNS_DIR), hourKey(0), [decoy, real]);
    const opened = await openLog();
    expect((await opened.list({ type: 'api', status: 'skipped', limit: 10 })).items).toEqual([
      real,
    ]);
    expect((await opened.list({ taskId: 'task-x', limit: 10 })).items).toEqual([]);
  });

  it('reads a segment with a line in another key order whole, and finds the run it holds', async () => {
    const canonical = runAt(1, 1, { status: 'succeeded' });
    const reordered = runAt(2, 2, { status: 'skipped' });
    const { status, ...rest } = reordered;
    const file = join(dir, RUNS_DIR, `${hourKey(0)}.jsonl`);
    await writeSegmentFile(join(dir, RUNS_DIR), hourKey(0), [canonical]);
    await fs.appendFile(file, `${JSON.stringify({ status, ...rest })}\n`);
    const opened = await reopenLog();
    expect(opened.stats()).toMatchObject({ cachedSegments: 0 });
    expect((await opened.list({ status: 'skipped', limit: 10 })).items).toEqual([reordered]);
    // Read whole, so it is cached as before.
    expect(opened.stats().cachedSegments).toBe(1);
  });

  it('leaves out a torn last line, as a whole read does', async () => {
    const whole = runAt(1, 1, { status: 'skipped' });
    const torn = runAt(2, 2, { status: 'skipped' });
    const file = join(dir, RUNS_DIR, `${hourKey(0)}.jsonl`);
    await writeSegmentFile(join(dir, RUNS_DIR), hourKey(0), [whole]);
    await fs.appendFile(file, JSON.stringify(torn).slice(0, 120));
    const opened = await reopenLog();
    expect((await opened.list({ status: 'skipped', limit: 10 })).items).toEqual([whole]);
    expect(opened.stats()).toMatchObject({ cachedSegments: 0 });
  });
});
