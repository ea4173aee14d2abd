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
import { retryDelayMs } from '../../shared/limits';
import { redactParams } from '../../shared/secrets';
import type { ExecutionOutcome, ExecutionRequest, ExecutorRegistry } from '../executors/types';
import { TaskError } from '../executors/types';
import type { Store } from '../store/types';
import { sleep, toIso, type Clock } from './clock';
import { copyData, type EventBus } from './event-bus';
import { deepFreeze } from './frozen';
import type { IdGenerator } from './ids';
import { boundResult } from './result-bounds';
import { UnsavedRuns } from './unsaved-runs';
import { secretValues } from '../secrets/encrypting-store';
import {
  hasUnreadableSecret,
  SECRETS_UNREADABLE,
  unreadableMessage,
} from '../secrets/unreadable-secrets';

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
  concurrency: () => number;
  resultMaxBytes: () => number;
  /** Uniform in [0, 1) for the retry jitter; default `Math.random` (tests pass a fixed one). */
  random?: () => number;
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
  private readonly active = new Set<Attempt>();
  /** Runs waiting for a slot, first come first served: plain jobs, no suspended functions. */
  private readonly waiting = new Fifo<Job>();
  private slotsInUse = 0;
  /** Runs started and not yet settled (retries included); shutdown waits for 0. */
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];
  /** Retry waits in progress, cut short at shutdown. */
  private readonly backoffs = new Set<AbortController>();
  private accepting = true;
  private readonly snapshots = new WeakMap<Configuration, Record<string, unknown>>();

  /** Formats run times: most runs of a second share its ISO prefix (see isoFormatter). */
  private readonly iso = isoFormatter();

  /** Final records the store refused (a full disk), written again until they land. */
  private readonly unsaved: UnsavedRuns;

  constructor(private readonly options: TaskRunnerOptions) {
    this.unsaved = new UnsavedRuns(options.store, options.clock);
  }

  get activeCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  /**
   * Starts a run (with its retries) in the background: at once when a concurrency slot is free,
   * else when one frees, in arrival order. `onSettled` hears the outcome (see RunSettled).
   */
  start(request: RunRequest, onSettled?: RunSettled): StartedRun {
    const job = new Job(request, onSettled);
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
    // The json store's filter fields first (see serializeRun): it then stringifies no copy.
    const run: Run = {
      id: this.options.ids(),
      startedAt: this.iso(startMs),
      taskId: request.task?.id ?? '',
      type: request.config.type,
      status,
      taskName: request.task?.name ?? `Test of ${request.config.name}`,
      operation: request.operation,
      configId: request.config.id,
      configName: request.config.name,
      config: this.snapshotOf(request.config),
      trigger,
      attempt,
      instanceId: this.options.instanceId,
    };
    if (request.scheduledFor) run.scheduledFor = request.scheduledFor;
    return run;
  }

  /**
   * The redacted configuration recorded with a run. The scheduler hands the same configuration
   * object to every run of a batch, so it is redacted once per object, not once per run. It is
   * deep-frozen, so sharing it is safe and a store may serialize it once (see serializeRun).
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
    for (const job of this.waiting.drain()) {
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

  private get limit(): number {
    return Math.max(1, this.options.concurrency());
  }

  /** Runs the job's next attempt now when a slot is free, else queues it. */
  private admit(job: Job): void {
    // Slots are counted synchronously, so runs started in the same tick cannot overshoot.
    if (this.slotsInUse < this.limit) {
      this.slotsInUse++;
      void this.attempt(job);
    } else {
      this.waiting.push(job);
    }
  }

  private releaseSlot(): void {
    this.slotsInUse--;
    // A raised limit lets several waiting runs start at once.
    while (this.accepting && this.slotsInUse < this.limit && this.waiting.length > 0) {
      this.slotsInUse++;
      void this.attempt(this.waiting.shift()!);
    }
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
      run.status !== 'succeeded' &&
      run.status !== 'interrupted' &&
      run.error?.code !== 'INVALID_CONFIG'; // retrying cannot help
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
    this.active.add(state);
    try {
      await store.insertRun(run);
    } catch (error) {
      this.active.delete(state);
      this.releaseSlot();
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
          `TaskRunner: ${unreadableMessage(request.config.name)}; nothing was sent`,
        );
      }
      const executor = this.options.executors[request.config.type];
      if (!executor) {
        throw new TaskError(
          'NO_EXECUTOR',
          `TaskRunner: no executor is installed for ${request.config.type} tasks`,
        );
      }
      const execute = executor.execute as (
        this: typeof executor,
        request: ExecutionRequest,
      ) => Promise<ExecutionOutcome>;
      const outcome = await state.until(
        execute.call(executor, new Execution(request, state, this.options.resultMaxBytes())),
      );
      if (state.aborted) throw state.reason;
      final.status = 'succeeded';
      final.result = boundResult(outcome.result, this.options.resultMaxBytes());
    } catch (error) {
      const reason: unknown = state.aborted ? state.reason : error;
      final.status =
        reason instanceof TimeoutReason || (error instanceof TaskError && error.code === 'TIMEOUT')
          ? 'timed-out'
          : reason instanceof ShutdownReason
            ? 'interrupted'
            : 'failed';
      final.error = describeFailure(
        reason instanceof TimeoutReason || reason instanceof ShutdownReason ? reason : error,
      );
      if (!state.aborted && error instanceof TaskError && error.result) {
        final.result = boundResult(error.result, this.options.resultMaxBytes());
      }
    } finally {
      clock.clearTimeout(timer);
    }
    const endMs = clock.now();
    final.finishedAt = this.iso(Math.max(endMs, startMs));
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
      this.releaseSlot();
    }
    events.emit('run.finished', { run: final });
    return final;
  }
}

function shuttingDown(): AppError {
  return new AppError(
    'UNAVAILABLE',
    'TaskRunner: the app is shutting down; try again after restart',
  );
}

/**
 * A queue with O(1) shift: `Array.prototype.shift` on thousands of waiting runs copies the array.
 */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T; // let it be collected
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns everything queued. */
  drain(): T[] {
    const items = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return items;
  }
}

/**
 * The executor's request. `signal` is a prototype getter that makes the attempt's AbortController
 * on first read (see Attempt); executors read it (`request.signal`, destructuring) and never
 * spread the request, which would not copy it.
 */
class Execution implements ExecutionRequest {
  readonly task: Task | undefined;
  readonly operation: Operation;
  readonly config: Configuration;

  constructor(
    request: RunRequest,
    private readonly attempt: Attempt,
    readonly resultMaxBytes: number,
  ) {
    this.task = request.task;
    this.operation = request.operation;
    this.config = request.config;
  }

  get signal(): AbortSignal {
    return this.attempt.signal;
  }
}

/**
 * `toIso` with the formatting of the last second remembered: `toISOString` costs about 0.5 µs
 * and every run formats two times, nearly always in the same second as the run before.
 * Identical output: a second's ISO prefix does not depend on its milliseconds (no leap seconds).
 */
function isoFormatter(): (ms: number) => string {
  let second = NaN;
  let prefix = '';
  return (ms) => {
    if (!Number.isInteger(ms)) return toIso(ms);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      const iso = toIso(ms);
      if (iso.length !== 24) return iso; // years beyond 9999 and the like: no fast path
      second = s;
      prefix = iso.slice(0, 20);
    }
    const milli = ms - s * 1000;
    return `${prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  };
}

/**
 * One attempt's abort state. The AbortController is made only when the executor reads the
 * signal: at thousands of runs a second, a controller and its signal per run are measurable.
 * The first abort wins, as with AbortController.
 */
class Attempt {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.interrupt?.(reason);
  }

  private interrupt: ((reason: unknown) => void) | undefined;

  /**
   * The executor's outcome, or the abort reason as soon as the attempt is aborted: an executor
   * that ignores its signal cannot hold a timed-out or interrupted run open (or shutdown waiting).
   * What it does afterwards is ignored.
   */
  until<T>(work: Promise<T>): Promise<T> {
    if (this.aborted) {
      work.catch(() => undefined);
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.interrupt = reject;
      work.then(resolve, reject);
    });
  }
}

/**
 * One run and its attempts. It is the caller's `StartedRun`: its promises are made only for a
 * caller that reads them (the scheduler never does; it passes `onSettled`), and a promise made
 * and left unread never becomes an unhandled rejection.
 */
class Job implements StartedRun {
  attempts = 0;
  /** The latest attempt's final record. */
  last: Run | undefined;
  private first: Run | undefined;
  private outcome: { run: Run | undefined; error: unknown } | undefined;
  private startedPromise: Deferred<Run> | undefined;
  private finishedPromise: Deferred<Run> | undefined;

  constructor(
    readonly request: RunRequest,
    private readonly onSettled: RunSettled | undefined,
  ) {}

  get started(): Promise<Run> {
    if (!this.startedPromise) {
      this.startedPromise = new Deferred<Run>();
      if (this.first) this.startedPromise.resolve(copyData(this.first));
      else if (this.outcome) this.startedPromise.reject(this.outcome.error ?? shuttingDown());
    }
    return this.startedPromise.promise;
  }

  get finished(): Promise<Run> {
    if (!this.finishedPromise) {
      this.finishedPromise = new Deferred<Run>();
      if (this.outcome) this.settleFinished(this.outcome);
    }
    return this.finishedPromise.promise;
  }

  /** The first attempt's `running` record is stored. */
  recorded(run: Run): void {
    if (this.first || this.outcome) return;
    this.first = run;
    this.startedPromise?.resolve(copyData(run));
  }

  settle(run: Run | undefined, error?: unknown): void {
    if (this.outcome) return;
    this.outcome = { run, error };
    if (!this.first) this.startedPromise?.reject(error ?? shuttingDown());
    if (this.finishedPromise) this.settleFinished(this.outcome);
    try {
      this.onSettled?.(run, error);
    } catch (failure) {
      // The caller's bug must not stop the runner's bookkeeping (shutdown waits on it).
      console.error('TaskRunner: an onSettled callback threw:', failure);
    }
  }

  private settleFinished(outcome: { run: Run | undefined; error: unknown }): void {
    // Callers get their own copy; the record itself is shared with event listeners.
    if (outcome.run) this.finishedPromise!.resolve(copyData(outcome.run));
    else this.finishedPromise!.reject(outcome.error);
  }
}

class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => undefined);
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
