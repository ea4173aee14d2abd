/**
 * The db configuration params of every engine (issue #16): MongoDB, PostgreSQL, MySQL / MariaDB,
 * SQLite and Redis. The uri's scheme picks the engine (`dbEngineOf`); each engine has its own
 * params schema, and `dbParamsSchemaWith(mongoSchema)` dispatches on the scheme so a
 * configuration is checked by its engine's schema with field paths kept (`query.sql`,
 * `insert.rows.2`…); domain.ts's `dbParamsSchema` is `dbParamsSchemaWith(mongoParamsSchema)`.
 * Pure TS: the configuration form validates with the same code.
 *
 * - MongoDB: `database`, `collection` and one action per operation (find, aggregate or count to
 *   read; insert, update or delete to write).
 * - SQL engines: `query: { sql, params? }` (read and write tasks) and, for write tasks,
 *   `insert: { table, rows, columns?, onConflict? }`. Values are always bound by the driver:
 *   a `{{placeholder}}` may stand in `params` and in `insert`, never inside `sql`.
 * - Redis: `command: [name, ...args]`; admin, script, blocking, subscription and session
 *   commands are refused, and read tasks run read-only commands only (redis-commands.ts).
 * - `dbOperationProblems(params, operation)`: the rules that need the task's operation.
 */
import { z } from 'zod';
import { DB_ENGINE_LABELS, dbEngineOf, SCHEME_LIST, type DbEngine } from './db-uri';
import { boundedJson } from './json-bounds';
import { redisCommandProblem } from './redis-commands';

export {
  DB_ENGINE_LABELS,
  DB_ENGINES,
  dbEngineOf,
  dbUriParts,
  type DbEngine,
  type DbFileUri,
  type DbServerUri,
  type DbUriParts,
  type EngineOf,
  type SqlEngine,
} from './db-uri';

// ---------------------------------------------------------------- MongoDB params

/** `{{input.rows}}`: a whole field given by one placeholder, filled with a JSON value. */
const ONE_PLACEHOLDER = /^\s*\{\{[^{}]+\}\}\s*$/;

const jsonObject = z.record(z.string(), z.unknown());
const boundedObject = boundedJson(jsonObject);
/**
 * A JSON field of a MongoDB action, or one placeholder that fills the whole field when the run
 * starts (`"{{input.body.orders}}"`; the executor checks the filled value's shape).
 */
const orPlaceholder = <T extends z.ZodType>(schema: T, what: string) =>
  z.union([
    schema,
    z
      .string()
      .regex(ONE_PLACEHOLDER, `must be ${what}, or one placeholder such as "{{input.body.items}}"`),
  ]);
const filterField = orPlaceholder(boundedObject, 'an object');
const positiveInt = z.number().int('must be a whole number').positive('must be at least 1');

/** A MongoDB configuration (mongodb:// or mongodb+srv://): filters etc. in Extended JSON. */
export const mongoParamsSchema = z.strictObject({
  uri: z
    .string()
    .trim()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'),
  database: z.string().trim().min(1, 'must not be empty'),
  collection: z.string().trim().min(1, 'must not be empty'),
  find: z
    .strictObject({
      filter: filterField.optional(),
      projection: boundedObject.optional(),
      sort: boundedObject.optional(),
      limit: z.number().int().nonnegative().optional(),
      skip: z.number().int().nonnegative().optional(),
    })
    .optional(),
  aggregate: z
    .strictObject({
      pipeline: orPlaceholder(boundedJson(z.array(jsonObject)), 'an array of stages'),
    })
    .optional(),
  count: z.strictObject({ filter: filterField.optional() }).optional(),
  insert: z
    .strictObject({
      documents: orPlaceholder(
        boundedJson(z.array(jsonObject).min(1, 'needs at least one document')),
        'an array of documents',
      ),
    })
    .optional(),
  update: z
    .strictObject({
      filter: filterField,
      update: orPlaceholder(
        boundedJson(z.union([jsonObject, z.array(jsonObject)])),
        'an object or a pipeline',
      ),
      upsert: z.boolean().optional(),
      many: z.boolean().optional(),
    })
    .optional(),
  delete: z.strictObject({ filter: filterField, many: z.boolean().optional() }).optional(),
  timeoutMs: positiveInt.max(3_600_000).optional(),
});
export type MongoParams = z.infer<typeof mongoParamsSchema>;

// ---------------------------------------------------------------- SQL params

/** A table or column name; quoted by the engine, so any text but NUL is a name. */
const identifier = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .refine((name) => !name.includes('\0'), 'must not hold a NUL character');

const PLACEHOLDER_IN_SQL = /(^|[^\\])(\{\{[^]{0,60}?(\}\}|$))/;

/** The problem of a `{{placeholder}}` inside SQL text, or undefined. */
export function sqlPlaceholderProblem(sql: string): string | undefined {
  const match = PLACEHOLDER_IN_SQL.exec(sql);
  if (!match) return undefined;
  return `holds the placeholder ${match[2]}; SQL text is never filled in: write $1, $2… (PostgreSQL) or ? (MySQL, SQLite) in the SQL and put "${match[2]!.endsWith('}}') ? match[2] : '{{…}}'}" in query.params`;
}

/** The statement's first keyword, after leading blanks and comments (upper case). */
export function sqlLeadingKeyword(sql: string): string {
  const rest = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[^]*?\*\/)*/, '');
  return (/^[A-Za-z]+/.exec(rest)?.[0] ?? '').toUpperCase();
}

const TRANSACTION_CONTROL = new Set([
  'BEGIN',
  'START',
  'COMMIT',
  'END',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'ABORT',
  'LOCK',
  'UNLOCK',
  'XA',
]);

/** Problems of the SQL text itself: a placeholder in it, or transaction control. */
export function sqlTextProblem(sql: string): string | undefined {
  const placeholder = sqlPlaceholderProblem(sql);
  if (placeholder) return placeholder;
  const keyword = sqlLeadingKeyword(sql);
  if (TRANSACTION_CONTROL.has(keyword)) {
    return `starts with ${keyword}; a run is one statement in a transaction of its own, so transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, LOCK…) is refused: use insert for many rows at once, or one statement (a CTE) for several steps`;
  }
  return undefined;
}

export const sqlQuerySchema = z.strictObject({
  sql: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(1024 * 1024, 'must be at most 1 MiB')
    .superRefine((sql, ctx) => {
      const problem = sqlTextProblem(sql);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** Bound to $1, $2… (PostgreSQL) or ? (MySQL, SQLite) in order; objects and arrays as JSON. */
  params: boundedJson(
    z.array(z.unknown(), {
      error: 'must be an array of values bound in order to $1, $2… or ?, e.g. [42, "text", null]',
    }),
  ).optional(),
});

export type SqlRows = Record<string, unknown>[] | string;
export type OnConflict = 'error' | 'ignore' | { update: string[]; key?: string[] };

const onConflictSchema = z.union(
  [
    z.literal('error'),
    z.literal('ignore'),
    z.strictObject({
      /** Columns set from the new row when a row with the same key exists. */
      update: z.array(identifier).min(1, 'needs at least one column'),
      /** The unique columns that conflict (PostgreSQL needs them; default: the primary key). */
      key: z.array(identifier).min(1, 'needs at least one column').optional(),
    }),
  ],
  {
    error:
      'must be "error" (the default), "ignore" (skip rows whose key exists) or { "update": ["column", …] } (update them)',
  },
);

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems of `rows` as given in the configuration (a placeholder is checked when filled). */
export function sqlRowsProblems(
  rows: unknown,
  columns: readonly string[] | undefined,
): { path: Array<string | number>; message: string }[] {
  if (typeof rows === 'string') {
    return ONE_PLACEHOLDER.test(rows)
      ? []
      : [
          {
            path: [],
            message: 'must be an array of row objects, or one placeholder such as "{{input.rows}}"',
          },
        ];
  }
  if (!Array.isArray(rows)) {
    return [
      { path: [], message: 'must be an array of row objects such as [{ "id": 1, "name": "a" }]' },
    ];
  }
  if (rows.length === 0) return [{ path: [], message: 'needs at least one row' }];
  const problems: { path: Array<string | number>; message: string }[] = [];
  const first = isRow(rows[0]) ? Object.keys(rows[0]).sort().join('\0') : undefined;
  for (let i = 0; i < rows.length && problems.length < 10; i++) {
    const row: unknown = rows[i];
    if (!isRow(row)) {
      problems.push({ path: [i], message: 'must be an object of column names to values' });
    } else if (Object.keys(row).length === 0 && columns === undefined) {
      problems.push({ path: [i], message: 'has no columns; give at least one column value' });
    } else if (
      columns === undefined &&
      first !== undefined &&
      Object.keys(row).sort().join('\0') !== first
    ) {
      problems.push({
        path: [i],
        message: `has the columns ${Object.keys(row).join(', ')} but row 0 has ${Object.keys(rows[0] as object).join(', ')}; give every row the same keys, or list insert.columns (missing keys then insert NULL)`,
      });
    }
  }
  return problems;
}

export const sqlInsertSchema = z
  .strictObject({
    /** `table` or `schema.table`. */
    table: identifier.refine(
      (name) => name.split('.').every((part) => part.trim() !== ''),
      'must be "table" or "schema.table"',
    ),
    /** Row objects (column → value), or one placeholder filled with such an array. */
    rows: boundedJson(z.custom<SqlRows>(() => true)),
    /** Which keys of each row to insert; other keys are ignored, missing ones insert NULL. */
    columns: z.array(identifier).min(1, 'needs at least one column').optional(),
    onConflict: onConflictSchema.optional(),
  })
  .superRefine((insert, ctx) => {
    for (const problem of sqlRowsProblems(insert.rows, insert.columns)) {
      ctx.addIssue({ code: 'custom', path: ['rows', ...problem.path], message: problem.message });
    }
  });

/** TLS beyond the uri's own settings (sslmode, rediss://). */
export const dbTlsSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      /** PEM certificates of the authorities to trust, instead of the system's. */
      ca: z.string().min(1, 'must not be empty').optional(),
      /** false accepts any certificate (testing only). Default true. */
      rejectUnauthorized: z.boolean().optional(),
      /** The name the certificate must hold, when it is not the uri's host. */
      servername: z.string().min(1, 'must not be empty').optional(),
    }),
  ],
  {
    error:
      'must be true, false or { "ca"?: PEM text, "rejectUnauthorized"?: boolean, "servername"?: name }',
  },
);
export type DbTls = z.infer<typeof dbTlsSchema>;

const timeoutMs = z
  .number()
  .int('must be a whole number')
  .positive('must be at least 1')
  .max(3_600_000, 'must be at most 3600000 (1 hour)');

function uriOfEngine(engines: readonly DbEngine[], what: string) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .superRefine((uri, ctx) => {
      const found = dbEngineOf(uri);
      if (found.problem !== undefined) ctx.addIssue({ code: 'custom', message: found.problem });
      else if (!engines.includes(found.engine)) {
        ctx.addIssue({
          code: 'custom',
          message: `is a ${DB_ENGINE_LABELS[found.engine]} uri; ${what}`,
        });
      }
    });
}

export const sqlParamsSchema = z
  .strictObject({
    uri: uriOfEngine(
      ['postgres', 'mysql', 'sqlite'],
      'a SQL configuration needs postgres://, mysql:// or sqlite:',
    ),
    query: sqlQuerySchema.optional(),
    insert: sqlInsertSchema.optional(),
    /** Statement timeout (the server's statement is cancelled); default: the task's timeout. */
    timeoutMs: timeoutMs.optional(),
    tls: dbTlsSchema.optional(),
  })
  .superRefine((params, ctx) => {
    if (params.query === undefined && params.insert === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message:
          'a SQL configuration needs query ({ "sql": "SELECT …", "params": [] }) or insert ({ "table", "rows" })',
      });
    }
    if (
      params.tls !== undefined &&
      params.tls !== false &&
      dbEngineOf(params.uri).engine === 'sqlite'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: 'SQLite is a local file and has no TLS; remove tls',
      });
    }
  });
export type SqlParams = z.infer<typeof sqlParamsSchema>;
export type SqlQuery = z.infer<typeof sqlQuerySchema>;
export type SqlInsert = z.infer<typeof sqlInsertSchema>;

// ---------------------------------------------------------------- Redis params

export const redisParamsSchema = z.strictObject({
  uri: uriOfEngine(['redis'], 'a Redis configuration needs redis:// or rediss://'),
  /** `[name, ...args]`; arguments may hold placeholders, the name may not. */
  command: z
    .array(
      z
        .union([z.string(), z.number()], { error: 'must be a string (or a number)' })
        .transform(String),
      { error: 'must be an array such as ["HGETALL", "user:42"]' },
    )
    .min(1, 'must not be empty: give the command name and its arguments, e.g. ["GET", "key"]')
    .max(100_000, 'must have at most 100000 arguments')
    .superRefine((command, ctx) => {
      const name = command[0] ?? '';
      if (name.trim() === '' || name.includes('{{') || /\s/.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [0],
          message:
            'must be a command name such as GET or HSET (placeholders may stand only in the arguments)',
        });
        return;
      }
      if (
        ['object', 'xinfo', 'memory'].includes(name.toLowerCase()) &&
        (command[1] ?? '').includes('{{')
      ) {
        ctx.addIssue({
          code: 'custom',
          path: [1],
          message: 'must be the subcommand itself, not a placeholder',
        });
        return;
      }
      const problem = redisCommandProblem(command);
      if (problem) ctx.addIssue({ code: 'custom', path: [0], message: problem });
    }),
  /** Reply timeout. */
  timeoutMs: timeoutMs.optional(),
  tls: dbTlsSchema.optional(),
});
export type RedisParams = z.infer<typeof redisParamsSchema>;

// ---------------------------------------------------------------- dispatch

/**
 * The db params schema for every engine: MongoDB uris go to `mongo` (the existing schema), the
 * others to `sqlParamsSchema` / `redisParamsSchema`, with their issues' paths kept.
 */
export function dbParamsSchemaWith<M extends z.ZodType<{ uri: string }>>(
  mongo: M,
): z.ZodType<z.output<M> | SqlParams | RedisParams, unknown> {
  return z.unknown().transform((value, ctx) => {
    const uri = isRow(value) ? value['uri'] : undefined;
    if (typeof uri !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['uri'],
        message: `must be a connection string (${SCHEME_LIST})`,
        input: uri,
      });
      return z.NEVER;
    }
    const found = dbEngineOf(uri);
    if (found.problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['uri'], message: found.problem, input: uri });
      return z.NEVER;
    }
    const schema: z.ZodType<z.output<M> | SqlParams | RedisParams> =
      found.engine === 'mongodb'
        ? mongo
        : found.engine === 'redis'
          ? redisParamsSchema
          : sqlParamsSchema;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue } as never);
    return z.NEVER;
  });
}

/** The problems of running `params` as a `read` or `write` task (field paths as in params). */
export function dbOperationProblems(
  params: { uri: string } & Record<string, unknown>,
  operation: 'read' | 'write',
): { path: string[]; message: string }[] {
  const engine = dbEngineOf(params.uri).engine;
  if (engine === 'redis') {
    const command = (params['command'] as string[] | undefined) ?? [];
    const problem = redisCommandProblem(command, operation);
    return problem ? [{ path: ['command', '0'], message: problem }] : [];
  }
  if (engine === 'postgres' || engine === 'mysql' || engine === 'sqlite') {
    if (operation === 'read' && params['query'] === undefined) {
      return [
        {
          path: ['query'],
          message: `a read task needs query ({ "sql": "SELECT …" }); insert is for write tasks`,
        },
      ];
    }
    if (operation === 'write' && params['query'] === undefined && params['insert'] === undefined) {
      return [{ path: ['insert'], message: 'a write task needs insert or query' }];
    }
  }
  return [];
}
