/**
 * Redis against the machine's real server: commands and their replies as JSON, the read-only
 * rule of read tasks, refused commands, the result cap, and clear errors.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbEngineRunner } from '../../../../src/main/executors/db/engine-runner';
import { REDIS_URI, failure, run, uniqueName } from './db-support';

const runner = new DbEngineRunner();
const raw = createClient({ url: REDIS_URI });
const keys: string[] = [];

function key(): string {
  const k = uniqueName('redis-test');
  keys.push(k);
  return k;
}

beforeAll(async () => {
  raw.on('error', () => undefined);
  await raw.connect();
});

afterAll(async () => {
  if (keys.length > 0) await raw.sendCommand(['DEL', ...keys]);
  await raw.close();
  await runner.close();
});

const command = (
  args: string[],
  operation: 'read' | 'write',
  options?: Parameters<typeof run>[3],
): ReturnType<typeof run> => run(runner, { uri: REDIS_URI, command: args }, operation, options);

describe('Redis engine', () => {
  it('writes a hash and reads it back as an object', async () => {
    const k = key();
    const written = await command(['HSET', k, 'name', 'ada', 'visits', '3'], 'write');
    expect(written).toMatchObject({
      engine: 'redis',
      data: 2,
      replyType: 'integer',
      command: 'HSET',
    });
    const read = await command(['HGETALL', k], 'read');
    expect(read['data']).toEqual({ name: 'ada', visits: '3' });
    expect(read['replyType']).toBe('map');
    expect(read['summary']).toContain('2 fields');
  });

  it('maps lists, missing keys, counters and sets to JSON', async () => {
    const list = key();
    await command(['RPUSH', list, 'a', 'b', 'c'], 'write');
    expect((await command(['LRANGE', list, '0', '-1'], 'read'))['data']).toEqual(['a', 'b', 'c']);
    expect((await command(['GET', key()], 'read'))['data']).toBeNull();
    const counter = key();
    expect((await command(['INCRBY', counter, '9007199254740993'], 'write'))['data']).toBe(
      '9007199254740993',
    );
    expect((await command(['INCR', key()], 'write'))['data']).toBe(1);
    const set = key();
    await command(['SADD', set, 'x'], 'write');
    expect((await command(['SMEMBERS', set], 'read'))['data']).toEqual(['x']);
  });

  it('returns a value that is not UTF-8 as base64', async () => {
    const k = key();
    await raw.sendCommand(['SET', k, Buffer.from([0xff, 0xfe, 0x00])]);
    expect((await command(['GET', k], 'read'))['data']).toEqual({ $base64: '//4A' });
  });

  it('fills placeholders in the arguments from the run', async () => {
    const stream = key();
    const fill = (value: unknown): unknown =>
      (value as unknown[]).map((arg) => (arg === '{{input | json}}' ? { id: 7 } : arg));
    await command(['XADD', stream, '*', 'payload', '{{input | json}}'], 'write', { fill });
    const entries = (await command(['XRANGE', stream, '-', '+'], 'read'))['data'] as [
      string,
      string[],
    ][];
    expect(entries[0]![1]).toEqual(['payload', '{"id":7}']);
  });

  it('refuses a command that writes in a read task, before sending it', async () => {
    const k = key();
    const error = await failure(command(['SET', k, 'v'], 'read'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('SET is not a read-only command');
    expect(await raw.sendCommand(['EXISTS', k])).toBe(0);
  });

  it('refuses admin, script and blocking commands in any task', async () => {
    for (const args of [
      ['FLUSHALL'],
      ['CONFIG', 'SET', 'save', ''],
      ['EVAL', 'return 1', '0'],
      ['BLPOP', 'k', '0'],
    ]) {
      const error = await failure(command(args, 'write'));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message).toContain(args[0]!);
    }
  });

  it('refuses an option that a placeholder adds, such as BLOCK', async () => {
    const fill = (value: unknown): unknown =>
      (value as string[]).map((a) => (a === '{{opt}}' ? 'BLOCK' : a));
    const error = await failure(
      command(['XREAD', '{{opt}}', '0', 'STREAMS', key(), '0'], 'read', { fill }),
    );
    expect(error.message).toContain('BLOCK');
  });

  it('stops a long reply at the cap', async () => {
    const list = key();
    await command(['RPUSH', list, ...Array.from({ length: 30 }, (_, i) => `item${i}`)], 'write');
    const capped = new DbEngineRunner({ readLimit: 10 });
    try {
      const result = await run(
        capped,
        { uri: REDIS_URI, command: ['LRANGE', list, '0', '-1'] },
        'read',
      );
      expect(result['data']).toHaveLength(10);
      expect(result['truncated']).toBe(true);
    } finally {
      await capped.close();
    }
  });

  it('reports a command on the wrong type of key with the server’s message', async () => {
    const k = key();
    await command(['SET', k, 'text'], 'write');
    const error = await failure(command(['HGETALL', k], 'read'));
    expect(error.code).toBe('INVALID_QUERY');
    expect(error.message).toContain('WRONGTYPE');
  });

  it('answers "Test connection" with the server version', async () => {
    const result = await runner.test(
      { uri: REDIS_URI, command: ['PING'] },
      new AbortController().signal,
    );
    expect(result['summary']).toMatch(/^connected to Redis \d/);
  });
});
