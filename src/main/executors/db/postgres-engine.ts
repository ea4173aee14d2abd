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
 * Values (postgres-values.ts): int8 and numeric as strings, timestamptz as UTC ISO times with
 * all their digits, timestamp (no zone) as ISO without Z, date/time/interval as PostgreSQL
 * writes them, bytea as base64, json/jsonb as JSON, float NaN/Infinity as strings.
 */
import pg from 'pg';
import type { DbTls } from '../../../shared/db-params';
import {
  engineError,
  messageOf,
  RowCollector,
  scrub,
  StatementGuard,
  systemCode,
  describePosition,
  unreachable,
  bindValue,
  type BoundQuery,
  type CallOptions,
  type DbTestResult,
  type InsertAction,
  type SqlColumn,
  type SqlEngineApi,
  type SqlRowsResult,
  type SqlWriteResult,
} from './db-engine';
import type { EngineSettings } from './db-pools';
import { PG_TYPE_NAMES, PG_TYPES } from './postgres-values';
import { insertStatements } from './sql-insert';
import { TaskError } from '../types';
import { raceAbort } from '../race-abort';

// ---------------------------------------------------------------- engine

interface Streamed {
  collector: RowCollector;
  fields: { name: string; dataTypeID: number }[];
  rowCount: number | null;
}

function sslOf(tls: DbTls | undefined): pg.PoolConfig['ssl'] {
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
  private readonly reads: pg.Pool;
  private readonly writes: pg.Pool;
  private readonly config: pg.ClientConfig;
  private readonly typeNames = new Map<number, string>();
  private readonly primaryKeys = new Map<string, string[]>();

  constructor(
    uri: string,
    readonly host: string,
    private readonly password: string | undefined,
    private readonly settings: EngineSettings,
  ) {
    const ssl = sslOf(settings.tls);
    this.config = {
      connectionString: uri,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      application_name: 'task-scheduler',
      // A safety net should a cancel not get through; each call cancels at its own timeout.
      statement_timeout: settings.defaultStatementTimeoutMs,
      types: PG_TYPES,
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
  private makePool(readOnly: boolean): pg.Pool {
    const connectTimeout = this.settings.connectTimeoutMs;
    // The pool's own connectionTimeoutMillis would also bound the wait for a free connection;
    // runs beyond the pool size wait for one (bounded by their task timeout), so only a new
    // connection's connect is bounded.
    class TrackingClient extends pg.Client {
      readOnlyDefault: string | undefined;
      constructor(config: pg.ClientConfig) {
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
      Client: TrackingClient as unknown as new () => pg.ClientBase,
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
        const streamed = await this.stream(client, query, options);
        return streamed.collector.result(await this.columnsOf(client, streamed.fields));
      },
      query.sql,
      this.reads,
    );
  }

  async write(query: BoundQuery, options: CallOptions): Promise<SqlWriteResult> {
    return this.withClient(
      options,
      async (client) => {
        const streamed = await this.stream(client, query, options);
        const affectedRows = streamed.rowCount ?? 0;
        if (streamed.fields.length === 0) return { affectedRows };
        const returned = streamed.collector.result(await this.columnsOf(client, streamed.fields));
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
    fn: (client: pg.PoolClient) => Promise<T>,
    sql?: string,
    pool: pg.Pool = this.writes,
  ): Promise<T> {
    let client: pg.PoolClient;
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
      broken = guard.fired || !(error instanceof pg.DatabaseError || error instanceof TaskError);
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
    client: pg.PoolClient,
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

  /** One statement through the extended protocol; rows kept up to the cap, the rest dropped. */
  private stream(
    client: pg.PoolClient,
    query: BoundQuery,
    options: CallOptions,
  ): Promise<Streamed> {
    return new Promise<Streamed>((resolve, reject) => {
      const collector = new RowCollector(options.cap);
      let named = false;
      const q = new pg.Query({
        text: query.sql,
        values: query.params.map((v) => bindValue(v, 'postgres')),
        rowMode: 'array',
        queryMode: 'extended',
      } as pg.QueryConfig);
      const nameColumns = (result: unknown): void => {
        if (named) return;
        named = true;
        const fields = (result as { fields?: { name: string }[] } | undefined)?.fields ?? [];
        collector.setColumns(fields.map((f) => f.name));
      };
      q.on('row', (row, result) => {
        nameColumns(result);
        collector.add(row as unknown[]);
      });
      q.on('error', reject);
      q.on('end', (result) => {
        nameColumns(result);
        const r = result as unknown as Streamed & { fields: Streamed['fields'] };
        resolve({ collector, fields: r.fields ?? [], rowCount: r.rowCount });
      });
      client.query(q);
    });
  }

  private async columnsOf(
    client: pg.PoolClient,
    fields: readonly { name: string; dataTypeID: number }[],
  ): Promise<SqlColumn[]> {
    const missing = [
      ...new Set(
        fields
          .map((f) => f.dataTypeID)
          .filter((oid) => !PG_TYPE_NAMES[oid] && !this.typeNames.has(oid)),
      ),
    ];
    if (missing.length > 0) {
      const result = await client.query<[number, string]>({
        text: 'SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY($1::oid[])',
        values: [missing],
        rowMode: 'array',
      });
      for (const [oid, name] of result.rows) this.typeNames.set(oid, name);
    }
    return fields.map((f) => ({
      name: f.name,
      type:
        PG_TYPE_NAMES[f.dataTypeID] ?? this.typeNames.get(f.dataTypeID) ?? `oid ${f.dataTypeID}`,
    }));
  }

  /** The primary key columns of `table`, the conflict target of an update without `key`. */
  private async primaryKey(client: pg.PoolClient, table: string): Promise<string[]> {
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
    const client = new pg.Client({ ...this.config, statement_timeout: undefined });
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

  // ---------------------------------------------------------------- errors

  describe(error: unknown, sql?: string): TaskError {
    const message = scrub(messageOf(error), this.password);
    const at = (what: string, code: Parameters<typeof engineError>[0]): TaskError =>
      engineError(code, 'postgres', this.host, what);
    if (!(error instanceof pg.DatabaseError)) {
      if (systemCode(error) || /timeout|terminated|ECONN/i.test(message)) {
        return unreachable('postgres', this.host, this.settings.connectTimeoutMs, message);
      }
      if (/SSL|certificate/i.test(message)) {
        return at(
          `refused the TLS setup: ${message}; match params.tls and the uri's sslmode to the server`,
          'CONNECTION',
        );
      }
      return at(`failed: ${message}`, 'DB_ERROR');
    }
    const code = error.code ?? '';
    const detail = error.detail ? ` (${error.detail})` : '';
    if (code === '28P01' || code === '28000') {
      return at(
        `rejected the credentials: ${message}; check the user name and password in the uri`,
        'AUTH',
      );
    }
    if (code === '3D000') {
      return at(
        `has no such database: ${message}; check the database name in the uri's path`,
        'NOT_FOUND',
      );
    }
    if (['42P01', '42703', '42883', '3F000', '42704'].includes(code)) {
      return at(
        `does not know a name in the statement: ${message}; check the table, column and function names`,
        'NOT_FOUND',
      );
    }
    if (code === '42601') {
      const where = sql ? describePosition(sql, Number(error.position) || undefined) : '';
      return at(`found a syntax error: ${message}${where}; fix the SQL`, 'SYNTAX');
    }
    if (code === '23505') {
      return at(
        `refused a duplicate key: ${message}${detail} (constraint ${error.constraint ?? '?'}); use onConflict "ignore" or { "update": […] }, or change the values`,
        'DUPLICATE_KEY',
      );
    }
    if (code.startsWith('23')) {
      return at(
        `refused a value that breaks a constraint: ${message}${detail} (constraint ${error.constraint ?? error.column ?? '?'}); change the values`,
        'CONSTRAINT',
      );
    }
    if (code === '25006') {
      return at(
        `refused to write in a read-only transaction: ${message}; a read task runs statements that only read, so use a write task for this one`,
        'READ_ONLY',
      );
    }
    if (code === '42501') {
      return at(
        `refused the statement: ${message}; grant the privilege or use another user`,
        'PERMISSION',
      );
    }
    if (code === '57014') {
      return at(
        `cancelled the statement: ${message}; raise timeoutMs or narrow the statement`,
        'TIMEOUT',
      );
    }
    if (code.startsWith('08') || code.startsWith('57P')) {
      return at(`dropped the connection: ${message}; try again`, 'CONNECTION');
    }
    if (code.startsWith('22') || code.startsWith('42')) {
      return at(
        `refused the statement: ${message}${detail} (SQLSTATE ${code}); fix the SQL or the params`,
        'INVALID_QUERY',
      );
    }
    return at(`failed the statement: ${message}${detail} (SQLSTATE ${code})`, 'DB_ERROR');
  }
}
