/**
 * Data the chain parts of the UI share (issue #15): every task whatever the Tasks screen's
 * filter, a task's latest run with a result (kept fresh by the run events the tasks store
 * applies), a task's parents and children, and the sample input of a chained configuration.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ChainWhen, Run, Task } from '../../../shared/domain';
import { call } from '../api/current';
import { useTasks } from '../stores/tasks';

/**
 * Every task, unfiltered: a chain crosses types, so the Tasks screen's (server-side) filter must
 * not hide a parent or a child. The tasks store's list when it is loaded without a filter, else
 * `tasks.list` read again whenever the store reloads.
 */
export function useAllTasks(): Task[] {
  const items = useTasks((s) => s.items);
  const complete = useTasks(
    (s) => s.status === 'ready' && !s.filter.type && !s.filter.ranFrom && !s.filter.ranTo,
  );
  const [fetched, setFetched] = useState<Task[]>(items);
  useEffect(() => {
    if (complete) return;
    let stale = false;
    call('tasks.list', {}).then(
      (tasks) => !stale && setFetched(tasks),
      () => !stale && setFetched(useTasks.getState().items),
    );
    return () => {
      stale = true;
    };
  }, [items, complete]);
  return complete ? items : fetched;
}

/** How a task is named in pickers: its name, with its id when another task has the same name. */
export function taskLabels(tasks: readonly Task[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const t of tasks) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  return new Map(
    tasks.map((t) => [t.id, (count.get(t.name) ?? 0) > 1 ? `${t.name} (${t.id})` : t.name]),
  );
}

export interface LatestResult {
  /** The run, once loaded; undefined while loading or when the task never ran. */
  run?: Run;
  loading: boolean;
}

/**
 * The latest finished run of `taskId` that has a result (`succeeded` only, when asked), fetched
 * again whenever a run of the task starts or ends.
 */
export function useLatestResult(taskId: string | undefined, onlySucceeded = false): LatestResult {
  const live = useTasks((s) => (taskId ? s.lastRun[taskId] : undefined));
  const liveKey = live ? `${live.id}:${live.status}` : '';
  const [state, setState] = useState<LatestResult>({ loading: false });
  useEffect(() => {
    if (!taskId) {
      setState({ loading: false });
      return;
    }
    let stale = false;
    setState((s) => ({ ...s, loading: true }));
    call('runs.list', {
      taskId,
      limit: onlySucceeded ? 1 : 5,
      ...(onlySucceeded ? { status: 'succeeded' as const } : {}),
    }).then(
      (page) => {
        const run = page.items.find((r) => r.status !== 'running' && r.result !== undefined);
        if (!stale) setState({ loading: false, ...(run ? { run } : {}) });
      },
      () => !stale && setState({ loading: false }),
    );
    return () => {
      stale = true;
    };
  }, [taskId, onlySucceeded, liveKey]);
  return state.run ? { run: state.run, loading: state.loading } : { loading: state.loading };
}

export interface ChainLinks {
  parents: Array<{ task?: Task; taskId: string; when: ChainWhen }>;
  children: Array<{ task: Task; when: ChainWhen }>;
}

/** The tasks `task` runs after, and the tasks that run after it. */
export function chainLinksOf(
  task: Pick<Task, 'id' | 'runAfter'>,
  tasks: readonly Task[],
): ChainLinks {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const parents = (task.runAfter ?? []).map(({ taskId, when }) => {
    const parent = byId.get(taskId);
    return parent ? { task: parent, taskId, when } : { taskId, when };
  });
  const children: ChainLinks['children'] = [];
  for (const t of tasks) {
    const link = t.runAfter?.find((p) => p.taskId === task.id);
    if (link && t.id !== task.id) children.push({ task: t, when: link.when });
  }
  return { parents, children };
}

export interface ChainSample {
  /** The chained task that runs with the configuration by default. */
  task: Task;
  /** The task it runs after (its first parent). */
  parent?: Task;
  /** The parent's latest run with a result (succeeded, when the task runs after a success). */
  run?: Run;
  loading: boolean;
}

/**
 * For a configuration that is the default of a task that runs after another: that task, its
 * first parent and the parent's latest result (the sample input of a test, and the paths the
 * placeholder picker offers). Undefined for any other configuration.
 */
export function useChainSample(configId: string | undefined): ChainSample | undefined {
  const tasks = useAllTasks();
  const task = useMemo(
    () => (configId ? tasks.find((t) => t.configId === configId && t.runAfter?.length) : undefined),
    [tasks, configId],
  );
  const first = task?.runAfter?.[0];
  const latest = useLatestResult(first?.taskId, first?.when === 'succeeded');
  if (!task || !first) return undefined;
  const parent = tasks.find((t) => t.id === first.taskId);
  return {
    task,
    ...(parent ? { parent } : {}),
    ...(latest.run ? { run: latest.run } : {}),
    loading: latest.loading,
  };
}
