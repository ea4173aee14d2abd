/**
 * The `db` executor: runs one MongoDB action per run (find, aggregate or count to read; insert,
 * update or delete to write) with pooled clients. Inputs are Extended JSON, results relaxed
 * Extended JSON; reads are bounded; server-side JavaScript is refused.
 */
import {
  MongoBulkWriteError,
  MongoServerError,
  type AbstractCursor,
  type Collection,
  type Document,
} from 'mongodb';
import type { DbParams, RunResult } from '../../shared/domain';
import { redactUri } from '../../shared/secrets';
import { fromExtendedJson, refuseServerScripts, toRelaxedJson } from './ejson';
import { MongoPool, type MongoPoolOptions } from './mongo-pool';
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
  /** Documents returned by a read without its own limit (default 1,000). */
  readLimit?: number;
}

/** Server error codes that mean "the query or update itself is wrong". */
const BAD_QUERY_CODES = new Set([
  2, 9, 14, 15, 16, 17, 28, 40, 52, 54, 55, 56, 57, 66, 72, 168, 4767, 15974, 15998, 16410, 16411,
  16436, 17276, 28667, 28769, 31249, 31250, 31253, 31254, 40323, 40324, 40352, 40353, 51024,
]);

/** `mongodb://user:pw@h1,h2/db?x` → `h1,h2` (never credentials). */
function hostOf(uri: string): string {
  return (
    redactUri(uri)
      .replace(/^mongodb(\+srv)?:\/\/([^@/]*@)?/, '')
      .split(/[/?]/)[0] ?? uri
  );
}

function errorCode(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export class DbExecutor implements Executor<'db'> {
  readonly type = 'db' as const;
  readonly pool: MongoPool;
  private readonly readLimit: number;

  constructor(options: DbExecutorOptions = {}) {
    this.pool = options.pool ?? new MongoPool(options.poolOptions);
    this.readLimit = options.readLimit ?? DEFAULT_READ_LIMIT;
  }

  async execute(request: ExecutionRequest<'db'>): Promise<ExecutionOutcome> {
    const params = request.config.params;
    const action = this.actionFor(params, request.operation);
    // Validate everything before touching the network: a bad config fails the same way offline.
    const prepared = this.prepare(params, action);
    const { signal } = request;
    if (signal.aborted) throw signal.reason;

    let lease;
    try {
      lease = await raceAbort(this.pool.acquire(params.uri, request.limits?.dbPoolSize), signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw this.describe(error, params, action);
    }
    try {
      const collection = lease.client.db(params.database).collection(params.collection);
      const result = await this.run(action, prepared, collection, request);
      return {
        result: { action, database: params.database, collection: params.collection, ...result },
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof TaskError) throw error;
      throw this.describe(error, params, action);
    } finally {
      lease.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  // ---------------------------------------------------------------- preparation

  private actionFor(params: DbParams, operation: 'read' | 'write'): Action {
    const candidates = operation === 'read' ? READ_ACTIONS : WRITE_ACTIONS;
    const present = candidates.filter((key) => params[key] !== undefined);
    if (present.length !== 1) {
      throw new TaskError(
        'INVALID_CONFIG',
        present.length === 0
          ? `DbExecutor: a ${operation} task needs one of ${candidates.join(', ')} in the configuration; add one`
          : `DbExecutor: the configuration has ${present.join(' and ')}; keep one ${operation} action`,
      );
    }
    return present[0]!;
  }

  /** Parses the action's Extended JSON into BSON values after refusing server-side JS. */
  private prepare(params: DbParams, action: Action): Prepared {
    const ejson = <T>(value: unknown, where: string): T => {
      refuseServerScripts(value, where);
      return fromExtendedJson<T>(value, where);
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
        return { pipeline: ejson<Document[]>(params.aggregate!.pipeline, 'aggregate.pipeline') };
      case 'count':
        return { filter: ejson<Document>(params.count!.filter ?? {}, 'count.filter') };
      case 'insert':
        return { documents: ejson<Document[]>(params.insert!.documents, 'insert.documents') };
      case 'update': {
        const update = params.update!;
        const parsed = ejson<Document | Document[]>(update.update, 'update.update');
        if (Array.isArray(parsed) ? parsed.length === 0 : Object.keys(parsed).length === 0) {
          throw new TaskError(
            'INVALID_CONFIG',
            'DbExecutor: update.update is empty; give operators such as {"$set": {…}}, a pipeline, or a replacement document',
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
  ): Promise<RunResult> {
    const params = request.config.params;
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
        const read = await this.readCursor(cursor, limit, userLimit === undefined, request);
        return this.readResult('find', ns, read);
      }
      case 'aggregate': {
        const cursor = collection.aggregate(prepared.pipeline!, { signal, ...timing });
        const read = await this.readCursor(cursor, this.readLimit, true, request);
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
          insertedIds: toRelaxedJson(ids),
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
            'DbExecutor: update.update has no operators, so it replaces a whole document; that cannot apply to many documents. Use {"$set": {…}} or set many to false',
          );
        }
        const op = isReplacement
          ? collection.replaceOne(prepared.filter!, body as Document, options)
          : update.many === true
            ? collection.updateMany(prepared.filter!, body, options)
            : collection.updateOne(prepared.filter!, body, options);
        const result = await raceAbort(op, signal);
        const upsertedId =
          result.upsertedId === null ? undefined : toRelaxedJson(result.upsertedId);
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
        const json = toRelaxedJson(doc);
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

  // ---------------------------------------------------------------- errors

  private describe(error: unknown, params: DbParams, action: Action): TaskError {
    const host = hostOf(params.uri);
    const ns = `${params.database}.${params.collection}`;
    const message = messageOf(error).replaceAll(params.uri, redactUri(params.uri));
    const name = error instanceof Error ? error.name : '';
    const code = errorCode(error);
    if (code === 18 || /Authentication failed/i.test(message)) {
      return new TaskError(
        'AUTH',
        `DbExecutor: MongoDB at ${host} rejected the credentials: ${message}; check the user name, password and authSource in the uri`,
      );
    }
    if (code === 11000) {
      const inserted =
        error instanceof MongoBulkWriteError ? error.result.insertedCount : undefined;
      return new TaskError(
        'DUPLICATE_KEY',
        `DbExecutor: ${action} on ${ns} hit a unique index: ${message}${
          inserted !== undefined ? ` (${plural(inserted, 'document')} inserted before it)` : ''
        }`,
        inserted !== undefined
          ? {
              summary: `insert: ${plural(inserted, 'document')} into ${ns}, then a duplicate key`,
              inserted,
            }
          : undefined,
      );
    }
    if (code === 13) {
      return new TaskError(
        'PERMISSION',
        `DbExecutor: the MongoDB user may not run ${action} on ${ns}: ${message}; grant the role or use another user`,
      );
    }
    if (code === 50) {
      return new TaskError(
        'TIMEOUT',
        `DbExecutor: ${action} on ${ns} exceeded timeoutMs (${params.timeoutMs ?? '?'} ms) on the server; narrow the query or raise timeoutMs`,
      );
    }
    if (name === 'MongoServerSelectionError' || name === 'MongoTopologyClosedError') {
      const seconds =
        Math.round((this.pool.clientOptions.serverSelectionTimeoutMS ?? 0) / 100) / 10;
      return new TaskError(
        'CONNECTION',
        `DbExecutor: cannot reach MongoDB at ${host} within ${seconds} s: ${message}; check that the server runs and the uri is right`,
      );
    }
    if (name.startsWith('MongoNetwork')) {
      return new TaskError(
        'CONNECTION',
        `DbExecutor: the connection to MongoDB at ${host} failed during ${action}: ${message}; try again`,
      );
    }
    if (
      name === 'MongoParseError' ||
      name === 'MongoInvalidArgumentError' ||
      name === 'MongoAPIError' ||
      name === 'BSONError'
    ) {
      return new TaskError(
        'INVALID_CONFIG',
        `DbExecutor: ${action} on ${ns} cannot run: ${message}; fix the configuration`,
      );
    }
    if (error instanceof MongoServerError) {
      if (code !== undefined && BAD_QUERY_CODES.has(code)) {
        return new TaskError(
          'INVALID_QUERY',
          `DbExecutor: MongoDB refused the ${action} on ${ns}: ${message} (code ${code}); fix the filter, update or pipeline`,
        );
      }
      return new TaskError(
        'MONGO_ERROR',
        `DbExecutor: MongoDB failed the ${action} on ${ns}: ${message} (code ${code ?? '?'}${
          error.codeName ? ` ${error.codeName}` : ''
        })`,
      );
    }
    return new TaskError('ERROR', `DbExecutor: ${action} on ${ns} failed: ${message}`);
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
        `DbExecutor: find.sort.${field} must be 1 (ascending) or -1 (descending), got ${JSON.stringify(direction)}`,
      );
    }
  }
  return out;
}
