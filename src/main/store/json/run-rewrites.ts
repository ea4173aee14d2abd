/**
 * The run log's deletions and retention: hours fully inside a deleted period, or past the
 * retention policy, are unlinked whole; partly covered hours are rewritten atomically (temp file,
 * fsync, rename) without the doomed runs. Before either, the summary file stops vouching for the
 * segments touched (RunSummaries.unlist). Called inside the run log's serial queue, after the
 * append writer drained.
 */
import { promises as fs } from 'node:fs';
import type { RetentionPolicy, RunDeletion } from '../types';
import { syncDir, writeFileAtomic } from './atomic-file';
import type { RunAppender } from './run-appender';
import { lowerBound } from './run-log-parts';
import type { RunLookup } from './run-lookup';
import type { RunQueries } from './run-queries';
import type { RunSummaries } from './run-summaries';
import type { SegmentCache } from './segment-cache';
import { segmentEnd, segmentStart, sortEntries, summarize, type Entry } from './segment';

export class RunRewrites {
  constructor(
    private readonly cache: SegmentCache,
    private readonly summaries: RunSummaries,
    private readonly appender: RunAppender,
    private readonly queries: RunQueries,
    private readonly lookup: RunLookup,
  ) {}

  async delete(which: RunDeletion): Promise<number> {
    const { cache, summaries } = this;
    let deleted = 0;
    if ('ids' in which) {
      const byKey = new Map<string, Set<string>>();
      for (const id of new Set(which.ids)) {
        const found = await this.lookup.locate(id);
        if (!found) continue;
        let ids = byKey.get(found.segment.key);
        if (!ids) byKey.set(found.segment.key, (ids = new Set()));
        ids.add(id);
      }
      await summaries.unlist(byKey.keys());
      for (const [key, ids] of byKey) {
        deleted += await this.rewrite(key, (entry) => ids.has(entry.id));
      }
    } else if ('taskId' in which) {
      const keys = cache.keys.filter((k) => summaries.get(k)?.taskIds.has(which.taskId));
      await summaries.unlist(keys);
      for (const key of keys) {
        deleted += await this.rewrite(key, (entry) => entry.taskId === which.taskId);
      }
    } else {
      const { from, to } = which;
      const keys = this.queries.keysIn(from, to);
      const covered = (key: string): boolean => segmentStart(key) >= from && segmentEnd(key) <= to;
      await summaries.unlist(keys);
      const counts = await Promise.all(keys.filter(covered).map((key) => this.drop(key)));
      deleted += counts.reduce((a, b) => a + b, 0);
      for (const key of keys.filter((k) => !covered(k))) {
        deleted += await this.rewrite(
          key,
          (entry) => entry.startedAt >= from && entry.startedAt < to,
        );
      }
    }
    await syncDir(cache.dir);
    await summaries.save();
    return deleted;
  }

  /** Drops whole segments, oldest first, never the newest one. */
  async applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    const { keys } = this.cache;
    const newest = keys.length - 1;
    let dropBefore = 0; // keys[0 .. dropBefore) go
    if (policy.maxAgeDays !== undefined) {
      const cutoff = new Date(nowMs - policy.maxAgeDays * 86_400_000).toISOString();
      while (dropBefore < newest && segmentEnd(keys[dropBefore]!) <= cutoff) dropBefore++;
    }
    if (policy.maxRuns !== undefined) {
      let kept = 0;
      let k = newest;
      while (k >= 0 && kept < policy.maxRuns) kept += this.summaries.get(keys[k--]!)?.runs ?? 0;
      dropBefore = Math.max(dropBefore, Math.min(k + 1, newest));
    }
    const doomed = keys.slice(0, dropBefore);
    await this.summaries.unlist(doomed);
    const counts = await Promise.all(doomed.map((k) => this.drop(k)));
    if (dropBefore > 0) {
      await syncDir(this.cache.dir);
      await this.summaries.save();
    }
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Rewrites a segment without the doomed runs (atomically); returns how many went. */
  private async rewrite(key: string, doomed: (entry: Entry) => boolean): Promise<number> {
    const segment = await this.cache.load(key);
    const gone = [...segment.entries.values()].filter(doomed);
    if (gone.length === 0) return 0;
    if (gone.length === segment.entries.size) return this.drop(key);
    await this.appender.closeHandle(key);
    const kept = sortEntries([...segment.entries.values()].filter((entry) => !doomed(entry)));
    // Records kept only in the file are read back from it in one go.
    const file = kept.some((entry) => entry.line === undefined)
      ? await fs.readFile(segment.path)
      : undefined;
    const lines = kept.map(
      (entry) => entry.line ?? file!.toString('utf8', entry.offset, entry.offset + entry.length),
    );
    const text = lines.map((line) => `${line}\n`).join('');
    await writeFileAtomic(segment.path, text);
    for (const entry of gone) segment.entries.delete(entry.id);
    let offset = 0;
    let linesKept = false;
    kept.forEach((entry, i) => {
      const length = Buffer.byteLength(lines[i]!);
      if (entry.line === undefined) {
        entry.offset = offset;
        entry.length = length;
      } else {
        entry.offset = -1;
        linesKept = true;
      }
      offset += length + 1;
    });
    segment.sorted = kept;
    segment.tornAt = undefined;
    // Kept lines are slices of the text the segment was read from, which stays alive with them.
    const textChars = linesKept ? segment.textChars : 0;
    this.cache.resize(segment, -gone.length, textChars - segment.textChars);
    segment.textChars = textChars;
    this.forgetIds(
      key,
      gone.map((entry) => entry.id),
    );
    this.summaries.set(key, summarize(key, kept, Buffer.byteLength(text)));
    this.summaries.markDirty(key);
    return gone.length;
  }

  /** Removes a whole segment file; returns how many runs it held. */
  private async drop(key: string): Promise<number> {
    const summary = this.summaries.get(key);
    const count = summary?.runs ?? 0;
    await this.appender.closeHandle(key);
    await fs.rm(this.cache.pathOf(key), { force: true });
    const cached = this.cache.cached(key);
    if (cached) this.cache.uncache(cached);
    if (summary) this.forgetIds(key, [...summary.running, ...summary.foreign]);
    this.summaries.delete(key);
    this.summaries.markDirty(key);
    const { keys } = this.cache;
    keys.splice(lowerBound(keys, key), 1);
    return count;
  }

  private forgetIds(key: string, ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.cache.running.get(id) === key) this.cache.running.delete(id);
      if (this.cache.foreign.get(id) === key) this.cache.foreign.delete(id);
    }
  }
}
