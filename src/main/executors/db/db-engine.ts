/**
 * What a db engine is (issue #16): one connected client or pool for one uri, that reads, writes
 * and answers "Test connection". Every engine (postgres-engine.ts, mysql-engine.ts,
 * sqlite-engine.ts, redis-engine.ts) implements one of the two interfaces below; `db-pools.ts`
 * keeps one per uri and `engine-runner.ts` turns a run's params into calls and a run result.
 *
 * Values reach JSON faithfully: bigint and numeric as strings, dates as ISO times, bytes as
 * base64, JSON columns as JSON (`toJsonValue`). Reads are bounded by a row and byte cap
 * (`RowCollector`). Errors are `TaskError`s whose code says what kind of failure it was and
 * whose message names the engine and host and says what to do (`engineError`).
 */
import type { DbEngine, SqlEngine } from '../../../shared/db-params';
import { DB_ENGINE_LABELS } from '../../../shared/db-params';
import type { OnConflict } from '../../../shared/db-params';
import { REDACTED } from '../../../shared/domain';
import { TaskError } from '../types';

/** How much a read may return: rows and bytes of JSON (the runner's result cap). */
export interface ResultCap {
  maxRows: number;
  maxBytes: number;
}

/** What every call gets: the run's abort signal, the statement timeout and the result cap. */
export interface CallOptions {
  signal: AbortSignal;
  /**
   * The statement is cancelled on the server after this long (`TIMEOUT`). Unset, only the
   * signal stops it (the runner aborts it at the task's timeout).
   */
  timeoutMs?: number | undefined;
  cap: ResultCap;
}

export interface SqlColumn {
  name: string;
  /** The engine's type name (`int8`, `VARCHAR`, `TEXT`…), or "" when the engine gives none. */
  type: string;
}

export interface SqlRowsResult {
  columns: SqlColumn[];
  /** At most `cap.maxRows` rows, keyed by column name (a repeated name gets `_2`, `_3`…). */
  rows: Record<string, unknown>[];
  rowCount: number;
  /** More rows existed than the cap let through. */
  truncated: boolean;
}

/** A statement with its values, bound by the driver in order ($1… or ?). */
export interface BoundQuery {
  sql: string;
  params: readonly unknown[];
}

export interface InsertAction {
  table: string;
  rows: readonly Record<string, unknown>[];
  /** The columns to insert, in order (already resolved from `columns` or the rows' keys). */
  columns: readonly string[];
  onConflict: OnConflict;
}

export interface SqlWriteResult {
  /** Rows the statement changed (UPDATE, DELETE…) or wrote (insert). */
  affectedRows: number;
  /** MySQL's "Rows matched" when it differs from the changed rows. */
  matchedRows?: number;
  /** Rows a RETURNING clause (or a statement that reads) gave back. */
  returned?: SqlRowsResult;
  /** Insert: rows inserted, rows skipped as duplicates, rows updated (when the engine tells). */
  inserted?: number;
  skipped?: number;
  updated?: number;
}

export interface DbTestResult {
  serverVersion: string;
}

interface EngineBase {
  /** `host:port`, or the SQLite file; never credentials. */
  readonly host: string;
  /** False once the client cannot be used again (the pool opens a new one). */
  readonly usable: boolean;
  test(options: CallOptions): Promise<DbTestResult>;
  close(): Promise<void>;
}

export interface SqlEngineApi extends EngineBase {
  readonly engine: SqlEngine;
  /** Runs the statement so that it cannot write (the engine's own read-only mode). */
  read(query: BoundQuery, options: CallOptions): Promise<SqlRowsResult>;
  write(query: BoundQuery, options: CallOptions): Promise<SqlWriteResult>;
  /** Inserts every row in one transaction; nothing stays inserted when one fails. */
  insert(action: InsertAction, options: CallOptions): Promise<SqlWriteResult>;
}

export interface RedisReply {
  /** The reply as JSON: strings as text (`{ "$base64": … }` when not UTF-8), maps as objects. */
  value: unknown;
  /** RESP type of the top-level reply: string, integer, array, map, set, null, double… */
  type: string;
  truncated: boolean;
}

export interface RedisEngineApi extends EngineBase {
  readonly engine: 'redis';
  command(args: readonly string[], options: CallOptions): Promise<RedisReply>;
}

export type DbEngineApi = SqlEngineApi | RedisEngineApi;

// ---------------------------------------------------------------- values

/** Any driver value as JSON: see the top of the file. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'object':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      if (Array.isArray(value)) return value.map(toJsonValue);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
    default:
      return String(value);
  }
}

/**
 * A value to bind: strings, numbers, null as they are; booleans and bigints as the engine takes
 * them; objects and arrays as JSON text (so they fit json columns).
 */
export function bindValue(value: unknown, engine: SqlEngine): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return engine === 'sqlite' ? (value ? 1 : 0) : value;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** Column names as unique object keys: a repeated `id` becomes `id_2`, `id_3`… */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let key = name;
    for (let n = 2; seen.has(key); n++) key = `${name}_${n}`;
    seen.add(key);
    return key;
  });
}

/** About the length of `value` as JSON (exact for plain ASCII strings, numbers and null). */
function approxJsonLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'boolean':
      return String(value).length;
    case 'object':
      return value === null ? 4 : (JSON.stringify(value)?.length ?? 4);
    default:
      return 4;
  }
}

/** Collects rows up to the cap: stops at `maxRows` or once the JSON passes `maxBytes`. */
export class RowCollector {
  readonly rows: Record<string, unknown>[] = [];
  truncated = false;
  private bytes = 2;
  private keys: string[] = [];

  constructor(private readonly cap: ResultCap) {}

  setColumns(names: readonly string[]): void {
    this.keys = uniqueNames(names);
  }

  /** Adds a row of values in column order; false once the cap is reached (stop reading). */
  add(
    values: readonly unknown[],
    map: (value: unknown, index: number) => unknown = toJsonValue,
  ): boolean {
    if (this.truncated) return false;
    if (this.rows.length >= this.cap.maxRows) {
      this.truncated = true;
      return false;
    }
    const row: Record<string, unknown> = {};
    let bytes = 2;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      const value = map(values[i], i);
      row[key] = value;
      bytes += key.length + 4 + approxJsonLength(value);
    }
    this.rows.push(row);
    this.bytes += bytes;
    if (this.bytes > this.cap.maxBytes) this.truncated = true; // the runner trims the rest
    return !this.truncated;
  }

  result(columns: SqlColumn[]): SqlRowsResult {
    return { columns, rows: this.rows, rowCount: this.rows.length, truncated: this.truncated };
  }
}

// ---------------------------------------------------------------- errors

/** The error codes of db runs (beside MongoDB's own, see docs/executors-db.md). */
export type DbErrorCode =
  | 'INVALID_CONFIG'
  | 'CONNECTION'
  | 'AUTH'
  | 'PERMISSION'
  | 'NOT_FOUND'
  | 'SYNTAX'
  | 'DUPLICATE_KEY'
  | 'CONSTRAINT'
  | 'READ_ONLY'
  | 'INVALID_QUERY'
  | 'TIMEOUT'
  | 'DB_ERROR';

/** `PostgreSQL at 127.0.0.1:5432 <what>` as a TaskError with `code`. */
export function engineError(
  code: DbErrorCode,
  engine: DbEngine,
  host: string,
  what: string,
): TaskError {
  return new TaskError(code, `${DB_ENGINE_LABELS[engine]} at ${host} ${what}`);
}

/** The message of anything thrown (the one definition, shared with the core's errors). */
export { messageOf } from '../../../shared/errors';

/** A driver's message with the password (as typed and URL-encoded) replaced by REDACTED. */
export function scrub(message: string, password: string | undefined): string {
  if (!password || password.length < 2) return message;
  let out = message.replaceAll(password, REDACTED);
  const encoded = encodeURIComponent(password);
  if (encoded !== password) out = out.replaceAll(encoded, REDACTED);
  return out;
}

/** The network error codes that mean "the server cannot be reached". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/** The `code` of an error or of its causes (Node's system errors: ECONNREFUSED…). */
export function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors; // AggregateError (IPv4 and IPv6)
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** "cannot reach PostgreSQL at host within 3 s" for the unreachable-server errors. */
export function unreachable(
  engine: DbEngine,
  host: string,
  connectTimeoutMs: number,
  message: string,
): TaskError {
  return engineError(
    'CONNECTION',
    engine,
    host,
    `cannot be reached within ${connectTimeoutMs / 1000} s: ${message}; check that the server runs and that the uri's host and port are right`,
  );
}

/**
 * `position` (1-based character index into `sql`) as "line L, column C: «…text…»". Engines that
 * report only the text near the error (MySQL, SQLite) pass that text instead.
 */
export function describePosition(sql: string, position: number | undefined, near?: string): string {
  let index = position !== undefined && position > 0 ? position - 1 : -1;
  if (index < 0 && near) index = sql.indexOf(near);
  if (index < 0 || index > sql.length) return '';
  const before = sql.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  const excerpt = sql.slice(index, index + 30).split('\n')[0];
  return ` (at line ${line}, column ${column}: "${excerpt}")`;
}

/** Runs `cancel` when the statement outlives `timeoutMs` or the signal aborts; `done()` stops it. */
export class StatementGuard {
  fired = false;
  timedOut = false;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort: () => void;

  constructor(
    private readonly options: CallOptions,
    cancel: () => void,
  ) {
    const fire = (timedOut: boolean): void => {
      if (this.fired) return;
      this.fired = true;
      this.timedOut = timedOut;
      cancel();
    };
    this.onAbort = (): void => fire(false);
    if (options.timeoutMs !== undefined) {
      this.timer = setTimeout(() => fire(true), options.timeoutMs);
      this.timer.unref?.();
    }
    options.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  done(): void {
    clearTimeout(this.timer);
    this.options.signal.removeEventListener('abort', this.onAbort);
  }

  /** What to throw when the statement failed after the guard fired, or undefined. */
  failure(engine: DbEngine, host: string): unknown {
    if (!this.fired) return undefined;
    if (!this.timedOut) return this.options.signal.reason;
    return engineError(
      'TIMEOUT',
      engine,
      host,
      `did not finish the statement within timeoutMs (${this.options.timeoutMs} ms), so it was cancelled on the server; narrow the statement or raise timeoutMs`,
    );
  }
}
