/**
 * The scheduler engine: one timer and one min-heap of next fire times for every enabled entry.
 * croner only computes cron occurrences (see schedule-math.ts). The fire path is O(log n): pop,
 * compute the next slot, push back, hand the fire to an async queue that resolves the task and
 * configuration and starts the run through the TaskRunner. Entry state (lastRunAt, nextRunAt) is
 * written to the store coalesced, at most about once a second. See docs/scheduling.md.
 */
import type {
  Configuration,
  Run,
  RunError,
  RunTrigger,
  ScheduleEntry,
  Task,
} from '../../shared/domain';
import type { SchedulerDeps } from '../app';
import { toIso, type TimerHandle } from '../core/clock';
import { checkOperation } from '../core/config-rules';
import type { SchedulerPort, SchedulerStatus } from '../core/scheduler-port';
import type { ScheduleState } from '../store/types';
import type { RunRequest, RunSettled, StartedRun } from '../core/task-runner';
import { MinHeap, type HeapItem } from './min-heap';
import {
  compileSpec,
  lastFireAtOrBefore,
  nextFireAfter,
  specOf,
  type CompiledSpec,
} from './schedule-math';

/** Timers never wait longer than this: sleep, clock jumps and the 24.8-day limit are noticed. */
export const MAX_TIMER_MS = 30_000;
/** A single due slot at most this late is a normal `schedule` fire; later, it is missed. */
export const LATE_TOLERANCE_MS = 10_000;
/** Wall time and monotonic time disagreeing by more than this is a clock jump (or a sleep). */
export const JUMP_THRESHOLD_MS = 2_000;
/** Coalesced entry state is written at most this often. */
export const FLUSH_EVERY_MS = 1_000;
/**
 * A timed state write does not start this close before the next due fire: writing 10,000 entries
 * takes tens of milliseconds of CPU, which would make that fire late. It runs right after the
 * tick instead, when the most time until the next fire is left.
 */
export const FLUSH_GUARD_MS = 100;
/** Fired entries announced one by one up to this many per flush; beyond, one `store.changed`. */
const MAX_CHANGE_EVENTS = 50;

/** The part of the TaskRunner the scheduler uses (a seam for benches that time the fire path). */
export interface SchedulerRunner {
  start(request: RunRequest, onSettled?: RunSettled): StartedRun;
  recordUnstarted(request: RunRequest, status: 'skipped' | 'failed', error: RunError): Promise<Run>;
}

/**
 * Multi-instance seam: before running slot `scheduledFor` of an entry, an instance claims it;
 * only the instance that gets `true` runs it. Without one every slot is "mine" (memory, json).
 */
export type FireClaim = (entryId: string, scheduledFor: string) => Promise<boolean>;

export interface SchedulerOptions extends Omit<SchedulerDeps, 'runner'> {
  runner: SchedulerRunner;
  claim?: FireClaim;
  logger?: Pick<Console, 'warn' | 'error'>;
  lateToleranceMs?: number;
  flushEveryMs?: number;
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

interface EntryState extends HeapItem {
  /**
   * The latest copy the core gave us. Its lastRunAt/nextRunAt are stale: the current values are
   * `lastRunMs` and `key` (numbers, so the fire path formats no strings); see `snapshot()`.
   */
  entry: ScheduleEntry;
  spec: CompiledSpec;
  /** The slot of the latest fire (or the stored lastRunAt); -Infinity when it never fired. */
  lastRunMs: number;
  /** High-water mark: the latest slot already handled; never fired again (backward jumps). */
  lastSlot: number;
  /** Runs of this entry handed to the runner and not finished yet (overlap is per entry). */
  active: number;
  /** `overlap: queue`: the one fire waiting for the active run to finish. */
  waiting?: RunRequest;
  /** A vanished task or configuration is logged once per entry, not once per fire. */
  warned: boolean;
  /** Made at the entry's first fire, then reused by every fire (see launch and dispatch). */
  onSettled?: RunSettled;
  triggers?: Partial<Record<Fire['kind'], RunTrigger>>;
}

interface Fire {
  state: EntryState;
  slot: number;
  kind: 'schedule' | 'catch-up';
}

export class Scheduler implements SchedulerPort {
  private readonly states = new Map<string, EntryState>();
  private readonly heap = new MinHeap<EntryState>();
  private readonly logger: Pick<Console, 'warn' | 'error'>;
  private readonly lateToleranceMs: number;
  private readonly flushEveryMs: number;
  private running = false;
  private seq = 0;
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private lastWall = 0;
  private lastMono = 0;
  private pending: Fire[] = [];
  private draining = false;
  private fires = 0;
  private clockJumps = 0;
  private pausedUntil: number | undefined;
  // Coalesced writes.
  private readonly dirty = new Set<string>();
  private readonly firedSinceFlush = new Set<string>();
  private flushTimer: TimerHandle | undefined;
  private flushChain: Promise<void> = Promise.resolve();
  /** Flushes queued or writing; a timed flush never queues behind one (see timedFlush). */
  private flushing = 0;
  private flushAfterTick = false;
  private flushWhenDone = false;
  private lastFlushMono = -Infinity;
  private flushDeferredAt = 0;

  constructor(private readonly deps: SchedulerOptions) {
    this.logger = deps.logger ?? console;
    this.lateToleranceMs = deps.lateToleranceMs ?? LATE_TOLERANCE_MS;
    this.flushEveryMs = deps.flushEveryMs ?? FLUSH_EVERY_MS;
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    const { clock, store } = this.deps;
    const entries = await store.listSchedules();
    this.running = true;
    this.pausedUntil = undefined;
    this.flushAfterTick = false;
    this.lastWall = clock.now();
    this.lastMono = clock.monotonic();
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
    this.pending = [];
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
    this.pending = [];
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
    if (this.flushTimer !== undefined) this.deps.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing++;
    this.lastFlushMono = this.deps.clock.monotonic();
    this.flushChain = this.flushChain
      .then(() => this.flushOnce())
      .finally(() => {
        this.flushing--;
        if (this.flushing === 0 && this.flushWhenDone) {
          this.flushWhenDone = false;
          this.timedFlush();
        }
      });
    return this.flushChain;
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
    this.markDirty(state, true);
    this.arm();
  }

  entryRemoved(id: string): void {
    const state = this.states.get(id);
    if (!state) return;
    this.heap.remove(state);
    delete state.waiting;
    this.states.delete(id);
    this.dirty.delete(id);
    this.firedSinceFlush.delete(id);
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
    const wakeAt = Math.min(top.key, now + MAX_TIMER_MS);
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
    if (this.pausedUntil !== undefined && now >= this.pausedUntil) this.pausedUntil = undefined;
    // due() re-keys the top in place (one sift instead of pop + push); its next key is > now.
    for (let top = this.heap.peek(); top && top.key <= now; top = this.heap.peek()) {
      this.due(top, now);
    }
    this.arm();
    if (this.flushAfterTick) {
      const top = this.heap.peek();
      // Fires spread densely (always one within the guard) postpone the write by at most half
      // an interval.
      if (
        !top ||
        top.key - now >= FLUSH_GUARD_MS ||
        mono - this.flushDeferredAt >= this.flushEveryMs / 2
      ) {
        this.flushAfterTick = false;
        if (this.flushing > 0) this.flushWhenDone = true;
        else void this.flush();
      }
    }
  }

  /** One due entry: at most one fire for everything due now, then its next future slot. */
  private due(state: EntryState, now: number): void {
    const slot = state.key;
    let next = nextFireAfter(state.spec, slot);
    let fireSlot: number | undefined = slot;
    let kind: Fire['kind'] = 'schedule';
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
      this.firedSinceFlush.add(state.entry.id);
      this.fires++;
      this.pending.push({ state, slot: fireSlot, kind });
      this.deps.onFire?.(state.entry.id, fireSlot, kind);
      if (!this.draining) {
        this.draining = true;
        void this.drain();
      }
    }
    this.markDirty(state, false);
  }

  /** Resolves task and configuration for queued fires (shared per batch) and starts the runs. */
  private async drain(): Promise<void> {
    const { store } = this.deps;
    try {
      // Let the whole tick enqueue first, so one batch shares its store reads.
      await Promise.resolve();
      while (this.pending.length > 0 && this.running) {
        const batch = this.pending;
        this.pending = [];
        const tasks = new Map<string, Promise<Task | undefined>>();
        for (const fire of batch) {
          const id = fire.state.entry.taskId;
          if (!tasks.has(id)) tasks.set(id, store.getTask(id));
        }
        const resolvedTasks = await resolveAll(tasks);
        const configs = new Map<string, Promise<Configuration | undefined>>();
        for (const fire of batch) {
          const task = resolvedTasks.get(fire.state.entry.taskId);
          const id = fire.state.entry.configId ?? task?.configId;
          if (id !== undefined && !configs.has(id)) configs.set(id, store.getConfig(id));
        }
        const resolvedConfigs = await resolveAll(configs);
        const claims = this.deps.claim
          ? await Promise.all(
              batch.map((fire) =>
                this.deps.claim!(fire.state.entry.id, toIso(fire.slot)).catch((error: unknown) => {
                  this.logger.error(
                    `Scheduler: claiming entry ${fire.state.entry.id} at ${toIso(fire.slot)} failed; skipping that slot:`,
                    error,
                  );
                  return false;
                }),
              ),
            )
          : undefined;
        for (let i = 0; i < batch.length && this.running; i++) {
          if (claims && !claims[i]) continue; // another instance runs this slot
          const fire = batch[i]!;
          const task = resolvedTasks.get(fire.state.entry.taskId);
          const configId = fire.state.entry.configId ?? task?.configId;
          this.dispatch(
            fire,
            task,
            configId === undefined ? undefined : resolvedConfigs.get(configId),
          );
        }
      }
    } catch (error) {
      this.logger.error('Scheduler: starting scheduled runs failed (store unavailable?):', error);
      this.pending = [];
    } finally {
      this.draining = false;
    }
  }

  private dispatch(fire: Fire, task: Task | undefined, config: Configuration | undefined): void {
    const { state } = fire;
    const entry = state.entry;
    // Deleted or disabled after it fired: edits apply at once, so this fire is void.
    if (this.states.get(entry.id) !== state || !entry.enabled) return;
    if (!task || !config) {
      if (!state.warned) {
        state.warned = true;
        this.logger.warn(
          !task
            ? `Scheduler: entry ${entry.id} fired but its task "${entry.taskId}" no longer exists; nothing is recorded until the entry is fixed or deleted`
            : `Scheduler: entry ${entry.id} fired but its configuration "${entry.configId ?? task.configId}" no longer exists; nothing is recorded until the entry is fixed or deleted`,
        );
      }
      return;
    }
    const request: RunRequest = {
      task,
      config,
      operation: task.operation,
      trigger: ((state.triggers ??= {})[fire.kind] ??= Object.freeze({
        kind: fire.kind,
        scheduleId: entry.id,
      })),
      scheduledFor: isoOf(fire.slot),
    };
    const problem = this.incompatibility(task, config);
    if (problem) {
      this.record(request, 'failed', { code: 'INVALID_CONFIG', message: problem });
      return;
    }
    if (state.active > 0) {
      if (entry.overlap === 'skip') {
        this.record(request, 'skipped', {
          code: 'OVERLAP',
          message: `Skipped: the previous run of this schedule entry was still running (overlap "skip"); use overlap "queue" or "allow" to run anyway`,
        });
        return;
      }
      if (entry.overlap === 'queue') {
        if (state.waiting === undefined) {
          state.waiting = request;
          return;
        }
        this.record(request, 'skipped', {
          code: 'OVERLAP',
          message: `Skipped: a run of this schedule entry was running and another was already waiting (overlap "queue" keeps at most one waiting)`,
        });
        return;
      }
    }
    this.launch(state, request);
  }

  /** Fires of one batch share their task and configuration objects: check each pair once. */
  private checked: { task: Task; config: Configuration; problem: string | undefined } | undefined;

  private incompatibility(task: Task, config: Configuration): string | undefined {
    const memo = this.checked;
    if (memo && memo.task === task && memo.config === config) return memo.problem;
    const problem = incompatibility(task, config);
    this.checked = { task, config, problem };
    return problem;
  }

  private launch(state: EntryState, request: RunRequest): void {
    state.active++;
    try {
      // A callback rather than `finished`: no promises per run (see RunSettled).
      this.deps.runner.start(
        request,
        (state.onSettled ??= (_run, error) => this.settled(state, error)),
      );
    } catch (error) {
      state.active--;
      this.logger.error(`Scheduler: could not start a run of entry ${state.entry.id}:`, error);
    }
  }

  /** A run of the entry is over (or could not be recorded): start the waiting fire, if any. */
  private settled(state: EntryState, error: unknown): void {
    // `error` means recording failed (also before the run started).
    if (error !== undefined && this.running) {
      this.logger.error(`Scheduler: recording a run of entry ${state.entry.id} failed:`, error);
    }
    state.active--;
    const waiting = state.waiting;
    if (
      state.active === 0 &&
      waiting &&
      this.running &&
      this.states.get(state.entry.id) === state
    ) {
      delete state.waiting;
      this.launch(state, waiting);
    }
  }

  private record(request: RunRequest, status: 'skipped' | 'failed', error: RunError): void {
    this.deps.runner.recordUnstarted(request, status, error).catch((failure: unknown) => {
      this.logger.error(`Scheduler: recording a ${status} run failed:`, failure);
    });
  }

  // ------------------------------------------------------------------ coalesced state writes

  private markDirty(state: EntryState, urgent: boolean): void {
    this.dirty.add(state.entry.id);
    this.requestFlush(urgent);
  }

  private requestFlush(urgent: boolean): void {
    if (!this.running) return;
    if (urgent) {
      void this.flush();
      return;
    }
    if (this.flushTimer === undefined && !this.flushAfterTick && !this.flushWhenDone) {
      // At most one write per interval; when the last one is that old, right after this turn.
      const since = this.deps.clock.monotonic() - this.lastFlushMono;
      this.flushTimer = this.deps.clock.setTimeout(
        () => {
          this.flushTimer = undefined;
          this.timedFlush();
        },
        Math.min(this.flushEveryMs, Math.max(0, this.flushEveryMs - since)),
      );
    }
  }

  /**
   * The periodic state write, placed where it delays no fire: not queued behind a write in flight
   * (its synchronous part would then run at a random moment, maybe just before a fire), and not
   * started just before a due fire (then it runs right after a tick that leaves room).
   */
  private timedFlush(): void {
    if (!this.running) return;
    if (this.flushing > 0) {
      this.flushWhenDone = true;
      return;
    }
    const top = this.heap.peek();
    if (top && top.key - this.deps.clock.now() < FLUSH_GUARD_MS) {
      this.flushAfterTick = true;
      this.flushDeferredAt = this.deps.clock.monotonic();
      return;
    }
    void this.flush();
  }

  private async flushOnce(): Promise<void> {
    const { store, events } = this.deps;
    const ids = [...this.dirty];
    const fired = [...this.firedSinceFlush];
    this.dirty.clear();
    this.firedSinceFlush.clear();
    // Only the engine's fields: the store never lets them undo an edit or revive a deleted entry.
    const states: ScheduleState[] = [];
    for (const id of ids) {
      const state = this.states.get(id);
      if (state) states.push(stateOf(state));
    }
    if (states.length === 0) return;
    try {
      await store.saveScheduleState(states);
    } catch (error) {
      // Keep them dirty: the next flush tries again.
      for (const id of ids) if (this.states.has(id)) this.dirty.add(id);
      this.logger.error('Scheduler: saving schedule state failed; will retry:', error);
      this.requestFlush(false);
      return;
    }
    const announced = fired.filter((id) => this.states.has(id));
    if (announced.length > MAX_CHANGE_EVENTS) {
      events.emit('store.changed', { kind: 'schedules' });
    } else {
      for (const id of announced) {
        const state = this.states.get(id)!;
        events.emit('schedule.changed', { id, entry: snapshot(state) });
      }
    }
  }
}

/** What the store records of the engine's state: numbers formatted once per distinct instant. */
function stateOf(state: EntryState): ScheduleState {
  return {
    id: state.entry.id,
    ...(state.lastRunMs !== -Infinity ? { lastRunAt: isoOf(state.lastRunMs) } : {}),
    ...(state.key !== Infinity ? { nextRunAt: isoOf(state.key) } : {}),
  };
}

/** The entry as the store and the UI see it: lastRunAt/nextRunAt from the engine's numbers. */
function snapshot(state: EntryState): ScheduleEntry {
  const entry: ScheduleEntry = { ...state.entry };
  if (state.lastRunMs !== -Infinity) entry.lastRunAt = isoOf(state.lastRunMs);
  if (state.key !== Infinity) entry.nextRunAt = isoOf(state.key);
  else delete entry.nextRunAt;
  return entry;
}

/** Many entries share a slot: formatting each distinct instant once saves work per flush. */
const isoCache = new Map<number, string>();
function isoOf(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size >= 256) isoCache.clear();
    iso = toIso(ms);
    isoCache.set(ms, iso);
  }
  return iso;
}

async function resolveAll<T>(pending: Map<string, Promise<T>>): Promise<Map<string, T>> {
  const keys = [...pending.keys()];
  const values = await Promise.all(pending.values());
  return new Map(keys.map((key, i) => [key, values[i]!]));
}

/** Why this configuration cannot run this task now, or undefined when it can. */
function incompatibility(task: Task, config: Configuration): string | undefined {
  if (config.type !== task.type) {
    return `Scheduler: configuration "${config.name}" is for ${config.type} tasks, but task "${task.name}" is a ${task.type} task; point the entry or task at a ${task.type} configuration`;
  }
  try {
    checkOperation(config, task.operation, 'Scheduler');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
