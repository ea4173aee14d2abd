import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import {
  copyStore,
  exportStoreToFile,
  importStoreFromFile,
} from '../../../src/main/store/transfer';
import type { Store } from '../../../src/main/store/types';
import { settingsSchema, type Run } from '../../../src/shared/domain';
import { apiConfig, at, entry, run, task } from '../../support/fixtures';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';

let target: MongoTestTarget;
let dbCounter = 0;
let dir: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  target = await mongoTestTarget();
});
afterAll(async () => {
  await target.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'ts-transfer-'));
  cleanups.push(() => rm(made, { recursive: true, force: true }));
  return made;
}

async function openJson(dataDir: string): Promise<JsonStore> {
  const store = new JsonStore({ dataDir });
  await store.open();
  cleanups.push(() => store.close());
  return store;
}

async function openMongo(): Promise<MongoStore> {
  dbCounter += 1;
  const store = new MongoStore({ uri: target.uri, database: `${target.database}_t${dbCounter}` });
  await store.open();
  cleanups.push(() => store.close());
  return store;
}

const SETTINGS = settingsSchema.parse({ concurrency: 3, retention: { maxRuns: 500 } });

async function seed(store: Store, runs = 25): Promise<void> {
  await store.putConfig(apiConfig('c1'));
  await store.putConfig(
    apiConfig('c2', {
      params: { url: 'http://127.0.0.1:9/x', headers: { 'x.dotted': '$1' } },
    } as never),
  );
  await store.putTask(task('t1', 'c1'));
  await store.putSchedule(entry('e1', 't1', { lastRunAt: at(3) }));
  await store.putSettings(SETTINGS);
  for (let i = 0; i < runs; i++) {
    await store.insertRun(
      run(`r${String(i).padStart(3, '0')}`, at(i * 60), {
        result: { summary: 'ok', data: { n: i, $odd: 'key' } },
      }),
    );
  }
}

async function snapshot(store: Store): Promise<unknown> {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 7, ...(cursor ? { cursor } : {}) });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const byId = <T extends { id: string }>(xs: T[]): T[] =>
    xs.sort((a, b) => a.id.localeCompare(b.id));
  return {
    configs: byId(await store.listConfigs()),
    tasks: byId(await store.listTasks()),
    schedules: byId(await store.listSchedules()),
    settings: await store.getSettings(),
    runs,
  };
}

const FULL = { configs: 2, tasks: 1, schedules: 1, alerts: 0, settings: 1, runs: 25 };

describe('moving data between stores', () => {
  it('exports json, imports into mongodb twice without duplicates, and comes back to json unchanged', async () => {
    dir = await tempDir();
    const source = await openJson(join(dir, 'source'));
    await seed(source);
    const file = join(dir, 'export.json');
    // With its secrets, so that they arrive too (without them, see transfer-secrets.test.ts).
    expect(await exportStoreToFile(source, file, { includeSecrets: true })).toEqual({
      file,
      counts: FULL,
      secrets: 'clear',
      notes: [expect.stringMatching(/holds secrets in clear .*"config c1".*keep it private/)],
    });

    const mongo = await openMongo();
    expect((await importStoreFromFile(mongo, file)).counts).toEqual(FULL);
    expect((await importStoreFromFile(mongo, file)).counts).toEqual(FULL);
    expect(await snapshot(mongo)).toEqual(await snapshot(source));

    const back = join(dir, 'back.json');
    expect((await exportStoreToFile(mongo, back, { includeSecrets: true })).counts).toEqual(FULL);
    const copy = await openJson(join(dir, 'copy'));
    expect((await importStoreFromFile(copy, back)).counts).toEqual(FULL);
    expect(await snapshot(copy)).toEqual(await snapshot(source));
    // Only the finished files remain: no temporary files left behind.
    expect((await readdir(dir)).sort()).toEqual(['back.json', 'copy', 'export.json', 'source']);
  });

  it('restores deleted records from an export, including schedule entries', async () => {
    dir = await tempDir();
    const mongo = await openMongo();
    await seed(mongo, 3);
    const file = join(dir, 'backup.json');
    await exportStoreToFile(mongo, file);
    await mongo.deleteSchedules(['e1']);
    await mongo.deleteTasks(['t1']);
    await mongo.deleteRuns({ ids: ['r001'] });
    expect((await importStoreFromFile(mongo, file)).counts).toEqual({ ...FULL, runs: 3 });
    // The file omitted the secret (no codec); the one still stored was kept.
    expect(await mongo.getConfig('c1')).toEqual(apiConfig('c1'));
    expect(await mongo.getSchedule('e1')).toEqual(entry('e1', 't1', { lastRunAt: at(3) }));
    expect(await mongo.getTask('t1')).toBeDefined();
    expect(await mongo.getRun('r001')).toBeDefined();
  });

  it('copies a store into another directly and replaces changed records on a second copy', async () => {
    const memory = new MemoryStore();
    await memory.open();
    await seed(memory, 5);
    const mongo = await openMongo();
    expect(await copyStore(memory, mongo)).toEqual({ ...FULL, runs: 5 });
    await memory.updateRun(run('r004', at(240), { status: 'failed' }));
    await memory.putTask(task('t1', 'c1', { name: 'renamed' }));
    expect(await copyStore(memory, mongo)).toEqual({ ...FULL, runs: 5 });
    expect((await mongo.getRun('r004'))?.status).toBe('failed');
    expect((await mongo.getTask('t1'))?.name).toBe('renamed');
    expect((await mongo.listRuns({ limit: 100 })).items).toHaveLength(5);
  });

  it('writes the export readable by a person: one record per line, the file private to its owner', async () => {
    dir = await tempDir();
    const memory = new MemoryStore();
    await memory.open();
    await seed(memory, 3);
    const file = join(dir, 'export.json');
    await exportStoreToFile(memory, file);
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('{"id":"r0'))).toHaveLength(3);
    expect(JSON.parse(text).format).toBe('task-scheduler-export');
    const { stat } = await import('node:fs/promises');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('bad export files and paths', () => {
  async function expectRefused(content: string, message: RegExp): Promise<void> {
    dir = await tempDir();
    const file = join(dir, 'bad.json');
    await writeFile(file, content);
    const store = new MemoryStore();
    await store.open();
    await expect(importStoreFromFile(store, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(message),
    });
    // Nothing at all was written.
    expect(await snapshot(store)).toEqual({
      configs: [],
      tasks: [],
      schedules: [],
      settings: undefined,
      runs: [],
    });
  }

  async function goodDump(): Promise<Record<string, unknown>> {
    dir = await tempDir();
    const memory = new MemoryStore();
    await memory.open();
    await seed(memory, 3);
    const file = join(dir, 'good.json');
    await exportStoreToFile(memory, file);
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  }

  it('refuses a file that is not JSON', async () => {
    await expectRefused(
      '{"format": "task-scheduler-export", "runs": [',
      /is not valid JSON.*Export again/,
    );
  });

  it('refuses JSON that is not an export', async () => {
    await expectRefused('{"hello": "world"}', /format: must be "task-scheduler-export"/);
  });

  it('refuses a file with one invalid run and stores none of the valid records', async () => {
    const dump = await goodDump();
    (dump.runs as Run[])[1]!.status = 'exploded' as never;
    await expectRefused(JSON.stringify(dump), /runs\.1\.status/);
  });

  it('refuses a file whose counts do not match its records (cut short or edited)', async () => {
    const dump = await goodDump();
    (dump.runs as Run[]).pop();
    await expectRefused(JSON.stringify(dump), /says it holds .* but holds/);
  });

  it('refuses a file that holds the same id twice', async () => {
    const dump = await goodDump();
    const tasks = dump.tasks as unknown[];
    tasks.push(tasks[0]);
    (dump.counts as { tasks: number }).tasks = 2;
    await expectRefused(JSON.stringify(dump), /tasks holds id "t1" twice/);
  });

  it('refuses relative paths, missing files and folders that do not exist', async () => {
    const store = new MemoryStore();
    await store.open();
    await expect(importStoreFromFile(store, 'export.json')).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/not an absolute path/),
    });
    dir = await tempDir();
    await expect(importStoreFromFile(store, join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/cannot read .*check the path/),
    });
    await expect(
      exportStoreToFile(store, join(dir, 'no', 'such', 'dir', 'x.json')),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/cannot create/),
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('system.export and system.import through the core', () => {
  it('moves a store from one app to another and applies the imported settings', async () => {
    dir = await tempDir();
    const from = createApp({ store: new MemoryStore(), executors: {} });
    await from.start();
    cleanups.push(() => from.stop());
    await seed(from.store, 4);
    const file = join(dir, 'move.json');
    const exported = await from.core.call('system.export', { file, includeSecrets: true });
    expect(exported).toEqual({
      file,
      counts: { ...FULL, runs: 4 },
      secrets: 'clear',
      notes: [expect.stringMatching(/holds secrets in clear/)],
    });

    const to = createApp({ store: new MemoryStore(), executors: {} });
    await to.start();
    cleanups.push(() => to.stop());
    const events: string[] = [];
    to.events.subscribe((e) => events.push(e.name));
    expect(await to.core.call('system.import', { file })).toEqual({ ...exported, notes: [] });
    expect(await to.store.getConfig('c1')).toEqual(apiConfig('c1'));
    expect((await to.core.call('settings.get', {})).concurrency).toBe(3);
    expect((await to.core.call('runs.list', {})).items).toHaveLength(4);
    expect(events).toContain('store.changed');
    await expect(to.core.call('system.import', { file, extra: 1 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(to.core.call('system.export', { file: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(
      to.core.call('system.export', { file, includeSecrets: 'yes' as never }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/includeSecrets/),
    });
  });
});
