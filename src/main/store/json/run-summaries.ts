/**
 * The run log's per-segment summaries (segment.ts, `SegmentSummary`) and their file,
 * `runs/summary.json`: which are dirty, saving them now and then while runs arrive, and taking
 * segments out of the file before they are rewritten or removed. One summary per hour of history
 * (a few hundred bytes plus the hour's distinct task ids); no per-run state.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../../shared/errors';
import { segmentFileName, writeSummaries, type SegmentSummary } from './segment';

export class RunSummaries {
  /** Every segment's summary, by key. */
  readonly map = new Map<string, SegmentSummary>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly everyMs: number,
    /** Saves the summaries in the run log's order of operations (called by the timer). */
    private readonly saveLater: () => Promise<void>,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  get(key: string): SegmentSummary | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, summary: SegmentSummary): void {
    this.map.set(key, summary);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** The summary of `key` changed: saved at the next save, at most `everyMs` from now. */
  markDirty(key: string): void {
    this.dirty.add(key);
    this.schedule();
  }

  /** Writes `summary.json` when a summary changed since the last save. */
  async save(): Promise<void> {
    if (this.dirty.size === 0) return;
    const dirty = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      dirty.map(async (key) => {
        const summary = this.map.get(key);
        if (!summary) return;
        try {
          const stat = await fs.stat(join(this.dir, segmentFileName(key)));
          // A summary is trusted at open only when size and mtime still match.
          summary.mtimeMs = stat.size === summary.size ? stat.mtimeMs : undefined;
        } catch {
          summary.mtimeMs = undefined; // no file yet: nothing to vouch for
        }
      }),
    );
    await writeSummaries(this.dir, this.map);
  }

  /**
   * Before segments are rewritten or removed, the summary file stops vouching for them: a crash
   * in between leaves files that are read again at open, never ones reported missing or cut.
   */
  async unlist(keys: Iterable<string>): Promise<void> {
    const skip = new Set(keys);
    if (skip.size === 0) return;
    const kept = new Map([...this.map].filter(([key]) => !skip.has(key)));
    await writeSummaries(this.dir, kept);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Saves summaries now and then while runs arrive, so a crash re-reads few segments. */
  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.saveLater().catch((error: unknown) => {
        this.log(`JsonStore: saving run summaries failed; will retry: ${messageOf(error)}`);
      });
    }, this.everyMs);
    this.timer.unref();
  }
}
