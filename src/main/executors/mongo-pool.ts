/**
 * One `MongoClient` per distinct connection string (and pool size: settings.dbPoolSize), shared by
 * every db run that uses it, closed after a while without use and at shutdown. A client opens at
 * most `maxPoolSize` connections; operations beyond them wait in the driver for one. Short
 * server-selection and connect timeouts make an unreachable server fail in seconds instead of the
 * driver's default 30 s. The driver is imported with the first client (db/drivers.ts), so a
 * service that runs no MongoDB task never loads it.
 */
import type { MongoClient, MongoClientOptions } from 'mongodb';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import { DEFAULT_DB_POOL_SIZE, DEFAULT_TASK_TIMEOUT_MS } from '../../shared/domain';
import { loadMongo } from './db/drivers';

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
  /** Undefined while the driver loads. */
  client: MongoClient | undefined;
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
      const created: Entry = {
        client: undefined,
        ready: loadMongo().then((driver) => {
          // The constructor validates the connection string; a bad one throws here.
          const client = new driver.MongoClient(uri, {
            ...this.clientOptions,
            maxPoolSize: poolSize,
          });
          created.client = client;
          return client.connect();
        }),
        active: 0,
        lastUsed: this.clock.now(),
        idleTimer: undefined,
      };
      entry = created;
      this.entries.set(key, created);
      created.ready.catch(() => {
        // A failed connect is not kept: the next run tries afresh.
        if (this.entries.get(key) === created) this.entries.delete(key);
        void created.client?.close().catch(() => undefined);
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
      return { client: await current.ready, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private scheduleIdleClose(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.idleTimer = this.clock.setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.entries.get(key) !== entry || entry.active > 0) return;
      this.entries.delete(key);
      void closeClient(entry);
    }, this.idleMs);
  }

  /** Closes every client (at shutdown). */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      if (entry.idleTimer !== undefined) this.clock.clearTimeout(entry.idleTimer);
    }
    await Promise.all(entries.map(closeClient));
  }
}

/** Closes the entry's client, once it exists if the driver is still loading; never rejects. */
async function closeClient(entry: Entry): Promise<void> {
  const client = entry.client ?? (await entry.ready.catch(() => undefined));
  await client?.close().catch(() => undefined);
}
