/**
 * Runs by id in the run log: where a run is (its segment and entry, reading at most two segments),
 * noting a new or replaced record in the segment, its summary and the id maps, and reading a
 * record back (from memory, or from its file by offset).
 *
 * Core ids start with 12 hex digits of milliseconds, which name the segment to look in; any other
 * id (or one whose time falls in another hour than its `startedAt`) is foreign: the summary of its
 * segment lists it, and `SegmentCache.foreign` points it to its segment.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Run } from '../../../shared/domain';
import { compareRuns } from '../run-query';
import { ownCopy } from './run-log-parts';
import type { RunSummaries } from './run-summaries';
import type { SegmentCache } from './segment-cache';
import type { Found, Segment, SegmentFiles } from './segment-types';
import { derivedKeyOf, noteEntry, type Entry } from './segment';

export class RunLookup {
  constructor(
    private readonly cache: SegmentCache,
    private readonly summaries: RunSummaries,
    private readonly files: SegmentFiles,
  ) {}

  /**
   * Where a run is, when that needs no segment read: the place, undefined when it is nowhere,
   * null when a segment that may hold it is not in memory.
   */
  locateNow(id: string): Found | undefined | null {
    let unknown = false;
    const foreignKey = this.cache.foreign.get(id);
    if (foreignKey !== undefined) {
      const segment = this.cache.cached(foreignKey);
      const entry = segment?.entries.get(id);
      if (entry) return { segment: segment!, entry };
      if (!segment) unknown = true;
    }
    const derived = derivedKeyOf(id);
    if (derived !== undefined && derived !== foreignKey && this.summaries.has(derived)) {
      const segment = this.cache.cached(derived);
      const entry = segment?.entries.get(id);
      if (entry) return { segment: segment!, entry };
      if (!segment) unknown = true;
    }
    return unknown ? null : undefined;
  }

  async locate(id: string): Promise<Found | undefined> {
    const now = this.locateNow(id);
    if (now !== null) return now;
    const foreignKey = this.cache.foreign.get(id);
    if (foreignKey !== undefined) {
      const segment = await this.cache.load(foreignKey);
      const entry = segment.entries.get(id);
      if (entry) return { segment, entry };
    }
    const derived = derivedKeyOf(id);
    if (derived !== undefined && derived !== foreignKey && this.summaries.has(derived)) {
      const segment = await this.cache.load(derived);
      const entry = segment.entries.get(id);
      if (entry) return { segment, entry };
    }
    return undefined;
  }

  /** Notes a new or replaced entry in its segment, its summary and the id maps. */
  record(segment: Segment, entry: Entry, isNew: boolean): void {
    const summary = this.summaries.get(segment.key)!;
    if (isNew) {
      segment.entries.set(entry.id, entry);
      this.cache.resize(segment, 1, 0);
      summary.runs++;
      const last = segment.sorted?.[segment.sorted.length - 1];
      if (segment.sorted && (!last || compareRuns(last, entry) <= 0)) segment.sorted.push(entry);
      else segment.sorted = undefined;
    }
    // An entry of a segment read from its file holds slices of the file's text: what outlives
    // the segment is copied (see ownCopy).
    const fromFile = !isNew && segment.fromFile;
    noteEntry(segment.key, summary, entry, isNew, fromFile);
    if (entry.status === 'running') {
      this.cache.running.set(fromFile ? ownCopy(entry.id) : entry.id, segment.key);
    } else {
      this.cache.running.delete(entry.id);
    }
    if (summary.foreign.has(entry.id)) {
      this.cache.foreign.set(fromFile ? ownCopy(entry.id) : entry.id, segment.key);
    }
    this.summaries.markDirty(segment.key);
  }

  /** A fresh copy of the run; a record damaged past its head is reported and skipped. */
  materialize(segment: Segment, entry: Entry): Run | undefined {
    const line = entry.line ?? this.readLine(segment, entry);
    if (line === undefined) return undefined;
    try {
      return JSON.parse(line) as Run;
    } catch {
      this.cache.warn(segment.path, entry.id, 'its last record is not valid JSON');
      return undefined;
    }
  }

  /**
   * Reads an appended record back from its file (see Entry). Synchronous: a few hundred bytes
   * from the page cache take microseconds, far less than a thread-pool round trip.
   */
  private readLine(segment: Segment, entry: Entry): string | undefined {
    const buffer = Buffer.allocUnsafe(entry.length);
    const open = this.files.fdOf(segment.key);
    let fd = open;
    try {
      fd ??= openSync(segment.path, 'r');
      let read = 0;
      while (read < entry.length) {
        const n = readSync(fd, buffer, read, entry.length - read, entry.offset + read);
        if (n === 0) break;
        read += n;
      }
      if (read < entry.length)
        throw new Error(`the file ends before byte ${entry.offset + entry.length}`);
    } catch (error) {
      this.cache.warn(
        segment.path,
        entry.id,
        `its record cannot be read back (${(error as Error).message})`,
      );
      return undefined;
    } finally {
      if (fd !== undefined && open === undefined) closeSync(fd);
    }
    return buffer.toString('utf8');
  }
}
