/**
 * The run history: hourly JSON-lines segments (see segment.ts) with group commit. Its rooms:
 * - segment-cache.ts: the segments in memory (an LRU bounded by runs and bytes; closed hours
 *   released) and reading them from disk;
 * - run-lookup.ts: finding runs by id, noting records in the indexes, reading records back;
 * - run-appender.ts: the append writer (one append per segment per turn, fdatasync ≤ 100 ms);
 * - run-queries.ts: pages of runs, task ids in a period, runs still running;
 * - run-rewrites.ts: deleting runs and retention;
 * - run-summaries.ts: the per-segment summaries and `summary.json`.
 *
 * Every run-log operation runs through one serial queue, so lookups, segment loads and in-memory
 * updates never interleave; only the file appends overlap with later operations. A segment with
 * records not yet appended stays cached, so memory never disagrees with the file.
 */
import { join } from 'node:path';
import type { Run } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { RunStats } from '../../../shared/run-stats';
import type { RunStatsQuery } from '../run-stats';
import type { RetentionPolicy, RunDeletion, RunPage, RunQuery } from '../types';
import { RunAppender } from './run-appender';
import { conflict } from './run-log-parts';
import { RunLookup } from './run-lookup';
import type { ReportProblem } from './run-log-problems';
import { RunQueries } from './run-queries';
import { RunRewrites } from './run-rewrites';
import { JsonRunStats } from './run-stats';
import { RunSummaries } from './run-summaries';
import { SegmentCache } from './segment-cache';
import { DEFAULT_CACHE_BYTES, DEFAULT_CACHE_RUNS, type Found, type Segment } from './segment-types';
import { entryOf, RUNS_DIR, segmentKeyOf, serializeRun } from './segment';

export interface RunLogOptions {
  /** fdatasync dirty segment files at least this often. */
  syncEveryMs?: number;
  /** Keep at most about this many runs of past segments in memory (default 30,000). */
  cacheRuns?: number;
  /** Keep at most about this many bytes of past segments in memory (default 16 MiB). */
  cacheBytes?: number;
  /** Save the segment summaries this often while they change (they are also saved on flush). */
  summaryEveryMs?: number;
  /** Wall-clock ms, to tell which hour is current (the store's injected clock). */
  now?: () => number;
  /** Bytes of runs.stats hour aggregates kept between queries (default STATS_CACHE_BYTES). */
  statsCacheBytes?: number;
  /** Where warnings go (a damaged record skipped, a summaries save to retry); the store's log. */
  log?: (line: string) => void;
}

export class RunLog {
  readonly dir: string;
  private readonly summaries: RunSummaries;
  private readonly cache: SegmentCache;
  private readonly appender: RunAppender;
  private readonly lookup: RunLookup;
  private readonly queries: RunQueries;
  private readonly rewrites: RunRewrites;

  private ops: Promise<unknown> = Promise.resolve();
  /** Operations queued on `ops` and not finished; 0 lets a write run at once (see insert). */
  private queued = 0;
  /** Segments may leave memory once no operation holds one (see trim). */
  private trimDue = false;
  private closed = false;

  constructor(
    dataDir: string,
    options: RunLogOptions = {},
    /** Missing, damaged and unreadable segments go here (the store's problem list). */
    report: ReportProblem = () => undefined,
  ) {
    this.dir = join(dataDir, RUNS_DIR);
    this.statsCacheBytes = options.statsCacheBytes;
    const log = options.log ?? ((line: string): void => console.warn(line));
    this.summaries = new RunSummaries(
      this.dir,
      options.summaryEveryMs ?? 5_000,
      () =>
        this.serial(async () => {
          await this.appender.drain(false);
          await this.summaries.save();
        }),
      log,
    );
    this.appender = new RunAppender(this.dir, options.syncEveryMs ?? 100, this.summaries, () =>
      this.trim(),
    );
    const limits = {
      cacheRuns: options.cacheRuns ?? DEFAULT_CACHE_RUNS,
      cacheBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
    };
    const now = options.now ?? Date.now;
    this.cache = new SegmentCache(
      this.dir,
      limits,
      this.summaries,
      this.appender,
      now,
      report,
      log,
    );
    this.appender.cache = this.cache;
    this.lookup = new RunLookup(this.cache, this.summaries, this.appender);
    this.queries = new RunQueries(this.cache, this.summaries, this.lookup);
    this.rewrites = new RunRewrites(
      this.cache,
      this.summaries,
      this.appender,
      this.queries,
      this.lookup,
    );
  }

  // ------------------------------------------------------------ open / close

  open(): Promise<void> {
    return this.cache.open();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.summaries.stop();
    await this.appender.close();
    this.cache.clear();
    this.statsReader?.clear();
  }

  /** Everything appended so far reaches the disk; summaries are saved too. */
  async flush(): Promise<void> {
    await this.serial(async () => {
      await this.appender.drain(true);
      await this.summaries.save();
    });
  }

  // ------------------------------------------------------------ serial queue

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new AppError('UNAVAILABLE', 'JsonStore: the store is closed'));
    }
    this.queued++;
    const result = this.ops.then(fn);
    const done = (): void => {
      if (--this.queued === 0 && this.trimDue) this.trim();
    };
    this.ops = result.then(done, done);
    return result;
  }

  /**
   * Lets segments leave memory (SegmentCache.trim) after an append round. An operation in the
   * queue may hold a segment across an await and change it afterwards, so while one is, the trim
   * waits until the queue is empty.
   */
  private trim(): void {
    if (this.queued > 0 || this.closed) {
      this.trimDue = true;
      return;
    }
    this.trimDue = false;
    this.cache.trim();
  }

  // ------------------------------------------------------------ writes

  insert(run: Run): Promise<void> {
    const key = segmentKeyOf(run.startedAt);
    const line = serializeRun(run);
    // With nothing queued, an operation that needs no segment read is done now: the serial
    // queue's promise hops cost more than the work at thousands of runs a second.
    if (this.queued === 0 && !this.closed) {
      const found = this.lookup.locateNow(run.id);
      if (found) return Promise.reject(conflict(run.id));
      const segment = found === undefined ? this.cache.writableNow(key) : undefined;
      if (segment) return this.add(segment, run, line);
    }
    return this.serial(async () => {
      if (await this.lookup.locate(run.id)) throw conflict(run.id);
      const segment = await this.cache.load(key, true);
      return { done: this.add(segment, run, line) };
    }).then((queued) => queued.done);
  }

  private add(segment: Segment, run: Run, line: string): Promise<void> {
    const entry = entryOf(run, line);
    this.lookup.record(segment, entry, true);
    return this.appender.queue(segment, entry, line);
  }

  update(run: Run): Promise<void> {
    segmentKeyOf(run.startedAt);
    const line = serializeRun(run);
    if (this.queued === 0 && !this.closed) {
      const found = this.lookup.locateNow(run.id);
      if (found !== null) {
        try {
          return this.replace(found, run, line);
        } catch (error) {
          return Promise.reject(error);
        }
      }
    }
    return this.serial(async () => ({
      done: this.replace(await this.lookup.locate(run.id), run, line),
    })).then((queued) => queued.done);
  }

  private replace(found: Found | undefined, run: Run, line: string): Promise<void> {
    if (!found) {
      throw new AppError(
        'NOT_FOUND',
        `JsonStore: run ${run.id} does not exist; insert it before updating it`,
      );
    }
    const { segment, entry } = found;
    if (entry.startedAt !== run.startedAt) {
      throw new AppError(
        'VALIDATION',
        `JsonStore: run ${run.id} cannot change its startedAt (${entry.startedAt} → ${run.startedAt})`,
      );
    }
    // Same id and startedAt: only these fields can change.
    entry.taskId = run.taskId;
    entry.type = run.type;
    entry.status = run.status;
    entry.line = line;
    entry.offset = -1;
    entry.length = 0;
    this.lookup.record(segment, entry, false);
    return this.appender.queue(segment, entry, line);
  }

  // ------------------------------------------------------------ reads

  get(id: string): Promise<Run | undefined> {
    if (this.queued === 0 && !this.closed) {
      const found = this.lookup.locateNow(id);
      if (found !== null) {
        return Promise.resolve(found && this.lookup.materialize(found.segment, found.entry));
      }
    }
    return this.serial(async () => {
      const found = await this.lookup.locate(id);
      return found && this.lookup.materialize(found.segment, found.entry);
    });
  }

  list(query: RunQuery): Promise<RunPage> {
    const page = this.queries.plan(query);
    return this.serial(page);
  }

  taskIds(from?: string, to?: string): Promise<Set<string>> {
    return this.serial(() => this.queries.taskIds(from, to));
  }

  runningRuns(): Promise<Run[]> {
    return this.serial(() => this.queries.runningRuns());
  }

  private statsReader: JsonRunStats | undefined;
  private readonly statsCacheBytes: number | undefined;

  /** `runs.stats` (run-stats.ts): one segment per turn of the serial queue. */
  runStats(query: RunStatsQuery): Promise<RunStats> {
    this.statsReader ??= new JsonRunStats(
      this.dir,
      this.cache,
      this.summaries,
      this.lookup,
      (f, t) => this.queries.keysIn(f, t),
      this.statsCacheBytes,
    );
    return this.statsReader.stats(query, (fn) => this.serial(fn));
  }

  // ------------------------------------------------------------ deletion and retention

  delete(which: RunDeletion): Promise<number> {
    if ('from' in which) {
      segmentKeyOf(which.from);
      segmentKeyOf(which.to);
    }
    return this.serial(async () => {
      await this.appender.drain(false);
      const deleted = await this.rewrites.delete(which);
      this.statsReader?.forgetChanged();
      return deleted;
    });
  }

  /** Drops whole segments, oldest first, never the newest one. */
  applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    return this.serial(async () => {
      await this.appender.drain(false);
      const dropped = await this.rewrites.applyRetention(policy, nowMs);
      this.statsReader?.forgetChanged();
      return dropped;
    });
  }

  /** For tests: the runs.stats hour aggregates kept now. */
  statsKept(): { hours: number; bytes: number } {
    return this.statsReader?.keptCounts ?? { hours: 0, bytes: 0 };
  }

  /** For tests and the bench: what the log holds in memory now. */
  stats(): {
    segments: number;
    cachedSegments: number;
    cachedRuns: number;
    /** Cached runs whose record text is held in memory (not only its place in the file). */
    cachedLines: number;
    /** Estimated bytes the cached segments hold (what `cacheBytes` bounds). */
    cachedBytes: number;
    /** Cached segments written to as the current hour (released once it is over). */
    liveSegments: number;
    /** Segment files read since open: whole, or only their matching lines (segment-scan.ts). */
    segmentReads: number;
  } {
    let cachedLines = 0;
    for (const segment of this.cache.segments()) {
      for (const entry of segment.entries.values()) if (entry.line !== undefined) cachedLines++;
    }
    return {
      segments: this.cache.keys.length,
      ...this.cache.counts,
      cachedLines,
      cachedBytes: this.cache.cachedBytes,
    };
  }
}
