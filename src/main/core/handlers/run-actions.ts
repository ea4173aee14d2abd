/**
 * The rules behind `runs.cancel`, `runs.deletedTasks` and `runs.delete { taskName }` (see
 * handlers/runs.ts): which runs can be cancelled here, and the tasks that are gone but still
 * have runs (their runs keep the task's id and name).
 */
import type { DeletedTask } from '../../../shared/contract';
import type { Run } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { CoreContext } from './context';

/**
 * Cancels a running run of this instance and answers its final record (`cancelled`, or how it
 * ended when it finished first). A run that is not running, or runs on another instance (several
 * share one MongoDB), is a `CONFLICT` saying so.
 */
export async function cancelRun(core: CoreContext, id: string): Promise<Run> {
  const { store, runner, instanceId } = core.options;
  const run = await store.getRun(id);
  if (!run) {
    throw new AppError(
      'NOT_FOUND',
      `No run with id "${id}"; it may have been deleted or expired by retention`,
    );
  }
  if (run.status !== 'running') throw notRunning(run);
  const final = runner.cancel(id);
  if (final) return final;
  if (run.instanceId && run.instanceId !== instanceId) {
    throw new AppError(
      'CONFLICT',
      `Run "${id}" runs on instance ${run.instanceId}, not on this one (${instanceId}); cancel it through the instance that runs it`,
      { instanceId: run.instanceId },
    );
  }
  // It may have ended between the read and the cancel.
  const now = await store.getRun(id);
  if (now && now.status !== 'running') throw notRunning(now);
  throw new AppError(
    'CONFLICT',
    `Run "${id}" is recorded as running, but nothing on this instance runs it (a process that stopped left it); it is recorded interrupted at the next start`,
  );
}

function notRunning(run: Run): AppError {
  return new AppError(
    'CONFLICT',
    `Run "${run.id}" is not running (it is ${run.status}); only a running run can be cancelled`,
  );
}

/** Tasks that no longer exist but have runs: their ids and the name on their latest run. */
export async function deletedTasks(core: CoreContext): Promise<DeletedTask[]> {
  const { store } = core.options;
  const live = new Set((await store.listTasks()).map((task) => task.id));
  const tasks: DeletedTask[] = [];
  for (const id of await store.taskIdsWithRuns()) {
    if (live.has(id)) continue;
    const [latest] = (await store.listRuns({ taskId: id, limit: 1 })).items;
    if (latest) tasks.push({ id, name: latest.taskName });
  }
  return tasks.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

/**
 * Deletes every run of the deleted tasks named `name` (the name on their latest run). Refused
 * while a task has that name: its runs go by its id (`runs.delete { taskId }`).
 */
export async function deleteRunsOfDeletedTask(core: CoreContext, name: string): Promise<number> {
  const { store } = core.options;
  const live = (await store.listTasks()).find((task) => task.name === name);
  if (live) {
    throw new AppError(
      'CONFLICT',
      `Task "${name}" still exists (id ${live.id}); deleting by name is for the runs of deleted tasks: delete its runs with { taskId: "${live.id}" }`,
    );
  }
  let deleted = 0;
  for (const task of await deletedTasks(core)) {
    if (task.name === name) deleted += await store.deleteRuns({ taskId: task.id });
  }
  return deleted;
}
