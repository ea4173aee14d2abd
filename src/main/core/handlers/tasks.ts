/**
 * `tasks.*`: list (type, ran in a period), get, save (its configuration must fit, its runAfter
 * the chain rules), run, delete (taking the task out of every other task's runAfter).
 */
import type { TasksDeleted } from '../../../shared/contract';
import { checkCompatible, typeMismatch } from '../../../shared/compatibility';
import type { Configuration, Run, Task } from '../../../shared/domain';
import { AppError, invalidField, invalidFields, type FieldIssue } from '../../../shared/errors';
import { ChainGraph, parentPlaceholderIssues } from '../chain-rules';
import { checkOperation } from '../config-rules';
import { normalizeTime, type AreaHandlers, type CoreContext } from './context';

export function taskHandlers(core: CoreContext): AreaHandlers<'tasks'> {
  const { store } = core.options;

  /** Starts a manual run with the task's configuration or `configId`. */
  const startRun = async (
    task: Task,
    configId: string | undefined,
    wait: boolean,
    where: string,
  ): Promise<Run> => {
    const config = await core.requireConfig(configId ?? task.configId, where);
    checkCompatible(task, config, {
      // The param that picked the configuration: `configId`, else the task (`id`).
      where: configId === undefined ? 'id' : 'configId',
      checkOperation,
      mismatch: (t, c) => `${typeMismatch(t, c)}; pick a ${t.type} configuration`,
    });
    const started = core.options.runner.start({
      task,
      config,
      operation: task.operation,
      trigger: { kind: 'manual' },
    });
    return wait ? started.finished : started.started;
  };

  /**
   * `VALIDATION` naming every problem of `task` (as it will be stored) with chains: its runAfter
   * (chain-rules.ts), and placeholders of its configuration that read a parent it does not have.
   */
  const checkChains = async (task: Task, config: Configuration): Promise<void> => {
    const issues: FieldIssue[] = [];
    if (task.runAfter?.length) {
      const tasks = new Map((await store.listTasks()).map((t) => [t.id, t]));
      tasks.set(task.id, task);
      for (const { index, message } of new ChainGraph(tasks).issuesOf(task)) {
        issues.push({ path: ['task', 'runAfter', String(index), 'taskId'], message });
      }
    }
    for (const { field, message } of parentPlaceholderIssues(task, config)) {
      issues.push({
        path: ['task', 'configId'],
        message: `configuration "${config.name}", ${field}: ${message}`,
      });
    }
    if (issues.length === 0) return;
    throw invalidFields(issues);
  };

  /** Takes the deleted tasks out of every other task's runAfter; returns the tasks changed. */
  const unlink = async (deleted: ReadonlySet<string>): Promise<TasksDeleted['unlinked']> => {
    const unlinked: NonNullable<TasksDeleted['unlinked']> = [];
    const now = core.now();
    for (const task of await store.listTasks()) {
      if (!task.runAfter?.some((parent) => deleted.has(parent.taskId))) continue;
      const runAfter = task.runAfter.filter((parent) => !deleted.has(parent.taskId));
      const changed: Task = { ...task, updatedAt: now };
      if (runAfter.length > 0) changed.runAfter = runAfter;
      else delete changed.runAfter;
      await store.putTask(changed);
      unlinked.push({ id: task.id, name: task.name });
    }
    return unlinked.length ? unlinked : undefined;
  };

  return {
    'tasks.list': async ({ type, ranFrom, ranTo }) => {
      if (ranFrom && ranTo && Date.parse(ranFrom) >= Date.parse(ranTo)) {
        throw new AppError('VALIDATION', `ranFrom (${ranFrom}) must be before ranTo (${ranTo})`, {
          issues: [{ path: ['ranFrom'], message: `must be before ranTo (${ranTo})` }],
        });
      }
      let tasks = await store.listTasks();
      if (type) tasks = tasks.filter((t) => t.type === type);
      if (ranFrom || ranTo) {
        const ran = await store.taskIdsWithRuns(
          ranFrom && normalizeTime(ranFrom),
          ranTo && normalizeTime(ranTo),
        );
        tasks = tasks.filter((t) => ran.has(t.id));
      }
      return tasks.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    },

    'tasks.get': ({ id }) => core.requireTask(id, 'tasks.get'),

    'tasks.save': async ({ task: input }) => {
      const existing = input.id ? await core.requireTask(input.id, 'tasks.save') : undefined;
      const config = await store.getConfig(input.configId);
      if (!config) {
        throw invalidField(
          'task.configId',
          `no configuration with id "${input.configId}"; create it first or pick one from configs.list`,
        );
      }
      checkCompatible(input, config, {
        where: 'task.configId',
        checkOperation,
        mismatch: (t, c) =>
          `configuration "${c.name}" is for ${c.type} tasks, not ${t.type}; pick a ${t.type} configuration`,
      });
      if (existing && existing.type !== input.type) {
        const overrides = (await store.listSchedules()).filter(
          (e) => e.taskId === existing.id && e.configId !== undefined,
        );
        if (overrides.length > 0) {
          throw invalidField(
            'task.type',
            `${overrides.length} schedule entr${overrides.length === 1 ? 'y overrides' : 'ies override'} this task's configuration with a ${existing.type} configuration; change or delete them first`,
          );
        }
      }
      const now = core.now();
      const task: Task = {
        ...input,
        id: existing?.id ?? core.options.ids(),
        name: input.name,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      } as Task;
      await checkChains(task, config);
      await store.putTask(task);
      core.changed('tasks');
      return task;
    },

    'tasks.run': async ({ id, configId, wait }) => {
      const task = await core.requireTask(id, 'tasks.run');
      return startRun(task, configId, wait ?? true, 'tasks.run');
    },

    'tasks.delete': async (which) => {
      let ids: string[];
      if ('id' in which) {
        await core.requireTask(which.id, 'tasks.delete');
        ids = [which.id];
      } else {
        ids = (await store.listTasks()).filter((t) => t.type === which.type).map((t) => t.id);
      }
      if (ids.length === 0) return { deleted: 0 };
      // Cascade: a task's schedule entries go with it; its runs stay as history.
      const doomed = new Set(ids);
      const entries = (await store.listSchedules()).filter((e) => doomed.has(e.taskId));
      await core.deleteEntries(entries.map((e) => e.id));
      const deleted = await store.deleteTasks(ids);
      const unlinked = await unlink(doomed);
      core.changed('tasks');
      return unlinked ? { deleted, unlinked } : { deleted };
    },
  };
}
