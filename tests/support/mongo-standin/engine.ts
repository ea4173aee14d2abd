/**
 * The stand-in's storage and command set. Every command runs synchronously to completion, so each
 * one is atomic with respect to the others (as a single mongod document write is), which is what
 * unique-index claims across several clients rely on. Query semantics come from mingo.
 */
import { aggregate as mingoAggregate, find as mingoFind, Query, updateOne } from 'mingo';
import { BSON } from 'mongodb';
import { AuthError, scramContinue, scramStart, type ScramState, type StandinUser } from './scram';
import { DESERIALIZE_OPTIONS, type Doc } from './wire';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;
/** Mongo 7.0's wire version; the 7.x driver needs at least 9 (MongoDB 4.4). */
export const MAX_WIRE_VERSION = 21;
const DEFAULT_BATCH_SIZE = 101;
/** Leave room for the reply envelope around a batch. */
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;

/** A command failure sent as `{ ok: 0, errmsg, code, codeName, ... }`. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
  ) {
    super(message);
  }

  toReply(): Doc {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

const badValue = (message: string): CommandError => new CommandError(2, 'BadValue', message);

// ------------------------------------------------------------------ values

function bsonType(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && '_bsontype' in value
    ? String((value as { _bsontype: unknown })._bsontype)
    : undefined;
}

export function isPlainObject(value: unknown): value is Doc {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof RegExp) &&
    !(value instanceof Uint8Array) &&
    bsonType(value) === undefined
  );
}

/** A canonical string for index keys: values MongoDB treats as equal map to the same string. */
export function keyString(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return `n:${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `n:${value}`;
    case 'string':
      return `s:${JSON.stringify(value)}`;
    case 'boolean':
      return `b:${value}`;
  }
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (value instanceof RegExp) return `r:${String(value)}`;
  if (Array.isArray(value)) return `[${value.map(keyString).join(',')}]`;
  const type = bsonType(value);
  if (type === 'ObjectId') return `o:${(value as BSON.ObjectId).toHexString()}`;
  if (type === 'Long') {
    const long = value as BSON.Long;
    return long.lessThanOrEqual(Number.MAX_SAFE_INTEGER) &&
      long.greaterThanOrEqual(Number.MIN_SAFE_INTEGER)
      ? `n:${long.toNumber()}`
      : `n:${long.toString()}`;
  }
  if (type === 'Decimal128' || type === 'Int32' || type === 'Double') {
    const text = String(value);
    return /^-?\d+(\.\d+)?$/.test(text) ? `n:${Number(text)}` : `n:${text}`;
  }
  if (type !== undefined) return `${type}:${JSON.stringify(BSON.EJSON.serialize(value))}`;
  return `{${Object.entries(value as Doc)
    .map(([k, v]) => `${JSON.stringify(k)}:${keyString(v)}`)
    .join(',')}}`;
}

/** Shell-like rendering for duplicate key messages: `{ name: "x", n: 5 }`. */
function shellValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  const type = bsonType(value);
  if (type === 'ObjectId') return `ObjectId('${(value as BSON.ObjectId).toHexString()}')`;
  if (type !== undefined) return String(value);
  if (typeof value === 'object') return JSON.stringify(BSON.EJSON.serialize(value));
  return String(value);
}

export function cloneDoc<T extends Doc>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc), DESERIALIZE_OPTIONS) as T;
}

function sameBson(a: Doc, b: Doc): boolean {
  return Buffer.compare(BSON.serialize(a), BSON.serialize(b)) === 0;
}

/** Values at a dotted path, fanning out over arrays as a multikey index does. */
function valuesAt(value: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) {
    if (Array.isArray(value)) return value.length === 0 ? [undefined] : value;
    return [value];
  }
  const [head, ...rest] = parts as [string, ...string[]];
  if (Array.isArray(value)) {
    if (/^\d+$/.test(head)) return valuesAt(value[Number(head)], rest);
    const out = value.flatMap((el) => (isPlainObject(el) ? valuesAt(el, parts) : []));
    return out.length > 0 ? out : [undefined];
  }
  if (isPlainObject(value)) return valuesAt(value[head], rest);
  return [undefined];
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(target[part])) target[part] = {};
    target = target[part] as Doc;
  }
  target[parts[parts.length - 1]!] = value;
}

const SCRIPT_OPERATORS = new Set(['$where', '$function', '$accumulator']);

/** Server-side JavaScript is refused, as on a server started with --noscripting. */
function refuseScripts(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(refuseScripts);
    return;
  }
  const type = bsonType(value);
  if (type === 'Code') {
    throw badValue('mongo-standin: JavaScript code values are not supported (no server-side JS)');
  }
  if (!isPlainObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (SCRIPT_OPERATORS.has(key)) {
      throw new CommandError(
        16395,
        'JSInterpreterFailure',
        `mongo-standin: ${key} needs server-side JavaScript, which is disabled; use query operators instead`,
      );
    }
    refuseScripts(inner);
  }
}

// ------------------------------------------------------------------ storage

export interface IndexSpec extends Doc {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
}

interface UniqueIndex {
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

function dupKeyError(
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

function indexKeys(index: UniqueIndex, doc: Doc): IndexKey[] {
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

function insertDoc(ns: string, coll: CollectionState, doc: Doc): void {
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

function replaceDoc(ns: string, coll: CollectionState, old: Doc, next: Doc): void {
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

function removeDoc(coll: CollectionState, doc: Doc): void {
  coll.docs.delete(keyString(doc._id));
  for (const index of coll.unique) {
    for (const { key } of indexKeys(index, doc)) {
      if (index.entries.get(key) === doc) index.entries.delete(key);
    }
  }
}

// ------------------------------------------------------------------ cursors

interface CursorState {
  ns: string;
  docs: Doc[];
  pos: number;
  connectionId: number;
}

function takeBatch(docs: Doc[], start: number, batchSize: number): Doc[] {
  const batch: Doc[] = [];
  let bytes = 0;
  for (let i = start; i < docs.length && batch.length < batchSize; i++) {
    const doc = docs[i]!;
    const size = BSON.calculateObjectSize(doc);
    if (batch.length > 0 && bytes + size > BATCH_BYTES) break;
    batch.push(doc);
    bytes += size;
  }
  return batch;
}

// ------------------------------------------------------------------ engine

export interface ConnectionState {
  id: number;
  authenticated: boolean;
  scram?: ScramState;
}

export interface EngineOptions {
  users?: readonly StandinUser[];
  /** Counted connections, for `serverStatus`. */
  connections?: () => { current: number; totalCreated: number };
}

const UNAUTHENTICATED_OK = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'saslStart',
  'saslContinue',
  'ping',
  'buildInfo',
  'buildinfo',
  'endSessions',
]);

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$bit',
  '$currentDate',
  '$setOnInsert',
]);

type Handler = (db: string, cmd: Doc, conn: ConnectionState) => Doc;

export class Engine {
  private readonly cursors = new Map<number, CursorState>();
  private nextCursorId = 1;
  private readonly startedAt = Date.now();
  private readonly handlers: Record<string, Handler>;

  constructor(
    readonly data: StandinData,
    private readonly options: EngineOptions = {},
  ) {
    const hello: Handler = (_db, cmd, conn) => this.hello(cmd, conn);
    const buildInfo: Handler = () => ({
      version: '7.0.0',
      versionArray: [7, 0, 0, 0],
      gitVersion: 'mongo-standin',
      bits: 64,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      ok: 1,
    });
    this.handlers = {
      hello,
      isMaster: hello,
      ismaster: hello,
      ping: () => ({ ok: 1 }),
      buildInfo,
      buildinfo: buildInfo,
      getParameter: () => ({ featureCompatibilityVersion: { version: '7.0' }, ok: 1 }),
      endSessions: () => ({ ok: 1 }),
      serverStatus: () => this.serverStatus(),
      saslStart: (_db, cmd, conn) => this.saslStart(cmd, conn),
      saslContinue: (_db, cmd, conn) => this.saslContinue(cmd, conn),
      find: (db, cmd, conn) => this.find(db, cmd, conn),
      getMore: (db, cmd) => this.getMore(db, cmd),
      killCursors: (db, cmd) => this.killCursors(db, cmd),
      aggregate: (db, cmd, conn) => this.aggregate(db, cmd, conn),
      count: (db, cmd) => this.count(db, cmd),
      distinct: (db, cmd) => this.distinct(db, cmd),
      insert: (db, cmd) => this.insert(db, cmd),
      update: (db, cmd) => this.update(db, cmd),
      delete: (db, cmd) => this.delete(db, cmd),
      findAndModify: (db, cmd) => this.findAndModify(db, cmd),
      findandmodify: (db, cmd) => this.findAndModify(db, cmd),
      create: (db, cmd) => this.create(db, cmd),
      drop: (db, cmd) => this.drop(db, cmd),
      dropDatabase: (db) => {
        this.data.databases.delete(db);
        return { dropped: db, ok: 1 };
      },
      listCollections: (db, cmd, conn) => this.listCollections(db, cmd, conn),
      listDatabases: (_db, cmd) => this.listDatabases(cmd),
      createIndexes: (db, cmd) => this.createIndexes(db, cmd),
      listIndexes: (db, cmd, conn) => this.listIndexes(db, cmd, conn),
      dropIndexes: (db, cmd) => this.dropIndexes(db, cmd),
      deleteIndexes: (db, cmd) => this.dropIndexes(db, cmd),
    };
  }

  /** Runs one command and returns its reply document (errors become `ok: 0` replies). */
  handle(db: string, cmd: Doc, conn: ConnectionState): Doc {
    const name = Object.keys(cmd)[0] ?? '';
    try {
      const handler = Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
      if (!handler) {
        throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
      }
      if (cmd.txnNumber !== undefined) {
        // What a real standalone says: no transactions (and no retryable-write numbers).
        throw new CommandError(
          20,
          'IllegalOperation',
          'Transaction numbers are only allowed on a replica set member or mongos',
        );
      }
      if (this.options.users?.length && !conn.authenticated && !UNAUTHENTICATED_OK.has(name)) {
        throw new CommandError(13, 'Unauthorized', `command ${name} requires authentication`);
      }
      return handler(db, cmd, conn);
    } catch (error) {
      if (error instanceof CommandError) return error.toReply();
      // mingo reports bad operators and malformed expressions by throwing.
      const message = error instanceof Error ? error.message : String(error);
      return badValue(message).toReply();
    }
  }

  /** Forgets cursors (a restarted server has none). */
  reset(): void {
    this.cursors.clear();
  }

  get openCursors(): number {
    return this.cursors.size;
  }

  // ---------------------------------------------------------------- helpers

  private queryOptions(db: string): {
    scriptEnabled: false;
    collectionResolver: (name: string) => Doc[];
  } {
    return {
      scriptEnabled: false,
      collectionResolver: (name: string) => this.data.collection(db, name)?.all() ?? [],
    };
  }

  private collectionName(cmd: Doc, field: string): string {
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

  private match(db: string, docs: Doc[], filter: unknown): Doc[] {
    if (filter !== undefined && filter !== null && !isPlainObject(filter)) {
      throw new CommandError(14, 'TypeMismatch', 'filter must be an object');
    }
    const criteria = (filter ?? {}) as Doc;
    refuseScripts(criteria);
    if (Object.keys(criteria).length === 0) return docs;
    return mingoFind(docs, criteria, undefined, this.queryOptions(db)).all() as Doc[];
  }

  private project(db: string, docs: Doc[], projection: unknown): Doc[] {
    if (!isPlainObject(projection) || Object.keys(projection).length === 0) return docs;
    return mingoFind(docs, {}, projection, this.queryOptions(db)).all() as Doc[];
  }

  private sorted(db: string, docs: Doc[], sort: unknown): Doc[] {
    if (!isPlainObject(sort) || Object.keys(sort).length === 0) return docs;
    if ('$natural' in sort) return Number(sort.$natural) < 0 ? [...docs].reverse() : docs;
    return mingoFind(docs, {}, undefined, this.queryOptions(db))
      .sort(sort as Record<string, 1 | -1>)
      .all() as Doc[];
  }

  private cursorReply(
    ns: string,
    docs: Doc[],
    batchSize: unknown,
    singleBatch: boolean,
    conn: ConnectionState,
  ): Doc {
    const size = typeof batchSize === 'number' && batchSize > 0 ? batchSize : DEFAULT_BATCH_SIZE;
    const firstBatch = takeBatch(docs, 0, size);
    let id = 0;
    if (!singleBatch && firstBatch.length < docs.length) {
      id = this.nextCursorId++;
      this.cursors.set(id, { ns, docs, pos: firstBatch.length, connectionId: conn.id });
    }
    return { cursor: { firstBatch, id: BSON.Long.fromNumber(id), ns }, ok: 1 };
  }

  // ---------------------------------------------------------------- handshake and admin

  private hello(cmd: Doc, conn: ConnectionState): Doc {
    const reply: Doc = {
      helloOk: true,
      ismaster: true,
      isWritablePrimary: true,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE,
      maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: conn.id,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
      ok: 1,
    };
    if (typeof cmd.saslSupportedMechs === 'string' && this.options.users?.length) {
      reply.saslSupportedMechs = ['SCRAM-SHA-256'];
    }
    return reply;
  }

  private serverStatus(): Doc {
    const connections = this.options.connections?.() ?? { current: 0, totalCreated: 0 };
    return {
      host: '127.0.0.1',
      version: '7.0.0',
      process: 'mongo-standin',
      pid: BSON.Long.fromNumber(process.pid),
      uptime: (Date.now() - this.startedAt) / 1000,
      uptimeMillis: BSON.Long.fromNumber(Date.now() - this.startedAt),
      localTime: new Date(),
      connections: { ...connections, available: 1000 },
      metrics: { cursor: { open: { total: this.cursors.size } } },
      ok: 1,
    };
  }

  private saslStart(cmd: Doc, conn: ConnectionState): Doc {
    try {
      const { state, reply } = scramStart(this.options.users ?? [], cmd);
      conn.scram = state;
      return reply;
    } catch (error) {
      throw this.authFailure(error);
    }
  }

  private saslContinue(cmd: Doc, conn: ConnectionState): Doc {
    try {
      if (!conn.scram) throw new AuthError('Authentication failed.');
      const reply = scramContinue(conn.scram, cmd);
      conn.authenticated = true;
      delete conn.scram;
      return reply;
    } catch (error) {
      delete conn.scram;
      throw this.authFailure(error);
    }
  }

  private authFailure(error: unknown): CommandError {
    const message = error instanceof AuthError ? error.message : 'Authentication failed.';
    return new CommandError(18, 'AuthenticationFailed', message);
  }

  // ---------------------------------------------------------------- reads

  private find(db: string, cmd: Doc, conn: ConnectionState): Doc {
    const name = this.collectionName(cmd, 'find');
    const coll = this.data.collection(db, name);
    let docs = this.match(db, coll?.all() ?? [], cmd.filter);
    docs = this.sorted(db, docs, cmd.sort);
    const skip = typeof cmd.skip === 'number' ? cmd.skip : 0;
    if (skip < 0) throw badValue('skip value must be non-negative');
    const limit = typeof cmd.limit === 'number' ? cmd.limit : 0;
    if (skip > 0 || limit !== 0) {
      docs = docs.slice(skip, limit === 0 ? undefined : skip + Math.abs(limit));
    }
    docs = this.project(db, docs, cmd.projection);
    return this.cursorReply(
      `${db}.${name}`,
      docs,
      cmd.batchSize,
      cmd.singleBatch === true || limit < 0,
      conn,
    );
  }

  private getMore(db: string, cmd: Doc): Doc {
    const id = Number(cmd.getMore);
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    const size =
      typeof cmd.batchSize === 'number' && cmd.batchSize > 0
        ? cmd.batchSize
        : Number.MAX_SAFE_INTEGER;
    const nextBatch = takeBatch(cursor.docs, cursor.pos, size);
    cursor.pos += nextBatch.length;
    const exhausted = cursor.pos >= cursor.docs.length;
    if (exhausted) this.cursors.delete(id);
    void db;
    return {
      cursor: { nextBatch, id: BSON.Long.fromNumber(exhausted ? 0 : id), ns: cursor.ns },
      ok: 1,
    };
  }

  private killCursors(_db: string, cmd: Doc): Doc {
    const ids = Array.isArray(cmd.cursors) ? cmd.cursors.map(Number) : [];
    const killed: BSON.Long[] = [];
    const notFound: BSON.Long[] = [];
    for (const id of ids) {
      (this.cursors.delete(id) ? killed : notFound).push(BSON.Long.fromNumber(id));
    }
    return {
      cursorsKilled: killed,
      cursorsNotFound: notFound,
      cursorsAlive: [],
      cursorsUnknown: [],
      ok: 1,
    };
  }

  private aggregate(db: string, cmd: Doc, conn: ConnectionState): Doc {
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
    const docs = this.data.collection(db, cmd.aggregate)?.all() ?? [];
    const results = mingoAggregate(docs, pipeline as Doc[], this.queryOptions(db)) as Doc[];
    const cursorOptions = isPlainObject(cmd.cursor) ? cmd.cursor : {};
    return this.cursorReply(
      `${db}.${cmd.aggregate}`,
      results,
      cursorOptions.batchSize,
      false,
      conn,
    );
  }

  private count(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'count');
    let docs = this.match(db, this.data.collection(db, name)?.all() ?? [], cmd.query);
    const skip = typeof cmd.skip === 'number' ? cmd.skip : 0;
    const limit = typeof cmd.limit === 'number' ? Math.abs(cmd.limit) : 0;
    docs = docs.slice(skip, limit === 0 ? undefined : skip + limit);
    return { n: docs.length, ok: 1 };
  }

  private distinct(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'distinct');
    if (typeof cmd.key !== 'string') throw badValue("mongo-standin: distinct needs a string 'key'");
    const docs = this.match(db, this.data.collection(db, name)?.all() ?? [], cmd.query);
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

  // ---------------------------------------------------------------- writes

  private insert(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'insert');
    const documents = cmd.documents;
    if (!Array.isArray(documents)) throw badValue("mongo-standin: insert needs 'documents'");
    const coll = this.data.ensureCollection(db, name);
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
        writeErrors.push(this.writeError(index, error));
      }
    });
    return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  }

  private writeError(index: number, error: unknown): Doc {
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

  /** The document an update turns `old` into (a new object; `old` is never mutated). */
  private applyUpdate(
    db: string,
    old: Doc,
    update: unknown,
    arrayFilters: unknown,
    condition: Doc,
    inserting: boolean,
  ): Doc {
    const options = this.queryOptions(db);
    const clone = cloneDoc(old);
    let next: Doc;
    if (Array.isArray(update)) {
      refuseScripts(update);
      const box = [clone];
      mingoUpdate(() => updateOne(box, {}, update as never, {}, options));
      next = box[0]!;
    } else if (isPlainObject(update)) {
      refuseScripts(update);
      const keys = Object.keys(update);
      const operators = keys.filter((k) => k.startsWith('$'));
      if (operators.length > 0 && operators.length < keys.length) {
        throw new CommandError(
          9,
          'FailedToParse',
          'mongo-standin: an update mixes operators and plain fields; use only $-operators or a whole replacement document',
        );
      }
      if (operators.length > 0) {
        const modifier: Doc = { ...update };
        for (const op of operators) {
          if (!UPDATE_OPERATORS.has(op)) {
            throw new CommandError(
              9,
              'FailedToParse',
              `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
            );
          }
        }
        if (isPlainObject(modifier.$setOnInsert)) {
          if (inserting) {
            modifier.$set = { ...(modifier.$set as Doc | undefined), ...modifier.$setOnInsert };
          }
        }
        delete modifier.$setOnInsert;
        if (Object.keys(modifier).length === 0) return clone;
        const box = [clone];
        mingoUpdate(() =>
          updateOne(
            box,
            inserting ? {} : (condition as never),
            modifier as never,
            Array.isArray(arrayFilters) ? { arrayFilters: arrayFilters as Doc[] } : {},
            options,
          ),
        );
        next = box[0]!;
      } else {
        const replacement = cloneDoc(update);
        if (
          replacement._id !== undefined &&
          old._id !== undefined &&
          keyString(replacement._id) !== keyString(old._id)
        ) {
          throw immutableId();
        }
        const { _id: _ignored, ...rest } = replacement;
        next = old._id === undefined ? replacement : { _id: old._id, ...rest };
      }
    } else {
      throw badValue('mongo-standin: the update must be a document or a pipeline (array)');
    }
    if (old._id !== undefined && keyString(next._id) !== keyString(old._id)) throw immutableId();
    return next;
  }

  /** The document an upsert inserts: equality fields of the query, then the update. */
  private upsertDoc(db: string, query: Doc, update: unknown, arrayFilters: unknown): Doc {
    const seed: Doc = {};
    const visit = (condition: Doc): void => {
      for (const [key, value] of Object.entries(condition)) {
        if (key === '$and' && Array.isArray(value))
          value.forEach((c) => isPlainObject(c) && visit(c));
        if (key.startsWith('$')) continue;
        if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
          if ('$eq' in value) setPath(seed, key, value.$eq);
          continue;
        }
        setPath(seed, key, value);
      }
    };
    visit(query);
    let doc: Doc;
    if (isPlainObject(update) && !Object.keys(update).some((k) => k.startsWith('$'))) {
      const replacement = cloneDoc(update);
      doc =
        seed._id !== undefined && replacement._id === undefined
          ? { _id: seed._id, ...replacement }
          : replacement;
    } else {
      doc = this.applyUpdate(db, seed, update, arrayFilters, {}, true);
    }
    if (doc._id === undefined) doc = { _id: new BSON.ObjectId(), ...doc };
    else if (Object.keys(doc)[0] !== '_id') {
      const { _id, ...rest } = doc;
      doc = { _id, ...rest };
    }
    return doc;
  }

  private update(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'update');
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
        const coll = this.data.collection(db, name);
        let matches = this.match(db, coll?.all() ?? [], query);
        matches = this.sorted(db, matches, statement.sort);
        if (statement.multi !== true) matches = matches.slice(0, 1);
        if (matches.length === 0 && statement.upsert === true) {
          const doc = this.upsertDoc(db, query, statement.u, statement.arrayFilters);
          insertDoc(ns, this.data.ensureCollection(db, name), doc);
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
          const next = this.applyUpdate(db, old, statement.u, statement.arrayFilters, query, false);
          n++;
          if (sameBson(old, next)) continue;
          replaceDoc(ns, coll!, old, next);
          nModified++;
        }
      } catch (error) {
        writeErrors.push(this.writeError(index, error));
      }
    });
    const reply: Doc = { n, nModified, ok: 1 };
    if (upserted.length > 0) reply.upserted = upserted;
    if (writeErrors.length > 0) reply.writeErrors = writeErrors;
    return reply;
  }

  private delete(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'delete');
    const deletes = cmd.deletes;
    if (!Array.isArray(deletes)) throw badValue("mongo-standin: delete needs 'deletes'");
    const writeErrors: Doc[] = [];
    let n = 0;
    deletes.forEach((statement: Doc, index) => {
      if (cmd.ordered !== false && writeErrors.length > 0) return;
      try {
        const coll = this.data.collection(db, name);
        let matches = this.match(db, coll?.all() ?? [], statement.q);
        if (Number(statement.limit) === 1) matches = matches.slice(0, 1);
        for (const doc of matches) removeDoc(coll!, doc);
        n += matches.length;
      } catch (error) {
        writeErrors.push(this.writeError(index, error));
      }
    });
    return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  }

  private findAndModify(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, Object.keys(cmd)[0]!);
    const ns = `${db}.${name}`;
    const query = (cmd.query ?? {}) as Doc;
    if (cmd.remove !== true && cmd.update === undefined) {
      throw new CommandError(
        9,
        'FailedToParse',
        'Either an update or remove=true must be specified',
      );
    }
    const coll = this.data.collection(db, name);
    const matches = this.sorted(db, this.match(db, coll?.all() ?? [], query), cmd.sort);
    const old = matches[0];
    const shape = (doc: Doc | undefined): Doc | null =>
      doc === undefined ? null : (this.project(db, [doc], cmd.fields)[0] ?? null);
    if (cmd.remove === true) {
      if (old) removeDoc(coll!, old);
      return { lastErrorObject: { n: old ? 1 : 0 }, value: shape(old), ok: 1 };
    }
    if (!old) {
      if (cmd.upsert !== true) {
        return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
      }
      const doc = this.upsertDoc(db, query, cmd.update, cmd.arrayFilters);
      insertDoc(ns, this.data.ensureCollection(db, name), doc);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
        value: cmd.new === true ? shape(doc) : null,
        ok: 1,
      };
    }
    const next = this.applyUpdate(db, old, cmd.update, cmd.arrayFilters, query, false);
    if (!sameBson(old, next)) replaceDoc(ns, coll!, old, next);
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: shape(cmd.new === true ? next : old),
      ok: 1,
    };
  }

  // ---------------------------------------------------------------- catalog

  private create(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'create');
    if (this.data.collection(db, name)) {
      throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    const { create: _c, $db: _d, lsid: _l, $clusterTime: _t, writeConcern: _w, ...options } = cmd;
    this.data.ensureCollection(db, name, options);
    return { ok: 1 };
  }

  private drop(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'drop');
    const collections = this.data.databases.get(db);
    const existed = collections?.delete(name) === true;
    return existed ? { nIndexesWas: 1, ns: `${db}.${name}`, ok: 1 } : { ok: 1 };
  }

  private listCollections(db: string, cmd: Doc, conn: ConnectionState): Doc {
    const collections = [...(this.data.databases.get(db)?.entries() ?? [])];
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
    docs = this.match(db, docs, cmd.filter);
    const cursor = isPlainObject(cmd.cursor) ? cmd.cursor : {};
    return this.cursorReply(`${db}.$cmd.listCollections`, docs, cursor.batchSize, false, conn);
  }

  private listDatabases(cmd: Doc): Doc {
    let databases: Doc[] = [...this.data.databases.entries()].map(([name, collections]) => {
      let size = 0;
      for (const coll of collections.values()) {
        for (const doc of coll.docs.values()) size += BSON.calculateObjectSize(doc);
      }
      return { name, sizeOnDisk: size, empty: size === 0 };
    });
    databases = this.match('admin', databases, cmd.filter);
    const totalSize = databases.reduce((sum, d) => sum + Number(d.sizeOnDisk), 0);
    if (cmd.nameOnly === true) databases = databases.map((d) => ({ name: d.name }));
    return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
  }

  private createIndexes(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, 'createIndexes');
    const specs = cmd.indexes;
    if (!Array.isArray(specs) || specs.length === 0) {
      throw badValue("mongo-standin: createIndexes needs a non-empty 'indexes' array");
    }
    const existed = this.data.collection(db, name) !== undefined;
    const coll = this.data.ensureCollection(db, name);
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
          filter: spec.partialFilterExpression
            ? new Query(spec.partialFilterExpression)
            : undefined,
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

  private listIndexes(db: string, cmd: Doc, conn: ConnectionState): Doc {
    const name = this.collectionName(cmd, 'listIndexes');
    const coll = this.data.collection(db, name);
    if (!coll) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${name}`);
    const cursor = isPlainObject(cmd.cursor) ? cmd.cursor : {};
    return this.cursorReply(`${db}.${name}`, [...coll.indexes], cursor.batchSize, false, conn);
  }

  private dropIndexes(db: string, cmd: Doc): Doc {
    const name = this.collectionName(cmd, Object.keys(cmd)[0]!);
    const coll = this.data.collection(db, name);
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
      if (indexName === '_id_')
        throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
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
}

/** mingo throws plain errors; give them the server's codes. */
function mingoUpdate(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/immutable/i.test(message) && message.includes('_id')) throw immutableId();
    throw badValue(message);
  }
}

function immutableId(): CommandError {
  return new CommandError(
    66,
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}
