/**
 * The `json` store, the embedded default: the catalog in `catalog.json` (lowdb, atomic writes,
 * coalesced), the run history in an hourly segmented JSON-lines log with group commit, and a lock
 * file so only one process uses a data dir. See docs/storage.md.
 */
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import type { DataProblem } from '../../../shared/contract';
import { copyData } from '../../../shared/copy-data';
import type { Alert } from '../../../shared/alerts';
import type { Configuration, Run, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { systemClock, type Clock } from '../../core/clock';
import type { RunStats } from '../../../shared/run-stats';
import type { RunStatsQuery } from '../run-stats';
import { applyScheduleState } from '../schedule-state';
import type {
  RetentionPolicy,
  RunDeletion,
  RunPage,
  RunQuery,
  ScheduleState,
  Store,
} from '../types';
import { removeStaleTempFiles } from './atomic-file';
import { Catalog, replaceSetAside } from './catalog';
import {
  movedCatalogId,
  movedCatalogProblem,
  movedCatalogs,
  setAsideProblem,
} from './catalog-problems';
import { DirLock, unwritableDirError } from './lock';
import { ProblemFile, type ProblemInput } from './problem-file';
import { RunLog, type RunLogOptions } from './run-log';

export interface JsonStoreOptions {
  dataDir: string;
  clock?: Clock;
  /** Tuning of the run log (tests and the bench); defaults suit the app. */
  runLog?: RunLogOptions;
  /** Where problems with the stored data are logged (default: `console.warn`). */
  log?: (line: string) => void;
}

/** Records are plain data: copyData copies them as structuredClone would, faster. */
const clone = <T>(value: T): T => copyData(value);

type State = 'new' | 'open' | 'closed';

export class JsonStore implements Store {
  readonly kind = 'json' as const;
  readonly location: string;
  private readonly clock: Clock;
  private readonly lock: DirLock;
  private readonly catalog: Catalog;
  private readonly runs: RunLog;
  private readonly problemFile: ProblemFile;
  private readonly log: (line: string) => void;
  private state: State = 'new';

  constructor(readonly options: JsonStoreOptions) {
    this.location = options.dataDir;
    this.clock = options.clock ?? systemClock;
    this.lock = new DirLock(options.dataDir, () => new Date(this.clock.now()).toISOString());
    this.catalog = new Catalog(options.dataDir, () => this.clock.now());
    this.log = options.log ?? ((line) => console.warn(line));
    this.problemFile = new ProblemFile(
      options.dataDir,
      () => new Date(this.clock.now()).toISOString(),
      this.log,
    );
    this.problemFile.trackLasting(
      () =>
        new Set(this.catalog.state.setAside.map((r) => setAsideProblem(r, this.catalog.path).id)),
    );
    this.runs = new RunLog(
      options.dataDir,
      // The store's clock tells the run log which hour is current (closed hours leave memory).
      { now: () => this.clock.now(), log: (line) => this.log(line), ...options.runLog },
      (problem) => this.found(problem),
    );
  }

  /** A problem the run log found while serving (at open they are saved and logged together). */
  private found(problem: ProblemInput & { transient?: boolean }): void {
    const { transient, ...rest } = problem;
    if (!this.problemFile.found(rest, { transient: transient ?? false })) return;
    if (this.state !== 'open') return;
    this.log(`JsonStore: ${rest.message}`);
    if (!transient) this.problemFile.saveSoon();
  }

  async open(): Promise<void> {
    if (this.state === 'open') return;
    if (this.state === 'closed') {
      throw new AppError(
        'UNAVAILABLE',
        'JsonStore: a closed store cannot reopen; create a new one',
      );
    }
    const dir = this.options.dataDir;
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw unwritableDirError(dir, error);
    }
    await this.lock.acquire();
    try {
      await removeStaleTempFiles(dir);
      await this.problemFile.load();
      await this.loadCatalog();
      await this.runs.open().catch((error: unknown) => {
        if (error instanceof AppError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new AppError(
          'UNAVAILABLE',
          `JsonStore: the run log in ${this.runs.dir} cannot be opened (${code}); fix its permissions or choose another --data-dir`,
        );
      });
    } catch (error) {
      await this.lock.release();
      throw error;
    }
    this.state = 'open';
    await this.problemFile.save().catch((error: unknown) => {
      this.log(`JsonStore: saving ${this.problemFile.path} failed (${String(error)})`);
    });
    this.logProblems();
  }

  /** Loads the catalog; records its problems (set-aside records, catalogs moved aside). */
  private async loadCatalog(): Promise<void> {
    const dir = this.options.dataDir;
    try {
      await this.catalog.load();
    } catch (error) {
      const moved = (error as AppError).details as
        { movedTo?: string; reason?: string } | undefined;
      if (moved?.movedTo) {
        this.problemFile.found(movedCatalogProblem(dir, basename(moved.movedTo), moved.reason));
        await this.problemFile.save().catch(() => undefined);
      }
      throw error;
    }
    // Catalogs moved aside earlier (also by versions that did not record it): reported until
    // acknowledged, or until the file is gone (put back by the user).
    const names = await movedCatalogs(dir);
    for (const name of names) this.problemFile.found(movedCatalogProblem(dir, name));
    const present = new Set(names.map(movedCatalogId));
    for (const id of this.problemFile.idsOf('catalog')) {
      if (!present.has(id)) this.problemFile.resolve(id);
    }
    for (const record of this.catalog.state.setAside) {
      this.problemFile.found(setAsideProblem(record, this.catalog.path), { lasting: true });
    }
    this.problemFile.pruneLasting();
  }

  /** Every start says what is wrong with the stored data until the user acknowledges it. */
  private logProblems(): void {
    const problems = this.problemFile.list();
    if (problems.length === 0) return;
    this.log(
      `JsonStore: ${problems.length} problem${problems.length === 1 ? '' : 's'} with the data in ${this.location} (system.info lists them; system.acknowledge dismisses one):`,
    );
    for (const p of problems) this.log(`JsonStore: [${p.id}] ${p.message}`);
  }

  /** What is wrong with the stored data, until acknowledged (docs/storage.md, "Problems"). */
  problems(): DataProblem[] {
    return this.problemFile.list();
  }

  async acknowledgeProblem(id: string): Promise<boolean> {
    this.check();
    return this.problemFile.acknowledge(id);
  }

  async close(): Promise<void> {
    if (this.state !== 'open') {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    try {
      await this.catalog.settle();
      await this.runs.close();
      await this.problemFile.save().catch(() => undefined);
    } finally {
      await this.lock.release();
    }
  }

  private check(): void {
    if (this.state === 'open') return;
    throw new AppError(
      'UNAVAILABLE',
      this.state === 'new'
        ? 'JsonStore: the store is not open; call open() first'
        : 'JsonStore: the store is closed',
    );
  }

  // ------------------------------------------------------------ catalog

  async listConfigs(): Promise<Configuration[]> {
    this.check();
    return [...this.catalog.state.configs.values()].map(clone);
  }
  async getConfig(id: string): Promise<Configuration | undefined> {
    this.check();
    const c = this.catalog.state.configs.get(id);
    return c && clone(c);
  }
  async putConfig(config: Configuration): Promise<void> {
    this.check();
    // A put of an id held only by a set-aside record replaces that record (duplicates stay).
    if (!this.catalog.state.configs.has(config.id))
      replaceSetAside(this.catalog.state, 'config', config.id);
    this.catalog.state.configs.set(config.id, clone(config));
    await this.catalog.commit();
  }
  async deleteConfigs(ids: string[]): Promise<number> {
    this.check();
    return this.deleteFrom(this.catalog.state.configs, ids, 'config');
  }

  async listTasks(): Promise<Task[]> {
    this.check();
    return [...this.catalog.state.tasks.values()].map(clone);
  }
  async getTask(id: string): Promise<Task | undefined> {
    this.check();
    const t = this.catalog.state.tasks.get(id);
    return t && clone(t);
  }
  async putTask(task: Task): Promise<void> {
    this.check();
    // A put of an id held only by a set-aside record replaces that record (duplicates stay).
    if (!this.catalog.state.tasks.has(task.id))
      replaceSetAside(this.catalog.state, 'task', task.id);
    this.catalog.state.tasks.set(task.id, clone(task));
    await this.catalog.commit();
  }
  async deleteTasks(ids: string[]): Promise<number> {
    this.check();
    return this.deleteFrom(this.catalog.state.tasks, ids, 'task');
  }

  async listSchedules(): Promise<ScheduleEntry[]> {
    this.check();
    return [...this.catalog.state.schedules.values()].map(clone);
  }
  async getSchedule(id: string): Promise<ScheduleEntry | undefined> {
    this.check();
    const s = this.catalog.state.schedules.get(id);
    return s && clone(s);
  }
  async putSchedule(entry: ScheduleEntry): Promise<void> {
    this.check();
    // A put of an id held only by a set-aside record replaces that record (duplicates stay).
    if (!this.catalog.state.schedules.has(entry.id))
      replaceSetAside(this.catalog.state, 'schedule', entry.id);
    this.catalog.state.schedules.set(entry.id, clone(entry));
    await this.catalog.commit();
  }
  /** Many entries, one catalog commit; the stored entries are updated in place. */
  async saveScheduleState(states: ScheduleState[]): Promise<void> {
    this.check();
    const schedules = this.catalog.state.schedules;
    for (const state of states) applyScheduleState(schedules.get(state.id), state);
    await this.catalog.commit();
  }
  async deleteSchedules(ids: string[]): Promise<number> {
    this.check();
    return this.deleteFrom(this.catalog.state.schedules, ids, 'schedule');
  }

  async listAlerts(): Promise<Alert[]> {
    this.check();
    return [...this.catalog.state.alerts.values()].map(clone);
  }
  async getAlert(id: string): Promise<Alert | undefined> {
    this.check();
    const a = this.catalog.state.alerts.get(id);
    return a && clone(a);
  }
  async putAlert(alert: Alert): Promise<void> {
    this.check();
    if (!this.catalog.state.alerts.has(alert.id))
      replaceSetAside(this.catalog.state, 'alert', alert.id);
    this.catalog.state.alerts.set(alert.id, clone(alert));
    await this.catalog.commit();
  }
  async deleteAlerts(ids: string[]): Promise<number> {
    this.check();
    return this.deleteFrom(this.catalog.state.alerts, ids, 'alert');
  }

  async getSettings(): Promise<Settings | undefined> {
    this.check();
    const s = this.catalog.state.settings;
    return s && clone(s);
  }
  async putSettings(settings: Settings): Promise<void> {
    this.check();
    this.catalog.state.settings = clone(settings);
    replaceSetAside(this.catalog.state, 'settings');
    await this.catalog.commit();
  }

  private async deleteFrom<T>(
    map: Map<string, T>,
    ids: string[],
    kind: 'config' | 'task' | 'schedule' | 'alert',
  ): Promise<number> {
    const gone = ids.filter((id) => map.delete(id));
    // A set-aside duplicate of a deleted id goes too: it must not come back as that record.
    for (const id of gone) replaceSetAside(this.catalog.state, kind, id);
    const deleted = gone.length;
    if (deleted > 0) await this.catalog.commit();
    return deleted;
  }

  // ------------------------------------------------------------ runs

  // Not async: the run log's promise is returned as is (one promise less per record).
  insertRun(run: Run): Promise<void> {
    try {
      this.check();
      return this.runs.insert(run);
    } catch (error) {
      return Promise.reject(error); // as an async function would: never a synchronous throw
    }
  }
  updateRun(run: Run): Promise<void> {
    try {
      this.check();
      return this.runs.update(run);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  async getRun(id: string): Promise<Run | undefined> {
    this.check();
    return this.runs.get(id);
  }
  async listRuns(query: RunQuery): Promise<RunPage> {
    this.check();
    return this.runs.list(query);
  }
  async deleteRuns(which: RunDeletion): Promise<number> {
    this.check();
    return this.runs.delete(which);
  }
  async taskIdsWithRuns(from?: string, to?: string): Promise<Set<string>> {
    this.check();
    return this.runs.taskIds(from, to);
  }
  async runStats(query: RunStatsQuery): Promise<RunStats> {
    this.check();
    return this.runs.runStats(query);
  }
  /** The run log's memory and file reads (benches and tests; not part of the Store interface). */
  runLogStats(): ReturnType<RunLog['stats']> {
    return this.runs.stats();
  }
  async listRunningRuns(): Promise<Run[]> {
    this.check();
    return this.runs.runningRuns();
  }
  async applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    this.check();
    return this.runs.applyRetention(policy, nowMs);
  }
  async flush(): Promise<void> {
    this.check();
    await Promise.all([this.catalog.settle(), this.runs.flush()]);
  }

  /** How many times the catalog file was written (coalescing shows here). */
  get catalogWrites(): number {
    return this.catalog.writes;
  }
}
