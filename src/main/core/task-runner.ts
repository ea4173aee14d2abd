/**
 * Executes runs: records a `running` run, calls the executor with a timeout, records the final
 * run, retries per the task's policy (each attempt its own run) and enforces the global
 * concurrency limit. Nothing here throws for a failing task: failures are recorded runs.
 */
import type {
  Configuration,
  Operation,
  Run,
  RunError,
  RunTrigger,
  Task,
} from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { redactParams } from '../../shared/secrets';
import type { ExecutionOutcome, ExecutionRequest, ExecutorRegistry } from '../executors/types';
import { TaskError } from '../executors/types';
import type { Store } from '../store/types';
import { sleep, toIso, type Clock } from './clock';
import type { EventBus } from './event-bus';
import type { IdGenerator } from './ids';
import { boundResult } from './result-bounds';

/** Without a task timeout a run is stopped after this long, so nothing hangs forever. */
export const DEFAULT_TASK_TIMEOUT_MS = 5 * 60_000;

export interface RunRequest {
  task: Task | undefined;
  /** Secrets in clear; the recorded snapshot is redacted. */
  config: Configuration;
  operation: Operation;
  trigger: RunTrigger;
  scheduledFor?: string;
}

export interface StartedRun {
  /** The first attempt's `running` record, once stored. */
  started: Promise<Run>;
  /** The last attempt's final record. Never rejects for a task failure. */
  finished: Promise<Run>;
}

export interface TaskRunnerOptions {
  store: Store;
  executors: ExecutorRegistry;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  instanceId: string;
  concurrency: () => number;
  resultMaxBytes: () => number;
}

class ShutdownReason extends Error {
  constructor() {
    super('TaskRunner: the app is shutting down');
  }
}
class TimeoutReason extends Error {
  constructor(ms: number) {
    super(`Task timed out after ${ms} ms; raise the task's timeoutMs if it needs longer`);
  }
}

export class TaskRunner {
  private readonly active = new Map<string, AbortController>();
  private readonly waiting: Array<() => void> = [];
  private slotsInUse = 0;
  private readonly settled = new Set<Promise<unknown>>();
  /** Retry waits in progress, cut short at shutdown. */
  private readonly backoffs = new Set<AbortController>();
  private accepting = true;
  private readonly snapshots = new WeakMap<Configuration, Record<string, unknown>>();

  constructor(private readonly options: TaskRunnerOptions) {}

  get activeCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  /** Starts a run (with its retries) in the background. */
  start(request: RunRequest): StartedRun {
    if (!this.accepting) {
      const error = new AppError(
        'UNAVAILABLE',
        'TaskRunner: the app is shutting down; try again after restart',
      );
      return { started: Promise.reject(error), finished: Promise.reject(error) };
    }
    let resolveFirst!: (run: Run) => void;
    let rejectFirst!: (error: unknown) => void;
    const first = new Promise<Run>((resolve, reject) => {
      resolveFirst = resolve;
      rejectFirst = reject;
    });
    const finished = this.runAttempts(request, resolveFirst).catch((error: unknown) => {
      rejectFirst(error);
      throw error;
    });
    // Callers may ignore either promise; a store failure must not become an unhandled rejection.
    first.catch(() => undefined);
    const tracked = finished.catch(() => undefined);
    this.settled.add(tracked);
    void tracked.then(() => this.settled.delete(tracked));
    // The copy of the first record is made only for a caller that asks for it (the scheduler
    // never does): at thousands of runs a second, a clone per run is measurable.
    let started: Promise<Run> | undefined;
    return {
      get started(): Promise<Run> {
        if (!started) {
          started = first.then((run) => structuredClone(run));
          started.catch(() => undefined);
        }
        return started;
      },
      finished,
    };
  }

  /**
   * Records a final run that never executed: `skipped` (an overlap policy said so) or `failed`
   * (e.g. the entry's configuration no longer fits its task). Takes no concurrency slot.
   */
  async recordUnstarted(
    request: RunRequest,
    status: 'skipped' | 'failed',
    error: RunError,
  ): Promise<Run> {
    const { store, events, clock, ids } = this.options;
    const at = toIso(clock.now());
    const run: Run = {
      id: ids(),
      taskId: request.task?.id ?? '',
      taskName: request.task?.name ?? `Test of ${request.config.name}`,
      type: request.config.type,
      operation: request.operation,
      configId: request.config.id,
      configName: request.config.name,
      config: this.snapshotOf(request.config),
      trigger: request.trigger,
      ...(request.scheduledFor ? { scheduledFor: request.scheduledFor } : {}),
      startedAt: at,
      finishedAt: at,
      durationMs: 0,
      status,
      attempt: 1,
      error,
      instanceId: this.options.instanceId,
    };
    await store.insertRun(run);
    // Events are copies so no listener can alter a record; no listener, no copy.
    if (events.size > 0) events.emit('run.finished', { run: structuredClone(run) });
    return run;
  }

  /**
   * The redacted configuration recorded with a run. The scheduler hands the same configuration
   * object to every run of a batch, so it is redacted once per object, not once per run; records
   * are stored as copies (or serialized), never mutated, so sharing the snapshot is safe.
   */
  private snapshotOf(config: Configuration): Record<string, unknown> {
    let snapshot = this.snapshots.get(config);
    if (snapshot === undefined) {
      snapshot = redactParams(config) as Record<string, unknown>;
      this.snapshots.set(config, snapshot);
    }
    return snapshot;
  }

  /** Stops accepting runs, waits up to `graceMs` for active ones, then interrupts the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    for (const release of this.waiting.splice(0)) release();
    for (const backoff of this.backoffs) backoff.abort();
    const all = Promise.all([...this.settled]);
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = this.options.clock.setTimeout(resolve, graceMs);
    });
    await Promise.race([all, grace]);
    if (timer !== undefined) this.options.clock.clearTimeout(timer);
    for (const controller of this.active.values()) controller.abort(new ShutdownReason());
    await all;
  }

  private async acquireSlot(): Promise<void> {
    // Slots are counted synchronously, so runs started in the same tick cannot overshoot.
    while (this.slotsInUse >= Math.max(1, this.options.concurrency())) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (!this.accepting)
        throw new AppError('UNAVAILABLE', 'TaskRunner: the app is shutting down');
    }
    this.slotsInUse++;
  }

  private releaseSlot(): void {
    this.slotsInUse--;
    this.waiting.shift()?.();
  }

  private async runAttempts(request: RunRequest, onStarted: (run: Run) => void): Promise<Run> {
    const policy = request.task?.retry;
    const attempts = policy?.attempts ?? 1;
    let last: Run | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        const backoff = (policy?.backoffMs ?? 1000) * (policy?.factor ?? 2) ** (attempt - 2);
        const controller = new AbortController();
        this.backoffs.add(controller);
        try {
          await sleep(this.options.clock, backoff, controller.signal);
        } catch {
          break; // shutting down: the last attempt's record stands
        } finally {
          this.backoffs.delete(controller);
        }
        if (!this.accepting) break;
      }
      const trigger: RunTrigger =
        attempt === 1 ? request.trigger : { ...request.trigger, kind: 'retry' };
      last = await this.runOnce(request, trigger, attempt, attempt === 1 ? onStarted : undefined);
      if (last.status === 'succeeded' || last.status === 'interrupted') break;
      if (last.error?.code === 'INVALID_CONFIG') break; // retrying cannot help
    }
    return last!;
  }

  private async runOnce(
    request: RunRequest,
    trigger: RunTrigger,
    attempt: number,
    onStarted?: (run: Run) => void,
  ): Promise<Run> {
    const { store, events, clock, ids } = this.options;
    await this.acquireSlot();
    const controller = new AbortController();
    const startMs = clock.now();
    const run: Run = {
      id: ids(),
      taskId: request.task?.id ?? '',
      taskName: request.task?.name ?? `Test of ${request.config.name}`,
      type: request.config.type,
      operation: request.operation,
      configId: request.config.id,
      configName: request.config.name,
      config: this.snapshotOf(request.config),
      trigger,
      ...(request.scheduledFor ? { scheduledFor: request.scheduledFor } : {}),
      startedAt: toIso(startMs),
      status: 'running',
      attempt,
      instanceId: this.options.instanceId,
    };
    this.active.set(run.id, controller);
    try {
      await store.insertRun(run);
    } catch (error) {
      this.active.delete(run.id);
      this.releaseSlot();
      throw error;
    }
    onStarted?.(run);
    if (events.size > 0) events.emit('run.started', { run: structuredClone(run) });

    const timeoutMs = request.task?.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    const timer = clock.setTimeout(() => controller.abort(new TimeoutReason(timeoutMs)), timeoutMs);
    const final: Run = { ...run };
    try {
      const executor = this.options.executors[request.config.type];
      if (!executor) {
        throw new TaskError(
          'NO_EXECUTOR',
          `TaskRunner: no executor is installed for ${request.config.type} tasks`,
        );
      }
      const execute = executor.execute.bind(executor) as (
        request: ExecutionRequest,
      ) => Promise<ExecutionOutcome>;
      const outcome = await execute({
        task: request.task,
        operation: request.operation,
        config: request.config,
        signal: controller.signal,
        resultMaxBytes: this.options.resultMaxBytes(),
      });
      if (controller.signal.aborted) throw controller.signal.reason;
      final.status = 'succeeded';
      final.result = boundResult(outcome.result, this.options.resultMaxBytes());
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      final.status =
        reason instanceof TimeoutReason || (error instanceof TaskError && error.code === 'TIMEOUT')
          ? 'timed-out'
          : reason instanceof ShutdownReason
            ? 'interrupted'
            : 'failed';
      final.error = describeFailure(
        reason instanceof TimeoutReason || reason instanceof ShutdownReason ? reason : error,
      );
      if (error instanceof TaskError && error.result) {
        final.result = boundResult(error.result, this.options.resultMaxBytes());
      }
    } finally {
      clock.clearTimeout(timer);
    }
    const endMs = clock.now();
    final.finishedAt = toIso(Math.max(endMs, startMs));
    final.durationMs = Math.max(0, endMs - startMs);
    try {
      await store.updateRun(final);
    } catch (error) {
      // The user deleted the run while it was in progress: nothing left to update.
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
    } finally {
      this.active.delete(run.id);
      this.releaseSlot();
    }
    if (events.size > 0) events.emit('run.finished', { run: structuredClone(final) });
    return final;
  }
}

function describeFailure(error: unknown): RunError {
  if (error instanceof TimeoutReason) return { code: 'TIMEOUT', message: error.message };
  if (error instanceof ShutdownReason) return { code: 'INTERRUPTED', message: error.message };
  if (error instanceof TaskError || error instanceof AppError) {
    return { code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'ERROR', message };
}
