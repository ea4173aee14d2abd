/**
 * The `Store` interface every backend implements (memory, json, mongodb) and passes the shared
 * contract suite in tests/main/store/store-contract.ts. The core owns filtering of the small
 * catalog; stores own the run history, which can hold millions of runs.
 */
import type { Alert } from '../../shared/alerts';
import type { DataProblem, StoreKind } from '../../shared/contract';
import type { RunStats } from '../../shared/run-stats';
import type {
  Configuration,
  Run,
  RunStatus,
  ScheduleEntry,
  Settings,
  Task,
  TaskType,
} from '../../shared/domain';
import type { RunStatsQuery } from './run-stats';

export type { StoreKind } from '../../shared/contract';

export interface RunQuery {
  taskId?: string;
  type?: TaskType;
  status?: RunStatus;
  /** Inclusive lower bound on `startedAt` (ISO). */
  from?: string;
  /** Exclusive upper bound on `startedAt` (ISO). */
  to?: string;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** Only the runs this run started (`trigger.parentRunId`): chained runs and their retries. */
  parentRunId?: string;
  /** Only the runs of this configuration. */
  configId?: string;
  /** A case-insensitive part of the task name, configuration name or error message. */
  q?: string;
}

export interface RunPage {
  /** Newest first by `startedAt`, ties broken by id descending. */
  items: Run[];
  nextCursor?: string;
}

export type RunDeletion = { from: string; to: string } | { taskId: string } | { ids: string[] };

export interface RetentionPolicy {
  maxAgeDays?: number;
  maxRuns?: number;
}

/** The scheduler's state of one schedule entry (see `Store.saveScheduleState`). */
export interface ScheduleState {
  id: string;
  /** The slot of the latest fire. */
  lastRunAt?: string;
  /** Absent: the entry will not fire again (disabled or past its end). */
  nextRunAt?: string;
}

/** Schedule edits made by other instances sharing the store (mongodb). */
export interface ScheduleChangeListener {
  /** An entry was created or edited on another instance. */
  changed(entry: ScheduleEntry): void;
  /** An entry was deleted on another instance. */
  removed(id: string): void;
}

export interface Store {
  readonly kind: StoreKind;
  /** Where the data lives, for `system.info` (a directory, or a redacted URI). */
  readonly location?: string;

  /** Opens (creating if needed); fails with a clear `AppError` if the data cannot be used. */
  open(): Promise<void>;
  /** Flushes everything and releases locks; the store cannot be used afterwards. */
  close(): Promise<void>;

  listConfigs(): Promise<Configuration[]>;
  getConfig(id: string): Promise<Configuration | undefined>;
  putConfig(config: Configuration): Promise<void>;
  /** Returns how many of the ids existed. */
  deleteConfigs(ids: string[]): Promise<number>;

  listTasks(): Promise<Task[]>;
  getTask(id: string): Promise<Task | undefined>;
  putTask(task: Task): Promise<void>;
  deleteTasks(ids: string[]): Promise<number>;

  listSchedules(): Promise<ScheduleEntry[]>;
  getSchedule(id: string): Promise<ScheduleEntry | undefined>;
  putSchedule(entry: ScheduleEntry): Promise<void>;
  deleteSchedules(ids: string[]): Promise<number>;
  /**
   * Records the scheduler's state of many entries in one write: `lastRunAt` only moves forward,
   * `nextRunAt` is replaced (removed when absent). No other field is touched, so an edit made
   * meanwhile is never undone, and ids that no longer exist are skipped, never re-created.
   */
  saveScheduleState(states: ScheduleState[]): Promise<void>;

  /** Alerts (docs/alerts.md); secrets as the caller gives them (EncryptingStore seals them). */
  listAlerts(): Promise<Alert[]>;
  getAlert(id: string): Promise<Alert | undefined>;
  putAlert(alert: Alert): Promise<void>;
  deleteAlerts(ids: string[]): Promise<number>;

  /** Undefined until settings are first saved. */
  getSettings(): Promise<Settings | undefined>;
  putSettings(settings: Settings): Promise<void>;

  /** Records a new run (usually `running`, or a final `skipped`). */
  insertRun(run: Run): Promise<void>;
  /** Replaces a run recorded before (same id and `startedAt`), e.g. when it finishes. */
  updateRun(run: Run): Promise<void>;
  getRun(id: string): Promise<Run | undefined>;
  listRuns(query: RunQuery): Promise<RunPage>;
  deleteRuns(which: RunDeletion): Promise<number>;
  /** Ids of the tasks with a run started in [from, to). */
  taskIdsWithRuns(from?: string, to?: string): Promise<Set<string>>;
  /** Counts and duration percentiles over every run of the period (`runs.stats`, run-stats.ts). */
  runStats(query: RunStatsQuery): Promise<RunStats>;
  /** Runs still `running` (at start: left behind by a crash). */
  listRunningRuns(): Promise<Run[]>;
  /** Drops history beyond the policy; returns how many runs went. */
  applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number>;
  /** Resolves once everything written so far is durable. */
  flush(): Promise<void>;

  // Optional capabilities of stores that several instances share (mongodb).

  /** Claims slot `scheduledFor` of an entry for this instance: true when this instance won it. */
  claim?(entryId: string, scheduledFor: string): Promise<boolean>;
  /** Reports entries edited or deleted by other instances; returns the unsubscribe function. */
  watchSchedules?(listener: ScheduleChangeListener): Promise<() => void>;
  /**
   * Forgets that these entries were deleted, so an import may restore them (a store that
   * remembers deletions, so that a stale copy cannot revive an entry, needs this).
   */
  forgetScheduleDeletions?(ids: string[]): Promise<void>;

  // Optional: stores that check what they read back (json, mongodb). See docs/storage.md.

  /** What is wrong with the stored data: records set aside, files moved away or lost. */
  problems?(): DataProblem[];
  /** Stops reporting a problem (the data stays); false when no such problem is reported. */
  acknowledgeProblem?(id: string): Promise<boolean>;
}

export type { DataProblem };
