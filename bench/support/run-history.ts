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
