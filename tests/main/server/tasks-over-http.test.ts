/**
 * Every task type and operation end to end through the headless service's HTTP API, with real
 * counterparts: a local HTTP target, the MongoDB stand-in (or MONGODB_URI), a temp directory.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { createExecutors } from '../../../src/main/compose';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Run } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';
import { call, ok, serve, type Served } from './helpers';

let served: Served;
let target: HttpTarget;
let mongo: MongoTestTarget;
let dir: string;

beforeAll(async () => {
  target = await startHttpTarget();
  mongo = await mongoTestTarget();
  dir = await mkdtemp(join(tmpdir(), 'tasks-over-http-'));
  served = await serve({
    app: createApp({ store: new MemoryStore(), executors: createExecutors() }),
  });
});
afterAll(async () => {
  await served.stop();
  await mongo.stop();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

/** Saves a configuration and a task over HTTP, runs it, and returns the recorded run. */
async function runOverHttp(
  type: 'api' | 'db' | 'file',
  operation: 'read' | 'write',
  params: Record<string, unknown>,
): Promise<Run> {
  const config = await ok<{ id: string }>(served.port, 'configs.save', {
    config: { name: `${type} ${operation}`, type, params },
  });
  const task = await ok<{ id: string }>(served.port, 'tasks.save', {
    task: { name: `${type} ${operation}`, type, operation, configId: config.id },
  });
  const run = await ok<Run>(served.port, 'tasks.run', { id: task.id });
  expect(await ok<Run>(served.port, 'runs.get', { id: run.id })).toEqual(run);
  return run;
}

describe('tasks run through the HTTP API', () => {
  it('api read requests a URL and keeps status, final URL and parsed JSON', async () => {
    const run = await runOverHttp('api', 'read', { url: `${target.url}/redirect-chain/2` });
    expect(run).toMatchObject({
      status: 'succeeded',
      result: { statusCode: 200, url: `${target.url}/json` },
    });
    expect(run.result?.body).toMatchObject({ hello: 'wörld' });
  });

  it('api write sends JSON to a URL', async () => {
    const run = await runOverHttp('api', 'write', {
      url: `${target.url}/echo`,
      method: 'PATCH',
      body: { name: 'Ada' },
    });
    expect(run.status).toBe('succeeded');
    const sent = target.requests.at(-1)!;
    expect(sent.method).toBe('PATCH');
    expect(JSON.parse(sent.body.toString())).toEqual({ name: 'Ada' });
  });

  it('db write saves documents and db read queries them back', async () => {
    const where = { uri: mongo.uri, database: mongo.database, collection: 'over_http' };
    const written = await runOverHttp('db', 'write', {
      ...where,
      insert: { documents: [{ n: 1 }, { n: 2 }, { n: 3 }] },
    });
    expect(written).toMatchObject({ status: 'succeeded', result: { inserted: 3 } });
    const read = await runOverHttp('db', 'read', {
      ...where,
      find: { filter: { n: { $gte: 2 } }, projection: { _id: 0 }, sort: { n: 1 } },
    });
    expect(read.status).toBe('succeeded');
    expect(read.result?.documents).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('file write creates a file and file read gets it back byte for byte', async () => {
    const location = join(dir, 'nested', 'out.txt');
    const text = 'Grüße — 東京 ✓\n';
    const written = await runOverHttp('file', 'write', {
      location,
      content: text,
      createDirs: true,
    });
    expect(written.status).toBe('succeeded');
    expect(await readFile(location, 'utf8')).toBe(text);
    const read = await runOverHttp('file', 'read', { location });
    expect(read).toMatchObject({ status: 'succeeded', result: { data: text } });
  });

  it('a failing task is a recorded failed run, not an HTTP error', async () => {
    const run = await runOverHttp('file', 'read', { location: join(dir, 'missing.txt') });
    expect(run).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND' } });
    const missing = await call(served.port, 'runs.get', { id: 'nope' });
    expect(missing.status).toBe(404);
  });
});
