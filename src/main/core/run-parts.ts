/**
 * The TaskRunner's small parts: a run and its attempts as the caller sees them (Job), one
 * attempt's abort state (Attempt) and the executor's request (Execution). See task-runner.ts.
 */
import type { Configuration, Operation, Run, Task } from '../../shared/domain';
import { AppError, messageOf } from '../../shared/errors';
import type { TemplateContext } from '../../shared/templates';
import type { ConnectionLimits, ExecutionRequest } from '../executors/types';
import { copyData } from '../../shared/copy-data';
import type { Admittable } from './run-admission';
import type { RunRequest, RunSettled, StartedRun } from './task-runner';

/** Why an attempt was aborted at shutdown; recorded `interrupted`. */
export class ShutdownReason extends Error {
  constructor() {
    super('the app is shutting down');
  }
}

/** Why an attempt was aborted by its timer; recorded `timed-out`. */
export class TimeoutReason extends Error {
  constructor(ms: number) {
    super(`Task timed out after ${ms} ms; raise the task's timeoutMs if it needs longer`);
  }
}

/** Why an attempt was aborted by `runs.cancel` (TaskRunner.cancel); recorded `cancelled`. */
export class CancelReason extends Error {
  constructor(atIso: string) {
    super(`Cancelled by the user at ${atIso}`);
  }
}

export function shuttingDown(): AppError {
  return new AppError('UNAVAILABLE', 'the app is shutting down; try again after restart');
}

/**
 * The executor's request. `signal` and `template` are prototype getters made on first read (the
 * attempt's AbortController, see Attempt; the placeholders' values, buildTemplateContext), so
 * a run whose executor reads neither pays for neither; executors read them (`request.signal`,
 * destructuring) and never spread the request, which would not copy them.
 */
export class Execution implements ExecutionRequest {
  readonly task: Task | undefined;
  readonly operation: Operation;
  readonly config: Configuration;
  private context: TemplateContext | undefined;

  constructor(
    private readonly request: RunRequest,
    /** This attempt's `running` record. */
    private readonly run: Run,
    private readonly attempt: Attempt,
    readonly resultMaxBytes: number,
    readonly limits: ConnectionLimits | undefined,
  ) {
    this.task = request.task;
    this.operation = request.operation;
    this.config = request.config;
  }

  get signal(): AbortSignal {
    return this.attempt.signal;
  }

  get template(): TemplateContext {
    return (this.context ??= buildTemplateContext(this.request, this.run));
  }
}

/** What `{{input}}` and `{{parent.id}}` are in a test run given a sample input (configs.test). */
export const SAMPLE_PARENT_ID = 'sample-parent';

/**
 * The values placeholders read in this attempt (src/shared/templates.ts, docs/chains.md): the
 * run's start, id, slot (else its start) and task; for a chained run the parent run and its
 * stored result; for a test run with a sample input, that input (the parent: SAMPLE_PARENT_ID,
 * at the run's start). Variables and the environment are the executor's to add (its params).
 */
export function buildTemplateContext(request: RunRequest, run: Run): TemplateContext {
  const context: TemplateContext = {
    now: run.startedAt,
    run: { id: run.id, scheduledFor: run.scheduledFor ?? run.startedAt },
    task: { id: run.taskId, name: run.taskName },
  };
  const parent = request.chain?.parent;
  if (parent) {
    context.parent = { id: parent.id, scheduledFor: parent.scheduledFor ?? parent.startedAt };
    context.input = { result: parent.result, truncated: parent.result?.truncated === true };
  } else if (request.sampleInput !== undefined) {
    context.parent = { id: SAMPLE_PARENT_ID, scheduledFor: run.startedAt };
    context.input = { result: request.sampleInput, truncated: false };
  }
  return context;
}

/**
 * One attempt's abort state. The AbortController is made only when the executor reads the
 * signal: at thousands of runs a second, a controller and its signal per run are measurable.
 * The first abort wins, as with AbortController.
 */
export class Attempt {
  aborted = false;
  reason: unknown = undefined;
  /** The attempt's run id and job, once its record is made (TaskRunner.cancel looks for them). */
  runId = '';
  job: Job | undefined = undefined;
  private controller: AbortController | undefined;
  /** Told the attempt's final record (TaskRunner.cancel waits for it). */
  private finalWaiters: Array<(run: Run) => void> | undefined;

  /** The attempt's final record, once it is recorded and announced. */
  whenFinal(): Promise<Run> {
    return new Promise<Run>((resolve) => (this.finalWaiters ??= []).push(resolve));
  }

  /** The final record is recorded and announced: tells whoever waits for it. */
  finalized(run: Run): void {
    for (const resolve of this.finalWaiters?.splice(0) ?? []) resolve(run);
  }

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
export class Job implements StartedRun, Admittable {
  attempts = 0;
  /** A user cancelled it (runs.cancel): no further attempt. */
  cancelled = false;
  /** The latest attempt's final record. */
  last: Run | undefined;
  // Admission state (see RunAdmission).
  limitKey: string | undefined = undefined;
  limitOf = 0;
  queuedAt = -1;
  private first: Run | undefined;
  private outcome: { run: Run | undefined; error: unknown } | undefined;
  private startedPromise: Deferred<Run> | undefined;
  private finishedPromise: Deferred<Run> | undefined;

  constructor(
    readonly request: RunRequest,
    private readonly onSettled: RunSettled | undefined,
    /** Where a throwing `onSettled` is reported (the app's logger); default `console.error`. */
    private readonly log: (message: string) => void = (message) => console.error(message),
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
      this.log(`TaskRunner: an onSettled callback threw: ${messageOf(failure)}`);
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
