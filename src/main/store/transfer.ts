/**
 * Moving data between stores: export a whole store to one JSON file, import such a file into any
 * store, or copy one store into another, all through the `Store` interface. Imports validate the
 * whole file before writing anything, upsert by id (importing twice changes nothing), and verify
 * by counts that everything arrived. Secrets: transfer-secrets.ts (configurations) and
 * transfer-alerts.ts (alerts); the file and its checks: transfer-dump.ts. Format: docs/storage.md.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Alert } from '../../shared/alerts';
import type { ExportSecrets, TransferCounts, TransferSummary } from '../../shared/contract';
import type { Configuration, Run, ScheduleEntry, Settings, Task } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { checkReferences, recordsRefused } from './import-checks';
import { alertsForExport, alertsForImport } from './transfer-alerts';
import {
  countsOfDump,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  parseDumpRecords,
  readDump,
  readDumpValue,
  requireAbsolute,
  sameCounts,
  type StoreDump,
} from './transfer-dump';
import { configsForExport, configsForImport } from './transfer-secrets';
import type { Store } from './types';

export {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  parseDump,
  readDump,
  storeDumpSchema,
} from './transfer-dump';
export type { StoreDump } from './transfer-dump';
const PAGE = 1000;

/** What an export or import moved, how the file holds secrets, and notes for the user. */
export type TransferResult = TransferSummary;

export interface ExportOptions {
  now?: () => number;
  /** Write the secrets in clear (default: sealed with the store's codec, or omitted without one). */
  includeSecrets?: boolean;
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
  alerts: Alert[];
  settings: Settings | undefined;
}

async function catalogOf(store: Store, exported?: Partial<Catalog>): Promise<Catalog> {
  return {
    configs: exported?.configs ?? (await store.listConfigs()),
    tasks: await store.listTasks(),
    schedules: await store.listSchedules(),
    alerts: exported?.alerts ?? (await store.listAlerts()),
    settings: await store.getSettings(),
  };
}

/** What an export holds besides the runs: the head of the file, the catalog, the notes. */
interface ExportParts {
  head: Pick<StoreDump, 'format' | 'version' | 'exportedAt' | 'source' | 'secrets' | 'sealedWith'>;
  catalog: Catalog;
  secrets: ExportSecrets;
  notes: string[];
}

async function exportParts(store: Store, options: ExportOptions): Promise<ExportParts> {
  const now = options.now ?? Date.now;
  const exported = await configsForExport(store, options.includeSecrets ?? false);
  const alerts = await alertsForExport(store, exported.secrets);
  const catalog = await catalogOf(store, { configs: exported.configs, alerts: alerts.alerts });
  return {
    head: {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date(now()).toISOString(),
      source: { kind: store.kind, ...(store.location ? { location: store.location } : {}) },
      secrets: exported.secrets,
      ...(exported.sealedWith ? { sealedWith: exported.sealedWith } : {}),
    },
    catalog,
    secrets: exported.secrets,
    notes: [...exported.notes, ...alerts.notes],
  };
}

/** The dump of `catalog` and `runs` under `head` (its format, version, time and secrets). */
function dumpOf(head: ExportParts['head'], catalog: Catalog, runs: Run[]): StoreDump {
  return {
    ...head,
    configs: catalog.configs,
    tasks: catalog.tasks,
    schedules: catalog.schedules,
    alerts: catalog.alerts,
    ...(catalog.settings ? { settings: catalog.settings } : {}),
    runs,
    counts: catalogCounts(catalog, runs.length),
  };
}

function catalogCounts(catalog: Catalog, runs: number): TransferCounts {
  return {
    configs: catalog.configs.length,
    tasks: catalog.tasks.length,
    schedules: catalog.schedules.length,
    alerts: catalog.alerts.length,
    settings: catalog.settings ? 1 : 0,
    runs,
  };
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
  requireAbsolute(file);
  const { head, catalog, secrets, notes } = await exportParts(store, options);
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
    await list('alerts', catalog.alerts);
    if (catalog.settings) await handle.write(`"settings":${JSON.stringify(catalog.settings)},\n`);
    await handle.write('"runs":[');
    for await (const page of allRuns(store)) {
      let chunk = '';
      for (const run of page) chunk += `${runs++ ? ',' : ''}\n${JSON.stringify(run)}`;
      await handle.write(chunk);
    }
    const counts = catalogCounts(catalog, runs);
    await handle.write(`\n],\n"counts":${JSON.stringify(counts)}\n}\n`);
    await handle.sync();
    await handle.close();
    handle = undefined;
    // Verify before replacing anything: the file parses and holds what was counted.
    const written = await readDump(temp);
    if (!sameCounts(countsOfDump(written), counts)) {
      throw new AppError(
        'INTERNAL',
        `system.export: the written file holds ${JSON.stringify(countsOfDump(written))} but ${JSON.stringify(counts)} were exported; nothing was replaced, try again`,
      );
    }
    await rename(temp, file);
    return { file, counts, secrets, notes };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

/** Without its runs, the history is left out of the export (a smaller file). */
export interface DataExportOptions extends ExportOptions {
  runs?: boolean;
}

/**
 * The same export as `exportStoreToFile`, held in memory (what `system.exportData` answers for a
 * browser download). The whole run history is in memory at once: large stores export to a file.
 */
export async function exportStoreData(
  store: Store,
  options: DataExportOptions = {},
): Promise<{ dump: StoreDump; counts: TransferCounts; secrets: ExportSecrets; notes: string[] }> {
  const { head, catalog, secrets, notes } = await exportParts(store, options);
  const runs: Run[] = [];
  if (options.runs ?? true) for await (const page of allRuns(store)) runs.push(...page);
  const dump = dumpOf(head, catalog, runs);
  const counts = dump.counts;
  const left = options.runs === false ? ['The run history was left out of this export.'] : [];
  return { dump, counts, secrets, notes: [...notes, ...left] };
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
  for (const alert of dump.alerts ?? []) await store.putAlert(alert);
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
  const present = <T extends { id: string }>(have: T[], want: readonly T[]): number => {
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
    alerts: present(catalog.alerts, dump.alerts ?? []),
    settings: dump.settings && catalog.settings ? 1 : 0,
    runs: dump.runs.filter((r) => runIds.has(r.id)).length,
  };
  const expected = countsOfDump(dump);
  if (!sameCounts(counts, expected)) {
    throw new AppError(
      'INTERNAL',
      `transfer: after the import the target holds ${JSON.stringify(counts)} of ${JSON.stringify(expected)}; check the target store and import again (importing is idempotent)`,
    );
  }
  return counts;
}

export interface PreparedImport {
  /** The validated file, its configurations and alerts ready for `importDump` into this store. */
  dump: StoreDump;
  secrets: ExportSecrets;
  notes: string[];
}

/**
 * Validates a dump's value for `store`, writing nothing: records, counts, ids, references, and
 * that every sealed secret opens with the store's codec (else one VALIDATION naming them).
 */
export async function prepareDump(
  store: Store,
  value: unknown,
  where: string,
): Promise<PreparedImport> {
  const { dump, checked } = parseDumpRecords(value, where);
  // Every record on its own, then the references as the catalog will be after the import: one
  // refusal naming them all, before anything is stored.
  const issues = [...checked.issues, ...(await checkReferences(checked, store))];
  if (issues.length) throw recordsRefused(where, issues);
  const { configs, notes } = await configsForImport(store, dump, where);
  const alerts = await alertsForImport(store, dump, where);
  if (alerts.issues.length) throw recordsRefused(where, alerts.issues);
  return {
    dump: { ...dump, configs, alerts: alerts.alerts },
    secrets: dump.secrets ?? 'clear',
    notes: [...notes, ...alerts.notes],
  };
}

/** `prepareDump` for an export file (absolute path). */
export async function prepareImport(store: Store, file: string): Promise<PreparedImport> {
  return prepareDump(store, await readDumpValue(file), file);
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
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date(now()).toISOString(),
  } as const;
  return importDump(to, dumpOf(head, catalog, runs));
}
