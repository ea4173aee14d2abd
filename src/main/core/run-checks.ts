/**
 * What the runner decides about a run beside its executor (docs/chains.md): the task's checks on
 * a successful result (`CHECK_FAILED`, every outcome in `result.checks`), and a chained run whose
 * parent result was cut by the result size cap (`INPUT_TRUNCATED`).
 */
import { evaluateChecks, type Check, type CheckOutcome } from '../../shared/checks';
import type { RunError, RunResult } from '../../shared/domain';
import { TaskError } from '../executors/types';
import type { Store } from '../store/types';
import type { RunRequest } from './task-runner';

export const CHECK_FAILED = 'CHECK_FAILED';
export const INPUT_TRUNCATED = 'INPUT_TRUNCATED';

export interface Judged {
  /** Every check's outcome, for `result.checks`. */
  checks: CheckOutcome[];
  /** The first failed check, naming it and the value found; absent when all passed. */
  error?: RunError;
}

/**
 * Evaluates `checks` on an execution's result as the executor returned it (before the result
 * size cap applies) with the run's `durationMs` beside its fields. `changed` compares with the
 * task's previous succeeded run (its stored result), which is read only when a check needs it.
 */
export async function judgeResult(
  store: Pick<Store, 'listRuns'>,
  taskId: string,
  checks: readonly Check[],
  result: RunResult,
  durationMs: number,
): Promise<Judged> {
  const previous = checks.some((check) => check.op === 'changed')
    ? await previousResult(store, taskId)
    : undefined;
  const outcome = evaluateChecks(
    checks,
    { ...result, durationMs },
    previous === undefined ? {} : { previous },
  );
  if (outcome.passed) return { checks: outcome.outcomes };
  return {
    checks: outcome.outcomes,
    error: { code: CHECK_FAILED, message: outcome.message ?? 'a check failed' },
  };
}

/** The result of the task's latest succeeded run, with its durationMs; undefined when none. */
async function previousResult(
  store: Pick<Store, 'listRuns'>,
  taskId: string,
): Promise<Record<string, unknown> | undefined> {
  const [last] = (await store.listRuns({ taskId, status: 'succeeded', limit: 1 })).items;
  return last && { ...last.result, durationMs: last.durationMs };
}

/** Why a chained run must not use its input (the parent's result was truncated), if it must not. */
export function truncatedInput(request: RunRequest): TaskError | undefined {
  const parent = request.chain?.parent;
  if (parent?.result?.truncated !== true || request.task?.allowTruncatedInput === true) {
    return undefined;
  }
  return new TaskError(
    INPUT_TRUNCATED,
    `the result of the parent run ${parent.id} (${parent.taskName}) was cut by the result size cap, so this run would use part of its data; raise resultMaxBytes in the settings, or set the task's allowTruncatedInput to use a truncated input`,
  );
}
