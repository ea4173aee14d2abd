/**
 * The mongodb store's connection: the driver client and database, opening (connect, ping,
 * indexes) and closing, the `closing` state every room consults, the collection accessor, and the
 * retry wrapper every read and write goes through (backoff while the database is unreachable, for
 * up to the retry window, then UNAVAILABLE; other driver failures become INTERNAL). Messages are
 * scrubbed of the URI's password.
 */
import { MongoClient, type Collection, type Db } from 'mongodb';
import { AppError } from '../../../shared/errors';
import { sleep, type Clock } from '../../core/clock';
import {
  ensureIndexes,
  isUnreachable,
  messageOf,
  scrub,
  type Doc,
  type IndexOptions,
} from './mongo-docs';

export interface MongoConnectionOptions extends IndexOptions {
  uri: string;
  /** The URI with its password redacted: the only form ever shown. */
  location: string;
  databaseName: string;
  clock: Clock;
  timeoutMs: number;
  retryWindowMs: number;
}

export class MongoConnection {
  readonly location: string;
  readonly timeoutMs: number;
  private readonly uri: string;
  private readonly clock: Clock;
  private client: MongoClient | undefined;
  private db: Db | undefined;
  private opened = false;
  private isClosing = false;

  constructor(private readonly options: MongoConnectionOptions) {
    this.uri = options.uri;
    this.location = options.location;
    this.clock = options.clock;
    this.timeoutMs = options.timeoutMs;
  }

  /** Opened and not closed since. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** A client exists (open succeeded and close has not finished). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Set by `beginClose()`; background work stops rescheduling and operations stop retrying. */
  get closing(): boolean {
    return this.isClosing;
  }

  async open(): Promise<void> {
    let client: MongoClient;
    try {
      client = new MongoClient(this.uri, {
        serverSelectionTimeoutMS: this.timeoutMs,
        connectTimeoutMS: this.timeoutMs,
        ignoreUndefined: true,
        appName: 'task-scheduler',
      });
    } catch (error) {
      throw new AppError(
        'VALIDATION',
        `MongoStore: ${this.location} is not a valid MongoDB connection string: ${messageOf(error)}; fix the URI (mongodb://host:port/database)`,
      );
    }
    try {
      await client.connect();
      const db = client.db(this.options.databaseName);
      await db.command({ ping: 1 });
      this.client = client;
      this.db = db;
      await ensureIndexes((name) => this.col(name), this.options);
    } catch (error) {
      this.client = undefined;
      this.db = undefined;
      await client.close(true).catch(() => undefined);
      if (error instanceof AppError) throw error;
      throw new AppError(
        'UNAVAILABLE',
        `MongoStore: cannot reach MongoDB at ${this.location} within ${Math.round(this.timeoutMs / 1000)} s: ${this.scrub(messageOf(error))}; check the URI and that the server runs`,
      );
    }
    this.opened = true;
    this.isClosing = false;
  }

  /** The first step of closing: from here on nothing reschedules or retries. */
  beginClose(): void {
    this.isClosing = true;
  }

  /** The last step of closing: drops the client (the rooms have stopped their work). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.db = undefined;
    this.opened = false;
    await client?.close();
  }

  col(name: string): Collection<Doc> {
    if (!this.db) {
      throw new AppError(
        'UNAVAILABLE',
        `MongoStore: the store is ${this.isClosing ? 'closed' : 'not open'}; open it first`,
      );
    }
    return this.db.collection<Doc>(name);
  }

  /** Removes the URI's password from driver messages that echo it. */
  scrub(message: string): string {
    return scrub(message, this.uri, this.location);
  }

  /** Reads retry like writes, so a scheduled fire waits out a short outage instead of vanishing. */
  read<T>(what: string, op: () => Promise<T>): Promise<T> {
    return this.write(what, op);
  }

  /**
   * Every operation is retried with backoff while the database is unreachable, for up to the
   * retry window, then fails with UNAVAILABLE.
   * Every write here is idempotent (replace by id, or insert whose duplicate is recognised), so a
   * retry after a lost acknowledgement changes nothing twice.
   */
  async write<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    const deadline = this.clock.monotonic() + this.options.retryWindowMs;
    let backoff = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op(attempt);
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (!isUnreachable(error)) {
          throw new AppError(
            'INTERNAL',
            `MongoStore: ${what} failed: ${this.scrub(messageOf(error))}`,
          );
        }
        if (this.isClosing || !this.db || this.clock.monotonic() + backoff > deadline) {
          throw this.unavailable(error, what);
        }
        await sleep(this.clock, backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private unavailable(error: unknown, what: string): AppError {
    return new AppError(
      'UNAVAILABLE',
      `MongoStore: cannot ${what}: MongoDB at ${this.location} is unreachable (${this.scrub(messageOf(error))}); check that the server runs, then try again`,
    );
  }
}
