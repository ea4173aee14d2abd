import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import { DEFAULT_CONCURRENCY } from '../../../src/shared/domain';
import { apiConfig, entry, task } from '../../support/fixtures';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';

let target: MongoTestTarget;
beforeAll(async () => {
  target = await mongoTestTarget();
});
afterAll(async () => {
  await target.stop();
});

/** A document as the store writes one: `_id` for `id`, `params` as JSON text for configs. */
function doc(record: Record<string, unknown>, jsonParams = false): Record<string, unknown> {
  const { id, ...rest } = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  return {
    _id: id,
    ...rest,
    ...(jsonParams ? { params: JSON.stringify(rest.params) } : {}),
  };
}

describe('the mongodb store checks the catalog documents it reads back', () => {
  it('skips invalid configurations, tasks and entries with a problem each, and repairs bad settings fields', async () => {
    const database = `${target.database}_checks`;
    const client = new MongoClient(target.uri, { serverSelectionTimeoutMS: 3000 });
    try {
      const db = client.db(database);
      await db
        .collection('configs')
        .insertMany([
          doc(apiConfig('good') as never, true),
          doc({ ...apiConfig('ftp'), type: 'ftp' } as never, true),
          { ...doc(apiConfig('garbled') as never), params: '{not json' },
        ] as never);
      await db
        .collection('tasks')
        .insertMany([
          doc(task('t1', 'good') as never),
          doc({ ...task('t2', 'good'), type: 7 }),
        ] as never);
      await db.collection('schedules').insertMany([
        doc(entry('e1', 't1') as never),
        doc({
          ...entry('mars', 't1'),
          kind: 'cron',
          everySeconds: undefined,
          cron: '0 9 * * *',
          timezone: 'Mars/Phobos',
        }),
      ] as never);
      await db
        .collection('settings')
        .insertOne({ _id: 'settings', concurrency: 'abc', resultMaxBytes: 1024 } as never);
    } finally {
      await client.close();
    }

    const app = createApp({ store: new MongoStore({ uri: target.uri, database }), executors: {} });
    await app.start();
    try {
      expect((await app.core.call('configs.list', {})).map((c) => c.id)).toEqual(['good']);
      await expect(app.core.call('configs.get', { id: 'ftp' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await app.core.call('tasks.list', {})).map((t) => t.id)).toEqual(['t1']);
      expect((await app.core.call('schedules.list', {})).map((e) => e.id)).toEqual(['e1']);
      const settings = await app.core.call('settings.get', {});
      expect(settings).toMatchObject({ concurrency: DEFAULT_CONCURRENCY, resultMaxBytes: 1024 });

      const problems = (await app.core.call('system.info', {})).problems;
      expect(problems.map((p) => [p.kind, p.recordId, p.acknowledgeable])).toEqual([
        ['config', 'ftp', false],
        ['config', 'garbled', false],
        ['task', 't2', false],
        ['schedule', 'mars', false],
        ['settings', undefined, false],
      ]);
      expect(problems[1]!.message).toMatch(
        /^Configuration "garbled" in the database is not valid and is skipped: .*cannot be decoded/,
      );
      expect(problems[3]!.message).toMatch(
        /time zone "Mars\/Phobos" is unknown.*Fix or delete document "mars" of collection schedules/,
      );
      // Fixed in the database: the problem goes with the next read.
      await app.store.putConfig(apiConfig('ftp'));
      await app.core.call('configs.list', {});
      expect(
        (await app.core.call('system.info', {})).problems.map((p) => p.recordId),
      ).not.toContain('ftp');
      await expect(
        app.core.call('system.acknowledge', { id: problems[2]!.id }),
      ).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/goes away only when the data is fixed/),
      });
    } finally {
      await app.stop();
    }
  });
});
