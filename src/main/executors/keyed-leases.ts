/**
 * One shared resource per key (a MongoDB client, a db engine), leased by runs: opened by the first
 * lease, shared while leased, closed once no lease has held it for `idleMs`; a failed open is not
 * kept, so the next lease tries afresh. `mongo-pool.ts` and `db/db-pools.ts` differ only in how
 * they open, key and close what they hold.
 */
import type { Clock, TimerHandle } from '../core/clock';

interface Entry<T> {
  ready: Promise<T>;
  /** Set once `ready` resolved. */
  value: T | undefined;
  active: number;
  idleTimer: TimerHandle | undefined;
}

export interface Lease<T> {
  value: T;
  /** Call once the call settled (idempotent); the resource stays pooled. */
  release: () => void;
}

export interface KeyedLeasesOptions<T> {
  clock: Clock;
  idleMs: number;
  /** Closes a resource that leaves the pool; never awaited by a lease. */
  close: (value: T) => Promise<void>;
}

export class KeyedLeases<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly options: KeyedLeasesOptions<T>) {}

  /** Resources currently pooled (opening ones included). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A lease of `key`'s resource, opened with `open` when there is none (or `usable` says the
   * pooled one is not); `wait` lets a caller stop waiting for an opening (an abort signal) while
   * the opening goes on for others.
   */
  async lease(
    key: string,
    open: () => Promise<T>,
    options: { usable?: (value: T) => boolean; wait?: (ready: Promise<T>) => Promise<T> } = {},
  ): Promise<Lease<T>> {
    let entry = this.entries.get(key);
    if (entry?.value !== undefined && options.usable && !options.usable(entry.value)) {
      this.drop(key, entry);
      entry = undefined;
    }
    if (!entry) entry = this.opening(key, open);
    const current = entry;
    current.active++;
    if (current.idleTimer !== undefined) {
      this.options.clock.clearTimeout(current.idleTimer);
      current.idleTimer = undefined;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      current.active--;
      if (current.active === 0 && this.entries.get(key) === current) this.idleClose(key, current);
    };
    if (current.value !== undefined) return { value: current.value, release };
    try {
      const value = await (options.wait ? options.wait(current.ready) : current.ready);
      return { value, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Closes every resource (at shutdown). */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      if (entry.idleTimer !== undefined) this.options.clock.clearTimeout(entry.idleTimer);
    }
    await Promise.all(entries.map((entry) => this.closeEntry(entry)));
  }

  private opening(key: string, open: () => Promise<T>): Entry<T> {
    const created: Entry<T> = { ready: open(), value: undefined, active: 0, idleTimer: undefined };
    this.entries.set(key, created);
    created.ready.then(
      (value) => {
        created.value = value;
      },
      () => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      },
    );
    return created;
  }

  private idleClose(key: string, entry: Entry<T>): void {
    entry.idleTimer = this.options.clock.setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.entries.get(key) !== entry || entry.active > 0) return;
      this.drop(key, entry);
    }, this.options.idleMs);
  }

  private drop(key: string, entry: Entry<T>): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    if (entry.idleTimer !== undefined) this.options.clock.clearTimeout(entry.idleTimer);
    void this.closeEntry(entry);
  }

  private async closeEntry(entry: Entry<T>): Promise<void> {
    const value = await entry.ready.catch(() => undefined);
    if (value !== undefined) await this.options.close(value).catch(() => undefined);
  }
}
