/**
 * Off the scheduler's fire path: the queue of fires, drained in batches that share their store
 * reads (each distinct task and configuration once per batch), the multi-instance claim, the
 * entry's overlap policy, and the hand-over to the TaskRunner. See docs/scheduling.md,
 * "Performance design".
 */
import { isDeepStrictEqual } from 'node:util';
import type {
  Configuration,
  Run,
  RunError,
  RunTrigger,
  ScheduleEntry,
  Task,
} from '../../shared/domain';
import { compatibilityProblem } from '../../shared/compatibility';
import { toIso } from '../core/clock';
import { isoTime } from '../core/iso-time';
import { checkOperation } from '../core/config-rules';
import type { RunRequest, RunSettled, StartedRun } from '../core/task-runner';
import type { SchedulerDeps } from './deps';

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

export type FireKind = 'schedule' | 'catch-up';

/** What the queue keeps per entry (part of the engine's record of it). */
export interface FiringEntry {
  /** The latest copy the core gave. */
  entry: ScheduleEntry;
  /** Runs of this entry handed to the runner and not finished yet (overlap is per entry). */
  active: number;
  /** `overlap: queue`: the one fire waiting for the active run to finish. */
  waiting?: RunRequest;
  /** A vanished task or configuration is logged once per entry, not once per fire. */
  warned: boolean;
  /** Made at the entry's first fire, then reused by every fire (see launch and dispatch). */
  onSettled?: RunSettled;
  triggers?: Partial<Record<FireKind, RunTrigger>>;
}

export interface Fire {
  state: FiringEntry;
  slot: number;
  kind: FireKind;
}

export interface FireQueueOptions {
  store: SchedulerDeps['store'];
  runner: SchedulerRunner;
  claim?: FireClaim;
  logger: Pick<Console, 'warn' | 'error'>;
  /** False once the engine stopped: nothing more starts. */
  running: () => boolean;
  /** Whether `state` is still the engine's record of its entry (not deleted or replaced). */
  isCurrent: (state: FiringEntry) => boolean;
}

export class FireQueue {
  private pending: Fire[] = [];
  private draining = false;
  /**
   * The previous batch's object for each id whose stored data did not change, else the fresh one.
   * The runner and the executor wrappers do their per-configuration work (the redacted snapshot,
   * the secret values, its JSON) once per object, so a fresh copy per batch would redo it for
   * every batch: tens to hundreds a second under dense schedules (COALESCE_MS_PER_1000_FIRES in scheduler.ts;
   * bench/scheduler.ts, "spread"). Runs treat the objects as read-only, as the runs of one batch
   * always shared them.
   */
  private readonly lastTasks = new Map<string, Task>();
  private readonly lastConfigs = new Map<string, Configuration>();
  /** Fires of one batch share their task and configuration objects: check each pair once. */
  private checked: { task: Task; config: Configuration; problem: string | undefined } | undefined;

  constructor(private readonly options: FireQueueOptions) {}

  /** Queues a fire; the queue drains after the current tick has queued all of its fires. */
  push(fire: Fire): void {
    this.pending.push(fire);
    if (!this.draining) {
      this.draining = true;
      void this.drain();
    }
  }

  /** Drops the fires not handed to the runner yet (stop, pause). */
  clear(): void {
    this.pending = [];
  }

  /** Resolves task and configuration for queued fires (shared per batch) and starts the runs. */
  private async drain(): Promise<void> {
    const { store, claim, logger, running } = this.options;
    try {
      // Let the whole tick enqueue first, so one batch shares its store reads.
      await Promise.resolve();
      while (this.pending.length > 0 && running()) {
        const batch = this.pending;
        this.pending = [];
        const tasks = new Map<string, Promise<Task | undefined>>();
        for (const fire of batch) {
          const id = fire.state.entry.taskId;
          if (!tasks.has(id)) tasks.set(id, store.getTask(id));
        }
        const resolvedTasks = unchanged(this.lastTasks, await resolveAll(tasks));
        const configs = new Map<string, Promise<Configuration | undefined>>();
        for (const fire of batch) {
          const task = resolvedTasks.get(fire.state.entry.taskId);
          const id = fire.state.entry.configId ?? task?.configId;
          if (id !== undefined && !configs.has(id)) configs.set(id, store.getConfig(id));
        }
        const resolvedConfigs = unchanged(this.lastConfigs, await resolveAll(configs));
        const claims = claim
          ? await Promise.all(
              batch.map((fire) =>
                claim(fire.state.entry.id, toIso(fire.slot)).catch((error: unknown) => {
                  logger.error(
                    `Scheduler: claiming entry ${fire.state.entry.id} at ${toIso(fire.slot)} failed; skipping that slot:`,
                    error,
                  );
                  return false;
                }),
              ),
            )
          : undefined;
        for (let i = 0; i < batch.length && running(); i++) {
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
      logger.error('Scheduler: starting scheduled runs failed (store unavailable?):', error);
      this.pending = [];
    } finally {
      this.draining = false;
    }
  }

  private dispatch(fire: Fire, task: Task | undefined, config: Configuration | undefined): void {
    const { state } = fire;
    const entry = state.entry;
    // Deleted or disabled after it fired: edits apply at once, so this fire is void.
    if (!this.options.isCurrent(state) || !entry.enabled) return;
    if (!task || !config) {
      if (!state.warned) {
        state.warned = true;
        this.options.logger.warn(
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
      scheduledFor: isoTime(fire.slot),
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

  private incompatibility(task: Task, config: Configuration): string | undefined {
    const memo = this.checked;
    if (memo && memo.task === task && memo.config === config) return memo.problem;
    const problem = incompatibility(task, config);
    this.checked = { task, config, problem };
    return problem;
  }

  private launch(state: FiringEntry, request: RunRequest): void {
    state.active++;
    try {
      // A callback rather than `finished`: no promises per run (see RunSettled).
      this.options.runner.start(
        request,
        (state.onSettled ??= (_run, error) => this.settled(state, error)),
      );
    } catch (error) {
      state.active--;
      this.options.logger.error(
        `Scheduler: could not start a run of entry ${state.entry.id}:`,
        error,
      );
    }
  }

  /** A run of the entry is over (or could not be recorded): start the waiting fire, if any. */
  private settled(state: FiringEntry, error: unknown): void {
    const { running, logger } = this.options;
    // `error` means recording failed (also before the run started).
    if (error !== undefined && running()) {
      logger.error(`Scheduler: recording a run of entry ${state.entry.id} failed:`, error);
    }
    state.active--;
    const waiting = state.waiting;
    if (state.active === 0 && waiting && running() && this.options.isCurrent(state)) {
      delete state.waiting;
      this.launch(state, waiting);
    }
  }

  private record(request: RunRequest, status: 'skipped' | 'failed', error: RunError): void {
    this.options.runner.recordUnstarted(request, status, error).catch((failure: unknown) => {
      this.options.logger.error(`Scheduler: recording a ${status} run failed:`, failure);
    });
  }
}

/** `fresh` with each value replaced by `last`'s when it is the same data (see lastTasks). */
function unchanged<T extends object>(
  last: Map<string, T>,
  fresh: Map<string, T | undefined>,
): Map<string, T | undefined> {
  for (const [id, value] of fresh) {
    const previous = last.get(id);
    if (value === undefined) last.delete(id);
    else if (previous !== undefined && isDeepStrictEqual(previous, value)) fresh.set(id, previous);
    else last.set(id, value);
  }
  return fresh;
}

async function resolveAll<T>(pending: Map<string, Promise<T>>): Promise<Map<string, T>> {
  const keys = [...pending.keys()];
  const values = await Promise.all(pending.values());
  return new Map(keys.map((key, i) => [key, values[i]!]));
}

/** Why this configuration cannot run this task now, or undefined when it can. */
function incompatibility(task: Task, config: Configuration): string | undefined {
  const problem = compatibilityProblem(task, config, checkOperation);
  if (!problem) return undefined;
  return problem.kind === 'type'
    ? `${problem.message}; point the entry or task at a ${task.type} configuration`
    : problem.message;
}
