import { Decimal128, Long, MongoServerError, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { coll, db, standin, useStandinDatabase } from './mongo-standin-tests';

describe('MongoDB stand-in with the real driver', () => {
  useStandinDatabase();

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
});
