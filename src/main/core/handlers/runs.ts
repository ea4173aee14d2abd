/**
 * `runs.*`: list (filters, search, cursor pages), get, cancel, the latest run of each task, the
 * deleted tasks that still have runs, delete.
 */
import { copyData } from '../../../shared/copy-data';
import { AppError } from '../../../shared/errors';
import type { LatestRuns } from '../latest-runs';
import { normalizeTime, type AreaHandlers, type CoreContext } from './context';
import { cancelRun, deletedTasks, deleteRunsOfDeletedTask } from './run-actions';

export function runHandlers(
  core: CoreContext,
  latestRuns: LatestRuns,
): Omit<AreaHandlers<'runs'>, 'runs.stats'> {
  const { store } = core.options;
  return {
    'runs.list': async (query) => {
      const { taskId, type, status, parentRunId, configId, q, from, to, limit, cursor } = query;
      if (from && to && Date.parse(from) >= Date.parse(to)) {
        throw new AppError('VALIDATION', `runs.list: from (${from}) must be before to (${to})`);
      }
      return store.listRuns({
        ...(taskId ? { taskId } : {}),
        ...(type ? { type } : {}),
        ...(status ? { status } : {}),
        ...(parentRunId ? { parentRunId } : {}),
        ...(configId ? { configId } : {}),
        ...(q ? { q } : {}),
        ...(from ? { from: normalizeTime(from) } : {}),
        ...(to ? { to: normalizeTime(to) } : {}),
        ...(cursor ? { cursor } : {}),
        limit: limit ?? 100,
      });
    },

    'runs.get': async ({ id }) => {
      const run = await store.getRun(id);
      if (!run)
        throw new AppError(
          'NOT_FOUND',
          `runs.get: no run with id "${id}"; it may have been deleted or expired by retention`,
        );
      return run;
    },

    'runs.cancel': async ({ id }) => copyData(await cancelRun(core, id)),

    'runs.deletedTasks': async () => ({ tasks: await deletedTasks(core) }),

    'runs.latest': ({ taskIds }) => latestRuns.get(taskIds),

    'runs.delete': async (which) => {
      if ('from' in which) {
        if (Date.parse(which.from) >= Date.parse(which.to)) {
          throw new AppError(
            'VALIDATION',
            `runs.delete: from (${which.from}) must be before to (${which.to})`,
          );
        }
        const deleted = await store.deleteRuns({
          from: normalizeTime(which.from),
          to: normalizeTime(which.to),
        });
        core.changed('runs');
        return { deleted };
      }
      const deleted =
        'taskName' in which
          ? await deleteRunsOfDeletedTask(core, which.taskName)
          : await store.deleteRuns(which);
      core.changed('runs');
      return { deleted };
    },
  };
}
