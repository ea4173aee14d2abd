/**
 * SQLite through `better-sqlite3` (12: 13 needs Node 22): one connection per file (or one shared
 * `:memory:` database per uri), in this process. The driver is synchronous, so statements run one
 * at a time and a long one holds the process: the timeout and the cap are checked between rows.
 * Reads refuse a statement SQLite marks as writing (`stmt.readonly`: SQLite's own judgement,
 * sqlite3_stmt_readonly), and ATTACH / DETACH, which it counts as read-only. A read task whose
 * file does not exist fails instead of creating it.
 *
 * Values: integers as numbers, or strings beyond ±2^53; REAL as numbers; TEXT as is (parsed when
 * the column is declared JSON); BLOBs as base64. SQLite has no date type: dates are what the
 * table stores (ISO text, Julian days, Unix times).
 */
import type Database from 'better-sqlite3';
import { TaskError } from '../types';
import {
  bindValue,
  describePosition,
  engineError,
  messageOf,
  RowCollector,
  toJsonValue,
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
import type { SqliteDriver } from './drivers';
import { insertStatements } from './sql-insert';

type Statement = Database.Statement<unknown[], unknown>;

/** Prepared statements kept per connection, by SQL text. */
const STATEMENT_CACHE = 200;
/** Rows between two looks at the clock. */
const CLOCK_EVERY = 256;

function sqliteValue(value: unknown, json: boolean): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (json && typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return toJsonValue(value);
}

export class SqliteEngine implements SqlEngineApi {
  readonly engine = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  private readonly readOnly = new WeakMap<Statement, boolean>();
  private readonly columns = new WeakMap<Statement, { columns: SqlColumn[]; json: boolean[] }>();

  private constructor(
    private readonly db: Database.Database,
    readonly host: string,
    private readonly settings: EngineSettings,
  ) {}

  /** Opens the file (only an existing one when `settings.mustExist`), or a memory database. */
  static open(
    Sqlite: SqliteDriver,
    file: string,
    memory: boolean,
    settings: EngineSettings,
  ): SqliteEngine {
    try {
      const db = new Sqlite(memory ? ':memory:' : file, {
        fileMustExist: !memory && settings.mustExist,
        timeout: settings.connectTimeoutMs,
      });
      return new SqliteEngine(db, file, settings);
    } catch (error) {
      const message = messageOf(error);
      if (/NODE_MODULE_VERSION|compiled against|invalid ELF|bindings file/i.test(message)) {
        throw engineError(
          'DB_ERROR',
          'sqlite',
          file,
          `cannot be opened: the SQLite driver (better-sqlite3) is built for another runtime: ${message}; rebuild it for this one (npm rebuild better-sqlite3 for the service, npx electron-builder install-app-deps for the desktop app)`,
        );
      }
      throw engineError(
        /unable to open|CANTOPEN|directory does not exist/i.test(message)
          ? 'NOT_FOUND'
          : 'CONNECTION',
        'sqlite',
        file,
        `cannot be opened: ${message}; check that the file exists (a read task never creates it) and that this app may read it`,
      );
    }
  }

  get usable(): boolean {
    return this.db.open;
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  async test(): Promise<DbTestResult> {
    const row = this.db.prepare('SELECT sqlite_version()').raw(true).get() as [string];
    return { serverVersion: `SQLite ${row[0]}` };
  }

  async read(query: BoundQuery, options: CallOptions): Promise<SqlRowsResult> {
    return this.run(query.sql, () => {
      const stmt = this.prepare(query.sql);
      if (!this.readsOnly(stmt, query.sql)) {
        throw engineError(
          'READ_ONLY',
          'sqlite',
          this.host,
          'refused the statement: SQLite reports that it writes (it is not read-only); a read task runs statements that only read, so use a write task for this one',
        );
      }
      if (stmt.reader) return this.rows(stmt, query.params, options);
      stmt.run(...query.params.map((v) => bindValue(v, 'sqlite')));
      return { columns: [], rows: [], rowCount: 0, truncated: false };
    });
  }

  async write(query: BoundQuery, options: CallOptions): Promise<SqlWriteResult> {
    return this.run(query.sql, () => {
      const stmt = this.prepare(query.sql);
      if (stmt.reader) {
        const returned = this.rows(stmt, query.params, options);
        return { affectedRows: returned.rowCount, returned };
      }
      const info = stmt.run(...query.params.map((v) => bindValue(v, 'sqlite')));
      return { affectedRows: info.changes };
    });
  }

  async insert(action: InsertAction): Promise<SqlWriteResult> {
    const statements = insertStatements('sqlite', action);
    return this.run(statements[0]?.sql, () => {
      const insertAll = (): number => {
        let changes = 0;
        for (const statement of statements) {
          changes += this.prepare(statement.sql).run(...statement.params).changes;
        }
        return changes;
      };
      // One statement is atomic by itself; several share a transaction.
      const changes =
        statements.length > 1 ? this.db.transaction(insertAll).immediate() : insertAll();
      if (action.onConflict === 'error') return { affectedRows: changes, inserted: changes };
      if (action.onConflict === 'ignore') {
        return { affectedRows: changes, inserted: changes, skipped: action.rows.length - changes };
      }
      return { affectedRows: changes }; // SQLite does not tell inserted rows from updated ones
    });
  }

  // ---------------------------------------------------------------- plumbing

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      // Most recently used last, so the first key is the one to evict.
      this.statements.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      stmt.safeIntegers(true);
      if (stmt.reader) stmt.raw(true);
      if (this.statements.size >= STATEMENT_CACHE) {
        this.statements.delete(this.statements.keys().next().value!);
      }
    }
    this.statements.set(sql, stmt);
    return stmt;
  }

  /** SQLite's judgement (sqlite3_stmt_readonly), less ATTACH / DETACH, which it counts as reads. */
  private readsOnly(stmt: Statement, sql: string): boolean {
    let verdict = this.readOnly.get(stmt);
    if (verdict === undefined) {
      verdict = stmt.readonly && !/^\s*(attach|detach)\b/i.test(sql);
      this.readOnly.set(stmt, verdict);
    }
    return verdict;
  }

  /** Columns of a statement that returns rows (names, declared types, which hold JSON). */
  private describeColumns(stmt: Statement): { columns: SqlColumn[]; json: boolean[] } {
    let described = this.columns.get(stmt);
    if (!described) {
      const list = stmt.columns();
      described = {
        columns: list.map((c) => ({ name: c.name, type: c.type ?? '' })),
        json: list.map((c) => /^jsonb?$/i.test(c.type ?? '')),
      };
      this.columns.set(stmt, described);
    }
    return described;
  }

  /** Rows up to the cap; stops at the cap or the timeout (checked between rows). */
  private rows(stmt: Statement, params: readonly unknown[], options: CallOptions): SqlRowsResult {
    const { columns, json } = this.describeColumns(stmt);
    const collector = new RowCollector(options.cap);
    collector.setColumns(columns.map((c) => c.name));
    const deadline =
      options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    const map = (value: unknown, i: number): unknown => sqliteValue(value, json[i]!);
    let n = 0;
    for (const row of stmt.iterate(...params.map((v) => bindValue(v, 'sqlite')))) {
      if (!collector.add(row as unknown[], map)) break;
      if (++n % CLOCK_EVERY === 0 && performance.now() > deadline) {
        throw engineError(
          'TIMEOUT',
          'sqlite',
          this.host,
          `did not finish the statement within timeoutMs (${options.timeoutMs} ms); narrow the statement or raise timeoutMs`,
        );
      }
    }
    return collector.result(columns);
  }

  /** Runs a synchronous step, its errors described; resolves like the other engines. */
  private async run<T>(sql: string | undefined, fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TaskError) throw error;
      throw this.describe(error, sql);
    } finally {
      // Runs share the connection: none may leave a transaction open.
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    }
  }

  describe(error: unknown, sql?: string): TaskError {
    const message = messageOf(error);
    const code = String((error as { code?: unknown }).code ?? '');
    const at = (what: string, kind: DbErrorCode): TaskError =>
      engineError(kind, 'sqlite', this.host, what);
    if (/^no such (table|column|function|collation)/i.test(message)) {
      return at(
        `does not know a name in the statement: ${message}; check the table, column and function names`,
        'NOT_FOUND',
      );
    }
    if (/syntax error|incomplete input|unrecognized token/i.test(message)) {
      const near = /near "([^]*?)"/.exec(message)?.[1];
      const where = sql && near ? describePosition(sql, undefined, near) : '';
      return at(`found a syntax error: ${message}${where}; fix the SQL`, 'SYNTAX');
    }
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return at(
        `refused a duplicate key: ${message}; use onConflict "ignore" or { "update": […] }, or change the values`,
        'DUPLICATE_KEY',
      );
    }
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return at(
        `refused a value that breaks a constraint: ${message}; change the values`,
        'CONSTRAINT',
      );
    }
    if (code.startsWith('SQLITE_READONLY')) {
      return at(
        `refused to write: ${message}; a read task runs statements that only read, so use a write task (and check that the file is writable)`,
        'READ_ONLY',
      );
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return at(
        `stayed locked by another writer for ${this.settings.connectTimeoutMs} ms: ${message}; try again when the other process is done`,
        'TIMEOUT',
      );
    }
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      return at(
        `is not a usable SQLite database: ${message}; check the path in the uri`,
        'INVALID_CONFIG',
      );
    }
    if (/more than one statement/i.test(message)) {
      return at(`refused the SQL: ${message}; a run is one statement`, 'SYNTAX');
    }
    if (error instanceof RangeError) {
      return at(
        `cannot bind the params: ${message}; give one value per ? in query.params`,
        'INVALID_QUERY',
      );
    }
    return at(
      `failed the statement: ${message}${code ? ` (${code})` : ''}`,
      code ? 'INVALID_QUERY' : 'DB_ERROR',
    );
  }
}
