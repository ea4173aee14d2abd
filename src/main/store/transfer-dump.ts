/**
 * The export file (a "dump"): its schema, and how one read from a file or received over HTTP is
 * validated before anything is written: the format and version, counts that match the records,
 * ids unique per kind, and every record checked on its own (import-checks.ts). Version 2 added
 * `alerts`; a version 1 file (no alerts) still imports. File format: docs/storage.md.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { Alert } from '../../shared/alerts';
import {
  describeIssues,
  type ExportDump,
  type ExportSecrets,
  type TransferCounts,
} from '../../shared/contract';
import { runSchema } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { checkRecords, recordsRefused, type CheckedRecords } from './import-checks';
import { checkAlertRecord, idOf, type RecordIssue } from './record-checks';
import { SECRET_KINDS } from './transfer-secrets';

export const EXPORT_FORMAT = 'task-scheduler-export';
/** The version written; every version in READABLE_VERSIONS imports. */
export const EXPORT_VERSION = 2;
export const READABLE_VERSIONS = [1, 2] as const;

export type StoreDump = ExportDump;
export type { TransferCounts };

const count = z.number().int().nonnegative();
const countsSchema = z.strictObject({
  configs: count,
  tasks: count,
  schedules: count,
  /** Absent in version 1 files (they hold no alerts). */
  alerts: count.optional(),
  settings: z.number().int().min(0).max(1),
  runs: count,
});

export const storeDumpSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT, `must be "${EXPORT_FORMAT}"`),
  version: z.literal(
    READABLE_VERSIONS,
    `must be ${READABLE_VERSIONS.join(' or ')} (this file comes from another version of Task Scheduler; export it again with this one)`,
  ),
  exportedAt: z.string(),
  source: z.strictObject({ kind: z.string(), location: z.string().optional() }).optional(),
  /** How the file holds secrets; a file without it (older exports) is `clear`. */
  secrets: z.enum(SECRET_KINDS).optional(),
  /** For `sealed`: what sealed them (the codec's description). */
  sealedWith: z.string().optional(),
  counts: countsSchema,
  // Catalog records are checked one by one (import-checks.ts), so that a refusal names them all.
  configs: z.array(z.unknown()),
  tasks: z.array(z.unknown()),
  schedules: z.array(z.unknown()),
  alerts: z.array(z.unknown()).optional(),
  settings: z.unknown().optional(),
  runs: z.array(runSchema),
});

export interface Countable {
  configs: readonly unknown[];
  tasks: readonly unknown[];
  schedules: readonly unknown[];
  alerts?: readonly unknown[] | undefined;
  settings?: unknown;
  runs: readonly unknown[];
}

export function countsOfDump(dump: Countable): TransferCounts {
  return {
    configs: dump.configs.length,
    tasks: dump.tasks.length,
    schedules: dump.schedules.length,
    alerts: dump.alerts?.length ?? 0,
    settings: dump.settings ? 1 : 0,
    runs: dump.runs.length,
  };
}

/** Same counts (a version 1 file has no `alerts` count: 0). */
export function sameCounts(a: Partial<TransferCounts>, b: Partial<TransferCounts>): boolean {
  const norm = (c: Partial<TransferCounts>): string =>
    JSON.stringify({ ...c, alerts: c.alerts ?? 0 }, Object.keys(countsSchema.shape).sort());
  return norm(a) === norm(b);
}

export function requireAbsolute(file: string): void {
  if (!isAbsolute(file)) {
    throw new AppError(
      'VALIDATION',
      `file "${file}" is not an absolute path; give the full path (e.g. /home/me/export.json)`,
    );
  }
}

/** The file's JSON value; VALIDATION when it cannot be read or is not JSON. */
export async function readDumpValue(file: string): Promise<unknown> {
  requireAbsolute(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `cannot read ${file}: ${(error as Error).message}; check the path`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `${file} is not valid JSON (${(error as Error).message}); was the export cut short? Export again`,
    );
  }
}

/** Reads and validates an export file; every problem is a VALIDATION error naming the field. */
export async function readDump(file: string): Promise<StoreDump> {
  return parseDump(await readDumpValue(file), file);
}

/** Validates a dump held in memory (all of it, before anything is written). */
export function parseDump(value: unknown, where: string): StoreDump {
  const { dump, checked } = parseDumpRecords(value, where);
  if (checked.issues.length) throw recordsRefused(where, checked.issues);
  return dump;
}

export interface CheckedDump {
  dump: StoreDump;
  checked: CheckedRecords;
}

function checkAlerts(values: readonly unknown[], issues: RecordIssue[]): Alert[] {
  const good: Alert[] = [];
  values.forEach((value, index) => {
    const checked = checkAlertRecord(value);
    if (checked.ok) good.push(checked.record);
    else issues.push(...checked.issues.map((issue) => ({ ...issue, index })));
  });
  return good;
}

/** The dump with every record checked on its own; `checked.issues` lists the bad ones. */
export function parseDumpRecords(value: unknown, where: string): CheckedDump {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(
      'VALIDATION',
      `${where}: is not a Task Scheduler export (a JSON object with "format": "${EXPORT_FORMAT}"); pick a file written by Export`,
    );
  }
  const result = storeDumpSchema.safeParse(value);
  if (!result.success) {
    throw new AppError(
      'VALIDATION',
      `${where}: ${describeIssues(result.error)}; the file must be a Task Scheduler export`,
    );
  }
  const raw = result.data;
  const actual = countsOfDump(raw);
  if (!sameCounts(actual, raw.counts)) {
    throw new AppError(
      'VALIDATION',
      `${where}: the file says it holds ${JSON.stringify(raw.counts)} but holds ${JSON.stringify(actual)}; it was changed or cut short, export again`,
    );
  }
  for (const kind of ['configs', 'tasks', 'schedules', 'alerts', 'runs'] as const) {
    const seen = new Set<string>();
    for (const item of raw[kind] ?? []) {
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
  const alerts = checkAlerts(raw.alerts ?? [], checked.issues);
  const { settings: _raw, ...rest } = raw;
  const dump: StoreDump = {
    ...(rest as Omit<StoreDump, 'configs' | 'tasks' | 'schedules' | 'alerts' | 'settings'>),
    secrets: raw.secrets as ExportSecrets | undefined,
    counts: actual,
    configs: checked.configs,
    tasks: checked.tasks,
    schedules: checked.schedules,
    alerts,
    ...(checked.settings ? { settings: checked.settings } : {}),
  };
  if (dump.secrets === undefined) delete dump.secrets;
  return { dump, checked };
}
