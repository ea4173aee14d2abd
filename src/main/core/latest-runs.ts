/**
 * The latest run of each task, for lists that show "last run" beside every task. Built once by
 * walking the newest runs (bounded, so a task that last ran long ago costs nothing) and kept
 * current from run events, so a list of 1,000 tasks is one call instead of 1,000 queries.
 */
import type { Run } from '../../shared/domain';
import type { Store } from '../store/types';
import type { EventBus } from './event-bus';

/** How many of the newest runs the first build walks. */
export const LATEST_RUNS_SCAN_LIMIT = 20_000;
const PAGE = 1000;

export class LatestRuns {
  private latest: Map<string, Run> | undefined;
  private building: Promise<Map<string, Run>> | undefined;
  private early: Run[] = [];

  constructor(
    private readonly store: Store,
    events: EventBus,
    private readonly scanLimit = LATEST_RUNS_SCAN_LIMIT,
  ) {
    events.subscribe((event) => {
      if (event.name === 'run.started' || event.name === 'run.finished') {
        this.note(event.data.run);
      } else if (event.name === 'store.changed' && event.data.kind === 'runs') {
        // Runs were deleted (or imported): rebuild on the next read.
        this.latest = undefined;
        this.building = undefined;
      }
    });
  }

  /** Latest run per task id (all tasks seen, or just `taskIds`). */
  async get(taskIds?: readonly string[]): Promise<Record<string, Run>> {
    const latest = await this.build();
    const out: Record<string, Run> = {};
    for (const id of taskIds ?? latest.keys()) {
      const run = latest.get(id);
      if (run) out[id] = run;
    }
    return out;
  }

  private note(run: Run): void {
    if (!run.taskId) return;
    if (!this.latest) {
      // Seen while the first build walks the history: applied once it is done.
      if (this.building) this.early.push(run);
      return;
    }
    const known = this.latest.get(run.taskId);
    if (!known || known.id === run.id || known.startedAt <= run.startedAt) {
      this.latest.set(run.taskId, run);
    }
  }

  private build(): Promise<Map<string, Run>> {
    if (this.latest) return Promise.resolve(this.latest);
    this.building ??= (async () => {
      const found = new Map<string, Run>();
      let cursor: string | undefined;
      let scanned = 0;
      do {
        const page = await this.store.listRuns({ limit: PAGE, ...(cursor ? { cursor } : {}) });
        for (const run of page.items) {
          if (run.taskId && !found.has(run.taskId)) found.set(run.taskId, run);
        }
        scanned += page.items.length;
        cursor = page.nextCursor;
      } while (cursor && scanned < this.scanLimit);
      this.latest = found;
      for (const run of this.early.splice(0)) this.note(run);
      return found;
    })().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }
}
