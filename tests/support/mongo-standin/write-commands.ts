/**
 * The stand-in's writes: `insert`, `update`, `delete` and `findAndModify`, each checking the
 * unique indexes; a failed statement is a `writeErrors` entry (findAndModify: a command error).
 */
import { BSON } from 'mongodb';
import type { EngineContext, Handlers } from './context';
import { badValue, CommandError } from './errors';
import { collectionName, match, project, sorted } from './queries';
import { insertDoc, removeDoc, replaceDoc } from './storage';
import { applyUpdate, upsertDoc } from './update-operators';
import { isPlainObject, refuseScripts, sameBson } from './values';
import type { Doc } from './wire';

function insert(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'insert');
  const documents = cmd.documents;
  if (!Array.isArray(documents)) throw badValue("mongo-standin: insert needs 'documents'");
  const coll = ctx.data.ensureCollection(db, name);
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  let n = 0;
  documents.forEach((raw: Doc, index) => {
    if (ordered && writeErrors.length > 0) return;
    try {
      if (!isPlainObject(raw)) throw badValue('document to insert must be an object');
      // _id goes first, as mongod stores it.
      const { _id, ...rest } = raw;
      const doc = { _id: _id === undefined ? new BSON.ObjectId() : _id, ...rest };
      refuseScripts(doc);
      insertDoc(`${db}.${name}`, coll, doc);
      n++;
    } catch (error) {
      writeErrors.push(writeError(index, error));
    }
  });
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

function writeError(index: number, error: unknown): Doc {
  const failure =
    error instanceof CommandError
      ? error
      : badValue(error instanceof Error ? error.message : String(error));
  return {
    index,
    code: failure.code,
    codeName: failure.codeName,
    errmsg: failure.message,
    ...failure.extra,
  };
}

function update(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'update');
  const updates = cmd.updates;
  if (!Array.isArray(updates)) throw badValue("mongo-standin: update needs 'updates'");
  const ns = `${db}.${name}`;
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  updates.forEach((statement: Doc, index) => {
    if (ordered && writeErrors.length > 0) return;
    try {
      const query = (statement.q ?? {}) as Doc;
      const coll = ctx.data.collection(db, name);
      let matches = match(ctx.data, db, coll?.all() ?? [], query);
      matches = sorted(ctx.data, db, matches, statement.sort);
      if (statement.multi !== true) matches = matches.slice(0, 1);
      if (matches.length === 0 && statement.upsert === true) {
        const doc = upsertDoc(ctx.data, db, query, statement.u, statement.arrayFilters);
        insertDoc(ns, ctx.data.ensureCollection(db, name), doc);
        upserted.push({ index, _id: doc._id });
        n++;
        return;
      }
      if (
        statement.multi === true &&
        isPlainObject(statement.u) &&
        !Object.keys(statement.u).some((k) => k.startsWith('$'))
      ) {
        throw badValue('multi update is not supported for replacement-style update');
      }
      for (const old of matches) {
        const next = applyUpdate(
          ctx.data,
          db,
          old,
          statement.u,
          statement.arrayFilters,
          query,
          false,
        );
        n++;
        if (sameBson(old, next)) continue;
        replaceDoc(ns, coll!, old, next);
        nModified++;
      }
    } catch (error) {
      writeErrors.push(writeError(index, error));
    }
  });
  const reply: Doc = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

function deleteDocs(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'delete');
  const deletes = cmd.deletes;
  if (!Array.isArray(deletes)) throw badValue("mongo-standin: delete needs 'deletes'");
  const writeErrors: Doc[] = [];
  let n = 0;
  deletes.forEach((statement: Doc, index) => {
    if (cmd.ordered !== false && writeErrors.length > 0) return;
    try {
      const coll = ctx.data.collection(db, name);
      let matches = match(ctx.data, db, coll?.all() ?? [], statement.q);
      if (Number(statement.limit) === 1) matches = matches.slice(0, 1);
      for (const doc of matches) removeDoc(coll!, doc);
      n += matches.length;
    } catch (error) {
      writeErrors.push(writeError(index, error));
    }
  });
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

function findAndModify(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, Object.keys(cmd)[0]!);
  const ns = `${db}.${name}`;
  const query = (cmd.query ?? {}) as Doc;
  if (cmd.remove !== true && cmd.update === undefined) {
    throw new CommandError(9, 'FailedToParse', 'Either an update or remove=true must be specified');
  }
  const coll = ctx.data.collection(db, name);
  const matches = sorted(ctx.data, db, match(ctx.data, db, coll?.all() ?? [], query), cmd.sort);
  const old = matches[0];
  const shape = (doc: Doc | undefined): Doc | null =>
    doc === undefined ? null : (project(ctx.data, db, [doc], cmd.fields)[0] ?? null);
  if (cmd.remove === true) {
    if (old) removeDoc(coll!, old);
    return { lastErrorObject: { n: old ? 1 : 0 }, value: shape(old), ok: 1 };
  }
  if (!old) {
    if (cmd.upsert !== true) {
      return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    }
    const doc = upsertDoc(ctx.data, db, query, cmd.update, cmd.arrayFilters);
    insertDoc(ns, ctx.data.ensureCollection(db, name), doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: cmd.new === true ? shape(doc) : null,
      ok: 1,
    };
  }
  const next = applyUpdate(ctx.data, db, old, cmd.update, cmd.arrayFilters, query, false);
  if (!sameBson(old, next)) replaceDoc(ns, coll!, old, next);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: shape(cmd.new === true ? next : old),
    ok: 1,
  };
}

export function writeCommands(ctx: EngineContext): Handlers {
  return {
    insert: (db, cmd) => insert(ctx, db, cmd),
    update: (db, cmd) => update(ctx, db, cmd),
    delete: (db, cmd) => deleteDocs(ctx, db, cmd),
    findAndModify: (db, cmd) => findAndModify(ctx, db, cmd),
    findandmodify: (db, cmd) => findAndModify(ctx, db, cmd),
  };
}
