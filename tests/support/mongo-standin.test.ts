import {
  Decimal128,
  Long,
  MongoClient,
  MongoServerError,
  ObjectId,
  type Collection,
  type Db,
  type Document,
} from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMongoStandin, type MongoStandin } from './mongo-standin/index';

const clientOptions = { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 };

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('MongoDB stand-in with the real driver', () => {
  let standin: MongoStandin;
  let client: MongoClient;
  let db: Db;
  let coll: Collection<Document>;
  let n = 0;

  beforeAll(async () => {
    standin = await startMongoStandin();
    client = new MongoClient(standin.uri, clientOptions);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await standin.stop();
  });

  beforeEach(() => {
    db = client.db(`db${++n}`);
    coll = db.collection('items');
  });

  it('inserts, finds, updates and deletes documents', async () => {
    const inserted = await coll.insertMany([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
      { name: 'c', n: 3 },
    ]);
    expect(inserted.insertedCount).toBe(3);
    expect(await coll.findOne({ name: 'b' }, { projection: { _id: 0 } })).toEqual({
      name: 'b',
      n: 2,
    });
    const updated = await coll.updateMany({ n: { $gte: 2 } }, { $inc: { n: 10 } });
    expect(updated).toMatchObject({ matchedCount: 2, modifiedCount: 2, upsertedCount: 0 });
    const unchanged = await coll.updateOne({ name: 'a' }, { $set: { n: 1 } });
    expect(unchanged).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect((await coll.deleteOne({ n: { $gt: 5 } })).deletedCount).toBe(1);
    expect((await coll.deleteMany({})).deletedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(0);
  });

  it('puts _id first and generates one when the document has none', async () => {
    await db.command({ insert: 'items', documents: [{ x: 1 }] });
    const [doc] = await coll.find().toArray();
    expect(Object.keys(doc!)).toEqual(['_id', 'x']);
    expect(doc!._id).toBeInstanceOf(ObjectId);
  });

  it('keeps ObjectId, Date, Decimal128 and large Long values and compares them in queries', async () => {
    const id = new ObjectId();
    const big = Long.fromString('9007199254740993');
    await coll.insertMany([
      {
        _id: id,
        at: new Date('2024-05-01T00:00:00Z'),
        price: Decimal128.fromString('12.50'),
        big,
        ref: new ObjectId('65a000000000000000000001'),
      },
      { _id: new ObjectId(), at: new Date('2023-01-01T00:00:00Z') },
    ]);
    const found = await coll.findOne({ _id: new ObjectId(id.toHexString()) });
    expect(found!.at).toEqual(new Date('2024-05-01T00:00:00Z'));
    expect(found!.price).toBeInstanceOf(Decimal128);
    expect(found!.price.toString()).toBe('12.50');
    expect(found!.big).toBeInstanceOf(Long);
    expect((found!.big as Long).toString()).toBe('9007199254740993');
    expect(found!.ref).toEqual(new ObjectId('65a000000000000000000001'));
    const recent = await coll.find({ at: { $gte: new Date('2024-01-01T00:00:00Z') } }).toArray();
    expect(recent.map((d) => d._id)).toEqual([id]);
    const byRef = await coll.countDocuments({ ref: new ObjectId('65a000000000000000000001') });
    expect(byRef).toBe(1);
  });

  it('serves cursors over more than 101 documents through getMore', async () => {
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const before = standin.commandCounts.get('getMore') ?? 0;
    const all = await coll.find({}).sort({ i: -1 }).toArray();
    expect(all).toHaveLength(250);
    expect(all[0]!.i).toBe(249);
    expect(standin.commandCounts.get('getMore') ?? 0).toBeGreaterThan(before);
    const page = await coll
      .find({}, { projection: { _id: 0 } })
      .sort({ i: 1 })
      .skip(100)
      .limit(120)
      .batchSize(7)
      .toArray();
    expect(page.map((d) => d.i)).toEqual(Array.from({ length: 120 }, (_, k) => k + 100));
  });

  it('closes an abandoned cursor with killCursors', async () => {
    await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ i })));
    const cursor = coll.find({}).batchSize(5);
    await cursor.next();
    await cursor.close();
    expect(standin.commandCounts.get('killCursors') ?? 0).toBeGreaterThan(0);
  });

  it('runs aggregation pipelines', async () => {
    await coll.insertMany([
      { team: 'x', score: 3, tags: ['a', 'b'] },
      { team: 'x', score: 5, tags: ['b'] },
      { team: 'y', score: 7, tags: [] },
    ]);
    const grouped = await coll
      .aggregate([
        { $match: { score: { $gt: 1 } } },
        { $group: { _id: '$team', total: { $sum: '$score' }, n: { $sum: 1 } } },
        { $sort: { total: -1 } },
        { $project: { _id: 0, team: '$_id', total: 1, n: 1 } },
      ])
      .toArray();
    expect(grouped).toEqual(
      [
        { team: 'y', total: 7, n: 1 },
        { team: 'x', total: 8, n: 2 },
      ].sort((a, b) => b.total - a.total),
    );
    const unwound = await coll
      .aggregate([{ $unwind: '$tags' }, { $addFields: { t: '$tags' } }, { $count: 'n' }])
      .toArray();
    expect(unwound).toEqual([{ n: 3 }]);
    const paged = await coll
      .aggregate([{ $sort: { score: 1 } }, { $skip: 1 }, { $limit: 1 }, { $set: { seen: true } }])
      .toArray();
    expect(paged).toMatchObject([{ score: 5, seen: true }]);
  });

  it('counts, estimates and lists distinct values', async () => {
    await coll.insertMany([{ k: 'a' }, { k: 'b' }, { k: 'a' }, { k: ['c', 'a'] }]);
    expect(await coll.countDocuments({ k: 'a' })).toBe(3);
    expect(await coll.estimatedDocumentCount()).toBe(4);
    expect((await coll.distinct('k')).sort()).toEqual(['a', 'b', 'c']);
  });

  it('rejects a duplicate on a unique index with E11000 and stores nothing', async () => {
    await coll.createIndex({ name: 1 }, { unique: true });
    await coll.insertOne({ name: 'x' });
    const error = await coll.insertOne({ name: 'x', other: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
    expect((error as MongoServerError).message).toBe(
      `E11000 duplicate key error collection: ${db.databaseName}.items index: name_1 dup key: { name: "x" }`,
    );
    expect(await coll.countDocuments()).toBe(1);
  });

  it('rejects a duplicate _id', async () => {
    await coll.insertOne({ _id: 'k' as never });
    const error = (await coll
      .insertOne({ _id: 'k' as never })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(error.code).toBe(11000);
    expect(error.message).toContain('index: _id_ dup key: { _id: "k" }');
  });

  it('stops an ordered insertMany at the first duplicate and continues an unordered one', async () => {
    await coll.createIndex({ k: 1 }, { unique: true });
    const ordered = await coll
      .insertMany([{ k: 1 }, { k: 1 }, { k: 2 }])
      .catch((e: unknown) => e as MongoServerError);
    expect(ordered).toMatchObject({ code: 11000 });
    expect(await coll.countDocuments()).toBe(1);
    await coll
      .insertMany([{ k: 3 }, { k: 3 }, { k: 4 }], { ordered: false })
      .catch(() => undefined);
    expect((await coll.find({}, { sort: { k: 1 } }).toArray()).map((d) => d.k)).toEqual([1, 3, 4]);
  });

  it('enforces unique indexes on upserts and updates, so one of many claimants wins', async () => {
    await coll.createIndex({ entry: 1, at: 1 }, { unique: true });
    const clients = await Promise.all(
      [1, 2, 3, 4].map(async () => new MongoClient(standin.uri, clientOptions).connect()),
    );
    try {
      const outcomes = await Promise.allSettled(
        clients.map((c, i) =>
          c
            .db(db.databaseName)
            .collection('items')
            .insertOne({ entry: 'e1', at: 60, owner: `instance-${i}` }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes.filter((o) => o.status === 'rejected')) {
        expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 11000 });
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    await coll.insertOne({ entry: 'e1', at: 120 });
    const upsert = await coll
      .updateOne({ entry: 'e1', at: 999 }, { $set: { at: 60 } }, { upsert: true })
      .catch((e: unknown) => e);
    expect(upsert).toMatchObject({ code: 11000 });
    const update = await coll.updateOne({ at: 120 }, { $set: { at: 60 } }).catch((e: unknown) => e);
    expect(update).toMatchObject({ code: 11000 });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('honours partialFilterExpression and refuses a unique index over duplicated data', async () => {
    await coll.createIndex(
      { lease: 1 },
      { unique: true, partialFilterExpression: { active: true } },
    );
    await coll.insertMany([
      { lease: 'a', active: false },
      { lease: 'a', active: false },
      { lease: 'a', active: true },
    ]);
    await expect(coll.insertOne({ lease: 'a', active: true })).rejects.toMatchObject({
      code: 11000,
    });
    await expect(coll.createIndex({ lease: 1, other: 1 }, { unique: true })).rejects.toMatchObject({
      code: 11000,
    });
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'lease_1']);
  });

  it('supports findOneAndUpdate, findOneAndReplace and findOneAndDelete', async () => {
    await coll.insertMany([
      { q: 'job', n: 1, state: 'new' },
      { q: 'job', n: 2, state: 'new' },
    ]);
    const claimed = await coll.findOneAndUpdate(
      { q: 'job', state: 'new' },
      { $set: { state: 'taken' } },
      { sort: { n: -1 }, returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(claimed).toEqual({ q: 'job', n: 2, state: 'taken' });
    const before = await coll.findOneAndUpdate({ n: 1 }, { $inc: { n: 10 } });
    expect(before).toMatchObject({ n: 1 });
    const upserted = await coll.findOneAndUpdate(
      { q: 'other' },
      { $setOnInsert: { created: true }, $set: { n: 5 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted).toMatchObject({ q: 'other', created: true, n: 5 });
    const replaced = await coll.findOneAndReplace(
      { q: 'other' },
      { q: 'other', v: 2 },
      {
        returnDocument: 'after',
      },
    );
    expect(replaced).toMatchObject({ _id: upserted!._id, q: 'other', v: 2 });
    expect(await coll.findOneAndDelete({ q: 'other' })).toMatchObject({ v: 2 });
    expect(await coll.findOneAndUpdate({ q: 'missing' }, { $set: { x: 1 } })).toBeNull();
  });

  it('reports a duplicate key from findOneAndUpdate as a command error', async () => {
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertMany([{ k: 1 }, { k: 2 }]);
    await expect(coll.findOneAndUpdate({ k: 2 }, { $set: { k: 1 } })).rejects.toMatchObject({
      code: 11000,
      codeName: 'DuplicateKey',
    });
  });

  it('applies replacement, pipeline, array-filter and upsert updates', async () => {
    const { insertedId } = await coll.insertOne({ a: 1, list: [1, 5, 9], keep: 'x' });
    await coll.replaceOne({ _id: insertedId }, { a: 2, list: [1, 5, 9] });
    expect(await coll.findOne({ _id: insertedId })).toEqual({
      _id: insertedId,
      a: 2,
      list: [1, 5, 9],
    });
    await coll.updateOne({ _id: insertedId }, [{ $set: { b: { $add: ['$a', 10] } } }]);
    await coll.updateOne(
      { _id: insertedId },
      { $set: { 'list.$[big]': 0 } },
      { arrayFilters: [{ big: { $gt: 4 } }] },
    );
    expect(await coll.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({
      a: 2,
      list: [1, 0, 0],
      b: 12,
    });
    const up = await coll.updateOne(
      { slot: 'm1', n: { $gt: 3 } },
      { $set: { v: 1 }, $setOnInsert: { created: 'now' } },
      { upsert: true },
    );
    expect(up.upsertedCount).toBe(1);
    expect(await coll.findOne({ _id: up.upsertedId! }, { projection: { _id: 0 } })).toEqual({
      slot: 'm1',
      v: 1,
      created: 'now',
    });
    const again = await coll.updateOne(
      { slot: 'm1' },
      { $set: { v: 2 }, $setOnInsert: { created: 'later' } },
      { upsert: true },
    );
    expect(again).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    expect(await coll.findOne({ slot: 'm1' })).toMatchObject({ v: 2, created: 'now' });
  });

  it('refuses to change _id and unknown update operators', async () => {
    const { insertedId } = await coll.insertOne({ a: 1 });
    await expect(coll.updateOne({ _id: insertedId }, { $set: { _id: 5 } })).rejects.toMatchObject({
      code: 66,
    });
    await expect(
      coll.updateOne({ _id: insertedId }, { $frobnicate: { a: 1 } } as never),
    ).rejects.toMatchObject({ code: 9 });
    expect(await coll.findOne({ _id: insertedId })).toEqual({ _id: insertedId, a: 1 });
  });

  it('refuses server-side JavaScript and unknown commands with clear errors', async () => {
    await coll.insertOne({ a: 1 });
    await expect(coll.find({ $where: 'this.a == 1' }).toArray()).rejects.toThrow(
      /\$where needs server-side JavaScript/,
    );
    await expect(
      coll
        .aggregate([{ $group: { _id: null, x: { $accumulator: { init: 'function() {}' } } } }])
        .toArray(),
    ).rejects.toThrow(/\$accumulator/);
    await expect(db.command({ frobnicate: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
      message: "no such command: 'frobnicate'",
    });
    await expect(coll.find({ a: { $nope: 1 } }).toArray()).rejects.toBeInstanceOf(MongoServerError);
  });

  it('refuses transactions as a standalone server does', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      // The driver rewraps code 20 as "This MongoDB deployment does not support …".
      await expect(coll.insertOne({ a: 1 }, { session })).rejects.toMatchObject({
        originalError: { code: 20 },
      });
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(0);
  });

  it('manages collections, databases and indexes', async () => {
    await db.createCollection('made');
    await expect(db.createCollection('made')).rejects.toMatchObject({ code: 48 });
    await coll.insertOne({ a: 1 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.sort()).toEqual(['items', 'made']);
    const dbs = await client.db().admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(db.databaseName);
    await coll.createIndexes([{ key: { a: 1 } }, { key: { b: -1 }, name: 'by_b' }]);
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'a_1', 'by_b']);
    await coll.dropIndex('a_1');
    await expect(coll.dropIndex('a_1')).rejects.toMatchObject({ code: 27 });
    await coll.dropIndexes();
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_']);
    expect(await db.dropCollection('made')).toBe(true);
    await db.dropDatabase();
    expect(await db.listCollections().toArray()).toEqual([]);
    await expect(db.collection('nothing').indexes()).rejects.toMatchObject({ code: 26 });
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await client.db('admin').command({ buildInfo: 1 })).toMatchObject({ version: '7.0.0' });
    expect(await client.db('admin').command({ serverStatus: 1 })).toMatchObject({ ok: 1 });
  });
});

describe('MongoDB stand-in lifecycle', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** `retry: false` makes a dropped connection fail the operation at once. */
  async function setup(retry: boolean): Promise<{ standin: MongoStandin; client: MongoClient }> {
    const standin = await startMongoStandin();
    const client = new MongoClient(standin.uri, {
      ...clientOptions,
      ...(retry ? {} : { retryReads: false, retryWrites: false, serverSelectionTimeoutMS: 500 }),
    });
    cleanups.push(() => standin.stop());
    cleanups.push(() => client.close());
    await client.connect();
    return { standin, client };
  }

  it('keeps data and the port across a restart', async () => {
    const { standin, client } = await setup(true);
    const coll = client.db('keep').collection('c');
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertOne({ k: 1 });
    const port = standin.port;
    await standin.restart();
    expect(standin.port).toBe(port);
    expect(await coll.findOne({ k: 1 }, { projection: { _id: 0 } })).toEqual({ k: 1 });
    await expect(coll.insertOne({ k: 1 })).rejects.toMatchObject({ code: 11000 });
  });

  it('fails in-flight operations on kill and serves the client again after restart', async () => {
    const { standin, client } = await setup(false);
    const coll = client.db('crash').collection('c');
    await coll.insertOne({ k: 1 });
    standin.pause();
    const inFlight = coll.findOne({ k: 1 });
    await until(() => standin.pendingCount > 0, 'the find to reach the stand-in');
    standin.kill();
    await expect(inFlight).rejects.toThrow();
    await expect(coll.findOne({ k: 1 })).rejects.toThrow(/ECONNREFUSED|Server selection/);
    await standin.restart();
    // The driver resets its pool after the crash; a connection attempt it started while the
    // server was down may still fail the first operation, so recovery gets a few tries.
    let found: unknown;
    for (let attempt = 0; attempt < 5 && found === undefined; attempt++) {
      found = await coll.findOne({ k: 1 }, { projection: { _id: 0 } }).catch(() => undefined);
    }
    expect(found).toEqual({ k: 1 });
  });

  it('authenticates users with SCRAM-SHA-256 and rejects a wrong password', async () => {
    const standin = await startMongoStandin({ users: [{ user: 'app', password: 'p@ss w0rd' }] });
    cleanups.push(() => standin.stop());
    const good = new MongoClient(
      `mongodb://app:${encodeURIComponent('p@ss w0rd')}@127.0.0.1:${standin.port}/`,
      clientOptions,
    );
    cleanups.push(() => good.close());
    await good.db('x').collection('c').insertOne({ a: 1 });
    expect(await good.db('x').collection('c').countDocuments()).toBe(1);

    const bad = new MongoClient(`mongodb://app:wrong@127.0.0.1:${standin.port}/`, clientOptions);
    cleanups.push(() => bad.close());
    await expect(bad.connect()).rejects.toMatchObject({ code: 18 });

    const anonymous = new MongoClient(standin.uri, clientOptions);
    cleanups.push(() => anonymous.close());
    await expect(anonymous.db('x').collection('c').findOne()).rejects.toMatchObject({ code: 13 });
  });
});
