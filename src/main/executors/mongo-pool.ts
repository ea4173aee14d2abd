/**
 * One `MongoClient` per distinct connection string (and pool size: settings.dbPoolSize), shared by
 * every db run that uses it, closed after a while without use and at shutdown. A client opens at
 * most `maxPoolSize` connections; operations beyond them wait in the driver for one. Short
 * server-selection and connect timeouts make an unreachable server fail in seconds instead of the
 * driver's default 30 s.
 */
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import { DEFAULT_TASK_TIMEOUT_MS } from '../core/task-runner';
import { DEFAULT_DB_POOL_SIZE } from '../../shared/domain';

export interface MongoPoolOptions {
  clock?: Clock;
  /** Close a client unused for this long (default 5 minutes). */
  idleMs?: number;
  serverSelectionTimeoutMS?: number;
  connectTimeoutMS?: number;
  /** A socket silent this long is dropped (default: the runner's default task timeout). */
  socketTimeoutMS?: number;
  /** Connections per client unless `acquire` names another (default DEFAULT_DB_POOL_SIZE). */
  maxPoolSize?: number;
}

export interface MongoLease {
  client: MongoClient;
  /** Call once the operation settled; the client stays pooled. */
  release(): void;
}

interface Entry {
  client: MongoClient;
  ready: Promise<MongoClient>;
  active: number;
  lastUsed: number;
  idleTimer: TimerHandle | undefined;
}

export const DEFAULT_IDLE_MS = 5 * 60_000;
export const DEFAULT_SERVER_SELECTION_MS = 3_000;

export class MongoPool {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly idleMs: number;
  readonly clientOptions: MongoClientOptions;

  constructor(options: MongoPoolOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.clientOptions = {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_MS,
      connectTimeoutMS: options.connectTimeoutMS ?? DEFAULT_SERVER_SELECTION_MS,
      socketTimeoutMS: options.socketTimeoutMS ?? DEFAULT_TASK_TIMEOUT_MS,
      maxPoolSize: options.maxPoolSize ?? DEFAULT_DB_POOL_SIZE,
      appName: 'task-scheduler',
    };
  }

  /** Clients currently pooled. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A connected client for `uri` with at most `maxPoolSize` connections (default the pool's);
   * rejects with the driver's error when it cannot connect.
   */
  async acquire(uri: string, maxPoolSize?: number): Promise<MongoLease> {
    const poolSize = maxPoolSize ?? this.clientOptions.maxPoolSize!;
    // A changed pool size gets its own client; the old one closes once idle.
    const key = `${poolSize} ${uri}`;
    let entry = this.entries.get(key);
    if (!entry) {
      // The constructor validates the connection string; a bad one throws here, nothing pooled.
      const client = new MongoClient(uri, { ...this.clientOptions, maxPoolSize: poolSize });
      const created: Entry = {
        client,
        ready: client.connect(),
        active: 0,
        lastUsed: this.clock.now(),
        idleTimer: undefined,
      };
      entry = created;
      this.entries.set(key, created);
      created.ready.catch(() => {
        // A failed connect is not kept: the next run tries afresh.
        if (this.entries.get(key) === created) this.entries.delete(key);
        void client.close().catch(() => undefined);
      });
    }
    const current = entry;
    current.active++;
    if (current.idleTimer !== undefined) {
      this.clock.clearTimeout(current.idleTimer);
      current.idleTimer = undefined;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      current.active--;
      current.lastUsed = this.clock.now();
      if (current.active === 0 && this.entries.get(key) === current) this.scheduleIdleClose(key);
    };
    try {
      await current.ready;
    } catch (error) {
      release();
      throw error;
    }
    return { client: current.client, release };
  }

  private scheduleIdleClose(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.idleTimer = this.clock.setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.entries.get(key) !== entry || entry.active > 0) return;
      this.entries.delete(key);
      void entry.client.close().catch(() => undefined);
    }, this.idleMs);
  }

  /** Closes every client (at shutdown). */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      if (entry.idleTimer !== undefined) this.clock.clearTimeout(entry.idleTimer);
    }
    await Promise.all(entries.map((entry) => entry.client.close().catch(() => undefined)));
  }
}
