/**
 * Query matching, projection and sorting over a collection's documents, with mingo's semantics
 * (no server-side JavaScript; `$lookup` reads collections of the same database).
 */
import { find as mingoFind } from 'mingo';
import { CommandError } from './errors';
import type { StandinData } from './storage';
import { isPlainObject, refuseScripts } from './values';
import type { Doc } from './wire';

export function queryOptions(
  data: StandinData,
  db: string,
): {
  scriptEnabled: false;
  collectionResolver: (name: string) => Doc[];
} {
  return {
    scriptEnabled: false,
    collectionResolver: (name: string) => data.collection(db, name)?.all() ?? [],
  };
}

/** The collection a command names in `field`. */
export function collectionName(cmd: Doc, field: string): string {
  const name = cmd[field];
  if (typeof name !== 'string' || name.length === 0) {
    throw new CommandError(
      73,
      'InvalidNamespace',
      `mongo-standin: ${field} needs a collection name (got ${JSON.stringify(name)})`,
    );
  }
  return name;
}

export function match(data: StandinData, db: string, docs: Doc[], filter: unknown): Doc[] {
  if (filter !== undefined && filter !== null && !isPlainObject(filter)) {
    throw new CommandError(14, 'TypeMismatch', 'filter must be an object');
  }
  const criteria = (filter ?? {}) as Doc;
  refuseScripts(criteria);
  if (Object.keys(criteria).length === 0) return docs;
  return mingoFind(docs, criteria, undefined, queryOptions(data, db)).all() as Doc[];
}

export function project(data: StandinData, db: string, docs: Doc[], projection: unknown): Doc[] {
  if (!isPlainObject(projection) || Object.keys(projection).length === 0) return docs;
  return mingoFind(docs, {}, projection, queryOptions(data, db)).all() as Doc[];
}

export function sorted(data: StandinData, db: string, docs: Doc[], sort: unknown): Doc[] {
  if (!isPlainObject(sort) || Object.keys(sort).length === 0) return docs;
  if ('$natural' in sort) return Number(sort.$natural) < 0 ? [...docs].reverse() : docs;
  return mingoFind(docs, {}, undefined, queryOptions(data, db))
    .sort(sort as Record<string, 1 | -1>)
    .all() as Doc[];
}
