/**
 * One `MongoClient` per distinct connection string (and pool size: settings.dbPoolSize), shared by
 * every db run that uses it, closed after a while without use and at shutdown. A client opens at
 * most `maxPoolSize` connections; operations beyond them wait in the driver for one. Short
 * server-selection and connect timeouts make an unreachable server fail in seconds instead of the
 * driver's default 30 s. The driver is imported with the first client (db/drivers.ts), so a
 * service that runs no MongoDB task never loads it.
 */
import type { MongoClient, MongoClientOptions } from 'mongodb';
import { systemClock, type Clock } from '../core/clock';
import { DEFAULT_DB_POOL_SIZE, DEFAULT_TASK_TIMEOUT_MS } from '../../shared/domain';
import { loadMongo } from './db/drivers';
import { KeyedLeases } from './keyed-leases';

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

export const DEFAULT_IDLE_MS = 5 * 60_000;
export const DEFAULT_SERVER_SELECTION_MS = 3_000;

export class MongoPool {
  private readonly clients: KeyedLeases<MongoClient>;
  readonly clientOptions: MongoClientOptions;

  constructor(options: MongoPoolOptions = {}) {
    this.clients = new KeyedLeases({
      clock: options.clock ?? systemClock,
      idleMs: options.idleMs ?? DEFAULT_IDLE_MS,
      close: (client) => client.close(),
    });
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
    return this.clients.size;
  }

  /**
   * A connected client for `uri` with at most `maxPoolSize` connections (default the pool's);
   * rejects with the driver's error when it cannot connect.
   */
  async acquire(uri: string, maxPoolSize?: number): Promise<MongoLease> {
    const poolSize = maxPoolSize ?? this.clientOptions.maxPoolSize!;
    // A changed pool size gets its own client; the old one closes once idle.
    const { value, release } = await this.clients.lease(`${poolSize} ${uri}`, async () => {
      const driver = await loadMongo();
      // The constructor validates the connection string; a bad one throws here.
      const client = new driver.MongoClient(uri, { ...this.clientOptions, maxPoolSize: poolSize });
      try {
        return await client.connect();
      } catch (error) {
        void client.close().catch(() => undefined);
        throw error;
      }
    });
    return { client: value, release };
  }

  /** Closes every client (at shutdown). */
  async close(): Promise<void> {
    await this.clients.close();
  }
}
