/**
 * Executes runs: records a `running` run, calls the executor with a timeout, records the final
 * run, retries per the task's policy (each attempt its own run) and enforces the concurrency
 * limits (global and per task, run-admission.ts). Nothing here throws for a failing task:
 * failures are recorded runs.
 */
import {
  DEFAULT_TASK_TIMEOUT_MS,
  type Configuration,
  type Operation,
  type Run,
  type RunError,
  type RunTrigger,
  type Task,
} from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { retryDelayMs } from '../../shared/limits';
import { redactParams } from '../../shared/secrets';
import type {
  ConnectionLimits,
  ExecutionOutcome,
  ExecutionRequest,
  ExecutorRegistry,
} from '../executors/types';
import { TaskError } from '../executors/types';
import type { Store } from '../store/types';
import { sleep, type Clock } from './clock';
import { copyData } from '../../shared/copy-data';
import type { EventBus } from './event-bus';
import { deepFreeze } from './frozen';
import type { IdGenerator } from './ids';
import { boundResult } from './result-bounds';
import { INPUT_TRUNCATED, judgeResult, truncatedInput } from './run-checks';
import { RunAdmission } from './run-admission';
import { isoTime } from './iso-time';
import {
  Attempt,
  CancelReason,
  Execution,
  Job,
  ShutdownReason,
  shuttingDown,
  TimeoutReason,
} from './run-parts';
import { UnsavedRuns } from './unsaved-runs';
import { secretValues } from '../secrets/encrypting-store';
import {
  hasUnreadableSecret,
  SECRETS_UNREADABLE,
  unreadableMessage,
} from '../secrets/unreadable-secrets';

export interface RunRequest {
  task: Task | undefined;
  /** Secrets in clear; the recorded snapshot is redacted. */
  config: Configuration;
  operation: Operation;
  trigger: RunTrigger;
  scheduledFor?: string;
  /** A chained run (trigger `chain`): the run that started it (chain-dispatch.ts). */
  chain?: ChainLink;
  /** A test run (configs.test): a sample parent result placeholders read as `input`. */
  sampleInput?: unknown;
}

export interface ChainLink {
  /** The parent run's final record (shared and read-only, as event data is). */
  parent: Run;
  /** Links from the chain's first task to this run: 1 for a child of a run that was not chained. */
  depth: number;
}

export interface StartedRun {
  /** The first attempt's `running` record, once stored. */
  started: Promise<Run>;
  /** The last attempt's final record. Never rejects for a task failure. */
  finished: Promise<Run>;
}

/**
 * Told once when a run (all its attempts) is over: the last attempt's final record, or why
 * nothing could be recorded. A callback instead of `finished` costs no promises, which counts
 * when the scheduler starts thousands of runs a second.
 */
export type RunSettled = (run: Run | undefined, error: unknown) => void;

export interface TaskRunnerOptions {
  store: Store;
  executors: ExecutorRegistry;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  instanceId: string;
  /** The global limit on runs executing at once (settings.concurrency). */
  concurrency: () => number;
  resultMaxBytes: () => number;
  /** Connection limits handed to executors (settings.connectionsPerHost, dbPoolSize). */
  limits?: () => ConnectionLimits;
  /** Uniform in [0, 1) for the retry jitter; default `Math.random` (tests pass a fixed one). */
  random?: () => number;
  /**
   * Told when any run (all its attempts) is over with a final record: the chain dispatch starts
   * the tasks that run after it (chain-dispatch.ts).
   */
  ended?: (request: RunRequest, run: Run) => void;
  /** Where a throwing hook (`ended`, `onSettled`) is reported; default `console.error`. */
  log?: (message: string) => void;
}

/** Failures that the same request would meet again: no retry. */
const NOT_RETRIED = new Set(['INVALID_CONFIG', INPUT_TRUNCATED]);

export class TaskRunner {
  private readonly active = new Set<Attempt>();
  /** Slots and the runs waiting for one: plain jobs, no suspended functions. */
  private readonly admission: RunAdmission<Job>;
  /** Runs started and not yet settled (retries included); shutdown waits for 0. */
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];
  /** Retry waits in progress, cut short at shutdown. */
  private readonly backoffs = new Set<AbortController>();
  private accepting = true;
  private readonly snapshots = new WeakMap<Configuration, Record<string, unknown>>();

  /** Final records the store refused (a full disk), written again until they land. */
  private readonly unsaved: UnsavedRuns;

  constructor(private readonly options: TaskRunnerOptions) {
    this.unsaved = new UnsavedRuns(options.store, options.clock);
    this.admission = new RunAdmission<Job>(options.concurrency, options.clock, (job) => {
      void this.attempt(job);
    });
  }

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * Cancels the attempt in progress whose run is `runId` on this instance (runs.cancel): it is
   * recorded `cancelled` at once (an executor that ignores its signal is left behind, as on a
   * timeout) and no retry follows. The final record, or undefined when no attempt of this runner
   * runs it.
   */
  cancel(runId: string): Promise<Run> | undefined {
    for (const attempt of this.active) {
      if (attempt.runId !== runId) continue;
      const final = attempt.whenFinal();
      if (attempt.job) attempt.job.cancelled = true;
      attempt.abort(new CancelReason(isoTime(this.options.clock.now())));
      return final;
    }
    return undefined;
  }

  /** Runs waiting for a slot (the global limit or their task's `maxConcurrent`). */
  get queuedCount(): number {
    return this.admission.queued;
  }

  /** How long the run waiting longest for a slot has waited (ms); 0 when none waits. */
  get oldestQueuedMs(): number {
    return this.admission.oldestWaitMs();
  }

  /**
   * Starts a run (with its retries) in the background: at once when a concurrency slot is free,
   * else when one frees, in arrival order. `onSettled` hears the outcome (see RunSettled).
   */
  start(request: RunRequest, onSettled?: RunSettled): StartedRun {
    const job = new Job(request, onSettled, this.options.log);
    if (!this.accepting) {
      job.settle(undefined, shuttingDown());
      return job;
    }
    this.inFlight++;
    this.admit(job);
    return job;
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
    const { store, events, clock } = this.options;
    const run = this.newRun(request, request.trigger, 1, clock.now(), status);
    run.finishedAt = run.startedAt;
    run.durationMs = 0;
    run.error = error;
    await store.insertRun(run);
    events.emit('run.finished', { run });
    return run;
  }

  /** A run record of this request, started at `startMs`; the final fields are set later. */
  private newRun(
    request: RunRequest,
    trigger: RunTrigger,
    attempt: number,
    startMs: number,
    status: Run['status'],
  ): Run {
    const run: Run = {
      id: this.options.ids(),
      taskId: request.task?.id ?? '',
      taskName: request.task?.name ?? `Test of ${request.config.name}`,
      type: request.config.type,
      operation: request.operation,
      configId: request.config.id,
      configName: request.config.name,
      config: this.snapshotOf(request.config),
      trigger,
      startedAt: isoTime(startMs),
      status,
      attempt,
      instanceId: this.options.instanceId,
    };
    if (request.scheduledFor) run.scheduledFor = request.scheduledFor;
    return run;
  }

  /**
   * The redacted configuration recorded with a run. The scheduler hands the same configuration
   * object to every run of a batch, so it is redacted once per object, not once per run. It is
   * deep-frozen, so sharing it between records (and event listeners) is safe.
   */
  private snapshotOf(config: Configuration): Record<string, unknown> {
    let snapshot = this.snapshots.get(config);
    if (snapshot === undefined) {
      // A copy: redactParams shares unchanged parts with the configuration, which is not ours to freeze.
      snapshot = deepFreeze(copyData(redactParams(config) as Record<string, unknown>));
      this.snapshots.set(config, snapshot);
    }
    return snapshot;
  }

  /**
   * Stops accepting runs and drops those waiting for a slot, waits up to `graceMs` for active
   * ones, then records the rest `interrupted` (without waiting for executors that ignore the
   * abort).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    for (const job of this.admission.drain()) {
      // A retry waiting for a slot keeps its last attempt; a run never started records nothing.
      this.finish(job, job.last, job.last ? undefined : shuttingDown());
    }
    for (const backoff of this.backoffs) backoff.abort();
    const all = this.whenIdle();
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = this.options.clock.setTimeout(resolve, graceMs);
    });
    await Promise.race([all, grace]);
    if (timer !== undefined) this.options.clock.clearTimeout(timer);
    for (const attempt of this.active) attempt.abort(new ShutdownReason());
    await all;
    await this.unsaved.close();
  }

  /** Resolves once every started run (retries included) has settled. */
  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs the job's next attempt now when its task's limit and a slot allow, else queues it. */
  private admit(job: Job): void {
    const task = job.request.task;
    this.admission.admit(job, task?.id, task?.maxConcurrent);
  }

  /** The job's next attempt, in a slot taken by the caller; settles the job or queues a retry. */
  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    let run: Run;
    try {
      run = await this.runOnce(job);
    } catch (error) {
      // Recording failed (store unavailable): nothing more can be recorded for this run.
      this.finish(job, undefined, error);
      return;
    }
    job.last = run;
    const policy = job.request.task?.retry;
    const again =
      this.accepting &&
      job.attempts < (policy?.attempts ?? 1) &&
      !job.cancelled &&
      run.status !== 'succeeded' &&
      run.status !== 'interrupted' &&
      !NOT_RETRIED.has(run.error?.code ?? ''); // retrying cannot help
    if (!again) {
      this.finish(job, run);
      return;
    }
    // The backoff is waited without a slot, so other runs go on meanwhile.
    const backoff = retryDelayMs(policy, job.attempts, this.options.random);
    const controller = new AbortController();
    this.backoffs.add(controller);
    try {
      await sleep(this.options.clock, backoff, controller.signal);
    } catch {
      // Shutting down: the last attempt's record stands.
    } finally {
      this.backoffs.delete(controller);
    }
    if (this.accepting) this.admit(job);
    else this.finish(job, run);
  }

  private finish(job: Job, run: Run | undefined, error?: unknown): void {
    job.settle(run, error);
    if (run && this.options.ended) {
      try {
        this.options.ended(job.request, run);
      } catch (failure) {
        (this.options.log ?? console.error)(
          `TaskRunner: the run-ended hook threw: ${String(failure)}`,
        );
      }
    }
    if (--this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** One attempt, in a slot: records `running`, executes, records the final run, frees the slot. */
  private async runOnce(job: Job): Promise<Run> {
    const { store, events, clock } = this.options;
    const { request } = job;
    const trigger: RunTrigger =
      job.attempts === 1 ? request.trigger : { ...request.trigger, kind: 'retry' };
    const state = new Attempt();
    const startMs = clock.now();
    const run = this.newRun(request, trigger, job.attempts, startMs, 'running');
    run.queuedMs = job.queuedAt < 0 ? 0 : Math.max(0, startMs - job.queuedAt);
    state.runId = run.id;
    state.job = job;
    this.active.add(state);
    try {
      await store.insertRun(run);
    } catch (error) {
      this.active.delete(state);
      this.admission.release(job);
      throw error;
    }
    if (job.attempts === 1) job.recorded(run);
    // Event data is shared and read-only (see EventBus): `run` is never changed after this.
    events.emit('run.started', { run });

    const timeoutMs = request.task?.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    const timer = clock.setTimeout(() => state.abort(new TimeoutReason(timeoutMs)), timeoutMs);
    // Not `{ ...run }`: V8 makes a spread copy that adding properties to costs ~1 µs each.
    const final: Run = Object.assign({}, run);
    try {
      if (hasUnreadableSecret(request.config, secretValues)) {
        throw new TaskError(
          SECRETS_UNREADABLE,
          `${unreadableMessage(request.config.name)}; nothing was sent`,
        );
      }
      const executor = this.options.executors[request.config.type];
      if (!executor) {
        throw new TaskError(
          'NO_EXECUTOR',
          `no executor is installed for ${request.config.type} tasks`,
        );
      }
      const refused = truncatedInput(request);
      if (refused) throw refused;
      const execute = executor.execute as (
        this: typeof executor,
        request: ExecutionRequest,
      ) => Promise<ExecutionOutcome>;
      const execution = new Execution(
        request,
        run,
        state,
        this.options.resultMaxBytes(),
        this.options.limits?.(),
      );
      const outcome = await state.until(execute.call(executor, execution));
      if (state.aborted) throw state.reason;
      const checks = request.task?.checks;
      const judged = checks?.length
        ? await judgeResult(store, run.taskId, checks, outcome.result, clock.now() - startMs)
        : undefined;
      final.status = judged?.error ? 'failed' : 'succeeded';
      final.result = boundResult(outcome.result, this.options.resultMaxBytes());
      if (judged) {
        final.result = { ...final.result, checks: judged.checks };
        if (judged.error) final.error = judged.error;
      }
    } catch (error) {
      const reason: unknown = state.aborted ? state.reason : error;
      final.status =
        reason instanceof TimeoutReason || (error instanceof TaskError && error.code === 'TIMEOUT')
          ? 'timed-out'
          : reason instanceof ShutdownReason
            ? 'interrupted'
            : reason instanceof CancelReason
              ? 'cancelled'
              : 'failed';
      final.error = describeFailure(
        reason instanceof TimeoutReason ||
          reason instanceof ShutdownReason ||
          reason instanceof CancelReason
          ? reason
          : error,
      );
      if (!state.aborted && error instanceof TaskError && error.result) {
        final.result = boundResult(error.result, this.options.resultMaxBytes());
      }
    } finally {
      clock.clearTimeout(timer);
    }
    const endMs = clock.now();
    final.finishedAt = isoTime(Math.max(endMs, startMs));
    final.durationMs = Math.max(0, endMs - startMs);
    try {
      await store.updateRun(final);
    } catch (error) {
      // The user deleted the run while it was in progress: nothing left to update. Anything
      // else (a full disk): the outcome stands, and its record is written again until it lands.
      if (!(error instanceof AppError && error.code === 'NOT_FOUND'))
        this.unsaved.add(final, error);
    } finally {
      this.active.delete(state);
      this.admission.release(job);
    }
    events.emit('run.finished', { run: final });
    state.finalized(final);
    return final;
  }
}

function describeFailure(error: unknown): RunError {
  if (error instanceof TimeoutReason) return { code: 'TIMEOUT', message: error.message };
  if (error instanceof ShutdownReason) return { code: 'INTERRUPTED', message: error.message };
  if (error instanceof CancelReason) return { code: 'CANCELLED', message: error.message };
  if (error instanceof TaskError || error instanceof AppError) {
    return { code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'ERROR', message };
}
