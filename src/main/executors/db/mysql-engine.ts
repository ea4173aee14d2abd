/**
 * MySQL and MariaDB through `mysql2` (its callback API, to stream rows): two pools per uri, one
 * for reads and one for writes. Read connections run with `SET SESSION TRANSACTION READ ONLY`,
 * set again before a read when the connection's last statement could have changed it (one
 * without a result set, or a CALL), so the server refuses a write with 1792, DDL included (a
 * READ ONLY transaction would let DDL through by committing first). Statements with values go through prepared statements (`execute`: values bound by the
 * protocol), those without through the text protocol; one statement per run. Sessions use
 * `time_zone = '+00:00'`, so TIMESTAMP values read and written are UTC. A statement past its
 * timeout, or whose run is aborted, is stopped with `KILL QUERY` from a connection of its own.
 *
 * Values: BIGINT and DECIMAL as strings, TIMESTAMP as ISO UTC times, DATETIME as ISO without a
 * zone, DATE as is, BIT as a number, binary strings and BLOBs as base64, JSON as JSON.
 * The driver is loaded on first use (drivers.ts) and handed in.
 */
import type * as mysql from 'mysql2';
import { sqlLeadingKeyword, type DbServerUri } from '../../../shared/db-params';
import { TaskError } from '../types';
import {
  bindValue,
  describePosition,
  engineError,
  messageOf,
  RowCollector,
  scrub,
  StatementGuard,
  systemCode,
  unreachable,
  type BoundQuery,
  type CallOptions,
  type DbErrorCode,
  type DbTestResult,
  type InsertAction,
  type SqlColumn,
  type SqlEngineApi,
  type SqlRowsResult,
  type SqlWriteResult,
} from './db-engine';
import type { EngineSettings } from './db-pools';
import type { MysqlDriver } from './drivers';
import { infoCounts, typeName, valueMapper, type Field, type Header } from './mysql-values';
import { insertStatements } from './sql-insert';
import { raceAbort } from '../race-abort';

type Parts = DbServerUri;

function promised<T>(fn: (done: (error: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    fn((error, value) => (error ? reject(error) : resolve(value as T))),
  );
}

export class MysqlEngine implements SqlEngineApi {
  readonly engine = 'mysql' as const;
  readonly usable = true;
  readonly host: string;
  private readonly options: mysql.PoolOptions;
  private readonly reads: mysql.Pool;
  private readonly writes: mysql.Pool;
  /** Read connections known to be read-only since their last `SET SESSION TRANSACTION READ ONLY`. */
  private readonly readOnlySessions = new WeakSet<mysql.PoolConnection>();

  constructor(
    private readonly driver: MysqlDriver,
    private readonly parts: Parts,
    private readonly settings: EngineSettings,
  ) {
    this.host = parts.host;
    const tls = settings.tls;
    this.options = {
      host: parts.hostname,
      port: parts.port ?? 3306,
      ...(parts.user !== undefined ? { user: parts.user } : {}),
      ...(parts.password !== undefined ? { password: parts.password } : {}),
      ...(parts.database !== '' ? { database: parts.database } : {}),
      connectTimeout: settings.connectTimeoutMs,
      connectionLimit: settings.poolSize,
      waitForConnections: true,
      queueLimit: 0,
      idleTimeout: 30_000,
      enableKeepAlive: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      multipleStatements: false,
      maxPreparedStatements: 256,
      // Changed rows, not matched ones (matched come from `info`); no LOCAL INFILE.
      flags: ['-FOUND_ROWS', '-LOCAL_FILES'],
      ...(tls === true ? { ssl: {} } : typeof tls === 'object' ? { ssl: tls } : {}),
    };
    this.writes = this.pool(["SET time_zone = '+00:00'"]);
    this.reads = this.pool(["SET time_zone = '+00:00'"]);
  }

  private pool(init: readonly string[]): mysql.Pool {
    const pool = this.driver.createPool(this.options);
    pool.on('connection', (connection: mysql.PoolConnection) => {
      connection.on('error', () => undefined);
      for (const sql of init) connection.query(sql, () => undefined);
    });
    return pool;
  }

  async open(signal: AbortSignal): Promise<void> {
    const connection = await this.connection(this.writes, signal);
    connection.release();
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.reads, this.writes].map((pool) =>
        promised<void>((done) => pool.end((e) => done(e))).catch(() => undefined),
      ),
    );
  }

  async test(options: CallOptions): Promise<DbTestResult> {
    return this.withConnection(this.writes, options, async (connection) => {
      const { collector } = await this.stream(
        connection,
        { sql: 'SELECT VERSION()', params: [] },
        options,
      );
      return { serverVersion: `MySQL ${String(Object.values(collector.rows[0] ?? {})[0] ?? '?')}` };
    });
  }

  async read(query: BoundQuery, options: CallOptions): Promise<SqlRowsResult> {
    return this.withConnection(
      this.reads,
      options,
      async (connection) => {
        if (!this.readOnlySessions.has(connection)) {
          await promised((done) => connection.query('SET SESSION TRANSACTION READ ONLY', done));
          this.readOnlySessions.add(connection);
        }
        const { collector, fields, header } = await this.stream(connection, query, options);
        // Only a statement without a result set (SET…) or a procedure can change the session.
        if (header || sqlLeadingKeyword(query.sql) === 'CALL') {
          this.readOnlySessions.delete(connection);
        }
        return collector.result(fields.map((f) => ({ name: f.name, type: typeName(f) })));
      },
      query.sql,
    );
  }

  async write(query: BoundQuery, options: CallOptions): Promise<SqlWriteResult> {
    return this.withConnection(
      this.writes,
      options,
      async (connection) => {
        const { collector, fields, header } = await this.stream(connection, query, options);
        if (header) {
          const matched = infoCounts(header.info)['Rows matched'];
          return {
            affectedRows: header.affectedRows,
            ...(matched !== undefined && matched !== header.affectedRows
              ? { matchedRows: matched }
              : {}),
          };
        }
        const columns: SqlColumn[] = fields.map((f) => ({ name: f.name, type: typeName(f) }));
        return { affectedRows: 0, returned: collector.result(columns) };
      },
      query.sql,
    );
  }

  async insert(action: InsertAction, options: CallOptions): Promise<SqlWriteResult> {
    const statements = insertStatements('mysql', action);
    return this.withConnection(this.writes, options, async (connection) => {
      // One statement is atomic by itself; several share a transaction.
      const several = statements.length > 1;
      if (several) await promised((done) => connection.query('START TRANSACTION', done));
      let inserted = 0;
      try {
        for (const statement of statements) {
          const { header } = await this.stream(connection, statement, options);
          // Affected rows count 1 per inserted row and 2 per changed duplicate ("Duplicates" in
          // the info of a multi-row insert; a no-op update of a duplicate counts 0).
          const affected = header?.affectedRows ?? 0;
          const changed = infoCounts(header?.info)['Duplicates'] ?? (affected === 2 ? 1 : 0);
          inserted += affected - 2 * changed;
        }
        if (several) await promised((done) => connection.query('COMMIT', done));
      } catch (error) {
        if (several) {
          await promised((done) => connection.query('ROLLBACK', done)).catch(() => undefined);
        }
        throw error;
      }
      const others = action.rows.length - inserted;
      if (action.onConflict === 'error') return { affectedRows: inserted, inserted };
      if (action.onConflict === 'ignore')
        return { affectedRows: inserted, inserted, skipped: others };
      return { affectedRows: action.rows.length, inserted, updated: others };
    });
  }

  // ---------------------------------------------------------------- plumbing

  private async connection(pool: mysql.Pool, signal: AbortSignal): Promise<mysql.PoolConnection> {
    const pending = promised<mysql.PoolConnection>((done) => pool.getConnection(done));
    try {
      return await raceAbort(pending, signal);
    } catch (error) {
      void pending.then(
        (c) => c.release(),
        () => undefined,
      );
      if (signal.aborted) throw signal.reason;
      throw this.describe(error);
    }
  }

  private async withConnection<T>(
    pool: mysql.Pool,
    options: CallOptions,
    fn: (connection: mysql.PoolConnection) => Promise<T>,
    sql?: string,
  ): Promise<T> {
    const connection = await this.connection(pool, options.signal);
    const guard = new StatementGuard(options, () => void this.kill(connection.threadId));
    let broken = false;
    try {
      return await fn(connection);
    } catch (error) {
      broken = guard.fired || typeof (error as { errno?: unknown }).errno !== 'number';
      throw (
        guard.failure('mysql', this.host) ??
        (error instanceof TaskError ? error : this.describe(error, sql))
      );
    } finally {
      guard.done();
      if (broken) connection.destroy();
      else connection.release();
    }
  }

  /** One statement: rows kept up to the cap (the rest dropped), or the OK header of a write. */
  private stream(
    connection: mysql.PoolConnection,
    query: BoundQuery,
    options: CallOptions,
  ): Promise<{ collector: RowCollector; fields: Field[]; header: Header | undefined }> {
    return new Promise((resolve, reject) => {
      const collector = new RowCollector(options.cap);
      let fields: Field[] = [];
      let mappers: ((value: unknown) => unknown)[] = [];
      let header: Header | undefined;
      const values = query.params.map((v) => bindValue(v, 'mysql')) as mysql.ExecuteValues[];
      const command =
        values.length > 0
          ? connection.execute({ sql: query.sql, rowsAsArray: true }, values)
          : connection.query({ sql: query.sql, rowsAsArray: true });
      command.on('fields', (received: Field[] | undefined) => {
        if (!received) return; // a statement without a result set
        fields = received;
        mappers = received.map(valueMapper);
        collector.setColumns(received.map((f) => f.name));
      });
      command.on('result', (row: unknown) => {
        if (Array.isArray(row)) collector.add(row, (value, i) => mappers[i]!(value));
        else header = row as Header;
      });
      command.on('error', reject);
      command.on('end', () => resolve({ collector, fields, header }));
    });
  }

  /** `KILL QUERY` from a connection of its own (the pool may be full). */
  private async kill(threadId: number | null): Promise<void> {
    if (threadId === null) return;
    const killer = this.driver.createConnection({ ...this.options });
    killer.on('error', () => undefined);
    await promised((done) => killer.query(`KILL QUERY ${Number(threadId)}`, done)).catch(
      () => undefined,
    );
    killer.destroy();
  }

  // ---------------------------------------------------------------- errors

  describe(error: unknown, sql?: string): TaskError {
    const message = scrub(messageOf(error), this.parts.password);
    const at = (what: string, code: DbErrorCode): TaskError =>
      engineError(code, 'mysql', this.host, what);
    const errno = (error as { errno?: unknown }).errno;
    if (typeof errno !== 'number' || errno < 1000) {
      if (systemCode(error) || /connect|timeout|closed|PROTOCOL/i.test(message)) {
        return unreachable('mysql', this.host, this.settings.connectTimeoutMs, message);
      }
      return at(`failed: ${message}`, 'DB_ERROR');
    }
    switch (errno) {
      case 1045:
      case 1698:
        return at(
          `rejected the credentials: ${message}; check the user name and password in the uri`,
          'AUTH',
        );
      case 1049:
        return at(
          `has no such database: ${message}; check the database name in the uri's path`,
          'NOT_FOUND',
        );
      case 1146:
      case 1054:
      case 1305:
      case 1109:
        return at(
          `does not know a name in the statement: ${message}; check the table, column and function names`,
          'NOT_FOUND',
        );
      case 1064: {
        const near = /near '([^]*?)' at line/.exec(message)?.[1];
        const where = sql && near ? describePosition(sql, undefined, near.slice(0, 20)) : '';
        return at(`found a syntax error: ${message}${where}; fix the SQL`, 'SYNTAX');
      }
      case 1062:
      case 1586:
        return at(
          `refused a duplicate key: ${message}; use onConflict "ignore" or { "update": […] }, or change the values`,
          'DUPLICATE_KEY',
        );
      case 1048:
      case 1451:
      case 1452:
      case 3819:
      case 4025:
      case 1364:
        return at(
          `refused a value that breaks a constraint: ${message}; change the values`,
          'CONSTRAINT',
        );
      case 1792:
        return at(
          `refused to write in a read-only session: ${message}; a read task runs statements that only read, so use a write task for this one`,
          'READ_ONLY',
        );
      case 1044:
      case 1142:
      case 1143:
      case 1227:
        return at(
          `refused the statement: ${message}; grant the privilege or use another user`,
          'PERMISSION',
        );
      case 1317:
      case 1969:
      case 3024:
        return at(
          `stopped the statement: ${message}; raise timeoutMs or narrow the statement`,
          'TIMEOUT',
        );
      case 2006:
      case 2013:
        return at(`dropped the connection: ${message}; try again`, 'CONNECTION');
      default:
        return at(
          `refused the statement: ${message} (error ${errno}); fix the SQL or the params`,
          errno >= 1000 && errno < 2000 ? 'INVALID_QUERY' : 'DB_ERROR',
        );
    }
  }
}
