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
import { AppError } from './errors';
import { boundedJson } from './json-bounds';

const empty = z.strictObject({});
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
    from: isoTimeSchema.optional(),
    to: isoTimeSchema.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    cursor: z.string().min(1).optional(),
  }),
  'runs.get': byId,
  /** The latest run of each task (among the newest 20,000 runs), keyed by task id. */
  'runs.latest': z.strictObject({
    taskIds: z.array(idSchema).max(10_000).optional(),
  }),
  'runs.delete': z.union([
    z.strictObject({ from: isoTimeSchema, to: isoTimeSchema }),
    z.strictObject({ taskId: idSchema }),
    z.strictObject({ ids: z.array(idSchema).min(1, 'needs at least one id').max(10_000) }),
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

/** What `system.export` / `system.import` moved. */
export interface TransferSummary {
  file: string;
  counts: { configs: number; tasks: number; schedules: number; settings: number; runs: number };
  /** How the file holds the secrets (an import reports the file's kind). */
  secrets: ExportSecrets;
  /** Sentences for the user: secrets in clear, omitted, or to re-enter, naming the configurations. */
  notes: string[];
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
  'runs.latest': Record<string, Run>;
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

/** Validates a method's params at a boundary; throws `VALIDATION` naming the fields. */
export function parseParams<M extends MethodName>(method: M, params: unknown): ParsedParams<M> {
  const result = paramsSchemas[method].safeParse(params ?? {});
  if (!result.success) {
    throw new AppError('VALIDATION', `${method}: ${describeIssues(result.error)}`, {
      issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    });
  }
  return result.data as ParsedParams<M>;
}

export function unknownMethod(name: unknown): AppError {
  return new AppError(
    'VALIDATION',
    `Unknown method ${JSON.stringify(name)}; use one of: ${METHOD_NAMES.join(', ')}`,
  );
}
