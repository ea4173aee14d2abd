/**
 * Runs one db task on the engines beside MongoDB (issue #16): checks the params against the
 * task's operation, fills placeholders in the values (never in SQL text or a command's name),
 * takes the uri's engine from the pools, calls it, and builds the run result. `DbExecutor`
 * hands every non-MongoDB configuration here (see docs/executors-db.md).
 *
 * Results
 * - SQL read (and a write whose statement returns rows): `columns` ({ name, type }), `rows`
 *   (objects by column name, at most `readLimit` and about `resultMaxBytes`), `rowCount`,
 *   `truncated` when more rows existed.
 * - SQL write `query`: `affectedRows` (and MySQL's `matchedRows` when it differs).
 * - SQL `insert`: `inserted`, `skipped` (onConflict "ignore"), `updated` (onConflict update, where
 *   the engine tells), `affectedRows`; all rows go in one transaction or none does.
 * - Redis: `data` (the reply as JSON), `replyType`, `truncated`.
 * Every result has `summary`, `engine`, `host` and `action`.
 */
import {
  DB_ENGINE_LABELS,
  dbEngineOf,
  dbOperationProblems,
  sqlRowsProblems,
  sqlTextProblem,
  type RedisParams,
  type SqlParams,
} from '../../../shared/db-params';
import { redisCommandProblem } from '../../../shared/redis-commands';
import type { RunResult } from '../../../shared/domain';
import type { ExecutionOutcome, ExecutionRequest } from '../types';
import { TaskError } from '../types';
import type {
  CallOptions,
  DbEngineApi,
  InsertAction,
  RedisEngineApi,
  SqlEngineApi,
  SqlRowsResult,
} from './db-engine';
import { DbPools, type DbPoolsOptions } from './db-pools';

/** Rows (or reply items) a read returns at most, as MongoDB's reads without a limit. */
export const DEFAULT_ENGINE_READ_LIMIT = 1_000;

/**
 * Fills the placeholders of a value from the configuration (`query.params`, `insert.rows`, Redis
 * arguments): strings that are exactly one placeholder receive the JSON value. Throws a
 * TaskError for an unknown name. `where` names the field for the message.
 */
export type PlaceholderFill = (value: unknown, where: string) => unknown;

/** The fill used when the run has no placeholder values: any placeholder is an error. */
export const noPlaceholders: PlaceholderFill = (value, where) => {
  const walk = (item: unknown, path: string): unknown => {
    if (typeof item === 'string') {
      const open = /(^|[^\\])\{\{/.exec(item);
      if (open) {
        const from = open.index + open[1]!.length;
        const end = item.indexOf('}}', from);
        const shown = end < 0 ? item.slice(from, from + 30) : item.slice(from, end + 2);
        throw new TaskError(
          'INVALID_CONFIG',
          `${path}: placeholder ${shown} has no value in this run; placeholders in db tasks are filled from the run (e.g. {{input…}} in a chained task)`,
        );
      }
      return item.replaceAll('\\{{', '{{');
    }
    if (Array.isArray(item)) return item.map((x, i) => walk(x, `${path}[${i}]`));
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return item;
  };
  return walk(value, where);
};

/** What a run hands over: the `ExecutionRequest` fields the engines need, and the params. */
export type EngineRunRequest = Pick<
  ExecutionRequest,
  'operation' | 'signal' | 'resultMaxBytes' | 'limits'
> & {
  params: SqlParams | RedisParams;
  /** This run's placeholder values; default `noPlaceholders`. */
  fill?: PlaceholderFill | undefined;
};

export interface DbEngineRunnerOptions {
  /** Share pools, or configure them. */
  pools?: DbPools;
  poolOptions?: DbPoolsOptions;
  /** Rows a read returns at most (default 1,000). */
  readLimit?: number;
}

/** `sqlTextProblem` of each SQL text seen (every run of a configuration sends the same text). */
const sqlChecks = new Map<string, string | undefined>();
function checkedSql(sql: string): string | undefined {
  if (sqlChecks.has(sql)) return sqlChecks.get(sql);
  const problem = sqlTextProblem(sql);
  if (sqlChecks.size >= 256) sqlChecks.clear();
  sqlChecks.set(sql, problem);
  return problem;
}

function plural(n: number, word: string): string {
  return `${n < 1000 ? String(n) : n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function invalid(message: string): TaskError {
  return new TaskError('INVALID_CONFIG', `${message}`);
}

export class DbEngineRunner {
  readonly pools: DbPools;
  private readonly readLimit: number;

  constructor(options: DbEngineRunnerOptions = {}) {
    this.pools = options.pools ?? new DbPools(options.poolOptions);
    this.readLimit = options.readLimit ?? DEFAULT_ENGINE_READ_LIMIT;
  }

  async execute(request: EngineRunRequest): Promise<ExecutionOutcome> {
    const { params, operation, signal } = request;
    const engine = dbEngineOf(params.uri).engine;
    if (engine === undefined || engine === 'mongodb') {
      throw invalid(`uri ${dbEngineOf(params.uri).problem ?? 'is a MongoDB uri'}`);
    }
    const problem = dbOperationProblems(
      params as SqlParams & Record<string, unknown>,
      operation,
    )[0];
    if (problem) throw invalid(`${problem.path.join('.')}: ${problem.message}`);
    const fill = request.fill ?? noPlaceholders;
    // Everything is checked and filled before a connection is taken.
    const call =
      engine === 'redis'
        ? this.redisCall(params as RedisParams, operation, fill)
        : this.sqlCall(params as SqlParams, operation, fill);
    if (signal.aborted) throw signal.reason;
    const lease = await this.pools.acquire(
      { uri: params.uri, tls: params.tls, operation },
      signal,
      request.limits?.dbPoolSize,
    );
    const options: CallOptions = {
      signal,
      timeoutMs: params.timeoutMs,
      cap: { maxRows: this.readLimit, maxBytes: request.resultMaxBytes },
    };
    try {
      const result = await call(lease.engine, options);
      return { result: { engine, host: lease.engine.host, ...result } };
    } finally {
      lease.release();
    }
  }

  /** "Test connection": connects (or opens the file) and asks the server its version. */
  async test(params: SqlParams | RedisParams, signal: AbortSignal): Promise<RunResult> {
    const lease = await this.pools.acquire(
      { uri: params.uri, tls: params.tls, operation: 'read' },
      signal,
    );
    try {
      const { serverVersion } = await lease.engine.test({
        signal,
        timeoutMs: params.timeoutMs ?? this.pools.connectTimeoutMs,
        cap: { maxRows: 1, maxBytes: 1024 },
      });
      return {
        summary: `connected to ${serverVersion} at ${lease.engine.host}`,
        engine: lease.engine.engine,
        host: lease.engine.host,
        serverVersion,
      };
    } finally {
      lease.release();
    }
  }

  async close(): Promise<void> {
    await this.pools.close();
  }

  // ---------------------------------------------------------------- SQL

  private sqlCall(
    params: SqlParams,
    operation: 'read' | 'write',
    fill: PlaceholderFill,
  ): (engine: DbEngineApi, options: CallOptions) => Promise<RunResult> {
    const label = (engine: DbEngineApi): string =>
      `${DB_ENGINE_LABELS[engine.engine]} at ${engine.host}`;
    if (operation === 'write' && params.insert) {
      const action = this.insertAction(params.insert, fill);
      return async (engine, options) => {
        try {
          const r = await (engine as SqlEngineApi).insert(action, options);
          const extra = [
            r.skipped ? `${plural(r.skipped, 'row')} skipped as duplicates` : '',
            r.updated ? `${plural(r.updated, 'row')} updated` : '',
          ].filter(Boolean);
          const written = r.inserted ?? r.affectedRows;
          return {
            summary: `insert: ${plural(written, 'row')} ${r.inserted === undefined ? 'written' : 'inserted'} into ${action.table} in ${label(engine)}${extra.length ? ` (${extra.join(', ')})` : ''}`,
            action: 'insert',
            table: action.table,
            affectedRows: r.affectedRows,
            ...(r.inserted !== undefined ? { inserted: r.inserted } : {}),
            ...(r.skipped !== undefined ? { skipped: r.skipped } : {}),
            ...(r.updated !== undefined ? { updated: r.updated } : {}),
          };
        } catch (error) {
          if (!(error instanceof TaskError)) throw error;
          throw new TaskError(
            error.code,
            `${error.message} (the insert was rolled back: no row was inserted)`,
            {
              summary: `insert into ${action.table}: rolled back, no row inserted`,
              action: 'insert',
              table: action.table,
              inserted: 0,
            },
          );
        }
      };
    }
    const query = params.query!;
    const textProblem = checkedSql(query.sql);
    if (textProblem) throw invalid(`query.sql ${textProblem}`);
    const values = fill(query.params ?? [], 'query.params');
    if (!Array.isArray(values)) throw invalid('query.params must be an array of values');
    const bound = { sql: query.sql, params: values };
    if (operation === 'read') {
      return async (engine, options) =>
        this.rowsResult(
          'query',
          await (engine as SqlEngineApi).read(bound, options),
          `from ${label(engine)}`,
        );
    }
    return async (engine, options) => {
      const r = await (engine as SqlEngineApi).write(bound, options);
      const written = {
        affectedRows: r.affectedRows,
        ...(r.matchedRows !== undefined ? { matchedRows: r.matchedRows } : {}),
      };
      if (r.returned) {
        const rows = this.rowsResult('query', r.returned, `from ${label(engine)}`);
        return {
          ...rows,
          ...written,
          summary: `${rows.summary}; ${plural(r.affectedRows, 'row')} changed`,
        };
      }
      return {
        summary: `query: ${plural(r.affectedRows, 'row')} changed in ${label(engine)}${r.matchedRows !== undefined ? ` (${plural(r.matchedRows, 'row')} matched)` : ''}`,
        action: 'query',
        ...written,
      };
    };
  }

  private insertAction(
    insert: NonNullable<SqlParams['insert']>,
    fill: PlaceholderFill,
  ): InsertAction {
    const rows = fill(insert.rows, 'insert.rows');
    const problem = sqlRowsProblems(rows, insert.columns)[0];
    if (problem || typeof rows === 'string') {
      throw invalid(
        `insert.rows${problem?.path.length ? `[${problem.path.join('][')}]` : ''} ${problem?.message ?? 'must be an array of row objects'}`,
      );
    }
    const list = rows as Record<string, unknown>[];
    return {
      table: insert.table,
      rows: list,
      columns: insert.columns ?? Object.keys(list[0]!),
      onConflict: insert.onConflict ?? 'error',
    };
  }

  private rowsResult(action: string, r: SqlRowsResult, where: string): RunResult {
    return {
      summary: `${action}: ${plural(r.rowCount, 'row')} ${where}${
        r.truncated ? ` (stopped at the result cap; add LIMIT to choose how many)` : ''
      }`,
      action,
      columns: r.columns,
      rows: r.rows,
      rowCount: r.rowCount,
      ...(r.truncated ? { truncated: true } : {}),
    };
  }

  // ---------------------------------------------------------------- Redis

  private redisCall(
    params: RedisParams,
    operation: 'read' | 'write',
    fill: PlaceholderFill,
  ): (engine: DbEngineApi, options: CallOptions) => Promise<RunResult> {
    const [name, ...rest] = params.command;
    const filled = fill(rest, 'command');
    if (!Array.isArray(filled)) throw invalid('command must be an array of arguments');
    const args = [
      name!,
      ...filled.map((arg: unknown) =>
        typeof arg === 'string' ? arg : (JSON.stringify(arg) ?? 'null'),
      ),
    ];
    // Filled arguments may add an option such as BLOCK: the rules apply to what is sent.
    const problem = redisCommandProblem(args, operation);
    if (problem) throw invalid(`command: ${problem}`);
    return async (engine, options) => {
      const reply = await (engine as RedisEngineApi).command(args, options);
      const size = Array.isArray(reply.value)
        ? ` of ${plural(reply.value.length, 'item')}`
        : reply.type === 'map' && reply.value !== null
          ? ` of ${plural(Object.keys(reply.value as object).length, 'field')}`
          : '';
      return {
        summary: `${name!.toUpperCase()}: ${reply.type}${size} from Redis at ${engine.host}${reply.truncated ? ' (stopped at the result cap)' : ''}`,
        action: 'command',
        command: name!.toUpperCase(),
        replyType: reply.type,
        data: reply.value,
        ...(reply.truncated ? { truncated: true } : {}),
      };
    };
  }
}
