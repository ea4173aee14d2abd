/**
 * One `MongoClient` per distinct connection string, shared by every db run that uses it, closed
 * after a while without use and at shutdown. Short server-selection and connect timeouts make an
 * unreachable server fail in seconds instead of the driver's default 30 s.
 */
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import { DEFAULT_TASK_TIMEOUT_MS } from '../core/task-runner';

export interface MongoPoolOptions {
  clock?: Clock;
  /** Close a client unused for this long (default 5 minutes). */
  idleMs?: number;
  serverSelectionTimeoutMS?: number;
  connectTimeoutMS?: number;
  /** A socket silent this long is dropped (default: the runner's default task timeout). */
  socketTimeoutMS?: number;
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
      maxPoolSize: options.maxPoolSize ?? 5,
      appName: 'task-scheduler',
    };
  }

  /** Clients currently pooled. */
  get size(): number {
    return this.entries.size;
  }

  /** A connected client for `uri`; rejects with the driver's error when it cannot connect. */
  async acquire(uri: string): Promise<MongoLease> {
    let entry = this.entries.get(uri);
    if (!entry) {
      // The constructor validates the connection string; a bad one throws here, nothing pooled.
      const client = new MongoClient(uri, this.clientOptions);
      const created: Entry = {
        client,
        ready: client.connect(),
        active: 0,
        lastUsed: this.clock.now(),
        idleTimer: undefined,
      };
      entry = created;
      this.entries.set(uri, created);
      created.ready.catch(() => {
        // A failed connect is not kept: the next run tries afresh.
        if (this.entries.get(uri) === created) this.entries.delete(uri);
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
      if (current.active === 0 && this.entries.get(uri) === current) this.scheduleIdleClose(uri);
    };
    try {
      await current.ready;
    } catch (error) {
      release();
      throw error;
    }
    return { client: current.client, release };
  }

  private scheduleIdleClose(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    entry.idleTimer = this.clock.setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.entries.get(uri) !== entry || entry.active > 0) return;
      this.entries.delete(uri);
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
