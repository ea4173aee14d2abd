/**
 * Whether a configuration can run a task: it must be for the task's type, and (where the caller
 * passes the operation rule) have an action for the task's operation. One check for the core's
 * methods, the scheduler's fires, the import checks and the renderer's lists of configurations.
 */
import type { Configuration, Operation, Task } from './domain';
import { AppError, invalidField } from './errors';

/** What of a task decides which configurations can run it. */
export type TaskFit = Pick<Task, 'name' | 'type' | 'operation'>;

/**
 * The operation rule (`checkOperation` in src/main/core/config-rules.ts, which the shared layer
 * does not import): throws an AppError whose message starts with `${where}: ` when the
 * configuration has no action for the operation.
 */
export type OperationCheck = (config: Configuration, operation: Operation, where: string) => void;

/** Why a configuration cannot run a task. */
export interface Incompatibility {
  /** `type`: it is for another type of task; `operation`: it cannot do the task's operation. */
  kind: 'type' | 'operation';
  /** A sentence naming the configuration (and for `type` the task), without a prefix. */
  message: string;
}

export interface CompatibilityCheck {
  /** The field that picks the configuration (`task.configId`): the error's path and prefix. */
  where: string;
  /** Checks the operation too; without it only the type is checked. */
  checkOperation?: OperationCheck;
  /** The sentence for a type mismatch; `typeMismatch` unless the caller words it otherwise. */
  mismatch?: (task: TaskFit, config: Configuration) => string;
}

const UNPREFIXED = 'compatibility';

/** `configuration "C" is for db tasks, but task "T" is a api task`. */
export function typeMismatch(task: TaskFit, config: Configuration): string {
  return `configuration "${config.name}" is for ${config.type} tasks, but task "${task.name}" is a ${task.type} task`;
}

/** Why `config` cannot run `task`, or undefined when it can (only the type without `checkOperation`). */
export function compatibilityProblem(
  task: TaskFit,
  config: Configuration,
  checkOperation?: OperationCheck,
): Incompatibility | undefined {
  if (config.type !== task.type) return { kind: 'type', message: typeMismatch(task, config) };
  if (!checkOperation) return undefined;
  try {
    checkOperation(config, task.operation, UNPREFIXED);
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const prefix = `${UNPREFIXED}: `;
    const { message } = error;
    return {
      kind: 'operation',
      message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
    };
  }
}

/**
 * Throws `VALIDATION` (`${where}: …`, `details.issues` at `where`) when `config` cannot run `task`; the operation rule's own
 * error (with its details) is thrown as it is.
 */
export function checkCompatible(
  task: TaskFit,
  config: Configuration,
  check: CompatibilityCheck,
): void {
  if (config.type !== task.type) {
    const sentence = (check.mismatch ?? typeMismatch)(task, config);
    throw invalidField(check.where, sentence);
  }
  check.checkOperation?.(config, task.operation, check.where);
}
