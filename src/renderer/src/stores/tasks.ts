/** Tasks: the list (with its server-side filters), last run per task, mutations and run-now. */
import { create } from 'zustand';
import type { Run, Task, TaskInput, TaskType } from '../../../shared/domain';
import { call } from '../api/current';
import { errorMessage, type LoadStatus } from './load-state';

export interface TaskFilter {
  type?: TaskType;
  ranFrom?: string;
  ranTo?: string;
  text?: string;
}

interface TasksState {
  items: Task[];
  status: LoadStatus;
  error?: string;
  filter: TaskFilter;
  /** Latest run per task id (running or finished), kept live by events. */
  lastRun: Record<string, Run>;
  setFilter(filter: TaskFilter): Promise<void>;
  load(): Promise<void>;
  save(task: TaskInput): Promise<Task>;
  remove(id: string): Promise<number>;
  removeType(type: TaskType): Promise<number>;
  run(id: string, configId?: string): Promise<Run>;
  applyRun(run: Run): void;
}

export const useTasks = create<TasksState>()((set, get) => ({
  items: [],
  status: 'idle',
  filter: {},
  lastRun: {},
  async setFilter(filter) {
    const before = get().filter;
    set({ filter });
    // Text filtering is local; the rest asks the server.
    if (
      before.type !== filter.type ||
      before.ranFrom !== filter.ranFrom ||
      before.ranTo !== filter.ranTo
    ) {
      await get().load();
    }
  },
  async load() {
    const { filter } = get();
    set({ status: get().status === 'ready' ? 'ready' : 'loading' });
    try {
      const items = await call('tasks.list', {
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.ranFrom ? { ranFrom: filter.ranFrom } : {}),
        ...(filter.ranTo ? { ranTo: filter.ranTo } : {}),
      });
      set({ items, status: 'ready', error: undefined });
      // Last run per task in one call; a task without one never ran (recently).
      const latest = await call('runs.latest', { taskIds: items.map((t) => t.id) }).catch(
        () => ({}) as Record<string, Run>,
      );
      const lastRun = { ...get().lastRun, ...latest };
      set({ lastRun });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  async save(task) {
    const saved = await call('tasks.save', { task });
    set((s) => ({
      items: [...s.items.filter((t) => t.id !== saved.id), saved].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    }));
    return saved;
  },
  async remove(id) {
    const { deleted } = await call('tasks.delete', { id });
    set((s) => ({ items: s.items.filter((t) => t.id !== id) }));
    return deleted;
  },
  async removeType(type) {
    const { deleted } = await call('tasks.delete', { type });
    set((s) => ({ items: s.items.filter((t) => t.type !== type) }));
    return deleted;
  },
  async run(id, configId) {
    const run = await call('tasks.run', { id, wait: false, ...(configId ? { configId } : {}) });
    get().applyRun(run);
    return run;
  },
  applyRun(run) {
    if (!run.taskId) return;
    const current = get().lastRun[run.taskId];
    // Events may arrive before or after the run-now answer: never go back from finished to running.
    if (
      current &&
      current.id === run.id &&
      current.status !== 'running' &&
      run.status === 'running'
    )
      return;
    if (current && current.id !== run.id && current.startedAt > run.startedAt) return;
    set((s) => ({ lastRun: { ...s.lastRun, [run.taskId]: run } }));
  },
}));
