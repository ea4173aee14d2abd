/**
 * The stand-in's storage: databases of collections of documents in natural order, and the unique
 * indexes (with `_id`) that every insert and replacement checks before it changes anything.
 */
import type { Query } from 'mingo';
import { BSON } from 'mongodb';
import { CommandError } from './errors';
import { cloneDoc, keyString, shellValue, valuesAt } from './values';
import type { Doc } from './wire';

export interface IndexSpec extends Doc {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
}

export interface UniqueIndex {
  spec: IndexSpec;
  fields: string[];
  /** Index key → the stored document that holds it. */
  entries: Map<string, Doc>;
  filter: Query | undefined;
}

interface IndexKey {
  key: string;
  values: unknown[];
}

export class CollectionState {
  /** keyString(_id) → document; a Map keeps natural (insertion) order. */
  readonly docs = new Map<string, Doc>();
  readonly indexes: IndexSpec[] = [{ v: 2, key: { _id: 1 }, name: '_id_' }];
  unique: UniqueIndex[] = [];
  readonly uuid = new BSON.UUID();

  constructor(readonly options: Doc = {}) {}

  all(): Doc[] {
    return [...this.docs.values()];
  }
}

/** All databases; shared across restarts of one stand-in. */
export class StandinData {
  readonly databases = new Map<string, Map<string, CollectionState>>();

  collection(db: string, name: string): CollectionState | undefined {
    return this.databases.get(db)?.get(name);
  }

  ensureCollection(db: string, name: string, options: Doc = {}): CollectionState {
    let collections = this.databases.get(db);
    if (!collections) {
      collections = new Map();
      this.databases.set(db, collections);
    }
    let collection = collections.get(name);
    if (!collection) {
      if (!/^[^$\0]+$/.test(name) || name.startsWith('system.')) {
        throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: ${db}.${name}`);
      }
      collection = new CollectionState(options);
      collections.set(name, collection);
    }
    return collection;
  }

  /** Copies of a collection's documents in natural order (empty when it does not exist). */
  documents(db: string, name: string): Doc[] {
    return (this.collection(db, name)?.all() ?? []).map((doc) => cloneDoc(doc));
  }

  clear(): void {
    this.databases.clear();
  }
}

export function dupKeyError(
  ns: string,
  index: UniqueIndex | undefined,
  id: unknown,
  values: unknown[],
): CommandError {
  const name = index?.spec.name ?? '_id_';
  const keyPattern = index?.spec.key ?? { _id: 1 };
  const fields = index?.fields ?? ['_id'];
  const keyValue: Doc = {};
  fields.forEach((field, i) => {
    keyValue[field] = index ? (values[i] ?? null) : id;
  });
  const shown = fields.map((f) => `${f}: ${shellValue(keyValue[f])}`).join(', ');
  return new CommandError(
    11000,
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${name} dup key: { ${shown} }`,
    { keyPattern, keyValue },
  );
}

export function indexKeys(index: UniqueIndex, doc: Doc): IndexKey[] {
  if (index.filter && !index.filter.test(doc)) return [];
  const perField = index.fields.map((field) => valuesAt(doc, field.split('.')));
  if (index.spec.sparse && perField.every((values) => values.every((v) => v === undefined))) {
    return [];
  }
  let combos: unknown[][] = [[]];
  for (const values of perField) {
    combos = combos.flatMap((combo) => values.map((v) => [...combo, v]));
  }
  const seen = new Set<string>();
  const keys: IndexKey[] = [];
  for (const values of combos) {
    const key = keyString(values.map((v) => v ?? null));
    if (!seen.has(key)) {
      seen.add(key);
      keys.push({ key, values });
    }
  }
  return keys;
}

export function insertDoc(ns: string, coll: CollectionState, doc: Doc): void {
  const id = keyString(doc._id);
  if (coll.docs.has(id)) throw dupKeyError(ns, undefined, doc._id, []);
  const plan = coll.unique.map((index) => ({ index, keys: indexKeys(index, doc) }));
  for (const { index, keys } of plan) {
    for (const { key, values } of keys) {
      if (index.entries.has(key)) throw dupKeyError(ns, index, doc._id, values);
    }
  }
  coll.docs.set(id, doc);
  for (const { index, keys } of plan) for (const { key } of keys) index.entries.set(key, doc);
}

export function replaceDoc(ns: string, coll: CollectionState, old: Doc, next: Doc): void {
  const plan = coll.unique.map((index) => ({ index, keys: indexKeys(index, next) }));
  for (const { index, keys } of plan) {
    for (const { key, values } of keys) {
      const holder = index.entries.get(key);
      if (holder !== undefined && holder !== old) throw dupKeyError(ns, index, next._id, values);
    }
  }
  for (const index of coll.unique) {
    for (const { key } of indexKeys(index, old)) {
      if (index.entries.get(key) === old) index.entries.delete(key);
    }
  }
  coll.docs.set(keyString(old._id), next);
  for (const { index, keys } of plan) for (const { key } of keys) index.entries.set(key, next);
}

export function removeDoc(coll: CollectionState, doc: Doc): void {
  coll.docs.delete(keyString(doc._id));
  for (const index of coll.unique) {
    for (const { key } of indexKeys(index, doc)) {
      if (index.entries.get(key) === doc) index.entries.delete(key);
    }
  }
}
