/**
 * The catalog (configurations, tasks, schedule entries, settings) in `catalog.json`, through lowdb
 * with an atomic-write adapter. Mutations change memory at once; every mutation issued before a
 * write starts is saved by that one write (coalescing), and each caller resolves only when the
 * write holding its change is durable.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import type { Configuration, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { AtomicJsonFile } from './atomic-file';

export const CATALOG_FILE = 'catalog.json';
const CATALOG_VERSION = 1;

export interface CatalogState {
  configs: Map<string, Configuration>;
  tasks: Map<string, Task>;
  schedules: Map<string, ScheduleEntry>;
  settings: Settings | undefined;
}

// Shape checks only: the domain schemas may grow fields, and an older file must still open.
const withId = z.object({ id: z.string() }).loose();
const catalogFileSchema = z.strictObject({
  version: z.literal(CATALOG_VERSION),
  configs: z.array(withId.extend({ type: z.string(), params: z.object({}).loose() })),
  tasks: z.array(withId.extend({ type: z.string(), configId: z.string() })),
  schedules: z.array(withId.extend({ taskId: z.string(), kind: z.string() })),
  settings: z.object({}).loose().nullable(),
});

function emptyState(): CatalogState {
  return { configs: new Map(), tasks: new Map(), schedules: new Map(), settings: undefined };
}

function byId<T extends { id: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

export const catalogCodec = {
  parse(text: string): CatalogState {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CatalogUnreadable(`not valid JSON: ${(error as Error).message}`);
    }
    const parsed = catalogFileSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CatalogUnreadable(
        `unexpected shape at ${issue.path.join('.') || '(top)'}: ${issue.message}`,
      );
    }
    const data = parsed.data;
    return {
      configs: byId(data.configs as unknown as Configuration[]),
      tasks: byId(data.tasks as unknown as Task[]),
      schedules: byId(data.schedules as unknown as ScheduleEntry[]),
      settings: (data.settings ?? undefined) as Settings | undefined,
    };
  },
  serialize(state: CatalogState): string {
    return JSON.stringify({
      version: CATALOG_VERSION,
      configs: [...state.configs.values()],
      tasks: [...state.tasks.values()],
      schedules: [...state.schedules.values()],
      settings: state.settings ?? null,
    });
  },
};

export class CatalogUnreadable extends Error {}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class Catalog {
  readonly path: string;
  private readonly db: Low<CatalogState>;
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  /** How many file writes happened (for tests and the bench of coalescing). */
  writes = 0;

  constructor(
    dir: string,
    private readonly nowMs: () => number,
  ) {
    this.path = join(dir, CATALOG_FILE);
    this.db = new Low(new AtomicJsonFile(this.path, catalogCodec), emptyState());
  }

  get state(): CatalogState {
    return this.db.data;
  }

  /** Loads the file; an unreadable one is moved aside and `open` fails with what to do. */
  async load(): Promise<void> {
    try {
      await this.db.read();
    } catch (error) {
      if (!(error instanceof CatalogUnreadable)) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new AppError(
          'UNAVAILABLE',
          `JsonStore: ${this.path} cannot be read (${code}); fix its permissions or choose another --data-dir`,
        );
      }
      const stamp = new Date(this.nowMs()).toISOString().replace(/[:.]/g, '-');
      const aside = `${this.path}.corrupt-${stamp}`;
      await fs.rename(this.path, aside);
      throw new AppError(
        'UNAVAILABLE',
        `JsonStore: ${this.path} is unreadable (${error.message}); it was moved to ${aside}; restore it from a backup or start with an empty catalog by removing it`,
      );
    }
  }

  /** Call after changing `state`: resolves once a write that includes the change is durable. */
  commit(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      // Start after the current turn, so every change made in this tick shares the write.
      if (!this.writing)
        this.writing = new Promise((done) => setImmediate(done)).then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiters.length > 0) {
      const batch = this.waiters;
      this.waiters = [];
      try {
        // Serializes synchronously, so later changes wait for the next write.
        const written = this.db.write();
        this.writes++;
        await written;
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        // Memory must not claim what the disk does not hold: go back to the last durable state.
        // Changes made meanwhile are gone with it, so their callers fail too.
        await this.db.read().catch(() => undefined);
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        const failure = new AppError(
          'UNAVAILABLE',
          `JsonStore: saving ${this.path} failed (${code}); nothing was changed. Free disk space or fix permissions, then try again`,
        );
        for (const waiter of [...batch, ...this.waiters.splice(0)]) waiter.reject(failure);
      }
    }
    this.writing = undefined;
  }

  /** Resolves when no catalog write is pending. */
  async settle(): Promise<void> {
    while (this.writing) await this.writing;
  }
}
