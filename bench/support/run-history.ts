/**
 * Writes a large run history straight into a json store data dir, in the store's own segment
 * format (one file per UTC hour plus the summary), so benches can build a million runs in seconds.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createIdGenerator } from '../../src/main/core/ids';
import {
  RUNS_DIR,
  segmentKeyOfMs,
  writeSegmentFile,
  writeSummaries,
  type SegmentSummary,
} from '../../src/main/store/json/segment';
import type { Run } from '../../src/shared/domain';

const HOUR = 3_600_000;

/** `count` runs spread evenly over [startMs, endMs); `makeRun` builds run `i` starting at `ms`. */
export async function writeRunHistory(
  dataDir: string,
  count: number,
  startMs: number,
  endMs: number,
  makeRun: (id: string, ms: number, i: number) => Run,
): Promise<void> {
  const runsDir = join(dataDir, RUNS_DIR);
  await fs.mkdir(runsDir, { recursive: true });
  const step = (endMs - startMs) / count;
  let t = startMs;
  const ids = createIdGenerator(() => Math.floor(t));
  const summaries = new Map<string, SegmentSummary>();
  let i = 0;
  while (i < count) {
    const key = segmentKeyOfMs(Math.floor(t));
    const hourEnd = Date.parse(`${key}:00:00.000Z`) + HOUR;
    const runs: Run[] = [];
    while (i < count && Math.floor(t) < hourEnd) {
      runs.push(makeRun(ids(), Math.floor(t), i));
      i++;
      t += step;
    }
    summaries.set(key, await writeSegmentFile(runsDir, key, runs));
  }
  await writeSummaries(runsDir, summaries);
}

/** What a bench run is about: its task (the rest of a sample run is the same everywhere). */
export interface SampleTask {
  id: string;
  name: string;
  type: Run['type'];
  operation: Run['operation'];
  configId: string;
  configName: string;
}

/** A realistic finished run of `task` started at `ms` with `status` (bench data). */
export function sampleRun(
  id: string,
  ms: number,
  i: number,
  task: SampleTask,
  status: Run['status'],
): Run {
  const duration = 40 + (i % 400);
  return {
    id,
    taskId: task.id,
    taskName: task.name,
    type: task.type,
    operation: task.operation,
    configId: task.configId,
    configName: task.configName,
    config: { url: 'http://127.0.0.1:9/items', method: 'GET' },
    trigger: i % 10 ? { kind: 'schedule', scheduleId: `entry-${i % 1000}` } : { kind: 'manual' },
    startedAt: new Date(ms).toISOString(),
    finishedAt: new Date(ms + duration).toISOString(),
    durationMs: duration,
    status,
    attempt: 1,
    ...(status === 'failed'
      ? { error: { code: 'HTTP_STATUS', message: 'HTTP 503 Service Unavailable' } }
      : { result: { summary: 'HTTP 200, 12 items', statusCode: 200 } }),
  } as Run;
}
