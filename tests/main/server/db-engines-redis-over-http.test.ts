/**
 * Redis db tasks through the built service's HTTP API (issue #16), against the machine's real
 * server (TEST_REDIS_URI overrides it): configurations, tasks and runs saved and run through
 * `/api`, the data checked with the driver directly. Every test makes its own key and drops it.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Configuration, Run } from '../../../src/shared/domain';
import { REDIS_URI, uniqueName } from '../executors/db/db-support';
import { ok, post, runTask, useDbEnginesService } from './support/db-engines-service';

useDbEnginesService();

describe('Redis db tasks over HTTP', () => {
  const redis = createClient({ url: REDIS_URI });
  let key = '';

  beforeAll(async () => {
    redis.on('error', () => undefined);
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
  });
  beforeEach(() => {
    key = uniqueName('key');
    return async () => {
      await redis.del(key);
    };
  });

  it('writes a hash with a write task and reads it back with a read task', async () => {
    const written = await runTask('write', {
      uri: REDIS_URI,
      command: ['HSET', key, 'name', 'ada', 'visits', 42],
    });
    expect(written.status).toBe('succeeded');
    expect(written.result).toMatchObject({
      engine: 'redis',
      command: 'HSET',
      replyType: 'integer',
      data: 2,
    });
    expect(await redis.hGetAll(key)).toEqual({ name: 'ada', visits: '42' });

    const read = await runTask('read', { uri: REDIS_URI, command: ['HGETALL', key] });
    expect(read.status).toBe('succeeded');
    expect(read.result).toMatchObject({
      engine: 'redis',
      replyType: 'map',
      data: { name: 'ada', visits: '42' },
    });
  });

  it('tests a configuration through configs.test', async () => {
    await redis.set(key, 'hello');
    const run = await ok<Run>('configs.test', {
      config: { name: 'trying', type: 'db', params: { uri: REDIS_URI, command: ['GET', key] } },
      operation: 'read',
    });
    expect(run).toMatchObject({ status: 'succeeded', result: { data: 'hello' } });
  });

  it('refuses a read task that would write, at tasks.save and at configs.test', async () => {
    const params = { uri: REDIS_URI, command: ['SET', key, 'x'] };
    const config = await ok<Configuration>('configs.save', {
      config: { name: uniqueName('set'), type: 'db', params },
    });
    const saved = await post('tasks.save', {
      task: { name: 'reads', type: 'db', operation: 'read', configId: config.id },
    });
    expect(saved.status).toBe(400);
    expect(saved.error?.message).toContain(
      'cannot run a read task: params.command.0: SET is not a read-only command',
    );
    const tested = await post('configs.test', {
      config: { name: 'trying', type: 'db', params },
      operation: 'read',
    });
    expect(tested.status).toBe(400);
    expect(tested.error?.details?.issues?.[0]?.path).toEqual(['config', 'params', 'command', '0']);
    expect(await redis.exists(key)).toBe(0);
  });
});
