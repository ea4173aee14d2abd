/**
 * One engine (a driver pool or client) per distinct uri, like mongo-pool.ts for MongoDB: shared
 * by every run that uses the uri, opened on first use (a failed open is not kept: the next run
 * tries afresh), closed after a while without use and at shutdown. The key also holds the pool
 * size (settings.dbPoolSize) and the TLS options, so a change opens a new pool and the old one
 * closes once idle. A SQLite file is one connection whatever the pool size (the driver is
 * synchronous); Redis is one multiplexed connection. An engine's driver is imported when its first
 * engine opens (drivers.ts), so a service that runs no db task of that engine never loads it.
 */
import { DEFAULT_DB_POOL_SIZE, DEFAULT_TASK_TIMEOUT_MS } from '../../../shared/domain';
import { dbUriParts, type DbTls } from '../../../shared/db-params';
import { systemClock, type Clock } from '../../core/clock';
import { TaskError } from '../types';
import { type DbEngineApi } from './db-engine';
import { loadMysql, loadPg, loadRedis, loadSqlite } from './drivers';
import { MysqlEngine } from './mysql-engine';
import { PostgresEngine } from './postgres-engine';
import { RedisEngine } from './redis-engine';
import { SqliteEngine } from './sqlite-engine';
import { KeyedLeases } from '../keyed-leases';
import { raceAbort } from '../race-abort';

/** What an engine is opened with. */
export interface EngineSettings {
  /** A new connection fails after this long (a closed port fails at once). */
  connectTimeoutMs: number;
  /** Server-side statement timeout set on every connection, a safety net under each call's own. */
  defaultStatementTimeoutMs: number;
  /** Connections per pool (PostgreSQL, MySQL). */
  poolSize: number;
  tls: DbTls | undefined;
  /** SQLite: open only an existing file (the first run is a read). */
  mustExist: boolean;
}

export interface DbPoolsOptions {
  clock?: Clock;
  /** Close an engine unused for this long (default 5 minutes). */
  idleMs?: number;
  /** Default 3 s, as for MongoDB. */
  connectTimeoutMs?: number;
  /** Default: the runner's default task timeout (5 minutes). */
  defaultStatementTimeoutMs?: number;
  /** Connections per pool unless `acquire` names another (default DEFAULT_DB_POOL_SIZE). */
  poolSize?: number;
}

export interface DbTarget {
  uri: string;
  tls?: DbTls | undefined;
  operation: 'read' | 'write';
}

export interface DbLease {
  engine: DbEngineApi;
  /** Call once the call settled; the engine stays pooled. */
  release(): void;
}

export const DEFAULT_DB_IDLE_MS = 5 * 60_000;
export const DEFAULT_DB_CONNECT_TIMEOUT_MS = 3_000;

export class DbPools {
  private readonly engines: KeyedLeases<DbEngineApi>;
  readonly connectTimeoutMs: number;
  private readonly statementTimeoutMs: number;
  private readonly poolSize: number;
  private closed = false;

  constructor(options: DbPoolsOptions = {}) {
    this.engines = new KeyedLeases({
      clock: options.clock ?? systemClock,
      idleMs: options.idleMs ?? DEFAULT_DB_IDLE_MS,
      close: (engine) => engine.close(),
    });
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_DB_CONNECT_TIMEOUT_MS;
    this.statementTimeoutMs = options.defaultStatementTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    this.poolSize = options.poolSize ?? DEFAULT_DB_POOL_SIZE;
  }

  /** Engines currently pooled. */
  get size(): number {
    return this.engines.size;
  }

  /**
   * An open engine for the target; rejects with a TaskError when it cannot open (unreachable,
   * bad credentials, unknown database, a SQLite file that does not exist for a read).
   */
  async acquire(target: DbTarget, signal: AbortSignal, poolSize?: number): Promise<DbLease> {
    if (this.closed) {
      throw new TaskError('CONNECTION', 'the app is shutting down; no new db connection is opened');
    }
    const parts = dbUriParts(target.uri);
    if (parts.problem !== undefined || parts.engine === 'mongodb') {
      throw new TaskError(
        'INVALID_CONFIG',
        `uri ${parts.problem ?? 'is a MongoDB uri, which the MongoDB pool runs'}`,
      );
    }
    const size = poolSize ?? this.poolSize;
    const key =
      parts.engine === 'sqlite'
        ? `sqlite ${parts.file}`
        : `${parts.engine} ${parts.engine === 'redis' ? 1 : size} ${JSON.stringify(target.tls ?? null)} ${target.uri}`;
    const settings: EngineSettings = {
      connectTimeoutMs: this.connectTimeoutMs,
      defaultStatementTimeoutMs: this.statementTimeoutMs,
      poolSize: size,
      tls: target.tls,
      mustExist: target.operation === 'read',
    };
    const { value, release } = await this.engines.lease(
      key,
      () => this.open(target.uri, settings),
      { usable: (engine) => engine.usable, wait: (ready) => raceAbort(ready, signal) },
    );
    return { engine: value, release };
  }

  private async open(uri: string, settings: EngineSettings): Promise<DbEngineApi> {
    const parts = dbUriParts(uri);
    // Opening is not cancelled by one run's signal: other runs may wait for the same engine.
    const never = new AbortController().signal;
    switch (parts.engine) {
      case 'postgres': {
        const engine = new PostgresEngine(
          await loadPg(),
          uri,
          parts.host,
          parts.password,
          settings,
        );
        return this.opened(engine, engine.open(never));
      }
      case 'mysql': {
        const engine = new MysqlEngine(await loadMysql(), parts, settings);
        return this.opened(engine, engine.open(never));
      }
      case 'redis': {
        const engine = new RedisEngine(await loadRedis(), uri, parts, settings);
        return this.opened(engine, engine.open());
      }
      case 'sqlite':
        return SqliteEngine.open(await loadSqlite(), parts.file, parts.memory, settings);
      default:
        throw new TaskError('INVALID_CONFIG', `uri ${parts.problem ?? 'names no engine'}`);
    }
  }

  private async opened(engine: DbEngineApi, opening: Promise<void>): Promise<DbEngineApi> {
    try {
      await opening;
      return engine;
    } catch (error) {
      await engine.close().catch(() => undefined);
      throw error;
    }
  }

  /** Closes every engine (at shutdown); later acquires fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.engines.close();
  }
}
