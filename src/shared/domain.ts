/**
 * Domain entities of Task Scheduler as zod schemas; the TypeScript types are inferred from them.
 * Names are part of the contract (see docs/architecture.md and the design brief, section 2).
 */
import { z } from 'zod';
import { dbParamsSchemaWith, mongoParamsSchema } from './db-params';
import { checksSchema } from './checks';
import { boundedJson } from './json-bounds';
import {
  CHAIN_MAX_PARENTS,
  MAX_EVERY_SECONDS,
  MAX_SCHEDULE_TIME_MS,
  MIN_SCHEDULE_TIME_MS,
  RETRY_MAX_ATTEMPTS,
  RETRY_MAX_BACKOFF_MS,
  RETRY_MAX_FACTOR,
} from './limits';

export const TASK_TYPES = ['api', 'db', 'file'] as const;
export const OPERATIONS = ['read', 'write'] as const;
export const RUN_STATUSES = [
  'running',
  'succeeded',
  'failed',
  'timed-out',
  'interrupted',
  'skipped',
  /** Stopped by a user (`runs.cancel`): no retry, no alert, no chained run. */
  'cancelled',
] as const;
export const TRIGGER_KINDS = ['manual', 'schedule', 'catch-up', 'retry', 'test', 'chain'] as const;
export const SCHEDULE_KINDS = ['frequency', 'cron'] as const;
export const OVERLAP_POLICIES = ['skip', 'queue', 'allow'] as const;
export const MISSED_POLICIES = ['skip', 'run-once'] as const;
/** Which ends of a parent run start a task that runs after it (task.runAfter[].when). */
export const CHAIN_WHEN = ['succeeded', 'failed', 'finished'] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const FILE_FORMATS = ['text', 'json', 'csv', 'binary'] as const;
export const FILE_ENCODINGS = ['utf8', 'utf16le', 'latin1', 'ascii', 'base64', 'hex'] as const;
export const WRITE_MODES = ['overwrite', 'append', 'create'] as const;

/** What a secret looks like after redaction; sending it back to `*.save` keeps the stored value. */
export const REDACTED = '••••••';

/** Upper bound of every concurrency and connection limit. */
export const MAX_CONCURRENCY = 1024;
/** Runs executing at once (settings.concurrency); see docs/scheduling.md, "Limits". */
export const DEFAULT_CONCURRENCY = 128;
/** Open HTTP connections per origin (settings.connectionsPerHost). */
export const DEFAULT_CONNECTIONS_PER_HOST = 32;
/** Connections per db connection string (settings.dbPoolSize). */
export const DEFAULT_DB_POOL_SIZE = 5;
/** A run's timeout when its task sets none (task.timeoutMs); db pools use it as a safety net. */
export const DEFAULT_TASK_TIMEOUT_MS = 5 * 60_000;

export const idSchema = z.string().trim().min(1, 'must not be empty').max(200);
export const nameSchema = z.string().trim().min(1, 'must not be empty').max(200);
/** ISO 8601 timestamp; the core normalizes every stored time to UTC (`…Z`). */
export const isoTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' });
const positiveInt = z.number().int('must be a whole number').positive('must be at least 1');
/** Names to strings (headers, query, variables), within the JSON size limit (src/shared/limits.ts). */
const stringMap = boundedJson(z.record(z.string(), z.string()));
/** A JSON object (MongoDB Extended JSON where the field says so); unbounded, see below. */
const jsonObject = z.record(z.string(), z.unknown());
/**
 * Every untyped JSON field a user gives (api body, file content, db filters, documents, pipelines,
 * updates) is one of these: within JSON_MAX_DEPTH and JSON_MAX_BYTES, and JSON only.
 */
const jsonValue = boundedJson(z.unknown());

export const taskTypeSchema = z.enum(TASK_TYPES);
export const operationSchema = z.enum(OPERATIONS);
export const runStatusSchema = z.enum(RUN_STATUSES);

// ---------------------------------------------------------------- configurations

export const apiAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bearer'), token: z.string().min(1, 'must not be empty') }),
  z.strictObject({
    kind: z.literal('basic'),
    username: z.string(),
    password: z.string(),
  }),
]);

/** Names whose values are secrets (`secretVariables`, `secretHeaders`, `secretQuery`). */
const secretNameList = z.array(z.string().min(1, 'must not be empty')).max(1000).optional();

/**
 * Every name a `secret…` list gives must be a key of the map it marks (headers in any case), so
 * a typo cannot leave a secret in clear unnoticed.
 */
function secretNamesExist(
  lists: readonly (readonly [list: string, map: string, anyCase: boolean])[],
): (params: Record<string, unknown>, ctx: z.RefinementCtx) => void {
  return (params, ctx) => {
    for (const [list, map, anyCase] of lists) {
      const names = (params[list] as string[] | undefined) ?? [];
      const keys = Object.keys((params[map] as Record<string, string> | undefined) ?? {});
      const known = new Set(anyCase ? keys.map((k) => k.toLowerCase()) : keys);
      names.forEach((name, i) => {
        if (known.has(anyCase ? name.toLowerCase() : name)) return;
        ctx.addIssue({
          code: 'custom',
          path: [list, i],
          message: `"${name}" is not in ${map}; list only names that ${map} has${anyCase ? ' (any case)' : ''}`,
        });
      });
    }
  };
}

export const apiParamsSchema = z
  .strictObject({
    url: z.string().trim().min(1, 'must not be empty'),
    /** Defaults: GET for read tasks, POST for write tasks. */
    method: z.enum(HTTP_METHODS).optional(),
    headers: stringMap.optional(),
    query: stringMap.optional(),
    body: jsonValue.optional(),
    bodyType: z.enum(['json', 'form', 'text']).optional(),
    auth: apiAuthSchema.optional(),
    /** Values for `{{name}}` placeholders in url, headers, query and body. */
    variables: stringMap.optional(),
    /** Environment variables a `{{env.NAME}}` placeholder may read. */
    allowEnv: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'))
      .optional(),
    timeoutMs: positiveInt.max(3_600_000).optional(),
    maxResponseBytes: positiveInt.optional(),
    /** Names in `variables` whose values are secrets (sealed at rest, redacted when shown). */
    secretVariables: secretNameList,
    /** Names in `headers` (any case) whose values are secrets, beside Authorization, Cookie… */
    secretHeaders: secretNameList,
    /** Keys in `query` whose values are secrets. */
    secretQuery: secretNameList,
  })
  .superRefine(
    secretNamesExist([
      ['secretVariables', 'variables', false],
      ['secretHeaders', 'headers', true],
      ['secretQuery', 'query', false],
    ]),
  );

/**
 * A db configuration of any engine, picked by the uri's scheme (src/shared/db-params.ts): MongoDB
 * (`mongoParamsSchema`), PostgreSQL / MySQL / SQLite (`query`, `insert`), Redis (`command`).
 */
export const dbParamsSchema = dbParamsSchemaWith(mongoParamsSchema);
export { mongoParamsSchema };

export const fileParamsSchema = z
  .strictObject({
    /** A local path or an http(s) URL. */
    location: z.string().trim().min(1, 'must not be empty'),
    encoding: z.enum(FILE_ENCODINGS).optional(),
    format: z.enum(FILE_FORMATS).optional(),
    /** What a write task writes: a string, or any JSON value for the json and csv formats. */
    content: jsonValue.optional(),
    writeMode: z.enum(WRITE_MODES).optional(),
    createDirs: z.boolean().optional(),
    uploadMethod: z.enum(['POST', 'PUT']).optional(),
    uploadAs: z.enum(['raw', 'multipart']).optional(),
    headers: stringMap.optional(),
    /** Values for `{{name}}` placeholders in location, headers and content. */
    variables: stringMap.optional(),
    /** Environment variables a `{{env.NAME}}` placeholder may read. */
    allowEnv: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'))
      .optional(),
    csvDelimiter: z.string().length(1, 'must be one character').optional(),
    /** CSV writes: prefix `'` to cells starting with = + - @ tab CR; default on for `.csv` paths. */
    escapeFormulas: z.boolean().optional(),
    maxBytes: positiveInt.optional(),
    timeoutMs: positiveInt.max(3_600_000).optional(),
    /** Names in `variables` whose values are secrets (sealed at rest, redacted when shown). */
    secretVariables: secretNameList,
    /** Names in `headers` (any case) whose values are secrets, beside Authorization, Cookie… */
    secretHeaders: secretNameList,
  })
  .superRefine(
    secretNamesExist([
      ['secretVariables', 'variables', false],
      ['secretHeaders', 'headers', true],
    ]),
  );

const configBase = {
  id: idSchema,
  name: nameSchema,
  createdAt: isoTimeSchema,
  updatedAt: isoTimeSchema,
};

export const configurationSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...configBase, type: z.literal('api'), params: apiParamsSchema }),
  z.strictObject({ ...configBase, type: z.literal('db'), params: dbParamsSchema }),
  z.strictObject({ ...configBase, type: z.literal('file'), params: fileParamsSchema }),
]);

/** What `configs.save` accepts: an entity as `configs.get` returned it; no id means create. */
const configInputBase = {
  id: idSchema.optional(),
  name: nameSchema,
  createdAt: isoTimeSchema.optional(),
  updatedAt: isoTimeSchema.optional(),
};
export const configurationInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...configInputBase, type: z.literal('api'), params: apiParamsSchema }),
  z.strictObject({ ...configInputBase, type: z.literal('db'), params: dbParamsSchema }),
  z.strictObject({ ...configInputBase, type: z.literal('file'), params: fileParamsSchema }),
]);

// ---------------------------------------------------------------- tasks

/**
 * Retries wait backoffMs × factor^(n-1) before attempt n+1, capped at RETRY_MAX_DELAY_MS and
 * spread by ±RETRY_JITTER (retryDelayMs in src/shared/limits.ts; docs/scheduling.md, "Retries").
 */
export const retryPolicySchema = z.strictObject({
  /** Total attempts including the first (1 = no retry). */
  attempts: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1 (1 means no retry)')
    .max(RETRY_MAX_ATTEMPTS, `must be at most ${RETRY_MAX_ATTEMPTS}`),
  backoffMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .nonnegative('must not be negative')
    .max(RETRY_MAX_BACKOFF_MS, `must be at most ${RETRY_MAX_BACKOFF_MS} (1 hour)`)
    .default(1000),
  factor: z
    .number()
    .min(1, 'must be at least 1 (1 keeps the backoff constant)')
    .max(RETRY_MAX_FACTOR, `must be at most ${RETRY_MAX_FACTOR}`)
    .default(2),
});

/** "2xx", "404", "400-499": which HTTP statuses an api task counts as success. */
export const statusPatternSchema = z
  .string()
  .regex(/^([1-5]xx|\d{3}(-\d{3})?)$/, 'must look like 2xx, 404 or 400-499');

/** One parent of a chained task: when a run of `taskId` ends as `when` says, this task runs. */
export const runAfterSchema = z.strictObject({
  taskId: idSchema,
  when: z.enum(CHAIN_WHEN, { error: `must be one of ${CHAIN_WHEN.join(', ')}` }),
});

const taskFields = {
  name: nameSchema,
  type: taskTypeSchema,
  operation: operationSchema,
  configId: idSchema,
  description: z.string().max(2000).optional(),
  timeoutMs: positiveInt.max(86_400_000).optional(),
  retry: retryPolicySchema.optional(),
  successStatuses: z.array(statusPatternSchema).optional(),
  /**
   * At most this many runs of the task execute at once (manual and scheduled, on this instance);
   * the rest wait in arrival order. Unset: no limit of its own (each schedule entry's overlap
   * policy still runs one at a time for `skip` and `queue`).
   */
  maxConcurrent: positiveInt.max(MAX_CONCURRENCY).optional(),
  /**
   * Tasks whose runs start this one when they end this way (docs/chains.md, "Chains"): no cycle,
   * no chain longer than CHAIN_MAX_DEPTH links, each task once (src/main/core/chain-rules.ts).
   */
  runAfter: z
    .array(runAfterSchema)
    .max(CHAIN_MAX_PARENTS, `at most ${CHAIN_MAX_PARENTS} tasks to run after`)
    .optional(),
  /** What a chained run does when the previous chained run of this task is still running. */
  chainOverlap: z.enum(OVERLAP_POLICIES).optional(),
  /** Let a chained run use a parent result cut by the result size cap (else INPUT_TRUNCATED). */
  allowTruncatedInput: z.boolean().optional(),
  /** Checks on the result of each successful execution; failing: CHECK_FAILED (checks.ts). */
  checks: checksSchema.optional(),
};

export const taskSchema = z.strictObject({
  id: idSchema,
  ...taskFields,
  createdAt: isoTimeSchema,
  updatedAt: isoTimeSchema,
});
export const taskInputSchema = z.strictObject({
  id: idSchema.optional(),
  ...taskFields,
  createdAt: isoTimeSchema.optional(),
  updatedAt: isoTimeSchema.optional(),
});

// ---------------------------------------------------------------- runs

export const runTriggerSchema = z.strictObject({
  kind: z.enum(TRIGGER_KINDS),
  scheduleId: idSchema.optional(),
  /** A chained run (and its retries): the parent run that started it, and the parent's task. */
  parentRunId: idSchema.optional(),
  parentTaskId: idSchema.optional(),
});

export const runErrorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
});

/** Bounded result; type-specific fields (statusCode, rows, counts…) sit beside these. */
export const runResultSchema = z
  .object({
    summary: z.string().optional(),
    data: z.unknown().optional(),
    truncated: z.boolean().optional(),
  })
  .catchall(z.unknown());

export const runSchema = z.strictObject({
  id: idSchema,
  /** Empty for a configuration test run (trigger `test`) that has no task. */
  taskId: z.string(),
  taskName: z.string(),
  type: taskTypeSchema,
  operation: operationSchema,
  configId: z.string(),
  configName: z.string(),
  /** Snapshot of the configuration's params, secrets redacted. */
  config: jsonObject,
  trigger: runTriggerSchema,
  scheduledFor: isoTimeSchema.optional(),
  startedAt: isoTimeSchema,
  finishedAt: isoTimeSchema.optional(),
  durationMs: z.number().nonnegative().optional(),
  /** How long the run waited for a slot (the global or its task's limit) before it started. */
  queuedMs: z.number().nonnegative().optional(),
  status: runStatusSchema,
  attempt: z.number().int().min(1),
  result: runResultSchema.optional(),
  error: runErrorSchema.optional(),
  /** Which instance executed it (several instances may share one MongoDB). */
  instanceId: z.string().optional(),
});

// ---------------------------------------------------------------- schedule entries

/** A schedule time: ISO 8601 between 1970 and 9999 (UTC), so every stored time stays valid ISO. */
export const scheduleTimeSchema = isoTimeSchema.refine((iso) => {
  const ms = Date.parse(iso);
  return ms >= MIN_SCHEDULE_TIME_MS && ms <= MAX_SCHEDULE_TIME_MS;
}, 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z (in UTC, after the offset)');

/** A frequency interval: whole seconds from 1 to MAX_EVERY_SECONDS (10 years). */
export const everySecondsSchema = z
  .number()
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1')
  .max(MAX_EVERY_SECONDS, `must be at most ${MAX_EVERY_SECONDS} (10 years)`);

const scheduleFields = {
  taskId: idSchema,
  /** Overrides the task's default configuration; must be of the task's type. */
  configId: idSchema.optional(),
  name: z.string().max(200).optional(),
  kind: z.enum(SCHEDULE_KINDS),
  everySeconds: everySecondsSchema.optional(),
  cron: z.string().trim().min(1, 'must not be empty').optional(),
  /** IANA zone for cron entries; the system zone is stored explicitly when omitted. */
  timezone: z.string().trim().min(1).optional(),
  enabled: z.boolean().default(true),
  startAt: scheduleTimeSchema.optional(),
  endAt: scheduleTimeSchema.optional(),
  overlap: z.enum(OVERLAP_POLICIES).default('skip'),
  missed: z.enum(MISSED_POLICIES).default('run-once'),
};

export const scheduleEntrySchema = z.strictObject({
  id: idSchema,
  ...scheduleFields,
  /** Frequency entries fire at anchorAt + k·everySeconds (server-managed). */
  anchorAt: scheduleTimeSchema.optional(),
  lastRunAt: scheduleTimeSchema.optional(),
  nextRunAt: scheduleTimeSchema.optional(),
  createdAt: scheduleTimeSchema,
  updatedAt: scheduleTimeSchema,
});

export const scheduleEntryInputSchema = z.strictObject({
  id: idSchema.optional(),
  ...scheduleFields,
  anchorAt: scheduleTimeSchema.optional(),
  lastRunAt: scheduleTimeSchema.optional(),
  nextRunAt: scheduleTimeSchema.optional(),
  createdAt: scheduleTimeSchema.optional(),
  updatedAt: scheduleTimeSchema.optional(),
});

// ---------------------------------------------------------------- settings

export const settingsSchema = z.strictObject({
  retention: z
    .strictObject({
      /** Drop runs older than this many days (whole segments). */
      maxAgeDays: positiveInt.optional(),
      /** Keep at most about this many runs (whole segments). */
      maxRuns: positiveInt.optional(),
    })
    .default({ maxAgeDays: 90 }),
  /**
   * How many runs may execute at once, across tasks (the rest wait for a slot in arrival order).
   * Runs mostly wait on the network or a database, so the limit is high: 100 tasks fired by the
   * same second all start at once (docs/scheduling.md, "Limits").
   */
  concurrency: positiveInt.max(MAX_CONCURRENCY).default(DEFAULT_CONCURRENCY),
  /**
   * Open connections per origin (scheme, host, port) for api tasks and file tasks over HTTP;
   * requests beyond it wait for a connection, so a burst of runs to one server stays polite.
   */
  connectionsPerHost: positiveInt.max(MAX_CONCURRENCY).default(DEFAULT_CONNECTIONS_PER_HOST),
  /** Connections per database connection string (MongoDB's maxPoolSize) for db tasks. */
  dbPoolSize: positiveInt.max(MAX_CONCURRENCY).default(DEFAULT_DB_POOL_SIZE),
  /** Zone given to new cron entries that name none; empty means the system zone. */
  defaultTimezone: z.string().optional(),
  /** Byte cap on a run's stored result data. */
  resultMaxBytes: positiveInt.max(16 * 1024 * 1024).default(64 * 1024),
  /** Grace period for running tasks on shutdown. */
  shutdownGraceMs: z.number().int().nonnegative().max(600_000).default(10_000),
  notifications: z.enum(['always', 'after-failures', 'never']).default('always'),
  notifyAfterFailures: positiveInt.max(100).default(3),
});

export type TaskType = z.infer<typeof taskTypeSchema>;
export type Operation = z.infer<typeof operationSchema>;
export type RunStatus = z.infer<typeof runStatusSchema>;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
export type ApiParams = z.infer<typeof apiParamsSchema>;
export type MongoParams = z.infer<typeof mongoParamsSchema>;
/** MongoParams, SqlParams or RedisParams: narrow with `dbEngineOf(params.uri)`. */
export type DbParams = z.infer<typeof dbParamsSchema>;
export type FileParams = z.infer<typeof fileParamsSchema>;
export type Configuration = z.infer<typeof configurationSchema>;
export type ConfigurationInput = z.infer<typeof configurationInputSchema>;
export type ConfigOf<T extends TaskType> = Extract<Configuration, { type: T }>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type Task = z.infer<typeof taskSchema>;
export type TaskInput = z.input<typeof taskInputSchema>;
export type Run = z.infer<typeof runSchema>;
export type RunTrigger = z.infer<typeof runTriggerSchema>;
export type RunAfter = z.infer<typeof runAfterSchema>;
export type ChainWhen = (typeof CHAIN_WHEN)[number];
export type RunResult = z.infer<typeof runResultSchema>;
export type RunError = z.infer<typeof runErrorSchema>;
export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;
export type ScheduleEntryInput = z.input<typeof scheduleEntryInputSchema>;
export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
