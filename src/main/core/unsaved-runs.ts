/**
 * Final run records the store could not write (a full disk, a database away for longer than its
 * retry window): kept in memory and written again, with backoff, until the store takes them, so
 * a run that is over never stays `running` on disk while the service goes on. What is still
 * unwritten at shutdown stays `running` on disk and is marked `interrupted` at the next start.
 */
import type { Run } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Store } from '../store/types';
import type { Clock } from './clock';

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;

export class UnsavedRuns {
  private readonly pending = new Map<string, Run>();
  private timer: ReturnType<Clock['setTimeout']> | undefined;
  private delayMs = FIRST_RETRY_MS;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'updateRun'>,
    private readonly clock: Clock,
    private readonly log: Pick<Console, 'error' | 'info'> = console,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Keeps `run` (the newest record of its id wins) and schedules a write. */
  add(run: Run, cause: unknown): void {
    this.log.error(
      `TaskRunner: recording the end of run ${run.id} (${run.taskName}: ${run.status}) failed (${cause instanceof Error ? cause.message : String(cause)}); it is kept in memory and written again until the store takes it`,
    );
    this.pending.set(run.id, run);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.pending.size === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes every pending record once; those the store still refuses wait for the next round. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      let written = 0;
      for (const [id, run] of [...this.pending]) {
        try {
          await this.store.updateRun(run);
          written++;
          this.pending.delete(id);
        } catch (error) {
          // Deleted by the user meanwhile: nothing left to record.
          if (error instanceof AppError && error.code === 'NOT_FOUND') this.pending.delete(id);
        }
      }
      if (written > 0) this.log.info(`TaskRunner: recorded ${written} run(s) kept in memory`);
      this.delayMs =
        this.pending.size === 0 ? FIRST_RETRY_MS : Math.min(this.delayMs * 2, MAX_RETRY_MS);
    })().finally(() => {
      this.flushing = undefined;
      this.schedule();
    });
    return this.flushing;
  }

  /** Last try at shutdown; returns how many records stay unwritten. */
  async close(): Promise<number> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.pending.size) await this.flush();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size) {
      this.log.error(
        `TaskRunner: ${this.pending.size} finished run(s) could not be recorded before stopping; they show as interrupted after the next start`,
      );
    }
    return this.pending.size;
  }
}
