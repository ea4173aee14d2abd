/**
 * The catalog's problems as the json store reports them (docs/storage.md, "Problems"): records of
 * catalog.json set aside at load, and catalogs moved aside as unreadable.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { nameRecord } from '../record-checks';
import { CATALOG_FILE, CORRUPT_INFIX, type SetAsideRecord } from './catalog';
import { digest, type ProblemInput } from './problem-file';

/** The problem of one set-aside record; its id changes when the record does. */
export function setAsideProblem(record: SetAsideRecord, catalogPath: string): ProblemInput {
  const name = nameRecord(record);
  const what = record.issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
  const message =
    record.kind === 'settings'
      ? `The settings in ${CATALOG_FILE} are not valid (${what}). The app runs with the defaults for those fields; save the settings to replace the stored ones.`
      : `${name[0]!.toUpperCase()}${name.slice(1)} in ${CATALOG_FILE} is not valid and is set aside: it is not listed, run or scheduled (${what}). It stays in the file as it was: fix it there while the app is stopped, or import a good copy with the same id.`;
  return {
    id: `${record.kind}:${record.id ?? `#${record.index + 1}`}:${digest(record.record)}`,
    kind: record.kind,
    ...(record.id !== undefined ? { recordId: record.id } : {}),
    message,
    at: catalogPath,
  };
}

export const movedCatalogId = (name: string): string => `catalog:${name}`;

/** A catalog moved aside: `reason` is known at the open that moved it. */
export function movedCatalogProblem(dir: string, name: string, reason?: string): ProblemInput {
  const path = join(dir, name);
  return {
    id: movedCatalogId(name),
    kind: 'catalog',
    message: `${CATALOG_FILE} could not be read${reason ? ` (${reason})` : ''} and was moved to ${path}, so the store started with an empty catalog: the configurations, tasks, schedule entries and settings it held are not loaded. To get them back, stop the app and put that file back as ${CATALOG_FILE} once it is fixed (or a backup in its place). Acknowledge this problem once you have dealt with it; the moved file is kept.`,
    at: path,
  };
}

/** Names of the catalogs moved aside in `dir`. */
export async function movedCatalogs(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir);
  return names.filter((n) => n.startsWith(`${CATALOG_FILE}${CORRUPT_INFIX}`)).sort();
}
