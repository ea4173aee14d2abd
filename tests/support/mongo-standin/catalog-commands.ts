/**
 * The stand-in's catalog: `create`, `drop`, `dropDatabase`, `listCollections`, `listDatabases`,
 * and the indexes (`createIndexes`, `listIndexes`, `dropIndexes`); only unique ones do anything.
 */
import { Query } from 'mingo';
import { BSON } from 'mongodb';
import type { ConnectionState, EngineContext, Handlers } from './context';
import { badValue, CommandError } from './errors';
import { collectionName, match } from './queries';
import { dupKeyError, indexKeys, type IndexSpec, type UniqueIndex } from './storage';
import { isPlainObject, keyString } from './values';
import type { Doc } from './wire';

function create(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'create');
  if (ctx.data.collection(db, name)) {
    throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${name} already exists.`);
  }
  const { create: _c, $db: _d, lsid: _l, $clusterTime: _t, writeConcern: _w, ...options } = cmd;
  ctx.data.ensureCollection(db, name, options);
  return { ok: 1 };
}

function drop(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'drop');
  const collections = ctx.data.databases.get(db);
  const existed = collections?.delete(name) === true;
  return existed ? { nIndexesWas: 1, ns: `${db}.${name}`, ok: 1 } : { ok: 1 };
}

function listCollections(ctx: EngineContext, db: string, cmd: Doc, conn: ConnectionState): Doc {
  const collections = [...(ctx.data.databases.get(db)?.entries() ?? [])];
  let docs: Doc[] = collections.map(([name, coll]) =>
    cmd.nameOnly === true
      ? { name, type: 'collection' }
      : {
          name,
          type: 'collection',
          options: coll.options,
          info: { readOnly: false, uuid: coll.uuid },
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
        },
  );
  docs = match(ctx.data, db, docs, cmd.filter);
  const cursor = isPlainObject(cmd.cursor) ? cmd.cursor : {};
  return ctx.cursors.reply(`${db}.$cmd.listCollections`, docs, cursor.batchSize, false, conn);
}

function listDatabases(ctx: EngineContext, cmd: Doc): Doc {
  let databases: Doc[] = [...ctx.data.databases.entries()].map(([name, collections]) => {
    let size = 0;
    for (const coll of collections.values()) {
      for (const doc of coll.docs.values()) size += BSON.calculateObjectSize(doc);
    }
    return { name, sizeOnDisk: size, empty: size === 0 };
  });
  databases = match(ctx.data, 'admin', databases, cmd.filter);
  const totalSize = databases.reduce((sum, d) => sum + Number(d.sizeOnDisk), 0);
  if (cmd.nameOnly === true) databases = databases.map((d) => ({ name: d.name }));
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
}

function createIndexes(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'createIndexes');
  const specs = cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0) {
    throw badValue("mongo-standin: createIndexes needs a non-empty 'indexes' array");
  }
  const existed = ctx.data.collection(db, name) !== undefined;
  const coll = ctx.data.ensureCollection(db, name);
  const before = coll.indexes.length;
  for (const raw of specs as Doc[]) {
    if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
      throw new CommandError(
        67,
        'CannotCreateIndex',
        "mongo-standin: each index needs a non-empty 'key'",
      );
    }
    const key = raw.key;
    const indexName =
      typeof raw.name === 'string'
        ? raw.name
        : Object.entries(key)
            .map(([f, d]) => `${f}_${String(d)}`)
            .join('_');
    const { v: _v, key: _k, name: _n, ...rest } = raw;
    const spec: IndexSpec = { v: 2, key, name: indexName, ...rest };
    const sameName = coll.indexes.find((i) => i.name === indexName);
    const sameKey = coll.indexes.find((i) => keyString(i.key) === keyString(key));
    if (sameName || sameKey) {
      const existing = (sameName ?? sameKey)!;
      if (
        keyString(existing.key) === keyString(key) &&
        existing.name === indexName &&
        Boolean(existing.unique) === Boolean(spec.unique) &&
        keyString(existing.partialFilterExpression) === keyString(spec.partialFilterExpression)
      ) {
        continue; // identical index: a no-op, as on a real server
      }
      throw new CommandError(
        85,
        'IndexOptionsConflict',
        `An existing index has the same ${sameName ? 'name' : 'key pattern'} as the requested index: ${existing.name}`,
      );
    }
    if (spec.unique === true && !(Object.keys(key).length === 1 && '_id' in key)) {
      if (
        spec.partialFilterExpression !== undefined &&
        !isPlainObject(spec.partialFilterExpression)
      ) {
        throw badValue('partialFilterExpression must be an object');
      }
      const index: UniqueIndex = {
        spec,
        fields: Object.keys(key),
        entries: new Map(),
        filter: spec.partialFilterExpression ? new Query(spec.partialFilterExpression) : undefined,
      };
      for (const doc of coll.docs.values()) {
        for (const { key: k, values } of indexKeys(index, doc)) {
          if (index.entries.has(k)) throw dupKeyError(`${db}.${name}`, index, doc._id, values);
          index.entries.set(k, doc);
        }
      }
      coll.unique.push(index);
    }
    coll.indexes.push(spec);
  }
  return {
    createdCollectionAutomatically: !existed,
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.length,
    ok: 1,
  };
}

function listIndexes(ctx: EngineContext, db: string, cmd: Doc, conn: ConnectionState): Doc {
  const name = collectionName(cmd, 'listIndexes');
  const coll = ctx.data.collection(db, name);
  if (!coll) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${name}`);
  const cursor = isPlainObject(cmd.cursor) ? cmd.cursor : {};
  return ctx.cursors.reply(`${db}.${name}`, [...coll.indexes], cursor.batchSize, false, conn);
}

function dropIndexes(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, Object.keys(cmd)[0]!);
  const coll = ctx.data.collection(db, name);
  if (!coll) throw new CommandError(26, 'NamespaceNotFound', `ns not found ${db}.${name}`);
  const before = coll.indexes.length;
  const target = cmd.index;
  let names: string[];
  if (target === '*') {
    names = coll.indexes.filter((i) => i.name !== '_id_').map((i) => i.name);
  } else if (typeof target === 'string') {
    names = [target];
  } else if (Array.isArray(target)) {
    names = target.map(String);
  } else if (isPlainObject(target)) {
    const found = coll.indexes.find((i) => keyString(i.key) === keyString(target));
    if (!found) {
      throw new CommandError(
        27,
        'IndexNotFound',
        `can't find index with key: ${JSON.stringify(target)}`,
      );
    }
    names = [found.name];
  } else {
    throw badValue("mongo-standin: dropIndexes needs 'index' ('*', a name, names or a key)");
  }
  for (const indexName of names) {
    if (indexName === '_id_') throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.some((i) => i.name === indexName)) {
      throw new CommandError(27, 'IndexNotFound', `index not found with name [${indexName}]`);
    }
  }
  coll.indexes.splice(
    0,
    coll.indexes.length,
    ...coll.indexes.filter((i) => !names.includes(i.name)),
  );
  coll.unique = coll.unique.filter((u) => !names.includes(u.spec.name));
  return { nIndexesWas: before, ok: 1 };
}

export function catalogCommands(ctx: EngineContext): Handlers {
  return {
    create: (db, cmd) => create(ctx, db, cmd),
    drop: (db, cmd) => drop(ctx, db, cmd),
    dropDatabase: (db) => {
      ctx.data.databases.delete(db);
      return { dropped: db, ok: 1 };
    },
    listCollections: (db, cmd, conn) => listCollections(ctx, db, cmd, conn),
    listDatabases: (_db, cmd) => listDatabases(ctx, cmd),
    createIndexes: (db, cmd) => createIndexes(ctx, db, cmd),
    listIndexes: (db, cmd, conn) => listIndexes(ctx, db, cmd, conn),
    dropIndexes: (db, cmd) => dropIndexes(ctx, db, cmd),
    deleteIndexes: (db, cmd) => dropIndexes(ctx, db, cmd),
  };
}
