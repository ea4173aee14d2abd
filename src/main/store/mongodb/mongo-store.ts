/**
 * The `mongodb` store: everything (catalog, runs, settings) lives in one MongoDB database, which
 * several instances may share. Exactly-once scheduling across instances rests on the `claims`
 * collection (unique `_id` per entry and fire time) and on instance heartbeats (`instances`): a
 * run whose instance stops heartbeating is marked `interrupted` by a sweep on every live
 * instance. Schema, guarantees and limits: docs/mongodb.md.
 */
import { randomUUID } from 'node:crypto';
import {
  MongoClient,
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  type ChangeStream,
  type Collection,
  type Db,
  type Document,
  type Filter,
} from 'mongodb';
import type { DataProblem } from '../../../shared/contract';
import type { Configuration, Run, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { redactUri } from '../../../shared/secrets';
import { sleep, systemClock, toIso, type Clock, type TimerHandle } from '../../core/clock';
import { checkConfigRecord, checkEntryRecord, checkTaskRecord } from '../record-checks';
import { decodeCursor, encodeCursor } from '../run-query';
import type {
  RetentionPolicy,
  RunDeletion,
  RunPage,
  RunQuery,
  ScheduleChangeListener,
  ScheduleState,
  Store,
} from '../types';
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
}

/** A store that can arbitrate scheduled fires between instances sharing it. */
export type ClaimingStore = Store & Required<Pick<Store, 'claim' | 'watchSchedules'>>;

/** Fields stored as JSON text: they hold user data whose keys may start with `$` or hold dots. */
const CONFIG_JSON_FIELDS = ['params'] as const;
const RUN_JSON_FIELDS = ['config', 'result'] as const;
/** Stored beside a run for the optional TTL index; never returned. */
const RUN_DATE_FIELD = 'startedAtDate';
const SETTINGS_ID = 'settings';
const DUPLICATE_KEY = 11000;

type Doc = Document & { _id: string };

const COLLECTIONS = {
  configs: 'configs',
  tasks: 'tasks',
  schedules: 'schedules',
  scheduleTombstones: 'schedule_tombstones',
  settings: 'settings',
  runs: 'runs',
  claims: 'claims',
  instances: 'instances',
} as const;

function databaseFromUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

function toDoc(entity: { id: string }, jsonFields: readonly string[] = []): Doc {
  const { id, ...rest } = entity as Record<string, unknown> & { id: string };
  const doc: Doc = { _id: id };
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    doc[key] = jsonFields.includes(key) ? JSON.stringify(value) : value;
  }
  return doc;
}

function fromDoc<T>(doc: Document, jsonFields: readonly string[] = [], drop: string[] = []): T {
  const { _id, ...rest } = doc;
  const entity: Record<string, unknown> = { id: _id };
  for (const [key, value] of Object.entries(rest)) {
    if (drop.includes(key)) continue;
    entity[key] = jsonFields.includes(key) && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return entity as T;
}

const runToDoc = (run: Run): Doc => ({
  ...toDoc(run, RUN_JSON_FIELDS),
  [RUN_DATE_FIELD]: new Date(Date.parse(run.startedAt)),
});
const runFromDoc = (doc: Document): Run => fromDoc<Run>(doc, RUN_JSON_FIELDS, [RUN_DATE_FIELD]);
const configFromDoc = (doc: Document): unknown => fromDoc(doc, CONFIG_JSON_FIELDS);
const plainFromDoc = (doc: Document): unknown => fromDoc(doc);
const checkEntry = (value: unknown): ReturnType<typeof checkEntryRecord> => checkEntryRecord(value);

function isUnreachable(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (error instanceof MongoError) {
    return (
      error.name === 'MongoTopologyClosedError' ||
      error.name === 'MongoNotConnectedError' ||
      error.name === 'MongoPoolClearedError' ||
      error.hasErrorLabel('RetryableWriteError') ||
      error.hasErrorLabel('ResetPool')
    );
  }
  return false;
}

const isDuplicateKey = (error: unknown): boolean =>
  error instanceof MongoServerError && error.code === DUPLICATE_KEY;

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export class MongoStore implements ClaimingStore {
  readonly kind = 'mongodb' as const;
  readonly location: string;
  readonly instanceId: string;
  private readonly uri: string;
  private readonly databaseName: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retryWindowMs: number;
  private client: MongoClient | undefined;
  private db: Db | undefined;
  private opened = false;
  private closing = false;
  /** Instance ids whose runs this process writes (its own, plus the runner's). */
  private readonly liveIds = new Set<string>();
  private heartbeatTimer: TimerHandle | undefined;
  private heartbeatRunning: Promise<void> | undefined;
  /** Last `updatedAt` of each entry as this instance knows it; changes elsewhere differ. */
  private readonly knownSchedules = new Map<string, string>();
  private readonly scheduleListeners = new Set<ScheduleChangeListener>();
  private changeStream: ChangeStream | undefined;
  private pollTimer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  private watchMode: 'none' | 'change-stream' | 'poll' = 'none';
  /** Failures of the background heartbeat/sweep, surfaced by `lastBackgroundError`. */
  private backgroundError: string | undefined;
  /** Every catalog document read back is checked here; bad ones are skipped and reported. */
  private readonly gate: RecordGate;

  constructor(private readonly options: MongoStoreOptions) {
    this.uri = options.uri;
    this.location = redactUri(options.uri);
    this.gate = new RecordGate(this.location);
    this.instanceId = options.instanceId ?? randomUUID();
    this.databaseName = options.database ?? databaseFromUri(options.uri) ?? 'task_scheduler';
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.pollMs = options.pollMs ?? 2000;
    this.retryWindowMs = options.retryWindowMs ?? 10_000;
    this.liveIds.add(this.instanceId);
  }

  /** How schedule changes from other instances are detected right now. */
  get changeDetection(): 'none' | 'change-stream' | 'poll' {
    return this.watchMode;
  }

  /** The last error of the background heartbeat or sweep, if the last round failed. */
  get lastBackgroundError(): string | undefined {
    return this.backgroundError;
  }

  // ------------------------------------------------------------------ lifecycle

  async open(): Promise<void> {
    if (this.opened) return;
    let client: MongoClient;
    try {
      client = new MongoClient(this.uri, {
        serverSelectionTimeoutMS: this.timeoutMs,
        connectTimeoutMS: this.timeoutMs,
        ignoreUndefined: true,
        appName: 'task-scheduler',
      });
    } catch (error) {
      throw new AppError(
        'VALIDATION',
        `MongoStore: ${this.location} is not a valid MongoDB connection string: ${messageOf(error)}; fix the URI (mongodb://host:port/database)`,
      );
    }
    try {
      await client.connect();
      const db = client.db(this.databaseName);
      await db.command({ ping: 1 });
      this.client = client;
      this.db = db;
      await this.ensureIndexes();
    } catch (error) {
      this.client = undefined;
      this.db = undefined;
      await client.close(true).catch(() => undefined);
      if (error instanceof AppError) throw error;
      throw new AppError(
        'UNAVAILABLE',
        `MongoStore: cannot reach MongoDB at ${this.location} within ${Math.round(this.timeoutMs / 1000)} s: ${this.scrub(messageOf(error))}; check the URI and that the server runs`,
      );
    }
    this.opened = true;
    this.closing = false;
    await this.heartbeat();
    this.scheduleHeartbeat();
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
    if (!this.client) return;
    this.closing = true;
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
    await this.heartbeatRunning?.catch(() => undefined);
    await this.polling?.catch(() => undefined);
    await this.changeStream?.close().catch(() => undefined);
    this.changeStream = undefined;
    this.watchMode = 'none';
    // A clean stop gives up the lease at once, so others need not wait for it to expire.
    await this.col(COLLECTIONS.instances)
      .deleteMany({ _id: { $in: [...this.liveIds] } })
      .catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.db = undefined;
    this.opened = false;
    await client.close();
  }

  /** Creates collections' indexes; idempotent (createIndex of an existing index is a no-op). */
  private async ensureIndexes(): Promise<void> {
    const runs = this.col(COLLECTIONS.runs);
    await runs.createIndex({ startedAt: -1, _id: -1 }, { name: 'runs_time' });
    await runs.createIndex({ taskId: 1, startedAt: -1, _id: -1 }, { name: 'runs_task_time' });
    await runs.createIndex({ type: 1, startedAt: -1, _id: -1 }, { name: 'runs_type_time' });
    await runs.createIndex({ status: 1, startedAt: -1, _id: -1 }, { name: 'runs_status_time' });
    if (this.options.runTtlDays !== undefined) {
      await runs.createIndex(
        { [RUN_DATE_FIELD]: 1 },
        { name: 'runs_ttl', expireAfterSeconds: Math.round(this.options.runTtlDays * 86_400) },
      );
    }
    const schedules = this.col(COLLECTIONS.schedules);
    await schedules.createIndex({ nextRunAt: 1 }, { name: 'schedules_next' });
    await schedules.createIndex({ taskId: 1 }, { name: 'schedules_task' });
    await this.col(COLLECTIONS.tasks).createIndex({ configId: 1 }, { name: 'tasks_config' });
    await this.col(COLLECTIONS.claims).createIndex(
      { claimedAt: 1 },
      {
        name: 'claims_ttl',
        expireAfterSeconds: Math.round((this.options.claimTtlDays ?? 7) * 86_400),
      },
    );
    await this.col(COLLECTIONS.instances).createIndex(
      { leaseUntil: 1 },
      { name: 'instances_ttl', expireAfterSeconds: 86_400 },
    );
    await this.col(COLLECTIONS.scheduleTombstones).createIndex(
      { deletedAtDate: 1 },
      { name: 'tombstones_ttl', expireAfterSeconds: 86_400 },
    );
  }

  private col(name: string): Collection<Doc> {
    if (!this.db) {
      throw new AppError(
        'UNAVAILABLE',
        `MongoStore: the store is ${this.closing ? 'closed' : 'not open'}; open it first`,
      );
    }
    return this.db.collection<Doc>(name);
  }

  /** Removes the URI's password from driver messages that echo it. */
  private scrub(message: string): string {
    return message.split(this.uri).join(this.location);
  }

  private unavailable(error: unknown, what: string): AppError {
    return new AppError(
      'UNAVAILABLE',
      `MongoStore: cannot ${what}: MongoDB at ${this.location} is unreachable (${this.scrub(messageOf(error))}); check that the server runs, then try again`,
    );
  }

  /** Reads retry like writes, so a scheduled fire waits out a short outage instead of vanishing. */
  private read<T>(what: string, op: () => Promise<T>): Promise<T> {
    return this.write(what, op);
  }

  /**
   * Every operation is retried with backoff while the database is unreachable, for up to the
   * retry window, then fails with UNAVAILABLE.
   * Every write here is idempotent (replace by id, or insert whose duplicate is recognised), so a
   * retry after a lost acknowledgement changes nothing twice.
   */
  private async write<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    const deadline = this.clock.monotonic() + this.retryWindowMs;
    let backoff = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op(attempt);
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (!isUnreachable(error)) {
          throw new AppError(
            'INTERNAL',
            `MongoStore: ${what} failed: ${this.scrub(messageOf(error))}`,
          );
        }
        if (this.closing || !this.db || this.clock.monotonic() + backoff > deadline) {
          throw this.unavailable(error, what);
        }
        await sleep(this.clock, backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  // ------------------------------------------------------------------ catalog

  async listConfigs(): Promise<Configuration[]> {
    const docs = await this.read('list configurations', () =>
      this.col(COLLECTIONS.configs).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('config', COLLECTIONS.configs, docs, configFromDoc, checkConfigRecord);
  }
  async getConfig(id: string): Promise<Configuration | undefined> {
    const doc = await this.read(`read configuration ${id}`, () =>
      this.col(COLLECTIONS.configs).findOne({ _id: id }),
    );
    if (!doc) return undefined;
    return this.gate.one('config', COLLECTIONS.configs, doc, configFromDoc, checkConfigRecord);
  }
  async putConfig(config: Configuration): Promise<void> {
    await this.replace(COLLECTIONS.configs, toDoc(config, CONFIG_JSON_FIELDS), 'configuration');
  }
  async deleteConfigs(ids: string[]): Promise<number> {
    return this.deleteIds(COLLECTIONS.configs, ids, 'configurations');
  }

  async listTasks(): Promise<Task[]> {
    const docs = await this.read('list tasks', () =>
      this.col(COLLECTIONS.tasks).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('task', COLLECTIONS.tasks, docs, plainFromDoc, checkTaskRecord);
  }
  async getTask(id: string): Promise<Task | undefined> {
    const doc = await this.read(`read task ${id}`, () =>
      this.col(COLLECTIONS.tasks).findOne({ _id: id }),
    );
    return doc
      ? this.gate.one('task', COLLECTIONS.tasks, doc, plainFromDoc, checkTaskRecord)
      : undefined;
  }
  async putTask(task: Task): Promise<void> {
    await this.replace(COLLECTIONS.tasks, toDoc(task), 'task');
  }
  async deleteTasks(ids: string[]): Promise<number> {
    return this.deleteIds(COLLECTIONS.tasks, ids, 'tasks');
  }

  async listSchedules(): Promise<ScheduleEntry[]> {
    const docs = await this.read('list schedule entries', () =>
      this.col(COLLECTIONS.schedules).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('schedule', COLLECTIONS.schedules, docs, plainFromDoc, checkEntry);
  }
  async getSchedule(id: string): Promise<ScheduleEntry | undefined> {
    const doc = await this.read(`read schedule entry ${id}`, () =>
      this.col(COLLECTIONS.schedules).findOne({ _id: id }),
    );
    return doc
      ? this.gate.one('schedule', COLLECTIONS.schedules, doc, plainFromDoc, checkEntry)
      : undefined;
  }

  /**
   * Last edit wins by `updatedAt`: a stale copy (an instance that fired an entry another instance
   * just edited or deleted) only advances `lastRunAt`, and never brings a deleted entry back.
   */
  async putSchedule(entry: ScheduleEntry): Promise<void> {
    const doc = toDoc(entry);
    const schedules = this.col(COLLECTIONS.schedules);
    await this.write(`save schedule entry ${entry.id}`, async () => {
      const tombstone = await this.col(COLLECTIONS.scheduleTombstones).findOne({ _id: entry.id });
      if (tombstone && String(tombstone.deletedAt) > entry.updatedAt) return;
      try {
        await schedules.replaceOne({ _id: entry.id, updatedAt: { $lte: entry.updatedAt } }, doc, {
          upsert: true,
        });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A newer edit is stored: keep it, and only record that this copy fired.
        if (entry.lastRunAt !== undefined) {
          await schedules.updateOne(
            {
              _id: entry.id,
              $or: [{ lastRunAt: { $exists: false } }, { lastRunAt: { $lt: entry.lastRunAt } }],
            },
            { $set: { lastRunAt: entry.lastRunAt } },
          );
        }
        return;
      }
      if (tombstone) await this.col(COLLECTIONS.scheduleTombstones).deleteOne({ _id: entry.id });
    });
    this.knownSchedules.set(entry.id, entry.updatedAt);
  }

  async deleteSchedules(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const now = this.clock.now();
    await this.write('record deleted schedule entries', () =>
      this.col(COLLECTIONS.scheduleTombstones).bulkWrite(
        ids.map((id) => ({
          replaceOne: {
            filter: { _id: id },
            replacement: { _id: id, deletedAt: toIso(now), deletedAtDate: new Date(now) },
            upsert: true,
          },
        })),
      ),
    );
    const deleted = await this.deleteIds(COLLECTIONS.schedules, ids, 'schedule entries');
    for (const id of ids) this.knownSchedules.delete(id);
    return deleted;
  }

  /**
   * One bulk write of field updates: `$max` keeps the latest lastRunAt whichever instance writes
   * last, nothing is upserted (a deleted entry stays deleted), and `updatedAt` is untouched, so
   * other instances do not see an edit.
   */
  async saveScheduleState(states: ScheduleState[]): Promise<void> {
    if (states.length === 0) return;
    await this.write('save schedule state', () =>
      this.col(COLLECTIONS.schedules).bulkWrite(
        states.map((state) => ({
          updateOne: {
            filter: { _id: state.id },
            update: {
              ...(state.lastRunAt !== undefined ? { $max: { lastRunAt: state.lastRunAt } } : {}),
              ...(state.nextRunAt !== undefined
                ? { $set: { nextRunAt: state.nextRunAt } }
                : { $unset: { nextRunAt: '' } }),
            },
          },
        })),
        { ordered: false },
      ),
    );
  }

  /**
   * Lets `putSchedule` bring back entries deleted earlier (an import restoring a backup); the
   * tombstones otherwise stop stale copies from reviving them.
   */
  async forgetScheduleDeletions(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write('restore deleted schedule entries', () =>
      this.col(COLLECTIONS.scheduleTombstones).deleteMany({ _id: { $in: ids } }),
    );
  }

  async getSettings(): Promise<Settings | undefined> {
    const doc = await this.read('read settings', () =>
      this.col(COLLECTIONS.settings).findOne({ _id: SETTINGS_ID }),
    );
    if (!doc) return undefined;
    const { _id: _ignored, ...settings } = doc;
    return this.gate.settings(COLLECTIONS.settings, settings);
  }
  async putSettings(settings: Settings): Promise<void> {
    await this.replace(COLLECTIONS.settings, { ...settings, _id: SETTINGS_ID }, 'settings');
  }

  private async replace(name: string, doc: Doc, what: string): Promise<void> {
    await this.write(`save ${what} ${doc._id}`, () =>
      this.col(name).replaceOne({ _id: doc._id }, doc, { upsert: true }),
    );
  }

  private async deleteIds(name: string, ids: string[], what: string): Promise<number> {
    if (ids.length === 0) return 0;
    // Counted before deleting, so a retried delete still reports what existed.
    let existed: number | undefined;
    return this.write(`delete ${what}`, async () => {
      existed ??= await this.col(name).countDocuments({ _id: { $in: ids } });
      await this.col(name).deleteMany({ _id: { $in: ids } });
      return existed;
    });
  }

  // ------------------------------------------------------------------ runs

  async insertRun(run: Run): Promise<void> {
    if (run.status === 'running' && run.instanceId && !this.liveIds.has(run.instanceId)) {
      // Heartbeat the runner's id before its first run exists, so no sweep sees it ownerless.
      this.liveIds.add(run.instanceId);
      await this.heartbeat();
    }
    const doc = runToDoc(run);
    await this.write(`record run ${run.id}`, async (attempt) => {
      try {
        await this.col(COLLECTIONS.runs).insertOne(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (attempt > 1) {
          // The first attempt was stored but its acknowledgement was lost: same run, done.
          const stored = await this.col(COLLECTIONS.runs).findOne({ _id: run.id });
          if (stored && JSON.stringify(runFromDoc(stored)) === JSON.stringify(runFromDoc(doc)))
            return;
        }
        throw new AppError(
          'CONFLICT',
          `MongoStore: run ${run.id} is already recorded; a new run needs a new id`,
        );
      }
    });
  }

  async updateRun(run: Run): Promise<void> {
    const doc = runToDoc(run);
    await this.write(`update run ${run.id}`, async () => {
      const runs = this.col(COLLECTIONS.runs);
      const result = await runs.replaceOne({ _id: run.id, startedAt: run.startedAt }, doc);
      if (result.matchedCount === 1) return;
      const existing = await runs.findOne({ _id: run.id }, { projection: { startedAt: 1 } });
      if (!existing) {
        throw new AppError(
          'NOT_FOUND',
          `MongoStore: run ${run.id} does not exist; it may have been deleted`,
        );
      }
      throw new AppError(
        'VALIDATION',
        `MongoStore: run ${run.id} cannot change its startedAt (${String(existing.startedAt)} → ${run.startedAt})`,
      );
    });
  }

  async getRun(id: string): Promise<Run | undefined> {
    const doc = await this.read(`read run ${id}`, () =>
      this.col(COLLECTIONS.runs).findOne({ _id: id }),
    );
    return doc ? runFromDoc(doc) : undefined;
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const filter: Filter<Doc> = {};
    if (query.taskId !== undefined) filter.taskId = query.taskId;
    if (query.type !== undefined) filter.type = query.type;
    if (query.status !== undefined) filter.status = query.status;
    const range: Record<string, string> = {};
    if (query.from !== undefined) range.$gte = query.from;
    if (query.to !== undefined) range.$lt = query.to;
    if (Object.keys(range).length) filter.startedAt = range;
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      filter.$or = [
        { startedAt: { $lt: after.startedAt } },
        { startedAt: after.startedAt, _id: { $lt: after.id } },
      ];
    }
    const docs = await this.read('list runs', () =>
      this.col(COLLECTIONS.runs)
        .find(filter)
        .sort({ startedAt: -1, _id: -1 })
        .limit(query.limit + 1)
        .toArray(),
    );
    const items = docs.slice(0, query.limit).map(runFromDoc);
    if (docs.length > query.limit) {
      const last = items[items.length - 1]!;
      return { items, nextCursor: encodeCursor(last) };
    }
    return { items };
  }

  async deleteRuns(which: RunDeletion): Promise<number> {
    const filter: Filter<Doc> =
      'ids' in which
        ? { _id: { $in: which.ids } }
        : 'taskId' in which
          ? { taskId: which.taskId }
          : { startedAt: { $gte: which.from, $lt: which.to } };
    return this.write('delete runs', async () => {
      const result = await this.col(COLLECTIONS.runs).deleteMany(filter);
      return result.deletedCount;
    });
  }

  async taskIdsWithRuns(from?: string, to?: string): Promise<Set<string>> {
    const filter: Filter<Doc> = {};
    const range: Record<string, string> = {};
    if (from !== undefined) range.$gte = from;
    if (to !== undefined) range.$lt = to;
    if (Object.keys(range).length) filter.startedAt = range;
    const ids = await this.read('list tasks with runs', () =>
      this.col(COLLECTIONS.runs).distinct('taskId', filter),
    );
    return new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''));
  }

  /**
   * Runs left `running` by instances that are gone (no live heartbeat). Runs of live instances
   * (including other machines) are theirs to finish.
   */
  async listRunningRuns(): Promise<Run[]> {
    const live = await this.liveInstanceIds();
    const docs = await this.read('list running runs', () =>
      this.col(COLLECTIONS.runs)
        .find({ status: 'running', instanceId: { $nin: [...live] } })
        .sort({ startedAt: 1, _id: 1 })
        .toArray(),
    );
    return docs.map(runFromDoc);
  }

  async applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    let dropped = 0;
    const runs = this.col(COLLECTIONS.runs);
    if (policy.maxAgeDays !== undefined) {
      const cutoff = toIso(nowMs - policy.maxAgeDays * 86_400_000);
      dropped += await this.write('apply run retention', async () => {
        return (await runs.deleteMany({ startedAt: { $lt: cutoff } })).deletedCount;
      });
    }
    if (policy.maxRuns !== undefined) {
      const [oldestKept] = await this.read('apply run retention', () =>
        runs
          .find({}, { projection: { startedAt: 1 } })
          .sort({ startedAt: -1, _id: -1 })
          .skip(policy.maxRuns! - 1)
          .limit(1)
          .toArray(),
      );
      if (oldestKept) {
        const at = String(oldestKept.startedAt);
        dropped += await this.write('apply run retention', async () => {
          const result = await runs.deleteMany({
            $or: [{ startedAt: { $lt: at } }, { startedAt: at, _id: { $lt: oldestKept._id } }],
          });
          return result.deletedCount;
        });
      }
    }
    return dropped;
  }

  async flush(): Promise<void> {
    // Every write is acknowledged by the server before its promise resolves.
  }

  // ------------------------------------------------------------------ claims and instances

  /**
   * Claims one scheduled fire for this instance. The claim's `_id` is "<entryId>|<scheduledFor>",
   * so of any number of instances exactly one insert succeeds.
   */
  async claim(entryId: string, scheduledFor: string): Promise<boolean> {
    const id = `${entryId}|${scheduledFor}`;
    const now = this.clock.now();
    const doc: Doc = {
      _id: id,
      entryId,
      scheduledFor,
      instanceId: this.instanceId,
      claimedAt: new Date(now),
      leaseUntil: new Date(now + this.leaseMs),
    };
    return this.write(`claim ${id}`, async (attempt) => {
      try {
        await this.col(COLLECTIONS.claims).insertOne(doc);
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (attempt === 1) return false;
        // After a lost acknowledgement the winner may be this very instance.
        const stored = await this.col(COLLECTIONS.claims).findOne({ _id: id });
        return stored?.instanceId === this.instanceId;
      }
    });
  }

  private async liveInstanceIds(): Promise<Set<string>> {
    const now = new Date(this.clock.now());
    const docs = await this.read('list live instances', () =>
      this.col(COLLECTIONS.instances)
        .find({ leaseUntil: { $gt: now } }, { projection: { _id: 1 } })
        .toArray(),
    );
    return new Set(docs.map((d) => d._id));
  }

  private async heartbeat(): Promise<void> {
    const now = this.clock.now();
    await this.col(COLLECTIONS.instances).bulkWrite(
      [...this.liveIds].map((id) => ({
        replaceOne: {
          filter: { _id: id },
          replacement: {
            _id: id,
            heartbeatAt: new Date(now),
            leaseUntil: new Date(now + this.leaseMs),
            store: this.instanceId,
          },
          upsert: true,
        },
      })),
    );
  }

  /** Runs of instances whose lease expired become `interrupted` (each run exactly once). */
  async sweepDeadInstances(): Promise<number> {
    const live = await this.liveInstanceIds();
    const nowMs = this.clock.now();
    // Runs with no owner are only swept once they are older than a lease (they may be brand new).
    const ownerless = toIso(nowMs - this.leaseMs);
    const runs = this.col(COLLECTIONS.runs);
    const doomed = await runs
      .find({
        status: 'running',
        $or: [
          { instanceId: { $exists: true, $nin: [...live] } },
          { instanceId: { $exists: false }, startedAt: { $lt: ownerless } },
        ],
      })
      .toArray();
    let swept = 0;
    for (const doc of doomed) {
      const run = runFromDoc(doc);
      const finishedMs = Math.max(nowMs, Date.parse(run.startedAt));
      const result = await runs.updateOne(
        { _id: run.id, status: 'running' },
        {
          $set: {
            status: 'interrupted',
            finishedAt: toIso(finishedMs),
            durationMs: finishedMs - Date.parse(run.startedAt),
            error: {
              code: 'INTERRUPTED',
              message: `The instance running this run (${run.instanceId ?? 'unknown'}) stopped heartbeating for over ${Math.round(this.leaseMs / 1000)} s (crash, kill or lost connection); it was not run again`,
            },
          },
        },
      );
      swept += result.modifiedCount;
    }
    return swept;
  }

  private scheduleHeartbeat(): void {
    if (this.closing || !this.opened) return;
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatRunning = (async () => {
        try {
          await this.heartbeat();
          await this.sweepDeadInstances();
          this.backgroundError = undefined;
        } catch (error) {
          // The database may be away for a while; the next round tries again.
          this.backgroundError = this.scrub(messageOf(error));
        }
      })();
      void this.heartbeatRunning.finally(() => this.scheduleHeartbeat());
    }, this.heartbeatMs);
  }

  // ------------------------------------------------------------------ change detection

  /**
   * Reports schedule entries created, edited or deleted by other instances: through a change
   * stream where the server offers one (replica sets), else by polling every `pollMs`. Edits made
   * through this store are not reported back. Returns the unsubscribe function.
   */
  async watchSchedules(listener: ScheduleChangeListener): Promise<() => void> {
    this.scheduleListeners.add(listener);
    if (this.watchMode === 'none') {
      await this.snapshotSchedules();
      if (this.options.changeDetection !== 'poll' && (await this.startChangeStream())) {
        this.watchMode = 'change-stream';
      } else {
        this.startPolling();
      }
    }
    return () => {
      this.scheduleListeners.delete(listener);
    };
  }

  private async snapshotSchedules(): Promise<Map<string, ScheduleEntry>> {
    const entries = await this.listSchedules();
    const byId = new Map(entries.map((e) => [e.id, e]));
    if (this.knownSchedules.size === 0) {
      for (const e of entries) this.knownSchedules.set(e.id, e.updatedAt);
    }
    return byId;
  }

  private async startChangeStream(): Promise<boolean> {
    // A standalone server refuses change streams at the first fetch: probe with a throwaway
    // stream, then resume the real one right after the probe so nothing falls in between.
    const probe = this.col(COLLECTIONS.schedules).watch([], { fullDocument: 'updateLookup' });
    let timer: TimerHandle | undefined;
    let first: Document | null;
    try {
      first = await Promise.race([
        probe.tryNext(),
        new Promise<never>((_resolve, reject) => {
          timer = this.clock.setTimeout(
            () => reject(new Error('no answer from the change stream')),
            this.timeoutMs,
          );
        }),
      ]);
    } catch {
      await probe.close().catch(() => undefined);
      return false;
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    const token = probe.resumeToken;
    await probe.close().catch(() => undefined);
    if (first) this.onScheduleChange(first);
    const stream = this.col(COLLECTIONS.schedules).watch([], {
      fullDocument: 'updateLookup',
      ...(token ? { startAfter: token } : {}),
    });
    this.changeStream = stream;
    stream.on('change', (change: Document) => this.onScheduleChange(change));
    stream.on('error', () => {
      // Lost the stream (e.g. a failover beyond its resume window): fall back to polling.
      this.changeStream = undefined;
      void stream.close().catch(() => undefined);
      if (!this.closing) this.startPolling();
    });
    return true;
  }

  private onScheduleChange(change: Document): void {
    const id = String((change.documentKey as { _id?: unknown } | undefined)?._id ?? '');
    if (change.operationType === 'delete') this.reportRemoved(id);
    else if (change.fullDocument) {
      const entry = this.gate.one(
        'schedule',
        COLLECTIONS.schedules,
        change.fullDocument as Document,
        plainFromDoc,
        checkEntry,
      );
      if (entry) this.reportChanged(entry);
    }
  }

  private startPolling(): void {
    this.watchMode = 'poll';
    if (this.closing || this.pollTimer !== undefined) return;
    const tick = (): void => {
      this.pollTimer = this.clock.setTimeout(() => {
        this.polling = this.pollOnce()
          .catch(() => undefined) // unreachable for now: the next poll catches up
          .finally(() => {
            if (!this.closing) tick();
          });
      }, this.pollMs);
    };
    tick();
  }

  /** One polling round: compares every entry's `updatedAt` with what this instance knows. */
  async pollOnce(): Promise<void> {
    const docs = await this.read('poll schedule entries', () =>
      this.col(COLLECTIONS.schedules)
        .find({}, { projection: { _id: 1, updatedAt: 1 } })
        .toArray(),
    );
    const seen = new Set<string>();
    const changed: string[] = [];
    for (const doc of docs) {
      seen.add(doc._id);
      if (this.knownSchedules.get(doc._id) !== doc.updatedAt) changed.push(doc._id);
    }
    for (const id of [...this.knownSchedules.keys()]) {
      if (!seen.has(id)) this.reportRemoved(id);
    }
    if (changed.length) {
      const full = await this.read('poll schedule entries', () =>
        this.col(COLLECTIONS.schedules)
          .find({ _id: { $in: changed } })
          .toArray(),
      );
      for (const doc of full) {
        const entry = this.gate.one(
          'schedule',
          COLLECTIONS.schedules,
          doc,
          plainFromDoc,
          checkEntry,
        );
        if (entry) this.reportChanged(entry);
      }
    }
  }

  private reportChanged(entry: ScheduleEntry): void {
    if (this.knownSchedules.get(entry.id) === entry.updatedAt) return;
    this.knownSchedules.set(entry.id, entry.updatedAt);
    for (const listener of this.scheduleListeners) listener.changed(entry);
  }

  private reportRemoved(id: string): void {
    if (!id || !this.knownSchedules.has(id)) return;
    this.knownSchedules.delete(id);
    for (const listener of this.scheduleListeners) listener.removed(id);
  }
}
