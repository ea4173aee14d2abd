/** The stand-in's reads: `find`, `getMore`, `killCursors`, `aggregate`, `count`, `distinct`. */
import { aggregate as mingoAggregate } from 'mingo';
import type { ConnectionState, EngineContext, Handlers } from './context';
import { badValue, CommandError } from './errors';
import { collectionName, match, project, queryOptions, sorted } from './queries';
import { isPlainObject, keyString, refuseScripts, valuesAt } from './values';
import type { Doc } from './wire';

function find(ctx: EngineContext, db: string, cmd: Doc, conn: ConnectionState): Doc {
  const name = collectionName(cmd, 'find');
  const coll = ctx.data.collection(db, name);
  let docs = match(ctx.data, db, coll?.all() ?? [], cmd.filter);
  docs = sorted(ctx.data, db, docs, cmd.sort);
  const skip = typeof cmd.skip === 'number' ? cmd.skip : 0;
  if (skip < 0) throw badValue('skip value must be non-negative');
  const limit = typeof cmd.limit === 'number' ? cmd.limit : 0;
  if (skip > 0 || limit !== 0) {
    docs = docs.slice(skip, limit === 0 ? undefined : skip + Math.abs(limit));
  }
  docs = project(ctx.data, db, docs, cmd.projection);
  return ctx.cursors.reply(
    `${db}.${name}`,
    docs,
    cmd.batchSize,
    cmd.singleBatch === true || limit < 0,
    conn,
  );
}

function aggregate(ctx: EngineContext, db: string, cmd: Doc, conn: ConnectionState): Doc {
  if (typeof cmd.aggregate !== 'string') {
    throw badValue('mongo-standin: database-level aggregate ({ aggregate: 1 }) is not supported');
  }
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline)) {
    throw new CommandError(14, 'TypeMismatch', "'pipeline' option must be specified as an array");
  }
  refuseScripts(pipeline);
  for (const stage of pipeline as Doc[]) {
    const op = Object.keys(stage)[0];
    if (op === '$out' || op === '$merge') {
      throw badValue(`mongo-standin: ${op} is not supported; read the results and insert them`);
    }
  }
  const docs = ctx.data.collection(db, cmd.aggregate)?.all() ?? [];
  const results = mingoAggregate(docs, pipeline as Doc[], queryOptions(ctx.data, db)) as Doc[];
  const cursorOptions = isPlainObject(cmd.cursor) ? cmd.cursor : {};
  return ctx.cursors.reply(`${db}.${cmd.aggregate}`, results, cursorOptions.batchSize, false, conn);
}

function count(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'count');
  let docs = match(ctx.data, db, ctx.data.collection(db, name)?.all() ?? [], cmd.query);
  const skip = typeof cmd.skip === 'number' ? cmd.skip : 0;
  const limit = typeof cmd.limit === 'number' ? Math.abs(cmd.limit) : 0;
  docs = docs.slice(skip, limit === 0 ? undefined : skip + limit);
  return { n: docs.length, ok: 1 };
}

function distinct(ctx: EngineContext, db: string, cmd: Doc): Doc {
  const name = collectionName(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw badValue("mongo-standin: distinct needs a string 'key'");
  const docs = match(ctx.data, db, ctx.data.collection(db, name)?.all() ?? [], cmd.query);
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of valuesAt(doc, cmd.key.split('.'))) {
      if (value === undefined) continue;
      const key = keyString(value);
      if (!seen.has(key)) seen.set(key, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
}

export function readCommands(ctx: EngineContext): Handlers {
  return {
    find: (db, cmd, conn) => find(ctx, db, cmd, conn),
    getMore: (_db, cmd) => ctx.cursors.getMore(cmd),
    killCursors: (_db, cmd) => ctx.cursors.killCursors(cmd),
    aggregate: (db, cmd, conn) => aggregate(ctx, db, cmd, conn),
    count: (db, cmd) => count(ctx, db, cmd),
    distinct: (db, cmd) => distinct(ctx, db, cmd),
  };
}
