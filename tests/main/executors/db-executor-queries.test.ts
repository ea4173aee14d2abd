import { Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  collection,
  db,
  executor,
  failure,
  params,
  request,
  target,
  useMongoCollection,
} from './support/db-executor';

describe('DbExecutor', () => {
  useMongoCollection();

  it('finds with filter, projection, sort, skip and limit', async () => {
    await db
      .collection(collection)
      .insertMany(Array.from({ length: 10 }, (_, i) => ({ i, even: i % 2 === 0, name: `n${i}` })));
    const { result } = await executor.execute(
      request(
        params({
          find: {
            filter: { even: true },
            projection: { _id: 0, i: 1 },
            sort: { i: -1 },
            skip: 1,
            limit: 3,
          },
        }),
        'read',
      ),
    );
    expect(result.documents).toEqual([{ i: 6 }, { i: 4 }, { i: 2 }]);
    expect(result.count).toBe(3);
    expect(result.limited).toBeUndefined();
    expect(result.summary).toBe(`find: 3 documents from ${target.database}.${collection}`);
  });

  it('round-trips ObjectId, dates, Int64 and decimals through Extended JSON', async () => {
    const id = '65a0000000000000000000aa';
    const written = await executor.execute(
      request(
        params({
          insert: {
            documents: [
              {
                _id: { $oid: id },
                at: { $date: '2024-05-01T10:00:00Z' },
                small: { $numberLong: '5' },
                big: { $numberLong: '9007199254740993' },
                price: { $numberDecimal: '12.50' },
                plain: 1.5,
              },
            ],
          },
        }),
        'write',
      ),
    );
    expect(written.result).toMatchObject({ inserted: 1, insertedIds: [{ $oid: id }] });

    const stored = await db.collection(collection).findOne({ _id: new ObjectId(id) });
    expect(stored!.at).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(stored!.small).toBe(5);
    expect(stored!.big).toBeInstanceOf(Long);
    expect(String(stored!.big)).toBe('9007199254740993');

    const { result } = await executor.execute(
      request(
        params({
          find: { filter: { _id: { $oid: id }, at: { $gte: { $date: '2024-01-01T00:00:00Z' } } } },
        }),
        'read',
      ),
    );
    expect(result.documents).toEqual([
      {
        _id: { $oid: id },
        at: { $date: '2024-05-01T10:00:00Z' },
        small: 5,
        big: { $numberLong: '9007199254740993' },
        price: { $numberDecimal: '12.50' },
        plain: 1.5,
      },
    ]);
  });

  it('aggregates with a pipeline', async () => {
    await db.collection(collection).insertMany([
      { team: 'a', score: 1 },
      { team: 'a', score: 2 },
      { team: 'b', score: 5 },
    ]);
    const { result } = await executor.execute(
      request(
        params({
          aggregate: {
            pipeline: [
              { $group: { _id: '$team', total: { $sum: '$score' } } },
              { $sort: { total: -1 } },
            ],
          },
        }),
        'read',
      ),
    );
    expect(result.documents).toEqual([
      { _id: 'b', total: 5 },
      { _id: 'a', total: 3 },
    ]);
    expect(result.count).toBe(2);
  });

  it('counts matching documents', async () => {
    await db.collection(collection).insertMany([{ k: 1 }, { k: 2 }, { k: 2 }]);
    const { result } = await executor.execute(
      request(params({ count: { filter: { k: 2 } } }), 'read'),
    );
    expect(result).toMatchObject({
      count: 2,
      summary: expect.stringContaining('count: 2 documents'),
    });
  });

  it('updates one or many documents, with upsert, pipelines and replacements', async () => {
    await db.collection(collection).insertMany([
      { k: 1, v: 0 },
      { k: 1, v: 0 },
      { k: 2, v: 0 },
    ]);
    const many = await executor.execute(
      request(
        params({ update: { filter: { k: 1 }, update: { $inc: { v: 1 } }, many: true } }),
        'write',
      ),
    );
    expect(many.result).toMatchObject({ matched: 2, modified: 2, upserted: 0 });
    const one = await executor.execute(
      request(params({ update: { filter: { k: 1 }, update: { $set: { v: 9 } } } }), 'write'),
    );
    expect(one.result).toMatchObject({ matched: 1, modified: 1 });
    const upsert = await executor.execute(
      request(
        params({ update: { filter: { k: 3 }, update: { $set: { v: 3 } }, upsert: true } }),
        'write',
      ),
    );
    expect(upsert.result).toMatchObject({
      matched: 0,
      upserted: 1,
      upsertedId: { $oid: expect.any(String) },
    });
    const pipeline = await executor.execute(
      request(
        params({ update: { filter: { k: 2 }, update: [{ $set: { v: { $add: ['$k', 100] } } }] } }),
        'write',
      ),
    );
    expect(pipeline.result).toMatchObject({ modified: 1 });
    const replaced = await executor.execute(
      request(params({ update: { filter: { k: 3 }, update: { k: 3, replaced: true } } }), 'write'),
    );
    expect(replaced.result).toMatchObject({ matched: 1, modified: 1 });
    const docs = await db
      .collection(collection)
      .find({}, { projection: { _id: 0 } })
      .sort({ k: 1 })
      .toArray();
    expect(docs).toEqual([
      { k: 1, v: 9 },
      { k: 1, v: 1 },
      { k: 2, v: 102 },
      { k: 3, replaced: true },
    ]);
  });

  it('refuses a replacement document with many: true and changes nothing', async () => {
    await db.collection(collection).insertOne({ k: 1 });
    const error = await failure(
      executor.execute(
        request(params({ update: { filter: {}, update: { k: 2 }, many: true } }), 'write'),
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/replaces a whole document/);
    expect(await db.collection(collection).findOne({}, { projection: { _id: 0 } })).toEqual({
      k: 1,
    });
  });

  it('deletes one document by default and all matches with many', async () => {
    await db.collection(collection).insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    const one = await executor.execute(request(params({ delete: { filter: { k: 1 } } }), 'write'));
    expect(one.result).toMatchObject({ deleted: 1 });
    const many = await executor.execute(
      request(params({ delete: { filter: { k: 1 }, many: true } }), 'write'),
    );
    expect(many.result).toMatchObject({
      deleted: 2,
      summary: expect.stringContaining('delete: 2 documents'),
    });
    expect(await db.collection(collection).countDocuments()).toBe(1);
  });

  it('bounds reads without a limit at 1,000 documents and says so', async () => {
    await db.collection(collection).insertMany(Array.from({ length: 1_050 }, (_, i) => ({ i })));
    const capped = await executor.execute(request(params({ find: {} }), 'read'));
    expect(capped.result.count).toBe(1_000);
    expect(capped.result.documents).toHaveLength(1_000);
    expect(capped.result.limited).toBe(true);
    expect(capped.result.summary).toMatch(/stopped at 1,000; set find.limit/);
    const asked = await executor.execute(request(params({ find: { limit: 1_050 } }), 'read'));
    expect(asked.result.count).toBe(1_050);
    expect(asked.result.limited).toBeUndefined();
    const aggregated = await executor.execute(
      request(params({ aggregate: { pipeline: [{ $match: {} }] } }), 'read'),
    );
    expect(aggregated.result).toMatchObject({ count: 1_000, limited: true });
  });

  it('stops reading once the documents exceed the result byte cap', async () => {
    await db
      .collection(collection)
      .insertMany(Array.from({ length: 200 }, (_, i) => ({ i, pad: 'x'.repeat(200) })));
    const { result } = await executor.execute(
      request(params({ find: {} }), 'read', { resultMaxBytes: 2_000 }),
    );
    expect(result.truncated).toBe(true);
    expect(result.count).toBeLessThan(20);
  });
});
