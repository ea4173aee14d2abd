/**
 * The mongodb store's schema and document mapping: collection names, the indexes `open()`
 * creates, how entities become documents and back (`_id` ↔ `id`, user-data fields as JSON text,
 * helper fields dropped), and how driver errors are classified (unreachable, duplicate key) and
 * scrubbed of the URI's password. No state: every room of the store uses these.
 */
import {
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  type Collection,
  type Document,
} from 'mongodb';
import type { Run } from '../../../shared/domain';
import { checkEntryRecord } from '../record-checks';

export type Doc = Document & { _id: string };

/** Hands out one collection of the open database (throws UNAVAILABLE when it is not open). */
export type CollectionOf = (name: string) => Collection<Doc>;

export const COLLECTIONS = {
  configs: 'configs',
  tasks: 'tasks',
  schedules: 'schedules',
  scheduleTombstones: 'schedule_tombstones',
  settings: 'settings',
  runs: 'runs',
  claims: 'claims',
  instances: 'instances',
  alerts: 'alerts',
} as const;

/** Fields stored as JSON text: they hold user data whose keys may start with `$` or hold dots. */
export const CONFIG_JSON_FIELDS = ['params'] as const;
const RUN_JSON_FIELDS = ['config', 'result'] as const;
/** An alert's channel holds header names and a body template of any JSON. */
export const ALERT_JSON_FIELDS = ['channel'] as const;
/** Stored beside a run for the optional TTL index; never returned. */
const RUN_DATE_FIELD = 'startedAtDate';
export const SETTINGS_ID = 'settings';
const DUPLICATE_KEY = 11000;

export function databaseFromUri(uri: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export function toDoc(entity: { id: string }, jsonFields: readonly string[] = []): Doc {
  const { id, ...rest } = entity as Record<string, unknown> & { id: string };
  const doc: Doc = { _id: id };
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    doc[key] = jsonFields.includes(key) ? JSON.stringify(value) : value;
  }
  return doc;
}

export function fromDoc<T>(
  doc: Document,
  jsonFields: readonly string[] = [],
  drop: string[] = [],
): T {
  const { _id, ...rest } = doc;
  const entity: Record<string, unknown> = { id: _id };
  for (const [key, value] of Object.entries(rest)) {
    if (drop.includes(key)) continue;
    entity[key] = jsonFields.includes(key) && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return entity as T;
}

export const runToDoc = (run: Run): Doc => ({
  ...toDoc(run, RUN_JSON_FIELDS),
  [RUN_DATE_FIELD]: new Date(Date.parse(run.startedAt)),
});
export const runFromDoc = (doc: Document): Run =>
  fromDoc<Run>(doc, RUN_JSON_FIELDS, [RUN_DATE_FIELD]);
export const configFromDoc = (doc: Document): unknown => fromDoc(doc, CONFIG_JSON_FIELDS);
export const alertFromDoc = (doc: Document): unknown => fromDoc(doc, ALERT_JSON_FIELDS);
export const plainFromDoc = (doc: Document): unknown => fromDoc(doc);
export const checkEntry = (value: unknown): ReturnType<typeof checkEntryRecord> =>
  checkEntryRecord(value);

/** The TTL settings that shape the indexes. */
export interface IndexOptions {
  runTtlDays?: number;
  claimTtlDays?: number;
}

/** Creates collections' indexes; idempotent (createIndex of an existing index is a no-op). */
export async function ensureIndexes(col: CollectionOf, options: IndexOptions): Promise<void> {
  const runs = col(COLLECTIONS.runs);
  await runs.createIndex({ startedAt: -1, _id: -1 }, { name: 'runs_time' });
  await runs.createIndex({ taskId: 1, startedAt: -1, _id: -1 }, { name: 'runs_task_time' });
  await runs.createIndex({ type: 1, startedAt: -1, _id: -1 }, { name: 'runs_type_time' });
  await runs.createIndex({ status: 1, startedAt: -1, _id: -1 }, { name: 'runs_status_time' });
  // A run's children (runs.list parentRunId: chained runs and their retries).
  await runs.createIndex(
    { 'trigger.parentRunId': 1, startedAt: -1, _id: -1 },
    {
      name: 'runs_parent_time',
      partialFilterExpression: { 'trigger.parentRunId': { $exists: true } },
    },
  );
  if (options.runTtlDays !== undefined) {
    await runs.createIndex(
      { [RUN_DATE_FIELD]: 1 },
      { name: 'runs_ttl', expireAfterSeconds: Math.round(options.runTtlDays * 86_400) },
    );
  }
  const schedules = col(COLLECTIONS.schedules);
  await schedules.createIndex({ nextRunAt: 1 }, { name: 'schedules_next' });
  await schedules.createIndex({ taskId: 1 }, { name: 'schedules_task' });
  await col(COLLECTIONS.tasks).createIndex({ configId: 1 }, { name: 'tasks_config' });
  await col(COLLECTIONS.claims).createIndex(
    { claimedAt: 1 },
    {
      name: 'claims_ttl',
      expireAfterSeconds: Math.round((options.claimTtlDays ?? 7) * 86_400),
    },
  );
  await col(COLLECTIONS.instances).createIndex(
    { leaseUntil: 1 },
    { name: 'instances_ttl', expireAfterSeconds: 86_400 },
  );
  await col(COLLECTIONS.scheduleTombstones).createIndex(
    { deletedAtDate: 1 },
    { name: 'tombstones_ttl', expireAfterSeconds: 86_400 },
  );
}

/** True for errors that mean "the database cannot be reached right now" (worth a retry). */
export function isUnreachable(error: unknown): boolean {
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

export const isDuplicateKey = (error: unknown): boolean =>
  error instanceof MongoServerError && error.code === DUPLICATE_KEY;

export { messageOf } from '../../../shared/errors';

/** Removes the URI's password from driver messages that echo it (`location` is the redacted URI). */
export function scrub(message: string, uri: string, location: string): string {
  return message.split(uri).join(location);
}
