/**
 * The json run log's summaries file (`runs/summary.json`): task ids are stored once for the whole
 * file with a bitset per segment (version 2), and files of version 1 (task ids as strings per
 * segment) are still trusted at open.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLog } from '../../../src/main/store/json/run-log';
import { RUNS_DIR, SUMMARY_FILE, writeSegmentFile } from '../../../src/main/store/json/segment';
import type { Run } from '../../../src/shared/domain';
import { at, run } from '../../support/fixtures';

let dir: string;
let log: RunLog | undefined;

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'json-run-summaries-'));
  await fs.mkdir(join(dir, RUNS_DIR));
});

afterEach(async () => {
  await log?.close();
  log = undefined;
  await fs.rm(dir, { recursive: true, force: true });
});

function runAt(minute: number, n: number, taskId: string): Run {
  const startedAt = at(minute);
  const id = `${Date.parse(startedAt).toString(16).padStart(12, '0')}${n.toString(16).padStart(3, '0')}abcdef01`;
  return run(id, startedAt, { taskId });
}

/** Hour 0: tasks a and b; hour 1: a and c; hour 2: a only. Returns the runs by hour. */
function writeHistory(): Map<string, Run[]> {
  const hours = new Map<string, Run[]>([
    ['2026-01-01T00', [runAt(1, 1, 'task-a'), runAt(2, 2, 'task-b'), runAt(3, 3, 'task-b')]],
    ['2026-01-01T01', [runAt(61, 4, 'task-a'), runAt(62, 5, 'task-c')]],
    ['2026-01-01T02', [runAt(121, 6, 'task-a')]],
  ]);
  return hours;
}

async function openLog(): Promise<RunLog> {
  log = new RunLog(dir, { now: () => Date.parse(at(600)) });
  await log.open();
  return log;
}

describe('json run summaries file', () => {
  it('trusts a summary file of version 1 at open and answers task filters from it', async () => {
    const hours = writeHistory();
    const segments: Record<string, unknown> = {};
    for (const [key, runs] of hours) {
      const s = await writeSegmentFile(join(dir, RUNS_DIR), key, runs);
      segments[key] = {
        size: s.size,
        mtimeMs: s.mtimeMs,
        runs: s.runs,
        taskIds: [...s.taskIds],
        types: [...s.types],
        statuses: [...s.statuses],
        running: [...s.running],
        foreign: [...s.foreign],
      };
    }
    await fs.writeFile(join(dir, RUNS_DIR, SUMMARY_FILE), JSON.stringify({ version: 1, segments }));

    const opened = await openLog();
    expect(opened.stats()).toMatchObject({ segments: 3, cachedSegments: 0 });
    const readsBefore = opened.stats().segmentReads;
    const page = await opened.list({ taskId: 'task-b', limit: 10 });
    expect(page.items.map((r) => r.id)).toEqual(
      hours
        .get('2026-01-01T00')!
        .slice(1)
        .map((r) => r.id)
        .reverse(),
    );
    // Only the hour whose summary names task-b was read.
    expect(opened.stats().segmentReads - readsBefore).toBe(1);
    expect(await opened.taskIds(at(60), at(180))).toEqual(new Set(['task-a', 'task-c']));
  });

  it('saves each task id once with a bitset per segment, and reads them back after a reopen', async () => {
    const hours = writeHistory();
    let opened = await openLog();
    for (const runs of hours.values()) for (const r of runs) await opened.insert(r);
    await opened.close();
    log = undefined;

    const saved = JSON.parse(await fs.readFile(join(dir, RUNS_DIR, SUMMARY_FILE), 'utf8')) as {
      version: number;
      tasks: string[];
      segments: Record<string, { taskBits: string; runs: number }>;
    };
    expect(saved.version).toBe(2);
    expect([...saved.tasks].sort()).toEqual(['task-a', 'task-b', 'task-c']);
    expect(Object.keys(saved.segments).sort()).toEqual([...hours.keys()]);
    expect(JSON.stringify(saved)).not.toContain('"taskIds"');

    opened = await openLog();
    expect(opened.stats()).toMatchObject({ segments: 3, cachedSegments: 0 });
    expect(await opened.taskIds()).toEqual(new Set(['task-a', 'task-b', 'task-c']));
    expect(await opened.taskIds(at(0), at(60))).toEqual(new Set(['task-a', 'task-b']));
    expect(await opened.taskIds(at(120), at(180))).toEqual(new Set(['task-a']));
    const page = await opened.list({ taskId: 'task-c', limit: 10 });
    expect(page.items).toEqual([hours.get('2026-01-01T01')![1]]);
    expect(opened.stats().cachedSegments).toBe(1);
  });

  it('reads back exactly the task ids of each hour when other stores in this process named other tasks first', async () => {
    // Another data dir in this process names 40 tasks first, so this one's ids are not the
    // first ones the process knows of: its file numbers them on its own.
    const other = new RunLog(join(dir, 'other'), { now: () => Date.parse(at(600)) });
    await other.open();
    for (let i = 0; i < 40; i++) await other.insert(runAt(i, i, `other-${i}`));
    await other.close();

    const opened = await openLog();
    const expected = new Map<number, Set<string>>();
    let n = 0;
    for (let hour = 0; hour < 5; hour++) {
      const ids = new Set<string>();
      for (let i = 0; i <= hour * 3; i++) {
        const taskId = i % 4 === 0 ? `other-${i}` : `task-${hour}-${i}`;
        ids.add(taskId);
        await opened.insert(runAt(hour * 60 + i, n++, taskId));
      }
      expected.set(hour, ids);
    }
    await opened.close();
    log = undefined;

    const saved = JSON.parse(await fs.readFile(join(dir, RUNS_DIR, SUMMARY_FILE), 'utf8')) as {
      tasks: string[];
    };
    const all = new Set([...expected.values()].flatMap((ids) => [...ids]));
    expect(new Set(saved.tasks)).toEqual(all);
    expect(saved.tasks).toHaveLength(all.size);

    const reopened = await openLog();
    for (const [hour, ids] of expected) {
      expect(await reopened.taskIds(at(hour * 60), at(hour * 60 + 60))).toEqual(ids);
    }
  });
});
