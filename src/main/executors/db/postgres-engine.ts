/**
 * PostgreSQL through `pg`: two `pg.Pool`s per uri, for reads and for writes. Read sessions run
 * with default_transaction_read_only on, so each read is one statement in a read-only transaction
 * (the server refuses a write with 25006), set again whenever the server reports that a
 * statement turned it off. Every statement goes through the extended protocol (one statement,
 * values bound); rows stream in and are kept up to the cap. An insert of several statements runs
 * in one transaction. A statement that outlives its timeoutMs or whose run is aborted is
 * cancelled with pg_cancel_backend from a connection of its own, and its connection is dropped;
 * a connection left inside a transaction is dropped too.
 *
 * The driver is loaded on first use (drivers.ts) and handed in. Rows stream in through
 * postgres-stream.ts; errors are described by postgres-errors.ts.
 *
 * Values (postgres-values.ts): int8 and numeric as strings, timestamptz as UTC ISO times with
 * all their digits, timestamp (no zone) as ISO without Z, date/time/interval as PostgreSQL
 * writes them, bytea as base64, json/jsonb as JSON, float NaN/Infinity as strings.
 */
import type Pg from 'pg';
import type { DbTls } from '../../../shared/db-params';
import {
  engineError,
  StatementGuard,
  type BoundQuery,
  type CallOptions,
  type DbTestResult,
  type InsertAction,
  type SqlEngineApi,
  type SqlRowsResult,
  type SqlWriteResult,
} from './db-engine';
import type { EngineSettings } from './db-pools';
import type { PgDriver } from './drivers';
import { describePgError, type PgErrorContext } from './postgres-errors';
import { columnsOf, streamQuery } from './postgres-stream';
import { pgTypes } from './postgres-values';
import { insertStatements } from './sql-insert';
import { TaskError } from '../types';
import { raceAbort } from '../race-abort';

// ---------------------------------------------------------------- engine

function sslOf(tls: DbTls | undefined): Pg.PoolConfig['ssl'] {
  if (tls === undefined || tls === false) return undefined;
  if (tls === true) return true;
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
}

export class PostgresEngine implements SqlEngineApi {
  readonly engine = 'postgres' as const;
  readonly usable = true;
  private readonly reads: Pg.Pool;
  private readonly writes: Pg.Pool;
  private readonly config: Pg.ClientConfig;
  private readonly typeNames = new Map<number, string>();
  private readonly primaryKeys = new Map<string, string[]>();
  private readonly errors: PgErrorContext;

  constructor(
    private readonly pg: PgDriver,
    uri: string,
    readonly host: string,
    password: string | undefined,
    private readonly settings: EngineSettings,
  ) {
    this.errors = { pg, host, password, connectTimeoutMs: settings.connectTimeoutMs };
    const ssl = sslOf(settings.tls);
    this.config = {
      connectionString: uri,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      application_name: 'task-scheduler',
      // A safety net should a cancel not get through; each call cancels at its own timeout.
      statement_timeout: settings.defaultStatementTimeoutMs,
      types: pgTypes(pg),
      ...(ssl !== undefined ? { ssl } : {}),
    };
    this.writes = this.makePool(false);
    this.reads = this.makePool(true);
  }

  /**
   * A pool; the reads pool's sessions start with default_transaction_read_only on, so a read is
   * one statement in an implicit read-only transaction. The server reports the setting's value
   * (PostgreSQL 14+), so a statement that turned it off is noticed and the next read turns it
   * on again first; without such reports every read sets it.
   */
  private makePool(readOnly: boolean): Pg.Pool {
    const pg = this.pg;
    const connectTimeout = this.settings.connectTimeoutMs;
    // The pool's own connectionTimeoutMillis would also bound the wait for a free connection;
    // runs beyond the pool size wait for one (bounded by their task timeout), so only a new
    // connection's connect is bounded.
    class TrackingClient extends pg.Client {
      readOnlyDefault: string | undefined;
      constructor(config: Pg.ClientConfig) {
        super({ ...config, connectionTimeoutMillis: connectTimeout });
        this.connection.on(
          'parameterStatus',
          (msg: { parameterName?: string; parameterValue?: string }) => {
            if (msg.parameterName === 'default_transaction_read_only')
              this.readOnlyDefault = msg.parameterValue;
          },
        );
      }
    }
    const pool = new pg.Pool({
      ...this.config,
      ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
      connectionTimeoutMillis: 0,
      Client: TrackingClient as unknown as new () => Pg.ClientBase,
      max: this.settings.poolSize,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
    });
    // An idle connection the server closed is dropped by the pool; the event must be heard.
    pool.on('error', () => undefined);
    return pool;
  }

  /** Connects once, so a bad uri, host or password fails here and nothing is pooled. */
  async open(signal: AbortSignal): Promise<void> {
    try {
      const client = await raceAbort(this.writes.connect(), signal);
      client.release();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw this.describe(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.reads.end(), this.writes.end()]).catch(() => undefined);
  }

  async test(options: CallOptions): Promise<DbTestResult> {
    return this.withClient(options, async (client) => {
      const result = await client.query<{ server_version: string }>('SHOW server_version');
      return { serverVersion: `PostgreSQL ${result.rows[0]?.server_version ?? '?'}` };
    });
  }

  async read(query: BoundQuery, options: CallOptions): Promise<SqlRowsResult> {
    return this.withClient(
      options,
      async (client) => {
        if ((client as unknown as { readOnlyDefault?: string }).readOnlyDefault !== 'on') {
          await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
        }
        const streamed = await streamQuery(this.pg, client, query, options);
        return streamed.collector.result(await columnsOf(client, streamed.fields, this.typeNames));
      },
      query.sql,
      this.reads,
    );
  }

  async write(query: BoundQuery, options: CallOptions): Promise<SqlWriteResult> {
    return this.withClient(
      options,
      async (client) => {
        const streamed = await streamQuery(this.pg, client, query, options);
        const affectedRows = streamed.rowCount ?? 0;
        if (streamed.fields.length === 0) return { affectedRows };
        const returned = streamed.collector.result(
          await columnsOf(client, streamed.fields, this.typeNames),
        );
        return { affectedRows, returned };
      },
      query.sql,
    );
  }

  async insert(action: InsertAction, options: CallOptions): Promise<SqlWriteResult> {
    return this.withClient(options, async (client) => {
      const upsert = typeof action.onConflict === 'object' ? action.onConflict : undefined;
      const key = upsert
        ? (upsert.key ?? (await this.primaryKey(client, action.table)))
        : undefined;
      const statements = insertStatements(
        'postgres',
        action,
        key,
        upsert ? ' RETURNING (xmax = 0) AS inserted' : '',
      );
      // One statement is atomic by itself; several share a transaction.
      const several = statements.length > 1;
      if (several) await client.query('BEGIN');
      return this.inTransaction(client, several, async () => {
        let inserted = 0;
        let updated = 0;
        for (const statement of statements) {
          const result = await client.query<[boolean]>({
            text: statement.sql,
            values: statement.params as unknown[],
            rowMode: 'array',
          });
          if (upsert) {
            for (const row of result.rows) if (row[0]) inserted++;
            updated += result.rows.length;
          } else inserted += result.rowCount ?? 0;
        }
        updated -= upsert ? inserted : 0;
        const given = action.rows.length;
        return upsert
          ? { affectedRows: inserted + updated, inserted, updated }
          : action.onConflict === 'ignore'
            ? { affectedRows: inserted, inserted, skipped: given - inserted }
            : { affectedRows: inserted, inserted };
      });
    });
  }

  // ---------------------------------------------------------------- plumbing

  /** A pooled connection for `fn`, with the statement guard; errors described. */
  private async withClient<T>(
    options: CallOptions,
    fn: (client: Pg.PoolClient) => Promise<T>,
    sql?: string,
    pool: Pg.Pool = this.writes,
  ): Promise<T> {
    let client: Pg.PoolClient;
    try {
      client = await raceAbort(pool.connect(), options.signal);
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      throw this.describe(error);
    }
    const pid = (client as unknown as { processID?: number }).processID;
    const guard = new StatementGuard(options, () => void this.cancelBackend(pid));
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      broken =
        guard.fired || !(error instanceof this.pg.DatabaseError || error instanceof TaskError);
      throw (
        guard.failure('postgres', this.host) ??
        (error instanceof TaskError ? error : this.describe(error, sql))
      );
    } finally {
      guard.done();
      // Runs share connections: one left inside a transaction is not given to the next run.
      client.release(broken || client.getTransactionStatus() !== 'I');
    }
  }

  /** Runs `fn` after BEGIN (when `open`); COMMIT on success, ROLLBACK on failure. */
  private async inTransaction<T>(
    client: Pg.PoolClient,
    open: boolean,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (!open) return fn();
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await client.query('COMMIT');
    return result;
  }

  /** The primary key columns of `table`, the conflict target of an update without `key`. */
  private async primaryKey(client: Pg.PoolClient, table: string): Promise<string[]> {
    const cached = this.primaryKeys.get(table);
    if (cached) return cached;
    const quoted = table
      .split('.')
      .map((part) => client.escapeIdentifier(part.trim()))
      .join('.');
    const result = await client.query<[string]>({
      text: `SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      values: [quoted],
      rowMode: 'array',
    });
    const key = result.rows.map((row) => row[0]);
    if (key.length === 0) {
      throw engineError(
        'INVALID_CONFIG',
        'postgres',
        this.host,
        `has no primary key on ${table}, so insert.onConflict.update needs the unique columns to match on: add "key": ["column", …]`,
      );
    }
    this.primaryKeys.set(table, key);
    return key;
  }

  /** pg_cancel_backend from a connection of its own (the pool may be full). */
  private async cancelBackend(pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    const client = new this.pg.Client({ ...this.config, statement_timeout: undefined });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // the dropped connection ends the statement all the same
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  describe(error: unknown, sql?: string): TaskError {
    return describePgError(error, this.errors, sql);
  }
}
