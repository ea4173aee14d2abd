/**
 * The `mongodb` store: everything (catalog, runs, settings) lives in one MongoDB database, which
 * several instances may share. Exactly-once scheduling across instances rests on the `claims`
 * collection (unique `_id` per entry and fire time) and on instance heartbeats (`instances`): a
 * run whose instance stops heartbeating is marked `interrupted` by a sweep on every live
 * instance. Schema, guarantees and limits: docs/mongodb.md.
 *
 * This file owns the options, the public face and the order of opening and closing; the work is
 * done by the rooms it composes: the connection and retry wrapper (mongo-connection.ts), the
 * catalog (mongo-catalog.ts), the run history (mongo-runs.ts), claims, heartbeats and sweeps
 * (mongo-instances.ts), schedule watching (mongo-schedule-watch.ts), the document mapping
 * (mongo-docs.ts) and the check of what is read back (record-gate.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../../shared/alerts';
import type { DataProblem } from '../../../shared/contract';
import type { Configuration, Run, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { redactUri } from '../../../shared/secrets';
import type { RunStats } from '../../../shared/run-stats';
import { systemClock, type Clock } from '../../core/clock';
import type { RunStatsQuery } from '../run-stats';
import type {
  RetentionPolicy,
  RunDeletion,
  RunPage,
  RunQuery,
  ScheduleChangeListener,
  ScheduleState,
  Store,
} from '../types';
import { MongoCatalog } from './mongo-catalog';
import { MongoConnection } from './mongo-connection';
import { mongoRunStats } from './mongo-run-stats';
import { databaseFromUri } from './mongo-docs';
import { MongoInstances } from './mongo-instances';
import { MongoRuns } from './mongo-runs';
import { ScheduleWatch } from './mongo-schedule-watch';
import { RecordGate } from './record-gate';

export interface MongoStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…`; a secret (only its redacted form is ever shown). */
  uri: string;
  /** Database name; default: the one in the URI path, else `task_scheduler`. */
  database?: string;
  clock?: Clock;
  /** This instance's id for claims and heartbeats; default a random UUID. */
  instanceId?: string;
  /** Server selection and connect timeout (default 3000 ms). */
  timeoutMs?: number;
  /** How often this instance heartbeats and sweeps runs of dead instances (default 2000 ms). */
  heartbeatMs?: number;
  /** An instance whose heartbeat is older than this is dead (default 15000 ms). */
  leaseMs?: number;
  /** Schedule change polling period when change streams are unavailable (default 2000 ms). */
  pollMs?: number;
  /** `auto` tries change streams and falls back to polling; `poll` never tries (default auto). */
  changeDetection?: 'auto' | 'poll';
  /** How long an operation keeps retrying (with backoff) while the database is unreachable (default 10000 ms). */
  retryWindowMs?: number;
  /** Optional TTL index: MongoDB itself drops runs older than this many days. */
  runTtlDays?: number;
  /** Claims older than this many days are dropped by a TTL index (default 7). */
  claimTtlDays?: number;
  /** Where warnings about skipped documents go (the entry point's logger); default `console.warn`. */
  log?: (line: string) => void;
}

/** A store that can arbitrate scheduled fires between instances sharing it. */
export type ClaimingStore = Store & Required<Pick<Store, 'claim' | 'watchSchedules'>>;

export class MongoStore implements ClaimingStore {
  readonly kind = 'mongodb' as const;
  readonly location: string;
  readonly instanceId: string;
  private readonly connection: MongoConnection;
  /** Every catalog document read back is checked here; bad ones are skipped and reported. */
  private readonly gate: RecordGate;
  private readonly catalog: MongoCatalog;
  private readonly runs: MongoRuns;
  private readonly instances: MongoInstances;
  private readonly watch: ScheduleWatch;

  constructor(options: MongoStoreOptions) {
    this.location = redactUri(options.uri);
    this.gate = new RecordGate(this.location, options.log);
    this.instanceId = options.instanceId ?? randomUUID();
    const clock = options.clock ?? systemClock;
    this.connection = new MongoConnection({
      uri: options.uri,
      location: this.location,
      databaseName: options.database ?? databaseFromUri(options.uri) ?? 'task_scheduler',
      clock,
      timeoutMs: options.timeoutMs ?? 3000,
      retryWindowMs: options.retryWindowMs ?? 10_000,
      runTtlDays: options.runTtlDays,
      claimTtlDays: options.claimTtlDays,
    });
    this.instances = new MongoInstances(this.connection, {
      instanceId: this.instanceId,
      clock,
      heartbeatMs: options.heartbeatMs ?? 2000,
      leaseMs: options.leaseMs ?? 15_000,
    });
    this.catalog = new MongoCatalog(this.connection, clock, this.gate);
    this.runs = new MongoRuns(this.connection, this.instances);
    this.watch = new ScheduleWatch(this.connection, this.gate, this.catalog, {
      clock,
      pollMs: options.pollMs ?? 2000,
      changeDetection: options.changeDetection ?? 'auto',
    });
  }

  /** How schedule changes from other instances are detected right now. */
  get changeDetection(): 'none' | 'change-stream' | 'poll' {
    return this.watch.mode;
  }

  /** The last error of the background heartbeat or sweep, if the last round failed. */
  get lastBackgroundError(): string | undefined {
    return this.instances.lastBackgroundError;
  }

  // ------------------------------------------------------------------ lifecycle

  async open(): Promise<void> {
    if (this.connection.isOpen) return;
    await this.connection.open();
    await this.instances.start();
    // Read the catalog once, so that bad documents are reported at start.
    await Promise.all([
      this.listConfigs(),
      this.listTasks(),
      this.listSchedules(),
      this.getSettings(),
    ]).catch(() => undefined);
  }

  /** Catalog documents that were skipped as invalid when last read. */
  problems(): DataProblem[] {
    return this.gate.list();
  }

  async close(): Promise<void> {
    if (!this.connection.connected) return;
    this.connection.beginClose();
    this.instances.stopTimer();
    this.watch.stopTimer();
    await this.instances.idle();
    await this.watch.stop();
    await this.instances.release();
    await this.connection.close();
  }

  // ------------------------------------------------------------------ catalog

  listConfigs(): Promise<Configuration[]> {
    return this.catalog.listConfigs();
  }
  getConfig(id: string): Promise<Configuration | undefined> {
    return this.catalog.getConfig(id);
  }
  putConfig(config: Configuration): Promise<void> {
    return this.catalog.putConfig(config);
  }
  deleteConfigs(ids: string[]): Promise<number> {
    return this.catalog.deleteConfigs(ids);
  }

  listTasks(): Promise<Task[]> {
    return this.catalog.listTasks();
  }
  getTask(id: string): Promise<Task | undefined> {
    return this.catalog.getTask(id);
  }
  putTask(task: Task): Promise<void> {
    return this.catalog.putTask(task);
  }
  deleteTasks(ids: string[]): Promise<number> {
    return this.catalog.deleteTasks(ids);
  }

  listSchedules(): Promise<ScheduleEntry[]> {
    return this.catalog.listSchedules();
  }
  getSchedule(id: string): Promise<ScheduleEntry | undefined> {
    return this.catalog.getSchedule(id);
  }
  /** Last edit wins by `updatedAt`; this instance's own edit is not reported back to it. */
  async putSchedule(entry: ScheduleEntry): Promise<void> {
    await this.catalog.putSchedule(entry);
    this.watch.saved(entry);
  }
  async deleteSchedules(ids: string[]): Promise<number> {
    const deleted = await this.catalog.deleteSchedules(ids);
    this.watch.deleted(ids);
    return deleted;
  }
  saveScheduleState(states: ScheduleState[]): Promise<void> {
    return this.catalog.saveScheduleState(states);
  }
  forgetScheduleDeletions(ids: string[]): Promise<void> {
    return this.catalog.forgetScheduleDeletions(ids);
  }

  listAlerts(): Promise<Alert[]> {
    return this.catalog.listAlerts();
  }
  getAlert(id: string): Promise<Alert | undefined> {
    return this.catalog.getAlert(id);
  }
  putAlert(alert: Alert): Promise<void> {
    return this.catalog.putAlert(alert);
  }
  deleteAlerts(ids: string[]): Promise<number> {
    return this.catalog.deleteAlerts(ids);
  }

  getSettings(): Promise<Settings | undefined> {
    return this.catalog.getSettings();
  }
  putSettings(settings: Settings): Promise<void> {
    return this.catalog.putSettings(settings);
  }

  // ------------------------------------------------------------------ runs

  insertRun(run: Run): Promise<void> {
    return this.runs.insertRun(run);
  }
  updateRun(run: Run): Promise<void> {
    return this.runs.updateRun(run);
  }
  getRun(id: string): Promise<Run | undefined> {
    return this.runs.getRun(id);
  }
  listRuns(query: RunQuery): Promise<RunPage> {
    return this.runs.listRuns(query);
  }
  deleteRuns(which: RunDeletion): Promise<number> {
    return this.runs.deleteRuns(which);
  }
  taskIdsWithRuns(from?: string, to?: string): Promise<Set<string>> {
    return this.runs.taskIdsWithRuns(from, to);
  }
  runStats(query: RunStatsQuery): Promise<RunStats> {
    return mongoRunStats(this.connection, query);
  }
  /** Runs left `running` by instances that are gone; runs of live instances are theirs. */
  listRunningRuns(): Promise<Run[]> {
    return this.runs.listRunningRuns();
  }
  applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    return this.runs.applyRetention(policy, nowMs);
  }

  async flush(): Promise<void> {
    // Every write is acknowledged by the server before its promise resolves.
  }

  // ------------------------------------------------------------------ claims and instances

  /** Claims one scheduled fire for this instance: true when this instance won it. */
  claim(entryId: string, scheduledFor: string): Promise<boolean> {
    return this.instances.claim(entryId, scheduledFor);
  }

  /** Runs of instances whose lease expired become `interrupted` (each run exactly once). */
  sweepDeadInstances(): Promise<number> {
    return this.instances.sweepDeadInstances();
  }

  // ------------------------------------------------------------------ change detection

  /**
   * Reports schedule entries created, edited or deleted by other instances: through a change
   * stream where the server offers one (replica sets), else by polling every `pollMs`. Edits made
   * through this store are not reported back. Returns the unsubscribe function.
   */
  watchSchedules(listener: ScheduleChangeListener): Promise<() => void> {
    return this.watch.watchSchedules(listener);
  }

  /** One polling round: compares every entry's `updatedAt` with what this instance knows. */
  pollOnce(): Promise<void> {
    return this.watch.pollOnce();
  }
}
