/** History: one filtered, cursor-paged list of runs (newest first) plus the runs in progress. */
import { create } from 'zustand';
import type { DeletedTask } from '../../../shared/contract';
import type { Run, RunStatus, TaskType } from '../../../shared/domain';
import { call } from '../api/current';
import { errorMessage, type LoadStatus } from './load-state';

export interface RunFilter {
  taskId?: string;
  configId?: string;
  /** Search: a part of the task name, configuration name or error message (any case). */
  q?: string;
  type?: TaskType;
  status?: RunStatus;
  from?: string;
  to?: string;
  /** Runs of the Test button (trigger `test`) are left out unless this is set. */
  includeTests?: boolean;
}

export const PAGE_SIZE = 200;
/**
 * The first page is small: a rare filter (one status of one type) may make the store read many
 * segments per page, and 40 rows fill the visible list three times over; the next pages (200
 * each) are fetched in the background as the list asks for them.
 */
export const FIRST_PAGE = 40;
/** Loaded rows are kept in memory; past this many the list stops growing (narrow the period). */
export const MAX_LOADED = 20_000;

interface RunsState {
  filter: RunFilter;
  items: Run[];
  nextCursor?: string;
  status: LoadStatus;
  loadingMore: boolean;
  error?: string;
  /** Runs in progress by id (for the dashboard and live rows). */
  running: Record<string, Run>;
  setFilter(filter: RunFilter): Promise<void>;
  load(): Promise<void>;
  loadMore(): Promise<void>;
  loadRunning(): Promise<void>;
  applyRun(run: Run): void;
  removePeriod(from: string, to: string): Promise<number>;
  removeTask(taskId: string): Promise<number>;
  /** Cancels a running run (runs.cancel) and shows its final record. */
  cancel(id: string): Promise<Run>;
  /** Tasks that were deleted but still have runs (for the task filter). */
  deletedTasks: DeletedTask[];
  loadDeletedTasks(): Promise<void>;
}

/** A run of a configuration's Test button, not of a task: kept apart from real failures. */
export function isTestRun(run: Pick<Run, 'trigger'>): boolean {
  return run.trigger.kind === 'test';
}

/** Pages fetched at most to find the first run that is not a test (when tests are hidden). */
const MAX_SKIP_PAGES = 10;

export function matchesFilter(run: Run, f: RunFilter): boolean {
  if (!f.includeTests && isTestRun(run)) return false;
  if (f.taskId && run.taskId !== f.taskId) return false;
  if (f.configId && run.configId !== f.configId) return false;
  if (f.q && !matchesSearch(run, f.q)) return false;
  if (f.type && run.type !== f.type) return false;
  if (f.status && run.status !== f.status) return false;
  if (f.from && run.startedAt < new Date(f.from).toISOString()) return false;
  if (f.to && run.startedAt >= new Date(f.to).toISOString()) return false;
  return true;
}

/** The service's search (`q`) on one run: a part of its names or error message, any case. */
export function matchesSearch(run: Run, q: string): boolean {
  const text = q.trim().toLowerCase();
  if (!text) return true;
  return [run.taskName, run.configName, run.error?.message ?? ''].some((field) =>
    field.toLowerCase().includes(text),
  );
}

/** The filter as `runs.list` params (the service knows no trigger filter: tests are dropped here). */
const params = (f: RunFilter): Omit<RunFilter, 'includeTests'> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v && k !== 'includeTests') out[k] = v as string;
  if (out.q !== undefined) {
    const q = out.q.trim();
    if (q) out.q = q;
    else delete out.q;
  }
  return out;
};

const kept = (runs: Run[], f: RunFilter): Run[] =>
  f.includeTests ? runs : runs.filter((r) => !isTestRun(r));

let generation = 0;

export const useRuns = create<RunsState>()((set, get) => ({
  filter: {},
  items: [],
  status: 'idle',
  loadingMore: false,
  running: {},
  deletedTasks: [],
  async setFilter(filter) {
    set({ filter });
    await get().load();
  },
  async load() {
    const mine = ++generation;
    set({ status: 'loading', error: undefined });
    try {
      const { filter } = get();
      let page = await call('runs.list', { ...params(filter), limit: FIRST_PAGE });
      let items = kept(page.items, filter);
      // A page of test runs only: read on (bounded) so the list does not look empty.
      for (let i = 0; items.length === 0 && page.nextCursor && i < MAX_SKIP_PAGES; i++) {
        if (mine !== generation) return;
        page = await call('runs.list', {
          ...params(filter),
          limit: PAGE_SIZE,
          cursor: page.nextCursor,
        });
        items = kept(page.items, filter);
      }
      if (mine !== generation) return; // a newer filter won
      set({ items, nextCursor: page.nextCursor, status: 'ready' });
    } catch (error) {
      if (mine === generation) set({ status: 'error', error: errorMessage(error) });
    }
  },
  async loadMore() {
    const { nextCursor, loadingMore, status } = get();
    if (!nextCursor || loadingMore || status !== 'ready' || get().items.length >= MAX_LOADED)
      return;
    const mine = generation;
    set({ loadingMore: true });
    try {
      const page = await call('runs.list', {
        ...params(get().filter),
        limit: PAGE_SIZE,
        cursor: nextCursor,
      });
      if (mine !== generation) return;
      const seen = new Set(get().items.map((r) => r.id));
      set((s) => ({
        items: [...s.items, ...kept(page.items, s.filter).filter((r) => !seen.has(r.id))],
        nextCursor: page.nextCursor,
      }));
    } catch (error) {
      if (mine === generation) set({ error: errorMessage(error) });
    } finally {
      set({ loadingMore: false });
    }
  },
  async loadRunning() {
    try {
      const page = await call('runs.list', { status: 'running', limit: 1000 });
      set({ running: Object.fromEntries(page.items.map((r) => [r.id, r])) });
    } catch {
      // The dashboard shows what events bring; a failed refresh is not fatal.
    }
  },
  applyRun(run) {
    set((s) => {
      const running = { ...s.running };
      if (run.status === 'running') running[run.id] = run;
      else delete running[run.id];
      const index = s.items.findIndex((r) => r.id === run.id);
      let items = s.items;
      if (index >= 0) {
        items = [...s.items];
        items[index] = run;
      } else if (s.status === 'ready' && matchesFilter(run, s.filter)) {
        // New runs are newest: put them on top.
        items = [run, ...s.items];
      }
      return { running, items };
    });
  },
  async removePeriod(from, to) {
    const { deleted } = await call('runs.delete', { from, to });
    await get().load();
    return deleted;
  },
  async removeTask(taskId) {
    const { deleted } = await call('runs.delete', { taskId });
    await Promise.all([get().load(), get().loadDeletedTasks()]);
    return deleted;
  },
  async cancel(id) {
    const run = await call('runs.cancel', { id });
    get().applyRun(run);
    return run;
  },
  async loadDeletedTasks() {
    try {
      const { tasks } = await call('runs.deletedTasks', {});
      set({ deletedTasks: tasks });
    } catch {
      // The filter then offers the tasks that exist; nothing else depends on it.
    }
  },
}));
