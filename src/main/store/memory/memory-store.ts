/**
 * The `memory` store: everything lives in this process and nothing survives a restart. It is the
 * "scheduler without a database" mode, and the reference the other backends are tested against.
 */
import type { Alert } from '../../../shared/alerts';
import type { RunStats } from '../../../shared/run-stats';
import type { Configuration, Run, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import {
  childSearchFrom,
  compareRuns,
  decodeCursor,
  encodeCursor,
  matchesRunRecord,
  matchesRunFilter,
} from '../run-query';
import { statsOfSortedRuns, type RunStatsQuery } from '../run-stats';
import { applyScheduleState } from '../schedule-state';
import type {
  RetentionPolicy,
  RunDeletion,
  RunPage,
  RunQuery,
  ScheduleState,
  Store,
} from '../types';

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly location = undefined;
  private readonly configs = new Map<string, Configuration>();
  private readonly tasks = new Map<string, Task>();
  private readonly schedules = new Map<string, ScheduleEntry>();
  private readonly alerts = new Map<string, Alert>();
  private settings: Settings | undefined;
  /** Runs in ascending (startedAt, id) order; starts arrive in order, so inserts append. */
  private runs: Run[] = [];
  private readonly runIndex = new Map<string, Run>();
  private closed = false;

  async open(): Promise<void> {
    this.closed = false;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new AppError('UNAVAILABLE', 'MemoryStore: the store is closed');
  }

  async listConfigs(): Promise<Configuration[]> {
    this.check();
    return [...this.configs.values()].map(clone);
  }
  async getConfig(id: string): Promise<Configuration | undefined> {
    this.check();
    const c = this.configs.get(id);
    return c && clone(c);
  }
  async putConfig(config: Configuration): Promise<void> {
    this.check();
    this.configs.set(config.id, clone(config));
  }
  async deleteConfigs(ids: string[]): Promise<number> {
    this.check();
    return ids.filter((id) => this.configs.delete(id)).length;
  }

  async listTasks(): Promise<Task[]> {
    this.check();
    return [...this.tasks.values()].map(clone);
  }
  async getTask(id: string): Promise<Task | undefined> {
    this.check();
    const t = this.tasks.get(id);
    return t && clone(t);
  }
  async putTask(task: Task): Promise<void> {
    this.check();
    this.tasks.set(task.id, clone(task));
  }
  async deleteTasks(ids: string[]): Promise<number> {
    this.check();
    return ids.filter((id) => this.tasks.delete(id)).length;
  }

  async listSchedules(): Promise<ScheduleEntry[]> {
    this.check();
    return [...this.schedules.values()].map(clone);
  }
  async getSchedule(id: string): Promise<ScheduleEntry | undefined> {
    this.check();
    const s = this.schedules.get(id);
    return s && clone(s);
  }
  async putSchedule(entry: ScheduleEntry): Promise<void> {
    this.check();
    this.schedules.set(entry.id, clone(entry));
  }
  async deleteSchedules(ids: string[]): Promise<number> {
    this.check();
    return ids.filter((id) => this.schedules.delete(id)).length;
  }
  async saveScheduleState(states: ScheduleState[]): Promise<void> {
    this.check();
    for (const state of states) applyScheduleState(this.schedules.get(state.id), state);
  }

  async listAlerts(): Promise<Alert[]> {
    this.check();
    return [...this.alerts.values()].map(clone);
  }
  async getAlert(id: string): Promise<Alert | undefined> {
    this.check();
    const a = this.alerts.get(id);
    return a && clone(a);
  }
  async putAlert(alert: Alert): Promise<void> {
    this.check();
    this.alerts.set(alert.id, clone(alert));
  }
  async deleteAlerts(ids: string[]): Promise<number> {
    this.check();
    return ids.filter((id) => this.alerts.delete(id)).length;
  }

  async getSettings(): Promise<Settings | undefined> {
    this.check();
    return this.settings && clone(this.settings);
  }
  async putSettings(settings: Settings): Promise<void> {
    this.check();
    this.settings = clone(settings);
  }

  async insertRun(run: Run): Promise<void> {
    this.check();
    if (this.runIndex.has(run.id)) {
      throw new AppError('CONFLICT', `MemoryStore: run ${run.id} is already recorded`);
    }
    const copy = clone(run);
    let i = this.runs.length;
    while (i > 0 && compareRuns(this.runs[i - 1]!, copy) > 0) i--;
    this.runs.splice(i, 0, copy);
    this.runIndex.set(copy.id, copy);
  }

  async updateRun(run: Run): Promise<void> {
    this.check();
    const existing = this.runIndex.get(run.id);
    if (!existing) throw new AppError('NOT_FOUND', `MemoryStore: run ${run.id} does not exist`);
    if (existing.startedAt !== run.startedAt) {
      throw new AppError('VALIDATION', `MemoryStore: run ${run.id} cannot change its startedAt`);
    }
    for (const key of Object.keys(existing) as (keyof Run)[]) delete existing[key];
    Object.assign(existing, clone(run));
  }

  async getRun(id: string): Promise<Run | undefined> {
    this.check();
    const r = this.runIndex.get(id);
    return r && clone(r);
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    this.check();
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const from = childSearchFrom(query);
    const items: Run[] = [];
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i]!;
      if (after && compareRuns(run, after) >= 0) continue;
      if (from !== undefined && run.startedAt < from) break;
      if (!matchesRunFilter(run, query) || !matchesRunRecord(run, query)) continue;
      if (items.length === query.limit) {
        const last = items[items.length - 1]!;
        return { items, nextCursor: encodeCursor(last) };
      }
      items.push(clone(run));
    }
    return { items };
  }

  async deleteRuns(which: RunDeletion): Promise<number> {
    this.check();
    const doomed =
      'ids' in which
        ? (run: Run) => which.ids.includes(run.id)
        : 'taskId' in which
          ? (run: Run) => run.taskId === which.taskId
          : (run: Run) => run.startedAt >= which.from && run.startedAt < which.to;
    const before = this.runs.length;
    this.runs = this.runs.filter((run) => {
      if (!doomed(run)) return true;
      this.runIndex.delete(run.id);
      return false;
    });
    return before - this.runs.length;
  }

  async taskIdsWithRuns(from?: string, to?: string): Promise<Set<string>> {
    this.check();
    const ids = new Set<string>();
    for (const run of this.runs) {
      if (from !== undefined && run.startedAt < from) continue;
      if (to !== undefined && run.startedAt >= to) break;
      if (run.taskId) ids.add(run.taskId);
    }
    return ids;
  }

  async runStats(query: RunStatsQuery): Promise<RunStats> {
    this.check();
    return statsOfSortedRuns(this.runs, query);
  }

  async listRunningRuns(): Promise<Run[]> {
    this.check();
    return this.runs.filter((r) => r.status === 'running').map(clone);
  }

  async applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    this.check();
    let keepFrom = 0;
    if (policy.maxAgeDays !== undefined) {
      const cutoff = new Date(nowMs - policy.maxAgeDays * 86_400_000).toISOString();
      while (keepFrom < this.runs.length && this.runs[keepFrom]!.startedAt < cutoff) keepFrom++;
    }
    if (policy.maxRuns !== undefined) {
      keepFrom = Math.max(keepFrom, this.runs.length - policy.maxRuns);
    }
    const dropped = this.runs.splice(0, keepFrom);
    for (const run of dropped) this.runIndex.delete(run.id);
    return dropped.length;
  }

  async flush(): Promise<void> {
    // Nothing to make durable.
  }
}
