/**
 * Moving data between stores: export a whole store to one JSON file, import such a file into any
 * store, or copy one store into another, all through the `Store` interface. Imports validate the
 * whole file before writing anything, upsert by id (importing twice changes nothing), and verify
 * by counts that everything arrived. What happens to configuration secrets: transfer-secrets.ts.
 * File format: docs/mongodb.md ("Moving data").
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { describeIssues, type ExportSecrets, type TransferSummary } from '../../shared/contract';
import {
  runSchema,
  type Configuration,
  type Run,
  type ScheduleEntry,
  type Settings,
  type Task,
} from '../../shared/domain';
import { AppError } from '../../shared/errors';
import {
  checkRecords,
  checkReferences,
  recordsRefused,
  type CheckedRecords,
} from './import-checks';
import { idOf } from './record-checks';
import { configsForExport, configsForImport, SECRET_KINDS } from './transfer-secrets';
import type { Store } from './types';

export const EXPORT_FORMAT = 'task-scheduler-export';
export const EXPORT_VERSION = 1;
const PAGE = 1000;

export interface TransferCounts {
  configs: number;
  tasks: number;
  schedules: number;
  /** 1 when settings were saved, else 0. */
  settings: number;
  runs: number;
}

/** What an export or import moved, how the file holds secrets, and notes for the user. */
export type TransferResult = TransferSummary;

export interface ExportOptions {
  now?: () => number;
  /** Write the secrets in clear (default: sealed with the store's codec, or omitted without one). */
  includeSecrets?: boolean;
}

const countsSchema = z.strictObject({
  configs: z.number().int().nonnegative(),
  tasks: z.number().int().nonnegative(),
  schedules: z.number().int().nonnegative(),
  settings: z.number().int().min(0).max(1),
  runs: z.number().int().nonnegative(),
});

export const storeDumpSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT, `must be "${EXPORT_FORMAT}"`),
  version: z.literal(EXPORT_VERSION, `must be ${EXPORT_VERSION}`),
  exportedAt: z.string(),
  source: z.strictObject({ kind: z.string(), location: z.string().optional() }).optional(),
  /** How the file holds configuration secrets; a file without it (older exports) is `clear`. */
  secrets: z.enum(SECRET_KINDS).optional(),
  /** For `sealed`: what sealed them (the codec's description). */
  sealedWith: z.string().optional(),
  counts: countsSchema,
  // Catalog records are checked one by one (import-checks.ts), so that a refusal names them all.
  configs: z.array(z.unknown()),
  tasks: z.array(z.unknown()),
  schedules: z.array(z.unknown()),
  settings: z.unknown().optional(),
  runs: z.array(runSchema),
});

export interface StoreDump {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  source?: { kind: string; location?: string };
  secrets?: ExportSecrets;
  sealedWith?: string;
  counts: TransferCounts;
  configs: Configuration[];
  tasks: Task[];
  schedules: ScheduleEntry[];
  settings?: Settings;
  runs: Run[];
}

/** Every run of the store, page by page (newest first). */
async function* allRuns(store: Store): AsyncGenerator<Run[]> {
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    if (page.items.length) yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

interface Catalog {
  configs: Configuration[];
  tasks: Task[];
  schedules: ScheduleEntry[];
  settings: Settings | undefined;
}

async function catalogOf(store: Store, configs?: Configuration[]): Promise<Catalog> {
  return {
    configs: configs ?? (await store.listConfigs()),
    tasks: await store.listTasks(),
    schedules: await store.listSchedules(),
    settings: await store.getSettings(),
  };
}

function requireAbsolute(file: string, where: string): void {
  if (!isAbsolute(file)) {
    throw new AppError(
      'VALIDATION',
      `${where}: file "${file}" is not an absolute path; give the full path (e.g. /home/me/export.json)`,
    );
  }
}

/**
 * Writes the whole store to `file` (mode 0600). Secrets are sealed as the store keeps them when it
 * is an `EncryptingStore`, omitted (`REDACTED`) when it has no codec, in clear with
 * `includeSecrets`. Written to a temporary file first and renamed, so an existing file is only
 * replaced by a complete export. The core's `system.export` and the command line both call this.
 */
export async function exportStoreToFile(
  store: Store,
  file: string,
  options: ExportOptions = {},
): Promise<TransferResult> {
  const now = options.now ?? Date.now;
  requireAbsolute(file, 'system.export');
  const exported = await configsForExport(store, options.includeSecrets ?? false);
  const catalog = await catalogOf(store, exported.configs);
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx', 0o600);
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `system.export: cannot create a file in ${dirname(file)}: ${(error as Error).message}; pick a folder that exists and is writable`,
    );
  }
  let runs = 0;
  try {
    // One record per line keeps the file readable and diffable while staying one JSON document.
    const head = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date(now()).toISOString(),
      source: { kind: store.kind, ...(store.location ? { location: store.location } : {}) },
      secrets: exported.secrets,
      ...(exported.sealedWith ? { sealedWith: exported.sealedWith } : {}),
    };
    await handle.write(`${JSON.stringify(head).slice(0, -1)},\n`);
    const list = async (name: string, items: readonly unknown[]): Promise<void> => {
      await handle!.write(`"${name}":[`);
      for (let i = 0; i < items.length; i++) {
        await handle!.write(`${i ? ',' : ''}\n${JSON.stringify(items[i])}`);
      }
      await handle!.write('\n],\n');
    };
    await list('configs', catalog.configs);
    await list('tasks', catalog.tasks);
    await list('schedules', catalog.schedules);
    if (catalog.settings) await handle.write(`"settings":${JSON.stringify(catalog.settings)},\n`);
    await handle.write('"runs":[');
    for await (const page of allRuns(store)) {
      let chunk = '';
      for (const run of page) chunk += `${runs++ ? ',' : ''}\n${JSON.stringify(run)}`;
      await handle.write(chunk);
    }
    const counts: TransferCounts = {
      configs: catalog.configs.length,
      tasks: catalog.tasks.length,
      schedules: catalog.schedules.length,
      settings: catalog.settings ? 1 : 0,
      runs,
    };
    await handle.write(`\n],\n"counts":${JSON.stringify(counts)}\n}\n`);
    await handle.sync();
    await handle.close();
    handle = undefined;
    // Verify before replacing anything: the file parses and holds what was counted.
    const written = await readDump(temp, 'system.export');
    if (JSON.stringify(countsOfDump(written)) !== JSON.stringify(counts)) {
      throw new AppError(
        'INTERNAL',
        `system.export: the written file holds ${JSON.stringify(countsOfDump(written))} but ${JSON.stringify(counts)} were exported; nothing was replaced, try again`,
      );
    }
    await rename(temp, file);
    return { file, counts, secrets: exported.secrets, notes: exported.notes };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

interface Countable {
  configs: readonly unknown[];
  tasks: readonly unknown[];
  schedules: readonly unknown[];
  settings?: unknown;
  runs: readonly unknown[];
}

function countsOfDump(dump: Countable): TransferCounts {
  return {
    configs: dump.configs.length,
    tasks: dump.tasks.length,
    schedules: dump.schedules.length,
    settings: dump.settings ? 1 : 0,
    runs: dump.runs.length,
  };
}

/** Reads and validates an export file; every problem is a VALIDATION error naming the field. */
export async function readDump(file: string, where = 'system.import'): Promise<StoreDump> {
  return parseDump(await readDumpValue(file, where), `${where}: ${file}`);
}

/** The file's JSON value; VALIDATION when it cannot be read or is not JSON. */
async function readDumpValue(file: string, where: string): Promise<unknown> {
  requireAbsolute(file, where);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `${where}: cannot read ${file}: ${(error as Error).message}; check the path`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `${where}: ${file} is not valid JSON (${(error as Error).message}); was the export cut short? Export again`,
    );
  }
}

/** Validates a dump held in memory (all of it, before anything is written). */
export function parseDump(value: unknown, where: string): StoreDump {
  const { dump, checked } = parseDumpRecords(value, where);
  if (checked.issues.length) throw recordsRefused(where, checked.issues);
  return dump;
}

function parseDumpRecords(
  value: unknown,
  where: string,
): { dump: StoreDump; checked: CheckedRecords } {
  const result = storeDumpSchema.safeParse(value);
  if (!result.success) {
    throw new AppError(
      'VALIDATION',
      `${where}: ${describeIssues(result.error)}; the file must be a Task Scheduler export`,
    );
  }
  const raw = result.data;
  const actual = countsOfDump(raw);
  if (JSON.stringify(actual) !== JSON.stringify(raw.counts)) {
    throw new AppError(
      'VALIDATION',
      `${where}: the file says it holds ${JSON.stringify(raw.counts)} but holds ${JSON.stringify(actual)}; it was changed or cut short, export again`,
    );
  }
  for (const kind of ['configs', 'tasks', 'schedules', 'runs'] as const) {
    const seen = new Set<string>();
    for (const item of raw[kind]) {
      const id = idOf(item);
      if (id === undefined) continue; // reported by the record checks
      if (seen.has(id)) {
        throw new AppError(
          'VALIDATION',
          `${where}: ${kind} holds id "${id}" twice; each id may appear once`,
        );
      }
      seen.add(id);
    }
  }
  const checked = checkRecords(raw);
  const { settings: _raw, ...rest } = raw;
  const dump: StoreDump = {
    ...(rest as Omit<StoreDump, 'configs' | 'tasks' | 'schedules' | 'settings'>),
    configs: checked.configs,
    tasks: checked.tasks,
    schedules: checked.schedules,
    ...(checked.settings ? { settings: checked.settings } : {}),
  };
  return { dump, checked };
}

/**
 * Writes a validated dump into `store`: catalog entries are replaced by id, runs inserted or
 * replaced by id, so importing the same file twice leaves the same store. Then checks that every
 * id of the dump is in the store.
 */
export async function importDump(store: Store, dump: StoreDump): Promise<TransferCounts> {
  for (const config of dump.configs) await store.putConfig(config);
  for (const task of dump.tasks) await store.putTask(task);
  // An import restores entries even if they were deleted since (the mongodb store remembers
  // deletions so that stale copies cannot revive them).
  await store.forgetScheduleDeletions?.(dump.schedules.map((e) => e.id));
  for (const entry of dump.schedules) await store.putSchedule(entry);
  if (dump.settings) await store.putSettings(dump.settings);
  for (const run of dump.runs) await upsertRun(store, run);
  await store.flush();
  return verify(store, dump);
}

async function upsertRun(store: Store, run: Run): Promise<void> {
  const existing = await store.getRun(run.id);
  if (!existing) return store.insertRun(run);
  if (existing.startedAt === run.startedAt) return store.updateRun(run);
  // Same id, other start: the imported record wins (stores key runs by their start time).
  await store.deleteRuns({ ids: [run.id] });
  await store.insertRun(run);
}

async function verify(store: Store, dump: StoreDump): Promise<TransferCounts> {
  const catalog = await catalogOf(store);
  const present = <T extends { id: string }>(have: T[], want: T[]): number => {
    const ids = new Set(have.map((x) => x.id));
    return want.filter((x) => ids.has(x.id)).length;
  };
  const runIds = new Set<string>();
  if (dump.runs.length)
    for await (const page of allRuns(store)) for (const r of page) runIds.add(r.id);
  const counts: TransferCounts = {
    configs: present(catalog.configs, dump.configs),
    tasks: present(catalog.tasks, dump.tasks),
    schedules: present(catalog.schedules, dump.schedules),
    settings: dump.settings && catalog.settings ? 1 : 0,
    runs: dump.runs.filter((r) => runIds.has(r.id)).length,
  };
  const expected = countsOfDump(dump);
  if (JSON.stringify(counts) !== JSON.stringify(expected)) {
    throw new AppError(
      'INTERNAL',
      `transfer: after the import the target holds ${JSON.stringify(counts)} of ${JSON.stringify(expected)}; check the target store and import again (importing is idempotent)`,
    );
  }
  return counts;
}

export interface PreparedImport {
  /** The validated file, its configurations ready for `importDump` into this store. */
  dump: StoreDump;
  secrets: ExportSecrets;
  notes: string[];
}

/**
 * Reads and validates `file` for `store`, writing nothing: records, counts, ids, and that every
 * sealed secret opens with the store's codec (else a VALIDATION error naming the configurations).
 */
export async function prepareImport(store: Store, file: string): Promise<PreparedImport> {
  const where = `system.import: ${file}`;
  const { dump, checked } = parseDumpRecords(await readDumpValue(file, 'system.import'), where);
  // Every record on its own, then the references as the catalog will be after the import: one
  // refusal naming them all, before anything is stored.
  const issues = [...checked.issues, ...(await checkReferences(checked, store))];
  if (issues.length) throw recordsRefused(where, issues);
  const { configs, notes } = await configsForImport(store, dump, where);
  return { dump: { ...dump, configs }, secrets: dump.secrets ?? 'clear', notes };
}

/** Imports an export file of any kind (sealed, omitted, clear) into `store`. */
export async function importStoreFromFile(store: Store, file: string): Promise<TransferResult> {
  const prepared = await prepareImport(store, file);
  const counts = await importDump(store, prepared.dump);
  return { file, counts, secrets: prepared.secrets, notes: prepared.notes };
}

/** Copies everything from one open store into another (e.g. json → mongodb), secrets in clear. */
export async function copyStore(
  from: Store,
  to: Store,
  now: () => number = Date.now,
): Promise<TransferCounts> {
  const catalog = await catalogOf(from);
  const runs: Run[] = [];
  for await (const page of allRuns(from)) runs.push(...page);
  const dump: StoreDump = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(now()).toISOString(),
    configs: catalog.configs,
    tasks: catalog.tasks,
    schedules: catalog.schedules,
    ...(catalog.settings ? { settings: catalog.settings } : {}),
    runs,
    counts: {
      configs: catalog.configs.length,
      tasks: catalog.tasks.length,
      schedules: catalog.schedules.length,
      settings: catalog.settings ? 1 : 0,
      runs: runs.length,
    },
  };
  return importDump(to, dump);
}
