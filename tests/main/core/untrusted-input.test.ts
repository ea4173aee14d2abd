/**
 * Issue #12 in process: untyped JSON deeper or larger than the limits is refused at the contract
 * boundary, and data already stored that deep (before the limits) no longer breaks the methods
 * that read it: every copy of it is iterative.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { JsonStore } from '../../../src/main/store/json/json-store';
import type { Configuration } from '../../../src/shared/domain';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

let dir: string;
let app: App;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'untrusted-input-'));
  app = createApp({ store: new JsonStore({ dataDir: dir }), executors: {} });
  await app.start();
});
afterEach(async () => {
  await app.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('untyped JSON over the limits', () => {
  it('configs.test with a file write nested 2,000 deep is VALIDATION, and nothing runs', async () => {
    await expect(
      app.core.call('configs.test', {
        config: {
          name: 'Deep',
          type: 'file',
          params: { location: join(dir, 'out.json'), format: 'json', content: nested(2000) },
        },
        operation: 'write',
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /^config\.params\.content: is nested more than 64 levels deep/,
      ),
    });
    expect((await app.core.call('runs.list', {})).items).toEqual([]);
  });

  it('configs.save of an api body nested 2,000 deep is VALIDATION, and nothing is stored', async () => {
    await expect(
      app.core.call('configs.save', {
        config: {
          name: 'Deep',
          type: 'api',
          params: { url: 'http://127.0.0.1:1/', body: nested(2000) },
        },
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/config\.params\.body: is nested more than 64 levels deep/),
    });
    expect(await app.core.call('configs.list', {})).toEqual([]);
  });
});

describe('a configuration stored 2,500 levels deep before the limits', () => {
  it('is listed, read, used by a task and deleted instead of answering 500', async () => {
    const stored: Configuration = {
      id: 'cfgdeep',
      name: 'Old deep',
      type: 'api',
      params: { url: 'http://127.0.0.1:1/', body: nested(2500) },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await app.store.putConfig(stored);

    expect((await app.core.call('configs.list', {})).map((c) => c.id)).toEqual(['cfgdeep']);
    const got = await app.core.call('configs.get', { id: 'cfgdeep' });
    expect(got.name).toBe('Old deep');
    const task = await app.core.call('tasks.save', {
      task: { name: 'Uses it', type: 'api', operation: 'read', configId: 'cfgdeep' },
    });
    expect(await app.core.call('configs.deleteUnused', {})).toEqual({ deleted: 0 });
    await app.core.call('tasks.delete', { id: task.id });
    expect(await app.core.call('configs.deleteUnused', {})).toEqual({ deleted: 1 });
  });
});
