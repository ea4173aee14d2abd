/**
 * The `db` executor: one engine per configuration, picked by the uri's scheme. MongoDB runs here
 * (find, aggregate or count to read; insert, update or delete to write) with pooled clients:
 * inputs are Extended JSON, results relaxed Extended JSON, reads are bounded, server-side
 * JavaScript is refused. PostgreSQL, MySQL / MariaDB, SQLite and Redis go to `DbEngineRunner`
 * (db/engine-runner.ts). Every driver is imported on its first use (db/drivers.ts), so an idle
 * service loads none. See docs/executors-db.md.
 */
import type { AbstractCursor, Collection, Document } from 'mongodb';
import { dbEngineOf, type RedisParams, type SqlParams } from '../../shared/db-params';
import type { MongoParams, RunResult } from '../../shared/domain';
import { DbEngineRunner, type DbEngineRunnerOptions } from './db/engine-runner';
import { loadMongo } from './db/drivers';
import { describeMongoError, plural } from './db/mongo-errors';
import { loadExtendedJson, type ExtendedJson } from './ejson';
import { MongoPool, type MongoPoolOptions } from './mongo-pool';
import { dbPlaceholderFill, type ValueFill } from './placeholders';
import type { ExecutionOutcome, ExecutionRequest, Executor } from './types';
import { TaskError } from './types';
import { raceAbort } from './race-abort';

/** Documents a read returns when the configuration sets no limit. */
export const DEFAULT_READ_LIMIT = 1_000;

const READ_ACTIONS = ['find', 'aggregate', 'count'] as const;
const WRITE_ACTIONS = ['insert', 'update', 'delete'] as const;
type Action = (typeof READ_ACTIONS)[number] | (typeof WRITE_ACTIONS)[number];

export interface DbExecutorOptions {
  /** Share a pool (e.g. between executors) or configure one. */
  pool?: MongoPool;
  poolOptions?: MongoPoolOptions;
  /** Share the engines of PostgreSQL, MySQL, SQLite and Redis, or configure them. */
  engines?: DbEngineRunner;
  engineOptions?: DbEngineRunnerOptions;
  /** Documents (rows) returned by a read without its own limit (default 1,000). */
  readLimit?: number;
}

/** What a MongoDB action's field must hold once its placeholders are filled. */
type Shape = 'object' | 'objects' | 'documents' | 'update';

const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A field given as one placeholder (`"{{input.body.orders}}"`) is whatever the run's value is:
 * it must still be what the action takes, else the run fails before anything is sent.
 */
function checkShape(value: unknown, where: string, shape: Shape): void {
  const objects = Array.isArray(value) && value.every(isObject);
  const ok =
    shape === 'object'
      ? isObject(value)
      : shape === 'objects'
        ? objects
        : shape === 'documents'
          ? objects && (value as unknown[]).length > 0
          : isObject(value) || objects;
  if (ok) return;
  const wanted = {
    object: 'an object',
    objects: 'an array of objects',
    documents: 'a non-empty array of documents (objects)',
    update: 'an object or an array of stages',
  }[shape];
  const got = Array.isArray(value)
    ? `an array of ${value.length}`
    : value === null
      ? 'null'
      : typeof value;
  throw new TaskError('INVALID_CONFIG', `${where} must be ${wanted} once filled; got ${got}`);
}

export class DbExecutor implements Executor<'db'> {
  readonly type = 'db' as const;
  readonly pool: MongoPool;
  readonly engines: DbEngineRunner;
  private readonly readLimit: number;

  constructor(options: DbExecutorOptions = {}) {
    this.pool = options.pool ?? new MongoPool(options.poolOptions);
    this.readLimit = options.readLimit ?? DEFAULT_READ_LIMIT;
    this.engines =
      options.engines ??
      new DbEngineRunner({ readLimit: this.readLimit, ...options.engineOptions });
  }

  async execute(request: ExecutionRequest<'db'>): Promise<ExecutionOutcome> {
    const params = request.config.params;
    if (dbEngineOf(params.uri).engine !== 'mongodb') {
      return this.engines.execute({
        params: params as SqlParams | RedisParams,
        operation: request.operation,
        signal: request.signal,
        resultMaxBytes: request.resultMaxBytes,
        limits: request.limits,
        fill: dbPlaceholderFill(request),
      });
    }
    return this.executeMongo(request, params as MongoParams);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.engines.close()]);
  }

  // ---------------------------------------------------------------- MongoDB

  private async executeMongo(
    request: ExecutionRequest<'db'>,
    params: MongoParams,
  ): Promise<ExecutionOutcome> {
    const action = this.actionFor(params, request.operation);
    const [driver, ejson] = await Promise.all([loadMongo(), loadExtendedJson()]);
    // Validate everything before touching the network: a bad config fails the same way offline.
    const prepared = this.prepare(params, action, ejson, dbPlaceholderFill(request));
    const { signal } = request;
    if (signal.aborted) throw signal.reason;
    const describe = (error: unknown): TaskError =>
      describeMongoError(error, {
        driver,
        params,
        action,
        serverSelectionTimeoutMS: this.pool.clientOptions.serverSelectionTimeoutMS ?? 0,
      });

    let lease;
    try {
      lease = await raceAbort(this.pool.acquire(params.uri, request.limits?.dbPoolSize), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw describe(error);
    }
    try {
      const collection = lease.client.db(params.database).collection(params.collection);
      const result = await this.run(action, prepared, collection, request, params, ejson);
      return {
        result: { action, database: params.database, collection: params.collection, ...result },
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof TaskError) throw error;
      throw describe(error);
    } finally {
      lease.release();
    }
  }

  // ---------------------------------------------------------------- preparation

  private actionFor(params: MongoParams, operation: 'read' | 'write'): Action {
    const candidates = operation === 'read' ? READ_ACTIONS : WRITE_ACTIONS;
    const present = candidates.filter((key) => params[key] !== undefined);
    if (present.length !== 1) {
      throw new TaskError(
        'INVALID_CONFIG',
        present.length === 0
          ? `a ${operation} task needs one of ${candidates.join(', ')} in the configuration; add one`
          : `the configuration has ${present.join(' and ')}; keep one ${operation} action`,
      );
    }
    return present[0]!;
  }

  /**
   * Fills the action's placeholders, then parses its Extended JSON into BSON values after refusing
   * server-side JS: the check sees the filled value, so an input cannot bring in `$where`.
   */
  private prepare(
    params: MongoParams,
    action: Action,
    json: ExtendedJson,
    fill: ValueFill,
  ): Prepared {
    const ejson = <T>(value: unknown, where: string, shape: Shape = 'object'): T => {
      const filled = fill(value, where);
      checkShape(filled, where, shape);
      json.refuseServerScripts(filled, where);
      return json.fromExtendedJson<T>(filled, where);
    };
    switch (action) {
      case 'find': {
        const find = params.find!;
        return {
          filter: ejson<Document>(find.filter ?? {}, 'find.filter'),
          ...(find.projection
            ? { projection: ejson<Document>(find.projection, 'find.projection') }
            : {}),
          ...(find.sort ? { sort: checkSort(find.sort) } : {}),
        };
      }
      case 'aggregate':
        return {
          pipeline: ejson<Document[]>(params.aggregate!.pipeline, 'aggregate.pipeline', 'objects'),
        };
      case 'count':
        return { filter: ejson<Document>(params.count!.filter ?? {}, 'count.filter') };
      case 'insert':
        return {
          documents: ejson<Document[]>(params.insert!.documents, 'insert.documents', 'documents'),
        };
      case 'update': {
        const update = params.update!;
        const parsed = ejson<Document | Document[]>(update.update, 'update.update', 'update');
        if (Array.isArray(parsed) ? parsed.length === 0 : Object.keys(parsed).length === 0) {
          throw new TaskError(
            'INVALID_CONFIG',
            'update.update is empty; give operators such as {"$set": {…}}, a pipeline, or a replacement document',
          );
        }
        return { filter: ejson<Document>(update.filter, 'update.filter'), update: parsed };
      }
      case 'delete':
        return { filter: ejson<Document>(params.delete!.filter, 'delete.filter') };
    }
  }

  // ---------------------------------------------------------------- actions

  private async run(
    action: Action,
    prepared: Prepared,
    collection: Collection<Document>,
    request: ExecutionRequest<'db'>,
    params: MongoParams,
    ejson: ExtendedJson,
  ): Promise<RunResult> {
    const { signal } = request;
    const ns = `${params.database}.${params.collection}`;
    const maxTimeMS = params.timeoutMs;
    const timing = maxTimeMS ? { maxTimeMS } : {};
    switch (action) {
      case 'find': {
        const find = params.find!;
        const userLimit = find.limit && find.limit > 0 ? find.limit : undefined;
        const limit = userLimit ?? this.readLimit;
        const cursor = collection.find(prepared.filter!, {
          ...(prepared.projection ? { projection: prepared.projection } : {}),
          ...(prepared.sort ? { sort: prepared.sort } : {}),
          ...(find.skip ? { skip: find.skip } : {}),
          // One more than the default cap tells whether the cap cut anything off.
          limit: userLimit ?? limit + 1,
          signal,
          ...timing,
        });
        const read = await this.readCursor(cursor, limit, userLimit === undefined, request, ejson);
        return this.readResult('find', ns, read);
      }
      case 'aggregate': {
        const cursor = collection.aggregate(prepared.pipeline!, { signal, ...timing });
        const read = await this.readCursor(cursor, this.readLimit, true, request, ejson);
        return this.readResult('aggregate', ns, read);
      }
      case 'count': {
        const count = await collection.countDocuments(prepared.filter!, { signal, ...timing });
        return { summary: `count: ${plural(count, 'document')} in ${ns}`, count };
      }
      case 'insert': {
        const documents = prepared.documents!;
        const result = await raceAbort(collection.insertMany(documents, { ordered: true }), signal);
        const ids = Object.values(result.insertedIds);
        return {
          summary: `insert: ${plural(result.insertedCount, 'document')} into ${ns}`,
          inserted: result.insertedCount,
          insertedIds: ejson.toRelaxedJson(ids),
        };
      }
      case 'update': {
        const update = params.update!;
        const body = prepared.update!;
        const options = { upsert: update.upsert === true };
        const isReplacement =
          !Array.isArray(body) && !Object.keys(body).some((key) => key.startsWith('$'));
        if (isReplacement && update.many === true) {
          throw new TaskError(
            'INVALID_CONFIG',
            'update.update has no operators, so it replaces a whole document; that cannot apply to many documents. Use {"$set": {…}} or set many to false',
          );
        }
        const op = isReplacement
          ? collection.replaceOne(prepared.filter!, body as Document, options)
          : update.many === true
            ? collection.updateMany(prepared.filter!, body, options)
            : collection.updateOne(prepared.filter!, body, options);
        const result = await raceAbort(op, signal);
        const upsertedId =
          result.upsertedId === null ? undefined : ejson.toRelaxedJson(result.upsertedId);
        return {
          summary: `update: matched ${result.matchedCount}, modified ${result.modifiedCount}, upserted ${result.upsertedCount} in ${ns}`,
          matched: result.matchedCount,
          modified: result.modifiedCount,
          upserted: result.upsertedCount,
          ...(upsertedId !== undefined ? { upsertedId } : {}),
        };
      }
      case 'delete': {
        const filter = prepared.filter!;
        const op =
          params.delete!.many === true
            ? collection.deleteMany(filter)
            : collection.deleteOne(filter);
        const result = await raceAbort(op, signal);
        return {
          summary: `delete: ${plural(result.deletedCount, 'document')} from ${ns}`,
          deleted: result.deletedCount,
        };
      }
    }
  }

  /** Reads at most `limit` documents and stops early once they exceed the result byte cap. */
  private async readCursor(
    cursor: AbstractCursor<Document>,
    limit: number,
    capped: boolean,
    request: ExecutionRequest<'db'>,
    ejson: ExtendedJson,
  ): Promise<ReadOutcome> {
    const documents: unknown[] = [];
    let bytes = 2;
    let limited = false;
    let truncated = false;
    try {
      for await (const doc of cursor) {
        if (documents.length >= limit) {
          limited = capped;
          break;
        }
        const json = ejson.toRelaxedJson(doc);
        documents.push(json);
        bytes += Buffer.byteLength(JSON.stringify(json)) + 1;
        if (bytes > request.resultMaxBytes) {
          truncated = true; // the runner trims what is over; reading on would only cost memory
          break;
        }
      }
    } finally {
      await cursor.close().catch(() => undefined);
    }
    return { documents, limit, limited, truncated };
  }

  private readResult(action: 'find' | 'aggregate', ns: string, read: ReadOutcome): RunResult {
    const n = read.documents.length;
    let summary = `${action}: ${plural(n, 'document')} from ${ns}`;
    if (read.limited) {
      summary += ` (stopped at ${read.limit.toLocaleString('en-US')}; ${
        action === 'find' ? 'set find.limit' : 'add a $limit stage'
      } to choose how many)`;
    } else if (read.truncated) {
      summary += ' (stopped reading at the result size cap)';
    }
    return {
      summary,
      count: n,
      documents: read.documents,
      ...(read.limited ? { limited: true } : {}),
      ...(read.truncated ? { truncated: true } : {}),
    };
  }
}

interface Prepared {
  filter?: Document;
  projection?: Document;
  sort?: Record<string, 1 | -1 | { $meta: string }>;
  pipeline?: Document[];
  documents?: Document[];
  update?: Document | Document[];
}

interface ReadOutcome {
  documents: unknown[];
  limit: number;
  limited: boolean;
  truncated: boolean;
}

function checkSort(sort: Record<string, unknown>): Record<string, 1 | -1 | { $meta: string }> {
  const out: Record<string, 1 | -1 | { $meta: string }> = {};
  for (const [field, direction] of Object.entries(sort)) {
    if (direction === 1 || direction === -1) out[field] = direction;
    else if (
      typeof direction === 'object' &&
      direction !== null &&
      typeof (direction as { $meta?: unknown }).$meta === 'string'
    ) {
      out[field] = { $meta: (direction as { $meta: string }).$meta };
    } else {
      throw new TaskError(
        'INVALID_CONFIG',
        `find.sort.${field} must be 1 (ascending) or -1 (descending), got ${JSON.stringify(direction)}`,
      );
    }
  }
  return out;
}
