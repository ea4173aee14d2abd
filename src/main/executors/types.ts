/**
 * What an executor is: the code that does one task type's real work. The core's runner owns
 * records, timeouts, retries and result bounds; an executor only does the work and reports it.
 */
import type { Configuration, Operation, RunResult, Task, TaskType } from '../../shared/domain';
import type { TemplateContext } from '../../shared/templates';

export interface ExecutionRequest<T extends TaskType = TaskType> {
  /** Undefined for a configuration test run (`configs.test`). */
  task: Task | undefined;
  operation: Operation;
  /** The configuration with secrets in clear. */
  config: Extract<Configuration, { type: T }>;
  /** Aborted on timeout or shutdown; executors must stop promptly and release resources. */
  signal: AbortSignal;
  /** Byte cap the runner will apply to `result.data`; executors may stop reading beyond it. */
  resultMaxBytes: number;
  /** Connection limits from the settings; absent, each executor's defaults apply. */
  limits?: ConnectionLimits | undefined;
  /**
   * What placeholders read in this attempt (docs/chains.md): `now`, `run`, `task`; in a chained
   * run `parent` and `input` (the parent's stored result, `truncated` when the result size cap
   * cut it: the runner already failed the run with INPUT_TRUNCATED unless
   * `task.allowTruncatedInput`); in a test run given a sample input, that input. The runner
   * builds it for every run, on first read; executors add their params' `variables`,
   * `allowEnv` and the environment. Optional only so that executor unit tests may omit it.
   */
  template?: TemplateContext;
}

/** How many connections executors may hold open (settings of the same names). */
export interface ConnectionLimits {
  /** Open HTTP connections per origin (api tasks, file tasks over HTTP). */
  connectionsPerHost: number;
  /** Connections per database connection string (MongoDB's maxPoolSize). */
  dbPoolSize: number;
}

export interface ExecutionOutcome {
  result: RunResult;
}

export interface Executor<T extends TaskType = TaskType> {
  readonly type: T;
  /** Resolves with the result on success; throws `TaskError` (or anything) on failure. */
  execute(request: ExecutionRequest<T>): Promise<ExecutionOutcome>;
  /** Releases pooled connections (called at shutdown). */
  close?(): Promise<void>;
}

/**
 * A failed execution that still has something to show (e.g. an HTTP 404 with its response).
 * `code` is a short machine word such as `HTTP_STATUS`, `CONNECTION`, `NOT_FOUND`, `PERMISSION`.
 */
export class TaskError extends Error {
  readonly code: string;
  readonly result?: RunResult;

  constructor(code: string, message: string, result?: RunResult) {
    // A TaskError is a run's expected outcome (its code and message are what the record keeps),
    // not a bug to trace, so it captures no stack: that capture was ~20 µs of every refused run
    // (bench/scheduler-service.ts, 10,000 entries every second; docs/benchmarks.md).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'TaskError';
    this.code = code;
    if (result !== undefined) this.result = result;
  }
}

export type ExecutorRegistry = Partial<{ [T in TaskType]: Executor<T> }>;
