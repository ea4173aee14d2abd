import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { DbExecutor } from '../../../src/main/executors/db-executor';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { REDACTED } from '../../../src/shared/domain';
import { startMongoStandin, type MongoStandin } from '../../support/mongo-standin/index';
import { failure, request } from './support/db-executor';

describe('DbExecutor with authentication', () => {
  let standin: MongoStandin;
  beforeAll(async () => {
    standin = await startMongoStandin({ users: [{ user: 'app', password: 'right-pw' }] });
  });
  afterAll(async () => {
    await standin.stop();
  });

  it('reports rejected credentials as AUTH without the password', async () => {
    const executor = new DbExecutor();
    try {
      const error = await failure(
        executor.execute(
          request(
            {
              uri: `mongodb://app:wrong-pw@127.0.0.1:${standin.port}/`,
              database: 'x',
              collection: 'y',
              count: {},
            },
            'read',
          ),
        ),
      );
      expect(error.code).toBe('AUTH');
      expect(error.message).toMatch(/rejected the credentials/);
      expect(error.message).not.toContain('wrong-pw');
    } finally {
      await executor.close();
    }
  });

  it('runs end to end through the core and records counts, documents and a redacted uri', async () => {
    const executor = new DbExecutor();
    const app = createApp({ store: new MemoryStore(), executors: { db: executor } });
    await app.start();
    try {
      const api = app.core.api();
      const uri = `mongodb://app:right-pw@127.0.0.1:${standin.port}/`;
      const writeConfig = await api['configs.save']({
        config: {
          name: 'seed',
          type: 'db',
          params: {
            uri,
            database: 'e2e',
            collection: 'items',
            insert: { documents: [{ n: 1, at: { $date: '2024-01-01T00:00:00Z' } }, { n: 2 }] },
          },
        },
      });
      const readConfig = await api['configs.save']({
        config: {
          name: 'read',
          type: 'db',
          params: {
            uri,
            database: 'e2e',
            collection: 'items',
            find: { sort: { n: 1 }, projection: { _id: 0 } },
          },
        },
      });
      const writer = await api['tasks.save']({
        task: { name: 'seed items', type: 'db', operation: 'write', configId: writeConfig.id },
      });
      const reader = await api['tasks.save']({
        task: { name: 'read items', type: 'db', operation: 'read', configId: readConfig.id },
      });
      const written = await api['tasks.run']({ id: writer.id });
      expect(written.status).toBe('succeeded');
      const read = await api['tasks.run']({ id: reader.id });
      const stored = await api['runs.get']({ id: read.id });
      expect(stored.status).toBe('succeeded');
      expect(stored.result).toMatchObject({
        count: 2,
        documents: [{ n: 1, at: { $date: '2024-01-01T00:00:00Z' } }, { n: 2 }],
      });
      expect((await api['runs.get']({ id: written.id })).result).toMatchObject({ inserted: 2 });
      expect(stored.config.uri).toBe(`mongodb://app:${REDACTED}@127.0.0.1:${standin.port}/`);
      expect(JSON.stringify(stored)).not.toContain('right-pw');
    } finally {
      await app.stop();
    }
    expect(executor.pool.size).toBe(0);
  });
});
