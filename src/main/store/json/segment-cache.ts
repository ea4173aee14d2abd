/**
 * The run log's segments in memory: which segment files exist, the ones loaded (an LRU cache
 * bounded by runs and by bytes), reading a segment from its file, and the id maps (runs still
 * running, foreign ids). Finding runs by id is run-lookup.ts. docs/storage.md, "What memory
 * holds, and its bounds", describes the bounds.
 *
 * Two rules keep memory flat however long the app records:
 * - Over the bounds, the least recently used segments go, on reads and on writes alike; only
 *   segments with records not yet appended, the current hour's segment while it is written to,
 *   the hour just over while one of its runs still runs, and the segment used last stay.
 * - A segment written to as the current hour is released as soon as its hour is over, nothing is
 *   pending for it and none of its runs is still running (a closed hour gets no more writes). A
 *   query for it later reads it back from its file, like any other past hour.
 *
 * Dropping a segment is only safe while no operation holds it across an await (see RunLog.trim).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import { removeStaleTempFiles } from './atomic-file';
import { lowerBound, ownCopy } from './run-log-parts';
import {
  missingSegment,
  segmentDamage,
  unreadableSegment,
  type ReportProblem,
} from './run-log-problems';
import type { RunSummaries } from './run-summaries';
import {
  isSegmentFile,
  parseSegment,
  readSummaries,
  segmentFileName,
  SEGMENT_EXT,
  segmentStart,
  sortEntries,
  summarize,
  type Entry,
  type SegmentSummary,
} from './segment';
import { ENTRY_BYTES, type CacheLimits, type Segment, type SegmentFiles } from './segment-types';

/** Damaged records already reported (one warning each); forgotten past this many. */
const WARNED_LIMIT = 10_000;
const HOUR_MS = 3_600_000;

export class SegmentCache {
  /** All segment keys, ascending. */
  keys: string[] = [];
  /** Runs recorded as `running` → their segment. */
  readonly running = new Map<string, string>();
  /** Ids not found in the segment their own timestamp names → their segment. */
  readonly foreign = new Map<string, string>();
  /** Loaded segments, least recently used first. */
  private readonly cache = new Map<string, Segment>();
  private cachedRuns = 0;
  private cachedChars = 0;
  /** Segment files read since open, whole or scanned. */
  private reads = 0;
  /** The segment `cached` last moved to the most recent place, when it is still there. */
  private recent: Segment | undefined;
  private readonly loading = new Map<string, Promise<Segment>>();
  /** Segments written to as the current hour, still cached. */
  private readonly live = new Set<Segment>();
  private readonly warned = new Set<string>();
  /** While opening: the saved summaries, to tell how a changed segment compares. */
  private opening: Map<string, SegmentSummary> | undefined;
  private hourStart = NaN;
  private hourKey = '';

  constructor(
    readonly dir: string,
    private readonly limits: CacheLimits,
    private readonly summaries: RunSummaries,
    private readonly files: SegmentFiles,
    private readonly now: () => number,
    private readonly report: ReportProblem,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  // ------------------------------------------------------------ open

  async open(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await removeStaleTempFiles(this.dir);
    const names = (await fs.readdir(this.dir)).filter(isSegmentFile).sort();
    this.keys = names.map((name) => name.slice(0, -SEGMENT_EXT.length));
    const saved = await readSummaries(this.dir);
    this.opening = saved;
    const stale: string[] = [];
    // Stat in chunks: a year of hourly segments is ~9,000 files.
    for (let i = 0; i < this.keys.length; i += 256) {
      const chunk = this.keys.slice(i, i + 256);
      const stats = await Promise.all(chunk.map((key) => fs.stat(this.pathOf(key))));
      chunk.forEach((key, j) => {
        const summary = saved.get(key);
        const stat = stats[j]!;
        if (summary && summary.size === stat.size && summary.mtimeMs === stat.mtimeMs) {
          this.summaries.set(key, summary);
        } else {
          stale.push(key);
        }
      });
    }
    const present = new Set(this.keys);
    for (const [key, summary] of saved) {
      if (!present.has(key)) this.report(missingSegment(this.pathOf(key), key, summary.runs));
    }
    // Segments changed since the last summary (usually the ones a crash interrupted). One that
    // cannot be read is reported and left out; its hour answers UNAVAILABLE (see read).
    for (const key of stale) {
      try {
        await this.load(key);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const summary = saved.get(key);
        if (summary) this.summaries.set(key, summary);
        continue;
      }
      this.summaries.markDirty(key);
    }
    this.opening = undefined;
    for (const [key, summary] of this.summaries.map) {
      for (const id of summary.running) this.running.set(id, key);
      for (const id of summary.foreign) this.foreign.set(id, key);
    }
  }

  clear(): void {
    for (const segment of this.cache.values()) segment.cached = false;
    this.cache.clear();
    this.live.clear();
    this.recent = undefined;
    this.cachedRuns = 0;
    this.cachedChars = 0;
  }

  // ------------------------------------------------------------ segments in memory

  pathOf(key: string): string {
    return join(this.dir, segmentFileName(key));
  }

  hasKey(key: string): boolean {
    return this.keys[lowerBound(this.keys, key)] === key;
  }

  /** Reports a damaged record once per place: `where` is a byte offset or a run id. */
  warn(path: string, where: number | string, what: string): void {
    const id = `${path}:${where}`;
    if (this.warned.has(id)) return;
    if (this.warned.size >= WARNED_LIMIT) this.warned.clear();
    this.warned.add(ownCopy(id));
    const place = typeof where === 'number' ? `at byte ${where}` : `(run ${where})`;
    this.log(
      `JsonStore: ${path} ${place}: ${what}; that record is skipped (a crash mid-write leaves this; nothing to do)`,
    );
  }

  /** The loaded segment, reading it if needed; `create` makes an empty one for a new key. */
  async load(key: string, create = false): Promise<Segment> {
    const cached = this.cached(key);
    if (cached) return cached;
    if (create && !this.hasKey(key)) return this.create(key);
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.read(key).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  /** The segment if it is in memory (marked recently used), else undefined. */
  cached(key: string): Segment | undefined {
    // Nearly every write is to the most recently used segment (the current hour): no reordering.
    if (this.recent?.key === key && this.cache.get(key) === this.recent) return this.recent;
    const segment = this.cache.get(key);
    if (segment) {
      this.cache.delete(key);
      this.cache.set(key, segment);
      this.recent = segment;
    }
    return segment;
  }

  /** The segment for a new record when that needs no read: in memory, or a new key. */
  writableNow(key: string): Segment | undefined {
    const segment = this.cached(key);
    if (segment) return segment;
    if (!this.hasKey(key) && !this.loading.has(key)) return this.create(key);
    return undefined;
  }

  private create(key: string): Segment {
    const segment = this.newSegment(key, new Map(), []);
    this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.summaries.set(key, summarize(key, [], 0));
    this.summaries.markDirty(key);
    this.admit(segment);
    // A new hour begins: the hour before may be over (see trim).
    this.trim();
    return segment;
  }

  private newSegment(key: string, entries: Map<string, Entry>, sorted?: Entry[]): Segment {
    return {
      key,
      path: this.pathOf(key),
      entries,
      sorted,
      tornAt: undefined,
      pending: 0,
      textChars: 0,
      pendingChars: 0,
      live: false,
      cached: false,
      fromFile: false,
    };
  }

  private admit(segment: Segment): void {
    const before = this.cache.get(segment.key);
    if (before) this.uncache(before);
    segment.cached = true;
    this.cache.set(segment.key, segment);
    this.recent = segment;
    this.cachedRuns += segment.entries.size;
    this.cachedChars += segment.textChars + segment.pendingChars;
  }

  /** Takes a segment out of memory (no-op when that object is not the cached one). */
  uncache(segment: Segment): void {
    if (!segment.cached) return;
    segment.cached = false;
    this.cache.delete(segment.key);
    this.live.delete(segment);
    if (this.recent === segment) this.recent = undefined;
    this.cachedRuns -= segment.entries.size;
    this.cachedChars -= segment.textChars + segment.pendingChars;
  }

  /** Accounts a change of a cached segment's runs or kept characters. */
  resize(segment: Segment, runs: number, chars: number): void {
    if (!segment.cached) return;
    this.cachedRuns += runs;
    this.cachedChars += chars;
  }

  /** Memory the cached segments hold, estimated (see ENTRY_BYTES). */
  get cachedBytes(): number {
    return this.cachedRuns * ENTRY_BYTES + this.cachedChars;
  }

  private async read(key: string): Promise<Segment> {
    return this.fromBuffer(key, await this.readFile(key));
  }

  /** The segment file's bytes (none when it is gone); an unreadable file is reported. */
  async readFile(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    this.reads++;
    try {
      return await fs.readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const unreadable = unreadableSegment(path, key, error);
        this.report(unreadable.problem);
        throw unreadable.error;
      }
      return Buffer.alloc(0);
    }
  }

  /** A segment read or being read whole (`load` will give it). */
  isLoading(key: string): boolean {
    return this.loading.has(key);
  }

  /** A segment of only `sorted` (a scan's matches, segment-scan.ts), never cached. */
  partial(key: string, sorted: Entry[]): Segment {
    const segment = this.newSegment(key, new Map(), sorted);
    segment.fromFile = true;
    return segment;
  }

  /** A segment parsed from its file's bytes, checked against its summary, and cached. */
  fromBuffer(key: string, buffer: Buffer): Segment {
    const path = this.pathOf(key);
    const parsed = parseSegment(buffer);
    for (const [offset, what] of parsed.problems) this.warn(path, offset, what);
    const damage = segmentDamage(
      path,
      key,
      parsed,
      this.summaries.get(key) ?? this.opening?.get(key),
    );
    if (damage) this.report(damage);
    const segment = this.newSegment(key, parsed.entries);
    segment.tornAt = parsed.tornAt;
    segment.fromFile = true;
    // The entries' lines are slices of the file's text, which stays alive with them.
    segment.textChars = parsed.size;
    const before = this.summaries.get(key);
    const summary = summarize(key, parsed.entries.values(), parsed.size);
    if (before?.mtimeMs !== undefined && before.size === summary.size) {
      summary.mtimeMs = before.mtimeMs;
    } else {
      this.summaries.markDirty(key);
    }
    this.summaries.set(key, summary);
    this.admit(segment);
    this.trim();
    return segment;
  }

  /** After a failed append, memory may hold records the file does not: re-read it now. */
  async forget(segment: Segment): Promise<void> {
    this.uncache(segment);
    const reread = await this.read(segment.key).catch(() => undefined);
    if (!reread) return;
    for (const [id, key] of [...this.running, ...this.foreign]) {
      if (key === segment.key && !reread.entries.has(id)) {
        this.running.delete(id);
        this.foreign.delete(id);
      }
    }
  }

  /** The current UTC hour's key, by the injected clock (remembered for the hour). */
  private currentKey(): string {
    const ms = this.now();
    if (!(ms >= this.hourStart && ms < this.hourStart + HOUR_MS)) {
      this.hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
      this.hourKey = new Date(this.hourStart).toISOString().slice(0, 13);
    }
    return this.hourKey;
  }

  /**
   * Releases the segments of hours that are over (see the file comment), then the least recently
   * used segments while the cache holds more than its bounds. Never drops a segment with records
   * pending, the current hour's segment while it is written to, the hour just over while one of
   * its runs still runs, or the most recently used one.
   */
  trim(): void {
    const current = this.currentKey();
    // The bounds are for past segments: the current hour's, written to, is not counted.
    let pinnedRuns = 0;
    let pinnedChars = 0;
    for (const segment of this.live) {
      if (segment.key >= current) {
        pinnedRuns += segment.entries.size;
        pinnedChars += segment.textChars + segment.pendingChars;
        continue;
      }
      if (segment.pending > 0 || this.runningIn(segment)) continue;
      this.release(segment);
    }
    const { cacheRuns, cacheBytes } = this.limits;
    const over = (): boolean => {
      const runs = this.cachedRuns - pinnedRuns;
      return runs > cacheRuns || runs * ENTRY_BYTES + this.cachedChars - pinnedChars > cacheBytes;
    };
    let previous: string | undefined;
    for (const segment of this.cache.values()) {
      if (!over()) break;
      if (segment.pending > 0 || segment === this.recent) continue;
      if (segment.live) {
        if (segment.key >= current) continue;
        // The hour just over keeps its runs still running: each would read it back to finish.
        previous ??= new Date(Date.parse(segmentStart(current)) - HOUR_MS)
          .toISOString()
          .slice(0, 13);
        if (segment.key === previous && this.runningIn(segment)) continue;
      }
      this.release(segment);
    }
  }

  private runningIn(segment: Segment): boolean {
    return (this.summaries.get(segment.key)?.running.size ?? 0) > 0;
  }

  private release(segment: Segment): void {
    this.uncache(segment);
    segment.live = false;
    this.files.released(segment.key);
  }

  /** A record is queued for `segment` (its line kept until written). */
  queued(segment: Segment, line: string): void {
    segment.pending++;
    segment.pendingChars += line.length;
    this.resize(segment, 0, line.length);
    if (!segment.live && segment.key >= this.currentKey()) {
      segment.live = true;
      if (segment.cached) this.live.add(segment);
    }
  }

  /** Queued records of `segment` were written (or failed): their lines are no longer held. */
  written(segment: Segment, records: number, chars: number): void {
    segment.pending -= records;
    segment.pendingChars -= chars;
    this.resize(segment, 0, -chars);
  }

  sorted(segment: Segment): Entry[] {
    segment.sorted ??= sortEntries(segment.entries.values());
    return segment.sorted;
  }

  /** For stats: the cached segments. */
  segments(): IterableIterator<Segment> {
    return this.cache.values();
  }

  get counts(): {
    cachedSegments: number;
    cachedRuns: number;
    liveSegments: number;
    segmentReads: number;
  } {
    return {
      cachedSegments: this.cache.size,
      cachedRuns: this.cachedRuns,
      liveSegments: this.live.size,
      segmentReads: this.reads,
    };
  }
}
