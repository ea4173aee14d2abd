/**
 * The file location rule of src/main/core/config-rules.ts (issue #17): a relative path is refused
 * at save and test, pointing at `config.params.location` with a sentence, while absolute paths,
 * `~/…`, http(s) URLs and locations starting with a placeholder are saved; a configuration stored
 * with a relative path before the rule still loads from the json store.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { JsonStore } from '../../../src/main/store/json/json-store';
import type { MethodParams } from '../../../src/shared/contract';
import { call, useCoreApp } from './support/core-app';

useCoreApp();

type ConfigInput = MethodParams<'configs.save'>['config'];

const file = (location: string): ConfigInput => ({
  name: `file at ${location}`,
  type: 'file',
  params: { location, content: 'x' },
});

async function refusal(promise: Promise<unknown>): Promise<{
  message: string;
  details?: { issues: { path: string[]; message: string }[] };
}> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'VALIDATION' });
  return error as { message: string; details?: { issues: { path: string[]; message: string }[] } };
}

const SENTENCE =
  'location "reports/out.txt" is a relative path; give an absolute path (or one starting with ~/) or an http(s) URL, because the app has no working directory to resolve it against';

describe('file locations at save', () => {
  it('refuses a relative path, pointing at config.params.location with a sentence', async () => {
    const error = await refusal(call('configs.save', { config: file('reports/out.txt') }));
    expect(error.message).toBe(`config.params.location: ${SENTENCE}`);
    expect(error.details?.issues).toEqual([
      { path: ['config', 'params', 'location'], message: SENTENCE },
    ]);
    expect(await call('configs.list', {})).toEqual([]);
  });

  it('refuses a relative path when a configuration is tested, before anything runs', async () => {
    const error = await refusal(
      call('configs.test', { config: file('./out.txt'), operation: 'write' }),
    );
    expect(error.details?.issues[0]?.path).toEqual(['config', 'params', 'location']);
    expect(await call('runs.list', {})).toMatchObject({ items: [] });
  });

  it('saves absolute paths, home paths, http(s) URLs and locations that start with a placeholder', async () => {
    const locations = [
      '/var/data/out.txt',
      '~',
      '~/reports/out.txt',
      'https://files.example.test/upload',
      'http://127.0.0.1:9/x',
      '{{dir}}/out.txt',
    ];
    for (const location of locations) {
      const variables = location.startsWith('{{') ? { variables: { dir: '/tmp' } } : {};
      const config = {
        name: `file at ${location}`,
        type: 'file',
        params: { location, content: 'x', ...variables },
      } as ConfigInput;
      await call('configs.save', { config });
    }
    const saved = await call('configs.list', {});
    expect(saved.map((c) => (c.params as { location: string }).location).sort()).toEqual(
      [...locations].sort(),
    );
  });
});

describe('a file configuration stored with a relative path before the rule', () => {
  it('still loads from the json store, with no data problem', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'config-location-'));
    try {
      const first = createApp({ store: new JsonStore({ dataDir }), executors: {} });
      await first.start();
      await first.core.call('configs.save', { config: file('/tmp/legacy.txt') });
      await first.stop();
      const catalog = join(dataDir, 'catalog.json');
      const text = await readFile(catalog, 'utf8');
      expect(text).toContain('"/tmp/legacy.txt"');
      await writeFile(catalog, text.replace('"/tmp/legacy.txt"', '"legacy.txt"'));

      const second = createApp({ store: new JsonStore({ dataDir }), executors: {} });
      await second.start();
      try {
        const [config] = await second.core.call('configs.list', {});
        expect(config?.params).toMatchObject({ location: 'legacy.txt' });
        expect((await second.core.call('system.info', {})).problems).toEqual([]);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
