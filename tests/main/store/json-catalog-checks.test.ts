import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import type { Executor } from '../../../src/main/executors/types';
import { Scheduler } from '../../../src/main/scheduler/scheduler';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { DEFAULT_CONCURRENCY } from '../../../src/shared/domain';
import { apiConfig, entry, task } from '../../support/fixtures';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-catalog-check-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Catalog {
  configs?: unknown[];
  tasks?: unknown[];
  schedules?: unknown[];
  settings?: unknown;
}

async function writeCatalog(dir: string, catalog: Catalog): Promise<void> {
  await fs.writeFile(
    join(dir, 'catalog.json'),
    JSON.stringify({
      version: 1,
      configs: catalog.configs ?? [],
      tasks: catalog.tasks ?? [],
      schedules: catalog.schedules ?? [],
      settings: catalog.settings ?? null,
    }),
  );
}

const readCatalog = async (dir: string): Promise<Required<Catalog>> =>
  JSON.parse(await fs.readFile(join(dir, 'catalog.json'), 'utf8')) as Required<Catalog>;

/** Counts executions; answers at once. */
class CountingExecutor implements Executor<'api'> {
  readonly type = 'api' as const;
  calls = 0;
  async execute(): Promise<{ result: { summary: string } }> {
    this.calls++;
    return { result: { summary: 'ok' } };
  }
}

async function startApp(
  dir: string,
  options: { schedule?: boolean; log?: string[] } = {},
): Promise<{ app: App; executor: CountingExecutor }> {
  const executor = new CountingExecutor();
  const store = new JsonStore({
    dataDir: dir,
    log: (line) => options.log?.push(line),
  });
  const app = createApp({
    store,
    executors: { api: executor },
    ...(options.schedule ? { createScheduler: (deps) => new Scheduler(deps) } : {}),
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
  return { app, executor };
}

describe('the json catalog is checked when it is loaded', () => {
  it('sets aside a configuration of type ftp: configs.list answers without it and system.info names it', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, {
      configs: [apiConfig('good'), { ...apiConfig('bad'), type: 'ftp' }],
    });
    const { app } = await startApp(dir);
    expect((await app.core.call('configs.list', {})).map((c) => c.id)).toEqual(['good']);
    await expect(app.core.call('configs.get', { id: 'bad' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const { problems } = await app.core.call('system.info', {});
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'config',
        recordId: 'bad',
        acknowledgeable: true,
        at: join(dir, 'catalog.json'),
        message: expect.stringMatching(
          /^Configuration "bad" in catalog\.json is not valid and is set aside: .*type: must be one of "api", "db", "file"/,
        ),
      }),
    ]);
  });

  it('runs tasks with the default concurrency when the stored settings say concurrency "abc"', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, {
      configs: [apiConfig('c1')],
      tasks: [task('t1', 'c1')],
      settings: { concurrency: 'abc', retention: { maxRuns: 1000 } },
    });
    const { app } = await startApp(dir);
    const settings = await app.core.call('settings.get', {});
    // Only the bad field falls back; the good one is kept.
    expect(settings.concurrency).toBe(DEFAULT_CONCURRENCY);
    expect(settings.retention).toEqual({ maxRuns: 1000 });
    const finished = await Promise.race([
      app.core.call('tasks.run', { id: 't1' }),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the run waits forever')), 3000),
      ),
    ]);
    expect(finished).toMatchObject({ status: 'succeeded' });
    expect((await app.core.call('system.info', {})).problems).toEqual([
      expect.objectContaining({
        kind: 'settings',
        message: expect.stringMatching(/concurrency: .*; the default is used/),
      }),
    ]);
  });

  it('starts the scheduler with an entry in an unknown zone set aside instead of failing to start', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, {
      configs: [apiConfig('c1')],
      tasks: [task('t1', 'c1')],
      schedules: [
        entry('mars', 't1', {
          kind: 'cron',
          cron: '* * * * * *',
          everySeconds: undefined,
          timezone: 'Mars/Phobos',
        }),
        entry('ok', 't1'),
      ],
    });
    const { app } = await startApp(dir, { schedule: true });
    expect((await app.core.call('schedules.list', {})).map((e) => e.id)).toEqual(['ok']);
    const info = await app.core.call('system.info', {});
    expect(info.scheduler).toMatchObject({ running: true, entries: 1 });
    expect(info.problems).toEqual([
      expect.objectContaining({
        kind: 'schedule',
        recordId: 'mars',
        message: expect.stringMatching(/timezone: time zone "Mars\/Phobos" is unknown/),
      }),
    ]);
  });

  it('sets aside a stored cron entry the syntax rules refuse, with the message a save would get', async () => {
    const dir = await tempDir();
    const cron = (id: string, expression: string): unknown =>
      entry(id, 't1', { kind: 'cron', cron: expression, everySeconds: undefined, timezone: 'UTC' });
    await writeCatalog(dir, {
      configs: [apiConfig('c1')],
      tasks: [task('t1', 'c1')],
      schedules: [cron('nbsp', '0\u00a09 * * *'), cron('ok', '0 9 * * 1-5')],
    });
    const { app } = await startApp(dir, { schedule: true });
    expect((await app.core.call('schedules.list', {})).map((e) => e.id)).toEqual(['ok']);
    const { problems } = await app.core.call('system.info', {});
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'schedule',
        recordId: 'nbsp',
        message: expect.stringMatching(
          /it contains a non-breaking space \(U\+00A0\) at position 2/,
        ),
      }),
    ]);
    expect((await readCatalog(dir)).schedules).toHaveLength(2);
  });

  it('never fires entries with a fractional period or bad dates: they are set aside and reported', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, {
      configs: [apiConfig('c1')],
      tasks: [task('t1', 'c1')],
      schedules: [
        entry('milli', 't1', { everySeconds: 0.001 }),
        entry('huge', 't1', { everySeconds: 2 ** 53 }),
        entry('date', 't1', { startAt: 'soon' }),
        entry('no-anchor', 't1', { anchorAt: undefined }),
      ],
    });
    const { app, executor } = await startApp(dir, { schedule: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(executor.calls).toBe(0);
    expect(await app.core.call('schedules.list', {})).toEqual([]);
    const fields = (await app.core.call('system.info', {})).problems.map((p) => [
      p.recordId,
      /is set aside: it is not listed, run or scheduled \((\w+):/.exec(p.message)?.[1],
    ]);
    expect(fields).toEqual([
      ['milli', 'everySeconds'],
      ['huge', 'everySeconds'],
      ['date', 'startAt'],
      ['no-anchor', 'anchorAt'],
    ]);
  });

  it('keeps the first of two tasks with one id and sets the second aside, saying so', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, {
      configs: [apiConfig('c1')],
      tasks: [task('t1', 'c1', { name: 'first' }), task('t1', 'c1', { name: 'second' })],
    });
    const { app } = await startApp(dir);
    expect((await app.core.call('tasks.list', {})).map((t) => t.name)).toEqual(['first']);
    expect((await app.core.call('system.info', {})).problems).toEqual([
      expect.objectContaining({
        kind: 'task',
        recordId: 't1',
        message: expect.stringMatching(
          /id: an earlier task in catalog\.json has the same id and is the one used/,
        ),
      }),
    ]);
  });

  it('keeps set-aside records in catalog.json as they were across writes; a put of the same id replaces one', async () => {
    const dir = await tempDir();
    const bad = { ...apiConfig('bad'), type: 'ftp' };
    const badTask = { ...task('t9', 'c1'), timeoutMs: 'soon' };
    await writeCatalog(dir, {
      configs: [apiConfig('c1'), bad],
      tasks: [badTask],
      settings: { concurrency: 0 },
    });
    const { app } = await startApp(dir);
    await app.store.putConfig(apiConfig('c2'));
    await app.store.flush();
    let file = await readCatalog(dir);
    expect(file.configs).toEqual([apiConfig('c1'), apiConfig('c2'), bad]);
    expect(file.tasks).toEqual([badTask]);
    expect(file.settings).toEqual({ concurrency: 0 });
    // Importing (or putting) a good record with that id replaces the bad one; so does saving settings.
    await app.store.putTask(task('t9', 'c1'));
    await app.core.call('settings.save', { settings: { concurrency: 2 } });
    await app.store.flush();
    file = await readCatalog(dir);
    expect(file.tasks).toEqual([task('t9', 'c1')]);
    expect(file.settings).toMatchObject({ concurrency: 2 });
    expect((await app.core.call('system.info', {})).problems.map((p) => p.recordId)).toEqual([
      'bad',
    ]);
  });

  it('drops a set-aside duplicate when its id is deleted, so it does not come back at the next start', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, {
      configs: [apiConfig('c1')],
      tasks: [task('t1', 'c1', { name: 'first' }), task('t1', 'c1', { name: 'second' })],
    });
    const { app } = await startApp(dir);
    expect(await app.core.call('tasks.delete', { id: 't1' })).toEqual({ deleted: 1 });
    await app.stop();
    expect((await readCatalog(dir)).tasks).toEqual([]);
    const again = await startApp(dir);
    expect(await again.app.core.call('tasks.list', {})).toEqual([]);
    expect((await again.app.core.call('system.info', {})).problems).toEqual([]);
  });

  it('logs the set-aside records at every start until they are acknowledged', async () => {
    const dir = await tempDir();
    await writeCatalog(dir, { configs: [{ ...apiConfig('bad'), type: 'ftp' }] });
    const log: string[] = [];
    const first = await startApp(dir, { log });
    expect(log.join('\n')).toMatch(
      /1 problem with the data in .*\n.*\[config:bad:\w+\] Configuration "bad" in catalog\.json is not valid/,
    );
    await first.app.stop();

    log.length = 0;
    const second = await startApp(dir, { log });
    expect(log.join('\n')).toMatch(/Configuration "bad" in catalog\.json is not valid/);
    const [problem] = (await second.app.core.call('system.info', {})).problems;
    expect(await second.app.core.call('system.acknowledge', { id: problem!.id })).toEqual({
      problems: [],
    });
    await second.app.stop();

    log.length = 0;
    const third = await startApp(dir, { log });
    expect(log).toEqual([]);
    expect((await third.app.core.call('system.info', {})).problems).toEqual([]);
    // Acknowledged, not deleted: the record is still in the file.
    expect((await readCatalog(dir)).configs).toEqual([{ ...apiConfig('bad'), type: 'ftp' }]);
  });
});
