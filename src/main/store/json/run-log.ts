/**
 * The run history: hourly JSON-lines segments (see segment.ts) with group commit. Records queued in
 * one event-loop turn go out as one append per segment file; the writer keeps appending while
 * earlier appends are in flight, and fdatasyncs every dirty file at least every 100 ms.
 *
 * Every run-log operation runs through one serial queue, so lookups, segment loads and in-memory
 * updates never interleave; only the file appends overlap with later operations. A segment with
 * records not yet appended is pinned in the cache, so memory never disagrees with the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { closeSync, promises as fs, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { compareRuns, decodeCursor, encodeCursor, matchesRunFilter } from '../run-query';
import type { RetentionPolicy, RunDeletion, RunPage, RunQuery } from '../types';
import { removeStaleTempFiles, syncDir, writeFileAtomic } from './atomic-file';
import {
  conflict,
  dropWrittenLines,
  lowerBound,
  MAX_SCRATCH_BYTES,
  newBatch,
  SYNC_WRITE_MAX_BYTES,
  writeAll,
  writeAllSync,
  type Batch,
} from './run-log-parts';
import {
  missingSegment,
  segmentDamage,
  unreadableSegment,
  type ReportProblem,
} from './run-log-problems';
import {
  derivedKeyOf,
  entryOf,
  isSegmentFile,
  noteEntry,
  parseSegment,
  readSummaries,
  RUNS_DIR,
  segmentEnd,
  segmentFileName,
  segmentKeyOf,
  segmentStart,
  SEGMENT_EXT,
  serializeRun,
  sortEntries,
  summarize,
  writeSummaries,
  type Entry,
  type SegmentSummary,
} from './segment';

export interface RunLogOptions {
  /** fdatasync dirty segment files at least this often. */
  syncEveryMs?: number;
  /** Keep about this many runs' records of not-pinned segments in memory. */
  cacheRuns?: number;
  /** Save the segment summaries this often while they change (they are also saved on flush). */
  summaryEveryMs?: number;
}

interface Segment {
  key: string;
  path: string;
  entries: Map<string, Entry>;
  sorted: Entry[] | undefined;
  tornAt: number | undefined;
  /** Records queued or being appended: the segment stays cached while > 0. */
  pending: number;
}

export class RunLog {
  readonly dir: string;
  private readonly syncEveryMs: number;
  private readonly cacheRuns: number;
  private readonly summaryEveryMs: number;
  /** All segment keys, ascending. */
  private keys: string[] = [];
  private readonly summaries = new Map<string, SegmentSummary>();
  private readonly dirtySummaries = new Set<string>();
  /** Loaded segments, least recently used first. */
  private readonly cache = new Map<string, Segment>();
  private cachedRuns = 0;
  /** The segment `cached` last moved to the most recent place, when it is still there. */
  private recent: Segment | undefined;
  private readonly loading = new Map<string, Promise<Segment>>();
  /** Runs recorded as `running` → their segment. */
  private readonly running = new Map<string, string>();
  /** Ids not found in the segment their own timestamp names → their segment. */
  private readonly foreign = new Map<string, string>();
  private readonly warned = new Set<string>();
  /** While opening: the saved summaries, to tell how a changed segment compares. */
  private opening: Map<string, SegmentSummary> | undefined;

  private ops: Promise<unknown> = Promise.resolve();
  /** Operations queued on `ops` and not finished; 0 lets a write run at once (see insert). */
  private queued = 0;
  private openBatch: Batch<Segment> | undefined;
  private writer: Promise<void> | undefined;
  private readonly handles = new Map<string, FileHandle>();
  /** Where writeBatch encodes lines (see there). */
  private scratch: Buffer = Buffer.alloc(0);
  private readonly unsynced = new Set<string>();
  private syncDue = false;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    dataDir: string,
    options: RunLogOptions = {},
    /** Missing, damaged and unreadable segments go here (the store's problem list). */
    private readonly report: ReportProblem = () => undefined,
  ) {
    this.dir = join(dataDir, RUNS_DIR);
    this.syncEveryMs = options.syncEveryMs ?? 100;
    this.cacheRuns = options.cacheRuns ?? 30_000;
    this.summaryEveryMs = options.summaryEveryMs ?? 5_000;
  }

  // ------------------------------------------------------------ open / close

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
      this.markDirty(key);
    }
    this.opening = undefined;
    for (const [key, summary] of this.summaries) {
      for (const id of summary.running) this.running.set(id, key);
      for (const id of summary.foreign) this.foreign.set(id, key);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    if (this.syncTimer) clearTimeout(this.syncTimer);
    for (const handle of this.handles.values()) await handle.close();
    this.handles.clear();
    this.cache.clear();
  }

  /** Everything appended so far reaches the disk; summaries are saved too. */
  async flush(): Promise<void> {
    await this.serial(async () => {
      await this.drainWrites(true);
      await this.saveSummaries();
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
      this.queued--;
    };
    this.ops = result.then(done, done);
    return result;
  }

  // ------------------------------------------------------------ segments in memory

  private pathOf(key: string): string {
    return join(this.dir, segmentFileName(key));
  }

  /** Reports a damaged record once per place: `where` is a byte offset or a run id. */
  private warn(path: string, where: number | string, what: string): void {
    const id = `${path}:${where}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    const place = typeof where === 'number' ? `at byte ${where}` : `(run ${where})`;
    console.warn(
      `JsonStore: ${path} ${place}: ${what}; that record is skipped (a crash mid-write leaves this; nothing to do)`,
    );
  }

  /** The loaded segment, reading it if needed; `create` makes an empty one for a new key. */
  private async load(key: string, create = false): Promise<Segment> {
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

  private create(key: string): Segment {
    const segment: Segment = {
      key,
      path: this.pathOf(key),
      entries: new Map(),
      sorted: [],
      tornAt: undefined,
      pending: 0,
    };
    this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.summaries.set(key, summarize(key, [], 0));
    this.markDirty(key);
    this.cache.set(key, segment);
    this.recent = segment;
    return segment;
  }

  /** The segment if it is in memory (marked recently used), else undefined. */
  private cached(key: string): Segment | undefined {
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
  private writableNow(key: string): Segment | undefined {
    const segment = this.cached(key);
    if (segment) return segment;
    if (!this.hasKey(key) && !this.loading.has(key)) return this.create(key);
    return undefined;
  }

  private async read(key: string): Promise<Segment> {
    const path = this.pathOf(key);
    let buffer: Buffer;
    try {
      buffer = await fs.readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const unreadable = unreadableSegment(path, key, error);
        this.report(unreadable.problem);
        throw unreadable.error;
      }
      buffer = Buffer.alloc(0);
    }
    const parsed = parseSegment(buffer);
    for (const [offset, what] of parsed.problems) this.warn(path, offset, what);
    const damage = segmentDamage(
      path,
      key,
      parsed,
      this.summaries.get(key) ?? this.opening?.get(key),
    );
    if (damage) this.report(damage);
    const segment: Segment = {
      key,
      path,
      entries: parsed.entries,
      sorted: undefined,
      tornAt: parsed.tornAt,
      pending: 0,
    };
    const before = this.summaries.get(key);
    const summary = summarize(key, parsed.entries.values(), parsed.size);
    if (before?.mtimeMs !== undefined && before.size === summary.size) {
      summary.mtimeMs = before.mtimeMs;
    } else {
      this.markDirty(key);
    }
    this.summaries.set(key, summary);
    this.cache.set(key, segment);
    this.recent = segment;
    this.cachedRuns += segment.entries.size;
    this.evict();
    return segment;
  }

  private evict(): void {
    for (const [key, segment] of this.cache) {
      if (this.cachedRuns <= this.cacheRuns || this.cache.size <= 2) break;
      if (segment.pending > 0) continue;
      this.cache.delete(key);
      this.cachedRuns -= segment.entries.size;
    }
  }

  private sorted(segment: Segment): Entry[] {
    segment.sorted ??= sortEntries(segment.entries.values());
    return segment.sorted;
  }

  /** A fresh copy of the run; a record damaged past its head is reported and skipped. */
  private materialize(segment: Segment, entry: Entry): Run | undefined {
    const line = entry.line ?? this.readLine(segment, entry);
    if (line === undefined) return undefined;
    try {
      return JSON.parse(line) as Run;
    } catch {
      this.warn(segment.path, entry.id, 'its last record is not valid JSON');
      return undefined;
    }
  }

  /**
   * Reads an appended record back from its file (see Entry). Synchronous: a few hundred bytes
   * from the page cache take microseconds, far less than a thread-pool round trip.
   */
  private readLine(segment: Segment, entry: Entry): string | undefined {
    const buffer = Buffer.allocUnsafe(entry.length);
    const open = this.handles.get(segment.key);
    let fd = open?.fd;
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
      this.warn(
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

  /**
   * Where a run is, when that needs no segment read: the place, undefined when it is nowhere,
   * null when a segment that may hold it is not in memory.
   */
  private locateNow(id: string): { segment: Segment; entry: Entry } | undefined | null {
    let unknown = false;
    const foreignKey = this.foreign.get(id);
    if (foreignKey !== undefined) {
      const segment = this.cached(foreignKey);
      const entry = segment?.entries.get(id);
      if (entry) return { segment: segment!, entry };
      if (!segment) unknown = true;
    }
    const derived = derivedKeyOf(id);
    if (derived !== undefined && derived !== foreignKey && this.summaries.has(derived)) {
      const segment = this.cached(derived);
      const entry = segment?.entries.get(id);
      if (entry) return { segment: segment!, entry };
      if (!segment) unknown = true;
    }
    return unknown ? null : undefined;
  }

  private async locate(id: string): Promise<{ segment: Segment; entry: Entry } | undefined> {
    const now = this.locateNow(id);
    if (now !== null) return now;
    const foreignKey = this.foreign.get(id);
    if (foreignKey !== undefined) {
      const segment = await this.load(foreignKey);
      const entry = segment.entries.get(id);
      if (entry) return { segment, entry };
    }
    const derived = derivedKeyOf(id);
    if (derived !== undefined && derived !== foreignKey && this.summaries.has(derived)) {
      const segment = await this.load(derived);
      const entry = segment.entries.get(id);
      if (entry) return { segment, entry };
    }
    return undefined;
  }

  private record(segment: Segment, entry: Entry, isNew: boolean): void {
    const summary = this.summaries.get(segment.key)!;
    if (isNew) {
      segment.entries.set(entry.id, entry);
      this.cachedRuns++;
      summary.runs++;
      const last = segment.sorted?.[segment.sorted.length - 1];
      if (segment.sorted && (!last || compareRuns(last, entry) <= 0)) segment.sorted.push(entry);
      else segment.sorted = undefined;
    }
    noteEntry(segment.key, summary, entry, isNew);
    if (entry.status === 'running') this.running.set(entry.id, segment.key);
    else this.running.delete(entry.id);
    if (summary.foreign.has(entry.id)) this.foreign.set(entry.id, segment.key);
    this.markDirty(segment.key);
  }

  // ------------------------------------------------------------ writes

  insert(run: Run): Promise<void> {
    const key = segmentKeyOf(run.startedAt);
    const line = serializeRun(run);
    // With nothing queued, an operation that needs no segment read is done now: the serial
    // queue's promise hops cost more than the work at thousands of runs a second.
    if (this.queued === 0 && !this.closed) {
      const found = this.locateNow(run.id);
      if (found) return Promise.reject(conflict(run.id));
      const segment = found === undefined ? this.writableNow(key) : undefined;
      if (segment) return this.add(segment, run, line);
    }
    return this.serial(async () => {
      if (await this.locate(run.id)) throw conflict(run.id);
      const segment = await this.load(key, true);
      return { done: this.add(segment, run, line) };
    }).then((queued) => queued.done);
  }

  private add(segment: Segment, run: Run, line: string): Promise<void> {
    const entry = entryOf(run, line);
    this.record(segment, entry, true);
    return this.queue(segment, entry, line);
  }

  update(run: Run): Promise<void> {
    segmentKeyOf(run.startedAt);
    const line = serializeRun(run);
    if (this.queued === 0 && !this.closed) {
      const found = this.locateNow(run.id);
      if (found !== null) {
        try {
          return this.replace(found, run, line);
        } catch (error) {
          return Promise.reject(error);
        }
      }
    }
    return this.serial(async () => ({
      done: this.replace(await this.locate(run.id), run, line),
    })).then((queued) => queued.done);
  }

  private replace(
    found: { segment: Segment; entry: Entry } | undefined,
    run: Run,
    line: string,
  ): Promise<void> {
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
    this.record(segment, entry, false);
    return this.queue(segment, entry, line);
  }

  private queue(segment: Segment, entry: Entry, line: string): Promise<void> {
    this.openBatch ??= newBatch();
    const batch = this.openBatch;
    let pending = batch.lines.get(segment);
    if (!pending) batch.lines.set(segment, (pending = { lines: [], entries: [] }));
    pending.lines.push(line);
    pending.entries.push(entry);
    segment.pending++;
    this.kick();
    return batch.done;
  }

  private kick(): void {
    if (this.writer) return;
    // Start after this turn, so everything queued in it shares the append.
    this.writer = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.writeLoop())
      .finally(() => {
        this.writer = undefined;
        // Records queued after the loop's last look (while it was finishing) start a new one.
        if (this.openBatch || this.syncDue) this.kick();
      });
  }

  private async writeLoop(): Promise<void> {
    while (this.openBatch || this.syncDue) {
      const batch = this.openBatch;
      this.openBatch = undefined;
      if (batch) await this.writeBatch(batch);
      if (this.syncDue) {
        this.syncDue = false;
        await this.syncAll();
      }
    }
  }

  private async writeBatch(batch: Batch<Segment>): Promise<void> {
    const failures: unknown[] = [];
    // Every segment's lines are encoded straight into one buffer, reused from batch to batch
    // (batches are written one after another): no joined text and no copy of it per batch.
    let bound = 0;
    for (const { lines } of batch.lines.values()) {
      for (const line of lines) bound += line.length * 3 + 1; // UTF-8: at most 3 bytes per unit
    }
    if (this.scratch.length < bound) {
      this.scratch = Buffer.allocUnsafe(
        bound <= MAX_SCRATCH_BYTES ? Math.max(bound, 64 * 1024) : bound,
      );
    }
    const buffer = this.scratch;
    let used = 0;
    const chunks = [...batch.lines].map(([segment, { lines, entries }]) => {
      const from = used;
      const lengths: number[] = new Array<number>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        lengths[i] = buffer.write(lines[i]!, used);
        used += lengths[i]!;
        buffer[used++] = 0x0a;
      }
      return { segment, lines, entries, lengths, bytes: buffer.subarray(from, used) };
    });
    if (this.scratch.length > MAX_SCRATCH_BYTES) this.scratch = Buffer.alloc(0); // a one-off
    await Promise.all(
      chunks.map(async ({ segment, lines, entries, lengths, bytes }) => {
        try {
          const handle = await this.handleFor(segment);
          // A small batch (a few runs) goes to the page cache directly: microseconds, where a
          // thread-pool round trip would add most of a run's latency at low concurrency. Large
          // batches go through the thread pool so no write blocks the event loop. fdatasync is
          // always asynchronous.
          const summary = this.summaries.get(segment.key);
          const start = summary?.size;
          if (bytes.length <= SYNC_WRITE_MAX_BYTES) writeAllSync(handle.fd, bytes);
          else await writeAll(handle, bytes);
          if (summary && start !== undefined) {
            summary.size = start + bytes.length;
            summary.mtimeMs = undefined;
            dropWrittenLines(start, lines, entries, lengths);
          }
          this.unsynced.add(segment.key);
        } catch (error) {
          failures.push(error);
          await this.forget(segment);
        } finally {
          segment.pending -= lines.length;
        }
      }),
    );
    this.scheduleSync();
    if (failures.length === 0) {
      batch.resolve();
    } else {
      const error = failures[0] as NodeJS.ErrnoException;
      batch.reject(
        new AppError(
          'UNAVAILABLE',
          `JsonStore: appending to the run log in ${this.dir} failed (${error.code ?? error.message}); free disk space or fix permissions`,
        ),
      );
    }
  }

  /** After a failed append, memory may hold records the file does not: re-read it later. */
  private async forget(segment: Segment): Promise<void> {
    await this.closeHandle(segment.key);
    if (this.cache.get(segment.key) === segment) {
      this.cache.delete(segment.key);
      this.cachedRuns -= segment.entries.size;
    }
    const reread = await this.read(segment.key).catch(() => undefined);
    if (!reread) return;
    for (const [id, key] of [...this.running, ...this.foreign]) {
      if (key === segment.key && !reread.entries.has(id)) {
        this.running.delete(id);
        this.foreign.delete(id);
      }
    }
  }

  private async handleFor(segment: Segment): Promise<FileHandle> {
    let handle = this.handles.get(segment.key);
    if (handle) return handle;
    if (this.handles.size >= 32) {
      for (const key of this.handles.keys()) {
        if (!this.unsynced.has(key)) {
          await this.closeHandle(key);
          break;
        }
      }
    }
    // Run results may hold response bodies: readable by the owner only. Opened for reading
    // too: records whose line was dropped from memory are read back through it (readLine).
    handle = await fs.open(segment.path, 'a+', 0o600);
    this.handles.set(segment.key, handle);
    if (segment.tornAt !== undefined) {
      // Cut the torn tail a crash left, so the next record starts on a line of its own.
      await handle.truncate(segment.tornAt);
      const summary = this.summaries.get(segment.key);
      if (summary) summary.size = segment.tornAt;
      segment.tornAt = undefined;
    }
    return handle;
  }

  private async closeHandle(key: string): Promise<void> {
    const handle = this.handles.get(key);
    if (!handle) return;
    this.handles.delete(key);
    if (this.unsynced.delete(key)) await handle.datasync().catch(() => undefined);
    await handle.close();
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.unsynced.size === 0) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      this.kick();
    }, this.syncEveryMs);
    this.syncTimer.unref();
  }

  private async syncAll(): Promise<void> {
    const keys = [...this.unsynced];
    this.unsynced.clear();
    await Promise.all(keys.map((key) => this.handles.get(key)?.datasync()));
  }

  /** Waits until no append is queued or in flight; `sync` also fdatasyncs. */
  private async drainWrites(sync: boolean): Promise<void> {
    if (sync) {
      this.syncDue = true;
      this.kick();
    }
    while (this.writer) await this.writer;
  }

  /**
   * Before segments are rewritten or removed, the summary file stops vouching for them: a crash
   * in between leaves files that are read again at open, never ones reported missing or cut.
   */
  private async unlist(keys: Iterable<string>): Promise<void> {
    const skip = new Set(keys);
    if (skip.size === 0) return;
    const kept = new Map([...this.summaries].filter(([key]) => !skip.has(key)));
    await writeSummaries(this.dir, kept);
  }

  private async saveSummaries(): Promise<void> {
    if (this.dirtySummaries.size === 0) return;
    const dirty = [...this.dirtySummaries];
    this.dirtySummaries.clear();
    await Promise.all(
      dirty.map(async (key) => {
        const summary = this.summaries.get(key);
        if (!summary) return;
        try {
          const stat = await fs.stat(this.pathOf(key));
          // A summary is trusted at open only when size and mtime still match.
          summary.mtimeMs = stat.size === summary.size ? stat.mtimeMs : undefined;
        } catch {
          summary.mtimeMs = undefined; // no file yet: nothing to vouch for
        }
      }),
    );
    await writeSummaries(this.dir, this.summaries);
  }

  /** Saves summaries now and then while runs arrive, so a crash re-reads few segments. */
  private scheduleSummarySave(): void {
    if (this.summaryTimer || this.closed) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      if (this.closed) return;
      void this.serial(async () => {
        await this.drainWrites(false);
        await this.saveSummaries();
      }).catch((error: unknown) => {
        console.warn('JsonStore: saving run summaries failed; will retry:', error);
      });
    }, this.summaryEveryMs);
    this.summaryTimer.unref();
  }

  // ------------------------------------------------------------ reads

  get(id: string): Promise<Run | undefined> {
    if (this.queued === 0 && !this.closed) {
      const found = this.locateNow(id);
      if (found !== null) {
        return Promise.resolve(found && this.materialize(found.segment, found.entry));
      }
    }
    return this.serial(async () => {
      const found = await this.locate(id);
      return found && this.materialize(found.segment, found.entry);
    });
  }

  list(query: RunQuery): Promise<RunPage> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    let hiKey = query.to !== undefined ? segmentKeyOf(query.to) : undefined;
    if (after) {
      const cursorKey = segmentKeyOf(after.startedAt);
      if (hiKey === undefined || cursorKey < hiKey) hiKey = cursorKey;
    }
    const loKey = query.from !== undefined ? segmentKeyOf(query.from) : undefined;
    return this.serial(async () => {
      const items: Run[] = [];
      const start = hiKey === undefined ? this.keys.length - 1 : lowerBound(this.keys, hiKey);
      for (let k = Math.min(start, this.keys.length - 1); k >= 0; k--) {
        const key = this.keys[k]!;
        if (hiKey !== undefined && key > hiKey) continue;
        if (loKey !== undefined && key < loKey) break;
        if (!this.mayMatch(key, query)) continue;
        const segment = await this.load(key);
        const sorted = this.sorted(segment);
        for (let i = sorted.length - 1; i >= 0; i--) {
          const entry = sorted[i]!;
          if (after && compareRuns(entry, after) >= 0) continue;
          if (query.from !== undefined && entry.startedAt < query.from) break;
          if (!matchesRunFilter(entry as unknown as Run, query)) continue;
          if (items.length === query.limit) {
            return { items, nextCursor: encodeCursor(items[items.length - 1]!) };
          }
          const run = this.materialize(segment, entry);
          if (run) items.push(run);
        }
      }
      return { items };
    });
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

  taskIds(from?: string, to?: string): Promise<Set<string>> {
    return this.serial(async () => {
      const ids = new Set<string>();
      for (const key of this.keysIn(from, to)) {
        const covered =
          (from === undefined || segmentStart(key) >= from) &&
          (to === undefined || segmentEnd(key) <= to);
        if (covered) {
          for (const id of this.summaries.get(key)?.taskIds ?? []) if (id) ids.add(id);
          continue;
        }
        const segment = await this.load(key).catch((error: unknown) => {
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
    });
  }

  runningRuns(): Promise<Run[]> {
    return this.serial(async () => {
      const runs: Run[] = [];
      for (const [id, key] of [...this.running]) {
        // A segment that cannot be read was reported; its runs stay as they are.
        const segment = await this.load(key).catch(() => undefined);
        if (!segment) continue;
        const entry = segment.entries.get(id);
        const run = entry?.status === 'running' ? this.materialize(segment, entry) : undefined;
        if (run) runs.push(run);
      }
      return runs.sort(compareRuns);
    });
  }

  private keysIn(from?: string, to?: string): string[] {
    const lo = from === undefined ? 0 : lowerBound(this.keys, segmentKeyOf(from));
    const hiKey = to === undefined ? undefined : segmentKeyOf(to);
    let hi = this.keys.length;
    if (hiKey !== undefined) {
      hi = lowerBound(this.keys, hiKey);
      if (this.keys[hi] === hiKey) hi++;
    }
    return this.keys.slice(lo, hi);
  }

  // ------------------------------------------------------------ deletion and retention

  delete(which: RunDeletion): Promise<number> {
    if ('from' in which) {
      segmentKeyOf(which.from);
      segmentKeyOf(which.to);
    }
    return this.serial(async () => {
      await this.drainWrites(false);
      let deleted = 0;
      if ('ids' in which) {
        const byKey = new Map<string, Set<string>>();
        for (const id of new Set(which.ids)) {
          const found = await this.locate(id);
          if (!found) continue;
          let ids = byKey.get(found.segment.key);
          if (!ids) byKey.set(found.segment.key, (ids = new Set()));
          ids.add(id);
        }
        await this.unlist(byKey.keys());
        for (const [key, ids] of byKey) {
          deleted += await this.rewrite(key, (entry) => ids.has(entry.id));
        }
      } else if ('taskId' in which) {
        const keys = this.keys.filter((k) => this.summaries.get(k)?.taskIds.has(which.taskId));
        await this.unlist(keys);
        for (const key of keys) {
          deleted += await this.rewrite(key, (entry) => entry.taskId === which.taskId);
        }
      } else {
        const { from, to } = which;
        const keys = this.keysIn(from, to);
        const covered = (key: string): boolean =>
          segmentStart(key) >= from && segmentEnd(key) <= to;
        await this.unlist(keys);
        const counts = await Promise.all(keys.filter(covered).map((key) => this.drop(key)));
        deleted += counts.reduce((a, b) => a + b, 0);
        for (const key of keys.filter((k) => !covered(k))) {
          deleted += await this.rewrite(
            key,
            (entry) => entry.startedAt >= from && entry.startedAt < to,
          );
        }
      }
      await syncDir(this.dir);
      await this.saveSummaries();
      return deleted;
    });
  }

  /** Rewrites a segment without the doomed runs (atomically); returns how many went. */
  private async rewrite(key: string, doomed: (entry: Entry) => boolean): Promise<number> {
    const segment = await this.load(key);
    const gone = [...segment.entries.values()].filter(doomed);
    if (gone.length === 0) return 0;
    if (gone.length === segment.entries.size) return this.drop(key);
    await this.closeHandle(key);
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
    kept.forEach((entry, i) => {
      const length = Buffer.byteLength(lines[i]!);
      if (entry.line === undefined) {
        entry.offset = offset;
        entry.length = length;
      } else {
        entry.offset = -1;
      }
      offset += length + 1;
    });
    segment.sorted = kept;
    segment.tornAt = undefined;
    this.cachedRuns -= gone.length;
    this.forgetIds(
      key,
      gone.map((entry) => entry.id),
    );
    this.summaries.set(key, summarize(key, kept, Buffer.byteLength(text)));
    this.markDirty(key);
    return gone.length;
  }

  /** Removes a whole segment file; returns how many runs it held. */
  private async drop(key: string): Promise<number> {
    const summary = this.summaries.get(key);
    const count = summary?.runs ?? 0;
    await this.closeHandle(key);
    await fs.rm(this.pathOf(key), { force: true });
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cachedRuns -= cached.entries.size;
    }
    if (summary) this.forgetIds(key, [...summary.running, ...summary.foreign]);
    this.summaries.delete(key);
    this.markDirty(key);
    this.keys.splice(lowerBound(this.keys, key), 1);
    return count;
  }

  private forgetIds(key: string, ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.running.get(id) === key) this.running.delete(id);
      if (this.foreign.get(id) === key) this.foreign.delete(id);
    }
  }

  /** Drops whole segments, oldest first, never the newest one. */
  applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    return this.serial(async () => {
      await this.drainWrites(false);
      const newest = this.keys.length - 1;
      let dropBefore = 0; // keys[0 .. dropBefore) go
      if (policy.maxAgeDays !== undefined) {
        const cutoff = new Date(nowMs - policy.maxAgeDays * 86_400_000).toISOString();
        while (dropBefore < newest && segmentEnd(this.keys[dropBefore]!) <= cutoff) dropBefore++;
      }
      if (policy.maxRuns !== undefined) {
        let kept = 0;
        let k = newest;
        while (k >= 0 && kept < policy.maxRuns)
          kept += this.summaries.get(this.keys[k--]!)?.runs ?? 0;
        dropBefore = Math.max(dropBefore, Math.min(k + 1, newest));
      }
      const doomed = this.keys.slice(0, dropBefore);
      await this.unlist(doomed);
      const counts = await Promise.all(doomed.map((k) => this.drop(k)));
      if (dropBefore > 0) {
        await syncDir(this.dir);
        await this.saveSummaries();
      }
      return counts.reduce((a, b) => a + b, 0);
    });
  }

  /** For tests and the bench: what the log holds in memory now. */
  stats(): {
    segments: number;
    cachedSegments: number;
    cachedRuns: number;
    /** Cached runs whose record text is held in memory (not only its place in the file). */
    cachedLines: number;
  } {
    let cachedLines = 0;
    for (const segment of this.cache.values()) {
      for (const entry of segment.entries.values()) if (entry.line !== undefined) cachedLines++;
    }
    return {
      segments: this.keys.length,
      cachedSegments: this.cache.size,
      cachedRuns: this.cachedRuns,
      cachedLines,
    };
  }

  private hasKey(key: string): boolean {
    return this.keys[lowerBound(this.keys, key)] === key;
  }

  private markDirty(key: string): void {
    this.dirtySummaries.add(key);
    this.scheduleSummarySave();
  }
}
