/**
 * The method map: the one contract every transport (Electron IPC, HTTP, the renderer's client)
 * exposes. Adding a method means adding it here and in the core service, nothing else.
 */
import { z } from 'zod';
import { alertInputSchema, type Alert, type AlertDelivery } from './alerts';
import {
  configurationInputSchema,
  idSchema,
  isoTimeSchema,
  nameSchema,
  operationSchema,
  runStatusSchema,
  scheduleEntryInputSchema,
  scheduleEntrySchema,
  scheduleTimeSchema,
  settingsSchema,
  taskInputSchema,
  taskTypeSchema,
  type Configuration,
  type Run,
  type ScheduleEntry,
  type Settings,
  type Task,
} from './domain';
import { AppError, invalidFields } from './errors';
import { boundedJson } from './json-bounds';
import { ZOD_USER_MESSAGES, zodFieldIssues } from './zod-messages';
import { RUN_STATS_MAX_BUCKETS, type RunStats } from './run-stats';

const empty = z.strictObject({});
/** The longest `runs.list` search (`q`). */
export const RUN_SEARCH_MAX = 200;
const byId = z.strictObject({ id: idSchema });

export const paramsSchemas = {
  'tasks.list': z.strictObject({
    type: taskTypeSchema.optional(),
    ranFrom: isoTimeSchema.optional(),
    ranTo: isoTimeSchema.optional(),
  }),
  'tasks.get': byId,
  'tasks.save': z.strictObject({ task: taskInputSchema }),
  'tasks.run': z.strictObject({
    id: idSchema,
    configId: idSchema.optional(),
    /** Wait for the run to finish (default) or return the `running` record at once. */
    wait: z.boolean().optional(),
  }),
  'tasks.delete': z.union([
    z.strictObject({ id: idSchema }),
    z.strictObject({ type: taskTypeSchema }),
  ]),
  'runs.list': z.strictObject({
    taskId: idSchema.optional(),
    type: taskTypeSchema.optional(),
    status: runStatusSchema.optional(),
    /** The runs a run started (its chained children, their retries included). */
    parentRunId: idSchema.optional(),
    /** The runs of one configuration (`configId` of the run). */
    configId: idSchema.optional(),
    /** Search: a case-insensitive part of the task name, configuration name or error message. */
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty; leave it out to list every run')
      .max(RUN_SEARCH_MAX, `must be at most ${RUN_SEARCH_MAX} characters`)
      .optional(),
    from: isoTimeSchema.optional(),
    to: isoTimeSchema.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    cursor: z.string().min(1).optional(),
  }),
  'runs.get': byId,
  /** Stops a run in progress on this instance; it is recorded `cancelled` (no retry follows). */
  'runs.cancel': byId,
  /** Tasks that no longer exist but still have runs (ids and the name on their latest run). */
  'runs.deletedTasks': empty,
  /** The latest run of each task (among the newest 20,000 runs), keyed by task id. */
  'runs.latest': z.strictObject({
    taskIds: z.array(idSchema).max(10_000).optional(),
  }),
  /**
   * Run counts per time bucket and status, and duration percentiles, over every run started in
   * [from, to) (at most RUN_STATS_MAX_DAYS); test runs only with `includeTests`.
   */
  'runs.stats': z.strictObject({
    from: isoTimeSchema,
    to: isoTimeSchema,
    taskId: idSchema.optional(),
    type: taskTypeSchema.optional(),
    includeTests: z.boolean().optional(),
    buckets: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(RUN_STATS_MAX_BUCKETS, `must be at most ${RUN_STATS_MAX_BUCKETS}`)
      .optional(),
  }),
  'runs.delete': z.union([
    z.strictObject({ from: isoTimeSchema, to: isoTimeSchema }),
    z.strictObject({ taskId: idSchema }),
    z.strictObject({ ids: z.array(idSchema).min(1, 'needs at least one id').max(10_000) }),
    /** The runs of deleted tasks by the task's name (refused while a task has that name). */
    z.strictObject({ taskName: nameSchema }),
  ]),
  'configs.list': z.strictObject({
    type: taskTypeSchema.optional(),
    unused: z.boolean().optional(),
  }),
  'configs.get': z.strictObject({
    id: idSchema,
    /** Return secrets in clear (only for the editor's reveal toggle). */
    reveal: z.boolean().optional(),
  }),
  'configs.save': z.strictObject({ config: configurationInputSchema }),
  'configs.delete': byId,
  'configs.deleteUnused': empty,
  /** Runs a configuration once without a task: a dry run recorded with trigger `test`. */
  'configs.test': z.strictObject({
    config: configurationInputSchema,
    operation: operationSchema,
    /** A sample parent result: placeholders read it as `{{input…}}` (as in a chained run). */
    input: boundedJson(z.unknown()).optional(),
  }),
  'schedules.list': z.strictObject({
    taskId: idSchema.optional(),
    enabled: z.boolean().optional(),
  }),
  'schedules.get': byId,
  'schedules.save': z.strictObject({ entry: scheduleEntryInputSchema }),
  'schedules.delete': z.union([
    z.strictObject({ id: idSchema }),
    z.strictObject({ all: z.literal(true) }),
  ]),
  /** The timing fields of an entry (as `schedules.save` takes them), and how many times to list. */
  'schedules.preview': scheduleEntrySchema
    .pick({
      kind: true,
      everySeconds: true,
      cron: true,
      timezone: true,
      startAt: true,
      endAt: true,
    })
    .extend({
      count: z.number().int().min(1).max(100).optional(),
      /** The fire times listed are those after this time (default now). */
      from: scheduleTimeSchema.optional(),
    }),
  'settings.get': empty,
  'settings.save': z.strictObject({ settings: settingsSchema }),
  'system.info': empty,
  /**
   * Writes the whole store to a JSON file on the machine running the core (absolute path).
   * Secrets are sealed with the store's key (or omitted when it has none) unless `includeSecrets`.
   */
  'system.export': z.strictObject({
    file: z.string().trim().min(1, 'must not be empty'),
    includeSecrets: z.boolean().optional(),
  }),
  /** Imports such a file (upsert by id; verified by counts). */
  'system.import': z.strictObject({ file: z.string().trim().min(1, 'must not be empty') }),
  /**
   * The same export as `system.export`, answered instead of written to a file (the browser saves
   * it as a download). `runs: false` leaves the run history out (a smaller file).
   */
  'system.exportData': z.strictObject({
    includeSecrets: z.boolean().optional(),
    runs: z.boolean().optional(),
  }),
  /**
   * Imports an export sent in the body (the browser's upload), exactly as `system.import` does a
   * file; `fileName` only names it in messages. Over HTTP its body may be up to 64 MiB.
   */
  'system.importData': z.strictObject({
    dump: z.unknown(),
    fileName: z.string().trim().min(1).max(500).optional(),
  }),
  /** Stops reporting one of `system.info`'s problems (the data it names is kept). */
  'system.acknowledge': z.strictObject({
    id: z.string().trim().min(1, 'must not be empty').max(500),
  }),
  // Alerts (docs/alerts.md): secrets redacted in answers; a redacted value sent back is kept.
  'alerts.list': empty,
  'alerts.get': byId,
  'alerts.save': z.strictObject({ alert: alertInputSchema }),
  'alerts.delete': byId,
  /** Sends one sample message through the alert's channel now (one attempt, no retry). */
  'alerts.test': z.strictObject({ alert: alertInputSchema }),
  /** This instance's recent delivery attempts, newest first. */
  'alerts.deliveries': z.strictObject({
    alertId: idSchema.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
} as const;

/** The stores a core can keep its data in (`--store`, `system.info`'s `store`). */
export const STORE_KINDS = ['memory', 'json', 'mongodb'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface SystemInfo {
  version: string;
  store: StoreKind;
  dataDir?: string;
  /** Where the store keeps its data: a directory, or the MongoDB URI with its password redacted. */
  location?: string;
  instanceId: string;
  /**
   * The zone of the machine running the core: a cron entry saved without a zone, with no default
   * zone in Settings, gets this one (stored with the entry).
   */
  timezone: string;
  scheduler: {
    running: boolean;
    entries: number;
    /** Runs executing now. */
    activeRuns: number;
    /** Runs waiting for a slot (the global `concurrency` limit or their task's `maxConcurrent`). */
    queuedRuns: number;
    /** How long the run waiting longest has waited, in ms; 0 when none waits. */
    oldestQueuedMs: number;
    /** The global limit in force (settings.concurrency). */
    concurrency: number;
  };
  /** What is wrong with the stored data (records set aside, files moved or lost); newest last. */
  problems: DataProblem[];
}

/**
 * Something wrong with the stored data that the store worked around: a record set aside, a
 * catalog moved away, run segments lost or damaged (docs/storage.md, "Problems").
 */
export interface DataProblem {
  /** Stable id; `system.acknowledge` takes it. */
  id: string;
  kind: 'config' | 'task' | 'schedule' | 'settings' | 'catalog' | 'runs' | 'alert';
  /** The id of the record set aside, when it has one. */
  recordId?: string;
  /** What is wrong and what to do, in sentences. */
  message: string;
  /** The file (or collection) that holds the data. */
  at?: string;
  /** When it was first found (ISO). */
  since?: string;
  /** False when only fixing the data makes it go away (a document in a shared database). */
  acknowledgeable: boolean;
}

/** Who uses a configuration, so it cannot be deleted or change type. */
export interface ConfigUsage {
  /** Tasks that run with it by default. */
  tasks: Array<{ id: string; name: string }>;
  /** Schedule entries that run their task with it instead of the task's default. */
  entries: Array<{ id: string; taskId: string }>;
}

/** A configuration as `configs.list` answers it: secrets redacted, with who uses it. */
export type ListedConfiguration = Configuration & { usedBy: ConfigUsage };

/**
 * How an export file holds configuration secrets: `sealed` as the store keeps them (ciphertext,
 * readable only with the same key), `omitted` (each replaced by the redaction marker) or `clear`.
 */
export type ExportSecrets = 'sealed' | 'omitted' | 'clear';

/** How many records of each kind an export holds or an import stored. */
export interface TransferCounts {
  configs: number;
  tasks: number;
  schedules: number;
  alerts: number;
  /** 1 when settings were saved, else 0. */
  settings: number;
  runs: number;
}

/** What `system.export` / `system.import` moved. */
export interface TransferSummary {
  /** The file (for `system.importData`: the name it was given, else "the uploaded export"). */
  file: string;
  counts: TransferCounts;
  /** How the file holds the secrets (an import reports the file's kind). */
  secrets: ExportSecrets;
  /** Sentences for the user: secrets in clear, omitted, or to re-enter, naming the configurations. */
  notes: string[];
}

/** A task that was deleted and still has runs (`runs.deletedTasks`). */
export interface DeletedTask {
  id: string;
  /** The task's name on its latest run. */
  name: string;
}

/**
 * An export file's content (docs/storage.md, "Export and import"): records as stored, secrets as
 * `secrets` says. Version 2 added `alerts`.
 */
export interface ExportDump {
  format: 'task-scheduler-export';
  version: 1 | 2;
  exportedAt: string;
  source?: { kind: string; location?: string };
  secrets?: ExportSecrets;
  sealedWith?: string;
  counts: TransferCounts;
  configs: Configuration[];
  tasks: Task[];
  schedules: ScheduleEntry[];
  alerts?: Alert[];
  settings?: Settings;
  runs: Run[];
}

/** What `system.exportData` answers: the export and what a file export would report. */
export interface ExportedData extends Omit<TransferSummary, 'file'> {
  dump: ExportDump;
  /** A file name to save it under (`task-scheduler-export-2026-05-01.json`). */
  fileName: string;
}

/** What `tasks.delete` did. */
export interface TasksDeleted {
  deleted: number;
  /**
   * Tasks that ran after a deleted task and no longer do (it was removed from their runAfter);
   * absent when there were none.
   */
  unlinked?: Array<{ id: string; name: string }>;
}

export interface MethodResults {
  'tasks.list': Task[];
  'tasks.get': Task;
  'tasks.save': Task;
  'tasks.run': Run;
  'tasks.delete': TasksDeleted;
  'runs.list': { items: Run[]; nextCursor?: string };
  'runs.get': Run;
  /** The cancelled run's final record. */
  'runs.cancel': Run;
  'runs.deletedTasks': { tasks: DeletedTask[] };
  'runs.latest': Record<string, Run>;
  'runs.stats': RunStats;
  'runs.delete': { deleted: number };
  'configs.list': ListedConfiguration[];
  'configs.get': Configuration;
  'configs.save': Configuration;
  'configs.delete': { deleted: number };
  'configs.deleteUnused': { deleted: number };
  'configs.test': Run;
  'schedules.list': ScheduleEntry[];
  'schedules.get': ScheduleEntry;
  'schedules.save': ScheduleEntry;
  'schedules.delete': { deleted: number };
  'schedules.preview': { times: string[] };
  'settings.get': Settings;
  'settings.save': Settings;
  'system.info': SystemInfo;
  'system.export': TransferSummary;
  'system.import': TransferSummary;
  'system.exportData': ExportedData;
  'system.importData': TransferSummary;
  /** The problems still reported after this one was acknowledged. */
  'system.acknowledge': { problems: DataProblem[] };
  'alerts.list': Alert[];
  'alerts.get': Alert;
  'alerts.save': Alert;
  'alerts.delete': { deleted: number };
  'alerts.test': AlertDelivery;
  'alerts.deliveries': { items: AlertDelivery[] };
}

export type MethodName = keyof typeof paramsSchemas;
export const METHOD_NAMES = Object.keys(paramsSchemas) as MethodName[];
/** Params as a caller writes them (defaults may be omitted). */
export type MethodParams<M extends MethodName> = z.input<(typeof paramsSchemas)[M]>;
/** Params after validation (defaults filled in). */
export type ParsedParams<M extends MethodName> = z.output<(typeof paramsSchemas)[M]>;
export type MethodResult<M extends MethodName> = MethodResults[M];

/** Every method as an async function: what the core implements and every client exposes. */
export type Api = { [M in MethodName]: (params: MethodParams<M>) => Promise<MethodResult<M>> };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(paramsSchemas, name);
}

/** Formats zod issues as "field: problem; field: problem". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'}`
          : issue.message;
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/**
 * Validates a method's params at a boundary; throws `VALIDATION` naming the fields in users'
 * words (src/shared/zod-messages.ts): `config.params.timeoutMs: must be at least 1`, with
 * `details.issues` `[{ path, message }]`. The method is in `where` (logs), not in the message.
 */
export function parseParams<M extends MethodName>(method: M, params: unknown): ParsedParams<M> {
  const result = paramsSchemas[method].safeParse(params ?? {}, ZOD_USER_MESSAGES);
  if (!result.success) {
    const error = invalidFields(zodFieldIssues(result.error));
    error.where = method;
    throw error;
  }
  return result.data as ParsedParams<M>;
}

export function unknownMethod(name: unknown): AppError {
  return new AppError(
    'VALIDATION',
    `Unknown method ${JSON.stringify(name)}; use one of: ${METHOD_NAMES.join(', ')}`,
  );
}
