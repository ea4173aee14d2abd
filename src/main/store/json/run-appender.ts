/**
 * The run log's append writer (group commit). Records queued in one event-loop turn go out as one
 * append per segment file; the writer keeps appending while earlier appends are in flight, and
 * fdatasyncs every dirty file at least every `syncEveryMs`. Append handles are opened `a+` (records
 * are read back through them), at most 32 at once, and closed when their segment leaves memory.
 */
import type { FileHandle } from 'node:fs/promises';
import { promises as fs } from 'node:fs';
import { AppError } from '../../../shared/errors';
import {
  dropWrittenLines,
  encodeLines,
  newBatch,
  SYNC_WRITE_MAX_BYTES,
  writeAll,
  writeAllSync,
  type Batch,
} from './run-log-parts';
import type { RunSummaries } from './run-summaries';
import type { SegmentCache } from './segment-cache';
import type { Segment, SegmentFiles } from './segment-types';
import type { Entry } from './segment';

const MAX_HANDLES = 32;

export class RunAppender implements SegmentFiles {
  private openBatch: Batch<Segment> | undefined;
  private writer: Promise<void> | undefined;
  private readonly handles = new Map<string, FileHandle>();
  private readonly unsynced = new Set<string>();
  private syncDue = false;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  /** Handles of released segments being synced and closed (close() waits for them). */
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  /** Set once the cache exists (they refer to each other). */
  cache!: SegmentCache;

  constructor(
    private readonly dir: string,
    private readonly syncEveryMs: number,
    private readonly summaries: RunSummaries,
    /** Called after every append round: segments may leave memory now (see RunLog.trim). */
    private readonly afterWrite: () => void,
  ) {}

  /** Queues one line for `segment`; resolves when it reached the OS (see writeBatch). */
  queue(segment: Segment, entry: Entry, line: string): Promise<void> {
    this.openBatch ??= newBatch();
    const batch = this.openBatch;
    let pending = batch.lines.get(segment);
    if (!pending) batch.lines.set(segment, (pending = { lines: [], entries: [] }));
    pending.lines.push(line);
    pending.entries.push(entry);
    this.cache.queued(segment, line);
    this.kick();
    return batch.done;
  }

  /** Waits until no append is queued or in flight; `sync` also fdatasyncs. */
  async drain(sync: boolean): Promise<void> {
    if (sync) {
      this.syncDue = true;
      this.kick();
    }
    while (this.writer) await this.writer;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    const handles = [...this.handles.values()];
    this.handles.clear();
    for (const handle of handles) await handle.close();
    await Promise.all(this.closing);
  }

  fdOf(key: string): number | undefined {
    return this.handles.get(key)?.fd;
  }

  released(key: string): void {
    if (this.closed || !this.handles.has(key)) return;
    const closing = this.closeHandle(key)
      .catch(() => undefined)
      .finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  async closeHandle(key: string): Promise<void> {
    const handle = this.handles.get(key);
    if (!handle) return;
    this.handles.delete(key);
    if (this.unsynced.delete(key)) await handle.datasync().catch(() => undefined);
    await handle.close();
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
      if (batch) {
        await this.writeBatch(batch);
        this.afterWrite();
      }
      if (this.syncDue) {
        this.syncDue = false;
        await this.syncAll();
      }
    }
  }

  private async writeBatch(batch: Batch<Segment>): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(
      [...batch.lines].map(async ([segment, { lines, entries }]) => {
        const { bytes, lengths, chars } = encodeLines(lines);
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
          await this.closeHandle(segment.key);
          await this.cache.forget(segment);
        } finally {
          this.cache.written(segment, lines.length, chars);
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

  private async handleFor(segment: Segment): Promise<FileHandle> {
    let handle = this.handles.get(segment.key);
    if (handle) return handle;
    if (this.handles.size >= MAX_HANDLES) {
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

  private scheduleSync(): void {
    if (this.syncTimer || this.unsynced.size === 0 || this.closed) return;
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
}
