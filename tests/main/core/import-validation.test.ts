import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/main/app';
import { composeApp } from '../../../src/main/compose';
import { ISSUES_SHOWN } from '../../../src/main/store/import-checks';
import type { RecordIssue } from '../../../src/main/store/record-checks';
import type { Configuration, ScheduleEntry, Task } from '../../../src/shared/domain';
import { apiConfig, entry, task } from '../../support/fixtures';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-import-check-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A json-store app with the real scheduler, as the service runs it. */
async function startApp(dataDir: string): Promise<App> {
  const app = composeApp({ store: 'json', dataDir });
  await app.start();
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await app.stop();
  });
  const stop = app.stop.bind(app);
  app.stop = async () => {
    stopped = true;
    await stop();
  };
  return app;
}

interface Records {
  configs?: unknown[];
  tasks?: unknown[];
  schedules?: unknown[];
  settings?: unknown;
}

/** An export file holding these records (counts made to match). */
async function exportFile(dir: string, records: Records): Promise<string> {
  const configs = records.configs ?? [];
  const tasks = records.tasks ?? [];
  const schedules = records.schedules ?? [];
  const file = join(dir, `export-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(
    file,
    JSON.stringify({
      format: 'task-scheduler-export',
      version: 1,
      exportedAt: new Date().toISOString(),
      secrets: 'clear',
      counts: {
        configs: configs.length,
        tasks: tasks.length,
        schedules: schedules.length,
        settings: records.settings === undefined ? 0 : 1,
        runs: 0,
      },
      configs,
      tasks,
      schedules,
      ...(records.settings === undefined ? {} : { settings: records.settings }),
      runs: [],
    }),
  );
  return file;
}

const good = (overrides: Partial<ScheduleEntry> = {}): Records => ({
  configs: [apiConfig('c1')],
  tasks: [task('t1', 'c1')],
  schedules: [entry('e1', 't1', overrides)],
});

async function refusal(
  app: App,
  file: string,
): Promise<{ message: string; records: RecordIssue[] }> {
  const error = (await app.core.call('system.import', { file }).then(
    () => {
      throw new Error('the import was accepted');
    },
    (e: unknown) => e,
  )) as { code: string; message: string; details?: { records: RecordIssue[] } };
  expect(error.code).toBe('VALIDATION');
  return { message: error.message, records: error.details?.records ?? [] };
}

async function expectEmpty(app: App): Promise<void> {
  expect(await app.core.call('configs.list', {})).toEqual([]);
  expect(await app.core.call('tasks.list', {})).toEqual([]);
  expect(await app.core.call('schedules.list', {})).toEqual([]);
}

describe('system.import validates the whole file before storing anything', () => {
  it('refuses an entry that fires every 2^53 - 1 seconds as VALIDATION, stores nothing and keeps running', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    const file = await exportFile(dir, good({ everySeconds: 2 ** 53 - 1 }));
    const { message, records } = await refusal(app, file);
    expect(message).toMatch(/schedule entry "e1" everySeconds: /);
    expect(records).toEqual([
      expect.objectContaining({ kind: 'schedule', id: 'e1', field: 'everySeconds' }),
    ]);
    await expectEmpty(app);
    // Still serving, and a good import still works.
    expect(
      (await app.core.call('system.import', { file: await exportFile(dir, good()) })).counts,
    ).toMatchObject({ configs: 1, tasks: 1, schedules: 1 });
  });

  it('refuses an entry in the unknown zone "Mars/Phobos", stores nothing, and the next start succeeds', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    const file = await exportFile(
      dir,
      good({ kind: 'cron', cron: '0 9 * * *', everySeconds: undefined, timezone: 'Mars/Phobos' }),
    );
    const { message, records } = await refusal(app, file);
    expect(message).toMatch(/schedule entry "e1" timezone: time zone "Mars\/Phobos" is unknown/);
    expect(records[0]).toMatchObject({ kind: 'schedule', id: 'e1', field: 'timezone' });
    await expectEmpty(app);
    await app.stop();
    const again = await startApp(dir);
    expect((await again.core.call('system.info', {})).problems).toEqual([]);
  });

  it('names every bad record in one VALIDATION: the message shows the first ten, the details all', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    const configs = Array.from({ length: 15 }, (_, i) => ({
      ...apiConfig(`bad${i}`),
      type: 'ftp',
    }));
    const file = await exportFile(dir, {
      configs: [apiConfig('c1'), ...configs],
      tasks: [task('t1', 'c1'), { ...task('t2', 'c1'), timeoutMs: -5 }],
    });
    const { message, records } = await refusal(app, file);
    expect(records).toHaveLength(16);
    expect(records).toContainEqual(
      expect.objectContaining({ kind: 'task', id: 't2', field: 'timeoutMs' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ kind: 'config', id: 'bad14', field: 'type' }),
    );
    expect(message).toMatch(/^\/.*\.json: 16 records are not valid, so nothing was imported: /);
    expect(message.match(/configuration "bad\d+" type:/g)).toHaveLength(ISSUES_SHOWN);
    expect(message).toMatch(
      /and 6 more \(all are listed in the error's details\)\. Fix them in the file and import again$/,
    );
    await expectEmpty(app);
  });

  it('applies the configs.save rules: one db action per operation, http(s) only', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    const db = {
      ...apiConfig('db1'),
      type: 'db',
      params: {
        uri: 'mongodb://127.0.0.1:9/x',
        database: 'x',
        collection: 'y',
        find: {},
        count: {},
      },
    } as unknown as Configuration;
    const ftp = apiConfig('ftp1', { params: { url: 'ftp://example.com/x' } } as never);
    const { records } = await refusal(app, await exportFile(dir, { configs: [db, ftp] }));
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'config',
        id: 'db1',
        field: 'params',
        problem: expect.stringMatching(/find and count; keep one read action/),
      }),
      expect.objectContaining({
        kind: 'config',
        id: 'ftp1',
        field: 'params.url',
        problem: expect.stringMatching(/is not http\(s\)/),
      }),
    ]);
  });

  it('refuses references that hold neither in the file nor in the store', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    const dbRead = {
      ...apiConfig('dbw'),
      type: 'db',
      params: { uri: 'mongodb://127.0.0.1:9/x', database: 'x', collection: 'y', find: {} },
    } as unknown as Configuration;
    const file = await exportFile(dir, {
      configs: [apiConfig('c1'), dbRead],
      tasks: [
        task('t-missing', 'nope'),
        task('t-type', 'dbw'),
        task('t-op', 'dbw', { type: 'db', operation: 'write' } as Partial<Task>),
      ],
      schedules: [entry('e-task', 'ghost'), entry('e-config', 't-op', { configId: 'c1' })],
    });
    const { records } = await refusal(app, file);
    expect(records.map((r) => `${r.kind} ${r.id} ${r.field}`)).toEqual([
      'task t-missing configId',
      'task t-type configId',
      'task t-op configId',
      'schedule e-task taskId',
      'schedule e-config configId',
    ]);
    expect(records[2]!.problem).toMatch(/has no write action/);
    await expectEmpty(app);
  });

  it('accepts references to records the store already holds, and refuses a type change its tasks cannot follow', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    await app.core.call('system.import', {
      file: await exportFile(dir, { configs: [apiConfig('c1')] }),
    });
    const ok = await app.core.call('system.import', {
      file: await exportFile(dir, { tasks: [task('t1', 'c1')], schedules: [entry('e1', 't1')] }),
    });
    expect(ok.counts).toMatchObject({ tasks: 1, schedules: 1 });
    // c1 turning into a file configuration would leave the stored api task t1 without one.
    const file = await exportFile(dir, {
      configs: [
        {
          ...apiConfig('c1'),
          type: 'file',
          params: { location: '/tmp/x.txt' },
        },
      ],
    });
    const { records } = await refusal(app, file);
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'config',
        id: 'c1',
        field: 'type',
        problem: expect.stringMatching(
          /is for file tasks, but task "task t1" \(in the store\) is a api task/,
        ),
      }),
    ]);
    expect((await app.core.call('configs.get', { id: 'c1' })).type).toBe('api');
  });

  it('refuses settings the settings.save rules refuse (an unknown default time zone)', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    const { records } = await refusal(
      app,
      await exportFile(dir, { settings: { defaultTimezone: 'Mars/Phobos' } }),
    );
    expect(records).toEqual([
      expect.objectContaining({ kind: 'settings', field: 'defaultTimezone' }),
    ]);
    expect((await app.core.call('settings.get', {})).defaultTimezone).toBeUndefined();
  });

  it('applies the chain rules to imported tasks: a cycle and a missing task are refused, nothing stored', async () => {
    const dir = await tempDir();
    const app = await startApp(dir);
    await app.core.call('system.import', {
      file: await exportFile(dir, { configs: [apiConfig('c1')], tasks: [task('t1', 'c1')] }),
    });
    const runsAfter = (taskId: string): Partial<Task> => ({
      runAfter: [{ taskId, when: 'succeeded' }],
    });
    const file = await exportFile(dir, {
      tasks: [
        task('t1', 'c1', runsAfter('t2')),
        task('t2', 'c1', runsAfter('t1')),
        task('t3', 'c1', runsAfter('ghost')),
      ],
    });
    const { records } = await refusal(app, file);
    expect(records).toEqual([
      expect.objectContaining({
        kind: 'task',
        id: 't1',
        field: 'runAfter.0.taskId',
        problem: expect.stringContaining('this makes a cycle: "task t1" → "task t2" → "task t1"'),
      }),
      expect.objectContaining({ kind: 'task', id: 't2', field: 'runAfter.0.taskId' }),
      expect.objectContaining({
        kind: 'task',
        id: 't3',
        problem: 'no task with id "ghost"; pick one from tasks.list',
      }),
    ]);
    expect((await app.core.call('tasks.get', { id: 't1' })).runAfter).toBeUndefined();
  });
});
