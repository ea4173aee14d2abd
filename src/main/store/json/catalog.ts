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
import type { Alert } from '../../../shared/alerts';
import type { Configuration, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import {
  checkAlertRecord,
  checkConfigRecord,
  checkEntryRecord,
  checkTaskRecord,
  idOf,
  KIND_LABELS,
  repairSettings,
  type Checked,
  type RecordIssue,
  type RecordKind,
} from '../record-checks';
import { AtomicJsonFile } from './atomic-file';

export const CATALOG_FILE = 'catalog.json';
export const CORRUPT_INFIX = '.corrupt-';
const CATALOG_VERSION = 1;

/**
 * A record of catalog.json that failed its checks at load. It is not served (nothing lists, runs
 * or fires it) but stays in the file exactly as it was: every write puts it back in its list.
 */
export interface SetAsideRecord {
  kind: RecordKind;
  id?: string;
  /** Its place in its list in the file as read. */
  index: number;
  issues: RecordIssue[];
  /** The record as read, written back verbatim (for settings: until settings are saved). */
  record: unknown;
}

export interface CatalogState {
  configs: Map<string, Configuration>;
  tasks: Map<string, Task>;
  schedules: Map<string, ScheduleEntry>;
  /** Alerts (secrets sealed); a catalog written before alerts existed has none. */
  alerts: Map<string, Alert>;
  /** For bad stored settings: the usable part, each bad field at its default. */
  settings: Settings | undefined;
  setAside: SetAsideRecord[];
}

// The file's own shape; each record is then checked on its own (record-checks.ts), so one bad
// record is set aside instead of the whole catalog being unreadable.
const catalogFileSchema = z.strictObject({
  version: z.literal(CATALOG_VERSION),
  configs: z.array(z.unknown()),
  tasks: z.array(z.unknown()),
  schedules: z.array(z.unknown()),
  settings: z.unknown().optional(),
  alerts: z.array(z.unknown()).optional(),
});

function emptyState(): CatalogState {
  return {
    configs: new Map(),
    tasks: new Map(),
    schedules: new Map(),
    alerts: new Map(),
    settings: undefined,
    setAside: [],
  };
}

/** The good records by id; bad ones and later duplicates of an id go to `setAside`. */
function load<T extends { id: string }>(
  kind: RecordKind,
  values: unknown[],
  check: (value: unknown) => Checked<T>,
  setAside: SetAsideRecord[],
): Map<string, T> {
  const good = new Map<string, T>();
  values.forEach((record, index) => {
    const id = idOf(record);
    const aside = (issues: RecordIssue[]): void => {
      setAside.push({ kind, ...(id !== undefined ? { id } : {}), index, issues, record });
    };
    const checked = check(record);
    if (!checked.ok) return aside(checked.issues.map((issue) => ({ ...issue, index })));
    if (good.has(checked.record.id)) {
      return aside([
        {
          kind,
          id: checked.record.id,
          index,
          field: 'id',
          problem: `an earlier ${KIND_LABELS[kind]} in ${CATALOG_FILE} has the same id and is the one used; give this one its own id or remove it`,
        },
      ]);
    }
    good.set(checked.record.id, checked.record);
  });
  return good;
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
    const setAside: SetAsideRecord[] = [];
    let settings: Settings | undefined;
    if (data.settings !== undefined && data.settings !== null) {
      const repaired = repairSettings(data.settings);
      settings = repaired.settings;
      if (repaired.issues.length) {
        setAside.push({
          kind: 'settings',
          index: 0,
          issues: repaired.issues,
          record: data.settings,
        });
      }
    }
    const configs = load('config', data.configs, checkConfigRecord, setAside);
    const tasks = load('task', data.tasks, checkTaskRecord, setAside);
    const zone = settings?.defaultTimezone;
    const schedules = load('schedule', data.schedules, (v) => checkEntryRecord(v, zone), setAside);
    const alerts = load('alert', data.alerts ?? [], checkAlertRecord, setAside);
    return { configs, tasks, schedules, alerts, settings, setAside };
  },
  serialize(state: CatalogState): string {
    const aside = (kind: RecordKind): unknown[] =>
      state.setAside.filter((r) => r.kind === kind).map((r) => r.record);
    const badSettings = state.setAside.find((r) => r.kind === 'settings');
    return JSON.stringify({
      version: CATALOG_VERSION,
      configs: [...state.configs.values(), ...aside('config')],
      tasks: [...state.tasks.values(), ...aside('task')],
      schedules: [...state.schedules.values(), ...aside('schedule')],
      settings: badSettings ? badSettings.record : (state.settings ?? null),
      alerts: [...state.alerts.values(), ...aside('alert')],
    });
  },
};

/**
 * Forgets the set-aside record that a put of this kind and id replaces (for settings: any put).
 * Returns whether one was there.
 */
export function replaceSetAside(state: CatalogState, kind: RecordKind, id?: string): boolean {
  const before = state.setAside.length;
  state.setAside = state.setAside.filter(
    (r) => r.kind !== kind || (id !== undefined && r.id !== id),
  );
  return state.setAside.length !== before;
}

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
      const aside = `${this.path}${CORRUPT_INFIX}${stamp}`;
      await fs.rename(this.path, aside);
      throw new AppError(
        'UNAVAILABLE',
        `JsonStore: ${this.path} is unreadable (${error.message}); it was moved to ${aside}; restore it from a backup or start with an empty catalog by removing it`,
        { movedTo: aside, reason: error.message },
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
