import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { apiConfig } from '../../support/fixtures';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-moved-catalog-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function startApp(dir: string, log: string[] = []): Promise<App> {
  const app = createApp({
    store: new JsonStore({ dataDir: dir, log: (l) => log.push(l) }),
    executors: {},
  });
  await app.start();
  let stopped = false;
  const stop = app.stop.bind(app);
  app.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanups.push(() => app.stop());
  return app;
}

/** A catalog that cannot be parsed: the first start moves it aside and fails. */
async function breakCatalog(dir: string): Promise<string> {
  const first = await startApp(dir);
  await first.store.putConfig(apiConfig('c1'));
  await first.stop();
  await fs.writeFile(join(dir, 'catalog.json'), '{"version":1,"configs":[');
  await expect(startApp(dir)).rejects.toMatchObject({
    code: 'UNAVAILABLE',
    message: expect.stringMatching(/is unreadable .* it was moved to/),
  });
  const [moved] = (await fs.readdir(dir)).filter((n) => n.startsWith('catalog.json.corrupt-'));
  return join(dir, moved!);
}

describe('a catalog moved aside as unreadable', () => {
  it('is reported at every start (log and system.info) until it is acknowledged, and the moved file stays', async () => {
    const dir = await tempDir();
    const moved = await breakCatalog(dir);

    for (let start = 0; start < 2; start++) {
      const log: string[] = [];
      const app = await startApp(dir, log);
      expect(await app.core.call('configs.list', {})).toEqual([]);
      expect(log.join('\n')).toContain(`was moved to ${moved}`);
      expect((await app.core.call('system.info', {})).problems).toEqual([
        expect.objectContaining({
          kind: 'catalog',
          at: moved,
          acknowledgeable: true,
          message: expect.stringMatching(
            /^catalog\.json could not be read \(not valid JSON: .*\) and was moved to .*, so the store started with an empty catalog/,
          ),
        }),
      ]);
      await app.stop();
    }

    const log: string[] = [];
    const app = await startApp(dir, log);
    const [problem] = (await app.core.call('system.info', {})).problems;
    expect(await app.core.call('system.acknowledge', { id: problem!.id })).toEqual({
      problems: [],
    });
    await app.stop();
    const after = await startApp(dir, log.splice(0));
    expect((await after.core.call('system.info', {})).problems).toEqual([]);
    expect(log.filter((l) => l.includes('was moved'))).toEqual([]);
    expect(await fs.readFile(moved, 'utf8')).toBe('{"version":1,"configs":[');
  });

  it('goes away once the user puts the moved file back (fixed) as catalog.json', async () => {
    const dir = await tempDir();
    const moved = await breakCatalog(dir);
    const app = await startApp(dir);
    expect((await app.core.call('system.info', {})).problems).toHaveLength(1);
    await app.stop();
    await fs.rm(moved);
    await fs.writeFile(
      join(dir, 'catalog.json'),
      JSON.stringify({
        version: 1,
        configs: [apiConfig('c1')],
        tasks: [],
        schedules: [],
        settings: null,
      }),
    );
    const fixed = await startApp(dir);
    expect((await fixed.core.call('system.info', {})).problems).toEqual([]);
    expect((await fixed.core.call('configs.list', {})).map((c) => c.id)).toEqual(['c1']);
  });

  it('answers system.acknowledge of an unknown problem with NOT_FOUND naming system.info', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    await expect(app.core.call('system.acknowledge', { id: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message:
        'no problem "nope" is reported; it may have been fixed already (system.info lists the problems)',
    });
    await expect(app.core.call('system.acknowledge', {} as never)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
