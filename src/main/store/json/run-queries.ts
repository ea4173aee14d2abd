/**
 * The run log's query side: pages of runs newest first, the task ids that ran in a period, and
 * the runs still `running`. Each reads only the segments it needs: the hours of its window, and
 * of those only the ones whose summary shows a run that may match. Called inside the run log's
 * serial queue (RunLog), so segments do not change while a query reads them.
 */
import type { Run } from '../../../shared/domain';
import {
  childSearchFrom,
  compareRuns,
  decodeCursor,
  encodeCursor,
  matchesRunFilter,
  matchesRunRecord,
  needsRecord,
} from '../run-query';
import type { RunPage, RunQuery } from '../types';
import { lowerBound } from './run-log-parts';
import { headNeedle, selectSegment } from './segment-scan';
import type { RunLookup } from './run-lookup';
import type { RunSummaries } from './run-summaries';
import type { SegmentCache } from './segment-cache';
import { segmentEnd, segmentKeyOf, segmentStart } from './segment';

export class RunQueries {
  constructor(
    private readonly cache: SegmentCache,
    private readonly summaries: RunSummaries,
    private readonly lookup: RunLookup,
  ) {}

  /** Checks the query's times and cursor (VALIDATION) before it is queued; returns its plan. */
  plan(query: RunQuery): () => Promise<RunPage> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    let hiKey = query.to !== undefined ? segmentKeyOf(query.to) : undefined;
    if (after) {
      const cursorKey = segmentKeyOf(after.startedAt);
      if (hiKey === undefined || cursorKey < hiKey) hiKey = cursorKey;
    }
    // A run's children start after it: only the segments from its hour on can hold them.
    const from = childSearchFrom(query);
    const loKey = from !== undefined ? segmentKeyOf(from) : undefined;
    const wholeRecord = needsRecord(query);
    const needle = headNeedle(query);
    return async () => {
      const { keys } = this.cache;
      const items: Run[] = [];
      const start = hiKey === undefined ? keys.length - 1 : lowerBound(keys, hiKey);
      for (let k = Math.min(start, keys.length - 1); k >= 0; k--) {
        const key = keys[k]!;
        if (hiKey !== undefined && key > hiKey) continue;
        if (loKey !== undefined && key < loKey) break;
        if (!this.mayMatch(key, query)) continue;
        // A filter on the head's fields reads only the matching lines of a segment not in
        // memory (segment-scan.ts): a rare filter spans more segments than the cache holds.
        const { segment, sorted } = await selectSegment(this.cache, key, needle);
        for (let i = sorted.length - 1; i >= 0; i--) {
          const entry = sorted[i]!;
          if (after && compareRuns(entry, after) >= 0) continue;
          if (from !== undefined && entry.startedAt < from) break;
          if (!matchesRunFilter(entry, query)) continue;
          let run: Run | undefined;
          if (wholeRecord) {
            // Parent, configuration and search are in the record only (entries keep the
            // summary fields): read it first.
            run = this.lookup.materialize(segment, entry);
            if (!run || !matchesRunRecord(run, query)) continue;
          }
          if (items.length === query.limit) {
            return { items, nextCursor: encodeCursor(items[items.length - 1]!) };
          }
          run ??= this.lookup.materialize(segment, entry);
          if (run) items.push(run);
        }
      }
      return { items };
    };
  }

  /** False when the summary proves the segment holds no run the query wants. */
  private mayMatch(key: string, query: Omit<RunQuery, 'limit'>): boolean {
    const summary = this.summaries.get(key);
    if (!summary || summary.runs === 0) return summary === undefined;
    if (query.taskId !== undefined && !summary.taskIds.has(query.taskId)) return false;
    if (query.type !== undefined && !summary.types.has(query.type)) return false;
    if (query.status !== undefined && !summary.statuses.has(query.status)) return false;
    return true;
  }

  async taskIds(from?: string, to?: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const key of this.keysIn(from, to)) {
      const covered =
        (from === undefined || segmentStart(key) >= from) &&
        (to === undefined || segmentEnd(key) <= to);
      if (covered) {
        for (const id of this.summaries.get(key)?.taskIds ?? []) if (id) ids.add(id);
        continue;
      }
      const segment = await this.cache.load(key).catch((error: unknown) => {
        // The summary's task ids (a superset) stand in for a segment that cannot be read.
        if (this.summaries.has(key)) return undefined;
        throw error;
      });
      if (!segment) {
        for (const id of this.summaries.get(key)!.taskIds) if (id) ids.add(id);
        continue;
      }
      for (const entry of segment.entries.values()) {
        if (from !== undefined && entry.startedAt < from) continue;
        if (to !== undefined && entry.startedAt >= to) continue;
        if (entry.taskId) ids.add(entry.taskId);
      }
    }
    return ids;
  }

  async runningRuns(): Promise<Run[]> {
    const runs: Run[] = [];
    for (const [id, key] of [...this.cache.running]) {
      // A segment that cannot be read was reported; its runs stay as they are.
      const segment = await this.cache.load(key).catch(() => undefined);
      if (!segment) continue;
      const entry = segment.entries.get(id);
      const run = entry?.status === 'running' ? this.lookup.materialize(segment, entry) : undefined;
      if (run) runs.push(run);
    }
    return runs.sort(compareRuns);
  }

  /** The keys of the segments that may hold runs started in [from, to). */
  keysIn(from?: string, to?: string): string[] {
    const { keys } = this.cache;
    const lo = from === undefined ? 0 : lowerBound(keys, segmentKeyOf(from));
    const hiKey = to === undefined ? undefined : segmentKeyOf(to);
    let hi = keys.length;
    if (hiKey !== undefined) {
      hi = lowerBound(keys, hiKey);
      if (keys[hi] === hiKey) hi++;
    }
    return keys.slice(lo, hi);
  }
}
