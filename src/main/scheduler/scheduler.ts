/**
 * The scheduler engine: one timer and one min-heap of next fire times for every enabled entry.
 * croner only computes cron occurrences (see schedule-math.ts). The fire path is O(log n): pop,
 * compute the next slot, push back, hand the fire to an async queue that resolves the task and
 * configuration and starts the run through the TaskRunner. Entry state (lastRunAt, nextRunAt) is
 * written to the store coalesced (state-writer.ts). See docs/scheduling.md.
 */
import type { ScheduleEntry } from '../../shared/domain';
import type { TimerHandle } from '../core/clock';
import type { SchedulerPort, SchedulerStatus } from '../core/scheduler-port';
import type { SchedulerDeps } from './deps';
import {
  FireQueue,
  type FireClaim,
  type FireKind,
  type FiringEntry,
  type SchedulerRunner,
} from './fire-queue';
import { MinHeap, type HeapItem } from './min-heap';
import { FLUSH_EVERY_MS, StateWriter } from './state-writer';
import {
  compileSpec,
  lastFireAtOrBefore,
  nextFireAfter,
  specOf,
  type CompiledSpec,
} from './schedule-math';

export { FLUSH_EVERY_MS, FLUSH_GUARD_MS, MAX_FLUSH_EVERY_MS } from './state-writer';
export type { FireClaim, SchedulerRunner } from './fire-queue';

/** Timers never wait longer than this: sleep, clock jumps and the 24.8-day limit are noticed. */
export const MAX_TIMER_MS = 30_000;
/** A single due slot at most this late is a normal `schedule` fire; later, it is missed. */
export const LATE_TOLERANCE_MS = 10_000;
/** Wall time and monotonic time disagreeing by more than this is a clock jump (or a sleep). */
export const JUMP_THRESHOLD_MS = 2_000;
/**
 * After a tick the timer waits a little before the next one, so fires due within that gap share
 * one tick: one wake-up, one batch of store reads, one group commit of their run records. Entries
 * saved through the API are anchored at the moment each was saved, so 10,000 of them come due at
 * hundreds of distinct milliseconds a second, and a tick per millisecond cost more CPU than the
 * fires themselves (bench/scheduler.ts, "spread": 47–59 % of a core at 1 ms, 30–33 % at 10 ms,
 * 25–30 % at 50 ms; docs/benchmarks.md). The gap grows with the fire rate of the last second,
 * by this many ms per 1,000 fires a second (5 ms at 1,000 fires/s, under 1 ms below 200), up to
 * MAX_COALESCE_MS: a fire is at most that much later than its slot, and only under the load that
 * makes it worth it. Entries due at the same moment are never delayed.
 */
export const COALESCE_MS_PER_1000_FIRES = 5;
/** The largest gap between ticks (reached at 10,000 fires a second): see COALESCE_MS_PER_1000_FIRES. */
export const MAX_COALESCE_MS = 50;

export interface SchedulerOptions extends Omit<SchedulerDeps, 'runner'> {
  runner: SchedulerRunner;
  claim?: FireClaim;
  lateToleranceMs?: number;
  flushEveryMs?: number;
  /** A fixed least time between two ticks, instead of the one that follows the fire rate. */
  coalesceMs?: number;
  /**
   * Called synchronously on the fire path each time a fire is enqueued (before any store read),
   * e.g. so a bench can time lateness where it arises. Must be cheap and must not throw.
   */
  onFire?: (entryId: string, slot: number, kind: 'schedule' | 'catch-up') => void;
}

export interface SchedulerStats extends SchedulerStatus {
  /** Fires handed to the run queue since start (schedule and catch-up). */
  fires: number;
  /** Wall-clock jumps (forward or back) detected against monotonic time. */
  clockJumps: number;
  /** While paused: when the pause ends (wall clock, ms). */
  pausedUntil?: number;
}

/**
 * The engine's record of one entry. `entry` is the latest copy the core gave us; its
 * lastRunAt/nextRunAt are stale: the current values are `lastRunMs` and `key` (numbers, so the
 * fire path formats no strings; state-writer.ts formats them when it writes).
 */
interface EntryState extends HeapItem, FiringEntry {
  spec: CompiledSpec;
  /** The slot of the latest fire (or the stored lastRunAt); -Infinity when it never fired. */
  lastRunMs: number;
  /** High-water mark: the latest slot already handled; never fired again (backward jumps). */
  lastSlot: number;
}

export class Scheduler implements SchedulerPort {
  private readonly states = new Map<string, EntryState>();
  private readonly heap = new MinHeap<EntryState>();
  private readonly logger: Pick<Console, 'warn' | 'error'>;
  private readonly lateToleranceMs: number;
  private readonly coalesceMs: number | undefined;
  private readonly writer: StateWriter;
  private running = false;
  private seq = 0;
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private lastWall = 0;
  private lastMono = 0;
  /** Wall time of the latest tick: the next one comes a gap later at the earliest (see arm). */
  private lastTickAt = -Infinity;
  /** Fires since `rateFrom` (monotonic ms), and the rate of the window before (fires/s). */
  private rateFires = 0;
  private rateFrom = 0;
  private fireRate = 0;
  private readonly queue: FireQueue;
  private fires = 0;
  private clockJumps = 0;
  private pausedUntil: number | undefined;

  constructor(private readonly deps: SchedulerOptions) {
    this.logger = deps.logger ?? console;
    this.lateToleranceMs = deps.lateToleranceMs ?? LATE_TOLERANCE_MS;
    this.coalesceMs = deps.coalesceMs;
    this.writer = new StateWriter(
      deps,
      {
        running: () => this.running,
        nextDue: () => this.heap.peek()?.key,
        current: (id) => this.states.get(id),
      },
      this.logger,
      deps.flushEveryMs ?? FLUSH_EVERY_MS,
    );
    this.queue = new FireQueue({
      store: deps.store,
      runner: deps.runner,
      ...(deps.claim ? { claim: deps.claim } : {}),
      logger: this.logger,
      running: () => this.running,
      isCurrent: (state) => this.states.get(state.entry.id) === state,
    });
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    const { clock, store } = this.deps;
    const entries = await store.listSchedules();
    this.running = true;
    this.pausedUntil = undefined;
    this.writer.restart();
    this.lastWall = clock.now();
    this.lastMono = clock.monotonic();
    this.rateFrom = this.lastMono;
    this.rateFires = 0;
    this.fireRate = 0;
    for (const entry of entries) {
      const state = this.track(entry);
      if (!entry.enabled) continue;
      // Slots after the last handled one (or after the entry was saved) up to now were missed;
      // the first tick below applies each entry's `missed` policy to them exactly once.
      const since = Math.max(
        state.lastSlot,
        entry.kind === 'frequency' ? -Infinity : Date.parse(entry.updatedAt),
      );
      const from =
        since === -Infinity
          ? Date.parse(entry.anchorAt ?? entry.startAt ?? entry.updatedAt) - 1
          : since;
      this.reschedule(state, nextFireAfter(state.spec, from));
    }
    this.tick();
  }

  async stop(): Promise<void> {
    if (!this.running) return this.flush();
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.heap.clear();
    // Fires not handed to the runner yet are dropped: stopping means no new runs.
    this.queue.clear();
    for (const state of this.states.values()) delete state.waiting;
    await this.flush();
  }

  status(): SchedulerStats {
    return {
      running: this.running,
      entries: this.heap.size,
      fires: this.fires,
      clockJumps: this.clockJumps,
      ...(this.pausedUntil !== undefined ? { pausedUntil: this.pausedUntil } : {}),
    };
  }

  wake(): void {
    if (!this.running) return;
    this.tick();
  }

  /**
   * Pauses firing until `untilMs` (wall clock): slots that come due meanwhile are passed over and
   * nothing is recorded for them, and the pause ends by itself with no catch-up for them (the user
   * asked for quiet). `nextRunAt` keeps moving. Kept in memory only: a restart ends it.
   */
  pauseUntil(untilMs: number): void {
    if (!this.running) return;
    this.pausedUntil = untilMs;
    // Queued fires and `overlap: queue` waiters are dropped, as at stop().
    this.queue.clear();
    for (const state of this.states.values()) delete state.waiting;
    this.arm();
  }

  /** Ends a pause now; the next due slots fire as scheduled. */
  resume(): void {
    if (this.pausedUntil === undefined) return;
    this.pausedUntil = undefined;
    if (this.running) this.tick();
  }

  /** Writes coalesced entry state now; resolves when it (and any earlier write) is stored. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  // ------------------------------------------------------------------ entry changes

  entryChanged(entry: ScheduleEntry): void {
    if (!this.running) return; // start() loads every entry from the store
    const state = this.track(entry);
    delete state.waiting;
    state.warned = false;
    const next = entry.enabled
      ? nextFireAfter(state.spec, Math.max(this.deps.clock.now(), state.lastSlot))
      : undefined;
    this.reschedule(state, next);
    // Written soon (after any write in flight) so an older state write cannot undo the edit.
    this.writer.markDirty(entry.id, true);
    this.arm();
  }

  entryRemoved(id: string): void {
    const state = this.states.get(id);
    if (!state) return;
    this.heap.remove(state);
    delete state.waiting;
    this.states.delete(id);
    this.writer.forget(id);
    // A state write in flight cannot re-create it: saveScheduleState skips missing entries.
    this.arm();
  }

  // ------------------------------------------------------------------ timer and fire path

  private track(entry: ScheduleEntry): EntryState {
    let state = this.states.get(entry.id);
    const copy: ScheduleEntry = { ...entry };
    const lastRun = entry.lastRunAt ? Date.parse(entry.lastRunAt) : -Infinity;
    if (!state) {
      state = {
        key: Infinity,
        seq: this.seq++,
        heapIndex: -1,
        entry: copy,
        spec: this.compile(copy),
        lastRunMs: lastRun,
        lastSlot: lastRun,
        active: 0,
        warned: false,
      };
      this.states.set(entry.id, state);
    } else {
      state.entry = copy;
      state.spec = this.compile(copy);
      // The core copies lastRunAt from the store, which may be a second behind ours.
      state.lastRunMs = Math.max(state.lastRunMs, lastRun);
      state.lastSlot = Math.max(state.lastSlot, lastRun);
    }
    return state;
  }

  private compile(entry: ScheduleEntry): CompiledSpec {
    try {
      return compileSpec(specOf(entry));
    } catch (error) {
      // Only data edited behind the core's back gets here (saves are validated): never fires.
      this.logger.error(
        `Scheduler: entry ${entry.id} has an unusable schedule and will not fire; edit or delete it:`,
        error,
      );
      return compileSpec({ kind: 'frequency' });
    }
  }

  private reschedule(state: EntryState, next: number | undefined): void {
    if (next === undefined) {
      this.heap.remove(state);
      state.key = Infinity;
    } else {
      state.key = next;
      this.heap.update(state);
    }
  }

  private arm(): void {
    if (!this.running) return;
    const top = this.heap.peek();
    if (!top) {
      if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.armedFor = Infinity;
      return;
    }
    const now = this.deps.clock.now();
    // Not sooner than a gap after the latest tick (after a backward jump: after now).
    const wakeAt = Math.max(
      Math.min(top.key, now + MAX_TIMER_MS),
      Math.min(this.lastTickAt, now) + this.tickGap(),
    );
    // Re-arming for a later or equal time than already armed is pointless.
    if (this.timer !== undefined && this.armedFor <= wakeAt) return;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.armedFor = wakeAt;
    this.timer = this.deps.clock.setTimeout(() => this.tick(), Math.max(0, wakeAt - now));
  }

  private tick(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    if (!this.running) return;
    const { clock } = this.deps;
    const now = clock.now();
    const mono = clock.monotonic();
    // Sleep stops monotonic time but not wall time; a changed system clock moves only wall time.
    const skew = now - this.lastWall - (mono - this.lastMono);
    if (Math.abs(skew) > JUMP_THRESHOLD_MS) {
      this.clockJumps++;
      this.logger.warn(
        `Scheduler: the wall clock jumped ${skew > 0 ? 'forward' : 'back'} by ${Math.round(Math.abs(skew) / 1000)} s (sleep or a clock change); missed slots get each entry's missed policy once, slots already fired are not fired again`,
      );
    }
    this.lastWall = now;
    this.lastMono = mono;
    this.lastTickAt = now;
    if (this.pausedUntil !== undefined && now >= this.pausedUntil) this.pausedUntil = undefined;
    // due() re-keys the top in place (one sift instead of pop + push); its next key is > now.
    for (let top = this.heap.peek(); top && top.key <= now; top = this.heap.peek()) {
      this.due(top, now);
    }
    if (mono - this.rateFrom >= 1000) {
      this.fireRate = (this.rateFires * 1000) / (mono - this.rateFrom);
      this.rateFires = 0;
      this.rateFrom = mono;
    }
    this.arm();
    this.writer.afterTick(now, mono);
  }

  /** The least time until the next tick (see COALESCE_MS_PER_1000_FIRES). */
  private tickGap(): number {
    return (
      this.coalesceMs ??
      Math.min(MAX_COALESCE_MS, (this.fireRate / 1000) * COALESCE_MS_PER_1000_FIRES)
    );
  }

  /** One due entry: at most one fire for everything due now, then its next future slot. */
  private due(state: EntryState, now: number): void {
    const slot = state.key;
    let next = nextFireAfter(state.spec, slot);
    let fireSlot: number | undefined = slot;
    let kind: FireKind = 'schedule';
    let handled = slot;
    if ((next !== undefined && next <= now) || now - slot > this.lateToleranceMs) {
      // A missed window (sleep, stall, app closed): the missed policy applies once for all of it.
      handled =
        next !== undefined && next <= now ? (lastFireAtOrBefore(state.spec, now) ?? slot) : slot;
      next = nextFireAfter(state.spec, Math.max(now, handled));
      kind = 'catch-up';
      fireSlot = state.entry.missed === 'run-once' ? handled : undefined;
    }
    // Paused: the slot is passed over, as the missed policy `skip` would (see pauseUntil).
    if (this.pausedUntil !== undefined) fireSlot = undefined;
    state.lastSlot = Math.max(state.lastSlot, handled);
    this.reschedule(state, next);
    if (fireSlot !== undefined) {
      state.lastRunMs = fireSlot;
      this.writer.markFired(state.entry.id);
      this.fires++;
      this.rateFires++;
      this.queue.push({ state, slot: fireSlot, kind });
      this.deps.onFire?.(state.entry.id, fireSlot, kind);
    }
    this.writer.markDirty(state.entry.id, false);
  }
}
