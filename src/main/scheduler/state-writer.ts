/**
 * The scheduler engine's coalesced entry-state writes: `lastRunAt` / `nextRunAt` of fired and
 * edited entries go to the store together (`Store.saveScheduleState`), at most about once an
 * interval, placed where they delay no fire, and the fired entries are announced with them. See
 * docs/scheduling.md, "Performance design".
 */
import type { ScheduleEntry } from '../../shared/domain';
import type { TimerHandle } from '../core/clock';
import { isoTime } from '../core/iso-time';
import type { ScheduleState } from '../store/types';
import type { SchedulerDeps } from './deps';

/** Coalesced entry state is written at most this often (see `interval()` for many entries). */
export const FLUSH_EVERY_MS = 1_000;
/**
 * The longest interval between state writes, reached when the last write held 10,000 entries or
 * more (0.5 ms per entry written, never less than FLUSH_EVERY_MS): see `interval()`.
 */
export const MAX_FLUSH_EVERY_MS = 5_000;
const FLUSH_MS_PER_ENTRY = 0.5;
/**
 * A timed state write does not start this close before the next due fire: writing 10,000 entries
 * takes tens of milliseconds of CPU, which would make that fire late. It runs right after the
 * tick instead, when the most time until the next fire is left.
 */
export const FLUSH_GUARD_MS = 100;
/** Fired entries announced one by one up to this many per write; beyond, one `store.changed`. */
const MAX_CHANGE_EVENTS = 50;

/** What the writer needs of the engine. */
export interface StateSource {
  /** False once the engine stopped: no timed write starts then. */
  running(): boolean;
  /** When the next fire is due (wall clock, ms); undefined when none is. */
  nextDue(): number | undefined;
  /** The engine's view of entry `id`, or undefined when it is gone. */
  current(id: string): EntryView | undefined;
}

/** An entry as the engine holds it (the engine's own record, read in place: no copy per write). */
export interface EntryView {
  /** The latest copy the core gave; its lastRunAt/nextRunAt are stale (the numbers below rule). */
  entry: ScheduleEntry;
  /** The slot of the latest fire; -Infinity when it never fired. */
  lastRunMs: number;
  /** The next fire time; Infinity when it will not fire again. */
  key: number;
}

export class StateWriter {
  private readonly dirty = new Set<string>();
  private readonly fired = new Set<string>();
  private timer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Writes queued or in flight; a timed write never queues behind one (see timed). */
  private writing = 0;
  /** A timed write waits for the end of the next tick that leaves room (see afterTick). */
  private waitingForTick = false;
  private whenDone = false;
  private lastWriteMono = -Infinity;
  private deferredAt = 0;
  /** Entries in the latest write (see interval). */
  private lastSize = 0;

  constructor(
    private readonly deps: Pick<SchedulerDeps, 'store' | 'events' | 'clock'>,
    private readonly source: StateSource,
    private readonly logger: Pick<Console, 'error'>,
    private readonly everyMs = FLUSH_EVERY_MS,
  ) {}

  /** Entry `id` changed state; `urgent` (an edit) writes it right after any write in flight. */
  markDirty(id: string, urgent: boolean): void {
    this.dirty.add(id);
    this.request(urgent);
  }

  /** Entry `id` fired: announced with the next write. */
  markFired(id: string): void {
    this.fired.add(id);
  }

  /** Entry `id` is gone: nothing more is written or announced for it. */
  forget(id: string): void {
    this.dirty.delete(id);
    this.fired.delete(id);
  }

  /** The engine (re)starts: no write waits for a tick of the previous run. */
  restart(): void {
    this.waitingForTick = false;
  }

  /** Writes what is dirty now; resolves when it (and any earlier write) is stored. */
  flush(): Promise<void> {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.writing++;
    this.lastWriteMono = this.deps.clock.monotonic();
    this.chain = this.chain
      .then(() => this.writeOnce())
      .finally(() => {
        this.writing--;
        if (this.writing === 0 && this.whenDone) {
          this.whenDone = false;
          this.timed();
        }
      });
    return this.chain;
  }

  /**
   * After a tick (at wall time `now`, monotonic `mono`): a timed write that waited for it starts
   * now when the next fire is far enough, or when it waited half an interval already (fires so
   * dense that one is always due within the guard).
   */
  afterTick(now: number, mono: number): void {
    if (!this.waitingForTick) return;
    const next = this.source.nextDue();
    if (
      next === undefined ||
      next - now >= FLUSH_GUARD_MS ||
      mono - this.deferredAt >= this.interval() / 2
    ) {
      this.waitingForTick = false;
      if (this.writing > 0) this.whenDone = true;
      else void this.flush();
    }
  }

  private request(urgent: boolean): void {
    if (!this.source.running()) return;
    if (urgent) {
      void this.flush();
      return;
    }
    if (this.timer === undefined && !this.waitingForTick && !this.whenDone) {
      // At most one write per interval; when the last one is that old, right after this turn.
      const since = this.deps.clock.monotonic() - this.lastWriteMono;
      const interval = this.interval();
      this.timer = this.deps.clock.setTimeout(
        () => {
          this.timer = undefined;
          this.timed();
        },
        Math.min(interval, Math.max(0, interval - since)),
      );
    }
  }

  /**
   * How long writes wait for each other: `everyMs`, or longer when the last write was large.
   * Each write of the json store serializes and syncs its whole catalog: 20–60 ms of CPU with
   * 10,000 entries, so one a second was 2–6 % of a core in the 10,000-entry case (bench/scheduler.ts,
   * docs/benchmarks.md). With that many entries firing, `schedules.list` values are up to about
   * 5 s stale instead of 1 s; nothing else changes (a crash still costs at most one catch-up run
   * per entry). Edits are still written at once (markDirty urgent).
   */
  private interval(): number {
    return Math.max(this.everyMs, Math.min(MAX_FLUSH_EVERY_MS, this.lastSize * FLUSH_MS_PER_ENTRY));
  }

  /**
   * The periodic write, placed where it delays no fire: not queued behind a write in flight (its
   * synchronous part would then run at a random moment, maybe just before a fire), and not
   * started just before a due fire (then it runs right after a tick that leaves room).
   */
  private timed(): void {
    if (!this.source.running()) return;
    if (this.writing > 0) {
      this.whenDone = true;
      return;
    }
    const next = this.source.nextDue();
    if (next !== undefined && next - this.deps.clock.now() < FLUSH_GUARD_MS) {
      this.waitingForTick = true;
      this.deferredAt = this.deps.clock.monotonic();
      return;
    }
    void this.flush();
  }

  private async writeOnce(): Promise<void> {
    const { store, events } = this.deps;
    const ids = [...this.dirty];
    const fired = [...this.fired];
    this.dirty.clear();
    this.fired.clear();
    // Only the engine's fields: the store never lets them undo an edit or revive a deleted entry.
    const states: ScheduleState[] = [];
    for (const id of ids) {
      const current = this.source.current(id);
      if (current) states.push(stateOf(current));
    }
    if (states.length === 0) return;
    this.lastSize = states.length;
    try {
      await store.saveScheduleState(states);
    } catch (error) {
      // Keep them dirty: the next write tries again.
      for (const id of ids) if (this.source.current(id)) this.dirty.add(id);
      this.logger.error('Scheduler: saving schedule state failed; will retry:', error);
      this.request(false);
      return;
    }
    const announced = fired.filter((id) => this.source.current(id) !== undefined);
    if (announced.length > MAX_CHANGE_EVENTS) {
      events.emit('store.changed', { kind: 'schedules' });
    } else {
      for (const id of announced) {
        events.emit('schedule.changed', { id, entry: snapshot(this.source.current(id)!) });
      }
    }
  }
}

/** What the store records of the engine's state: numbers formatted once per distinct instant. */
function stateOf(view: EntryView): ScheduleState {
  return {
    id: view.entry.id,
    ...(view.lastRunMs !== -Infinity ? { lastRunAt: isoTime(view.lastRunMs) } : {}),
    ...(view.key !== Infinity ? { nextRunAt: isoTime(view.key) } : {}),
  };
}

/** The entry as the store and the UI see it: lastRunAt/nextRunAt from the engine's numbers. */
function snapshot(view: EntryView): ScheduleEntry {
  const entry: ScheduleEntry = { ...view.entry };
  if (view.lastRunMs !== -Infinity) entry.lastRunAt = isoTime(view.lastRunMs);
  if (view.key !== Infinity) entry.nextRunAt = isoTime(view.key);
  else delete entry.nextRunAt;
  return entry;
}
