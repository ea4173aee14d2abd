import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  client,
  clientOptions,
  coll,
  db,
  standin,
  useStandinDatabase,
} from './mongo-standin-tests';

describe('MongoDB stand-in with the real driver', () => {
  useStandinDatabase();

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
