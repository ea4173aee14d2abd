/**
 * json store files on disk beyond the shared contract: what is kept where across restarts, one
 * file per hour, deletions and retention by whole files; and bad input that stores nothing.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIdGenerator } from '../../../src/main/core/ids';
import { JsonStore } from '../../../src/main/store/json/json-store';
import type { Run } from '../../../src/shared/domain';
import { settingsSchema } from '../../../src/shared/domain';
import { apiConfig, at, entry, run, task } from '../../support/fixtures';
import { dir, openStore, useJsonStoreDir } from './support/json-store-files';

useJsonStoreDir();

describe('json store on disk', () => {
  it('keeps the catalog and runs across a restart, even without its summary file', async () => {
    const ids = createIdGenerator(() => Date.parse(at(0)));
    const coreId = ids();
    let store = await openStore();
    await store.putConfig(apiConfig('c1'));
    await store.putTask(task('t1', 'c1'));
    await store.putSchedule(entry('e1', 't1'));
    await store.putSettings(settingsSchema.parse({ concurrency: 3 }));
    await store.insertRun(run(coreId, at(0), { status: 'running' }));
    await store.insertRun(run('plain-id', at(90)));
    await store.insertRun(run('we"ird\\id ✓', at(91), { taskId: 'task "quoted"' }));
    await store.close();
    await fs.rm(join(dir, 'runs', 'summary.json'));

    store = await openStore();
    expect(await store.getConfig('c1')).toEqual(apiConfig('c1'));
    expect(await store.getTask('t1')).toEqual(task('t1', 'c1'));
    expect(await store.getSchedule('e1')).toEqual(entry('e1', 't1'));
    expect((await store.getSettings())?.concurrency).toBe(3);
    expect((await store.listRunningRuns()).map((r) => r.id)).toEqual([coreId]);
    await store.updateRun(run(coreId, at(0), { status: 'succeeded' }));
    await expect(store.insertRun(run('plain-id', at(5)))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(store.insertRun(run(coreId, at(200)))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual([
      'we"ird\\id ✓',
      'plain-id',
      coreId,
    ]);
    expect((await store.listRuns({ limit: 10, taskId: 'task "quoted"' })).items).toHaveLength(1);
    expect(await store.listRunningRuns()).toEqual([]);
  });

  it('writes one JSON-lines file per UTC hour of startedAt', async () => {
    const store = await openStore();
    await store.insertRun(run('a', '2026-01-01T00:10:00.000Z'));
    await store.insertRun(run('b', '2026-01-01T00:50:00.000Z'));
    await store.insertRun(run('c', '2026-01-01T01:00:00.000Z'));
    await store.flush();
    const files = (await fs.readdir(join(dir, 'runs'))).filter((f) => f.endsWith('.jsonl'));
    expect(files.sort()).toEqual(['2026-01-01T00.jsonl', '2026-01-01T01.jsonl']);
    const text = await fs.readFile(join(dir, 'runs', '2026-01-01T00.jsonl'), 'utf8');
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Run).id),
    ).toEqual(['a', 'b']);
  });

  it('coalesces catalog changes made in one tick into one durable file write', async () => {
    const store = await openStore();
    const before = store.catalogWrites;
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        store.putSchedule(entry(`e${i}`, 't1', { lastRunAt: at(i) })),
      ),
    );
    expect(store.catalogWrites - before).toBe(1);
    const onDisk = JSON.parse(await fs.readFile(join(dir, 'catalog.json'), 'utf8')) as {
      schedules: unknown[];
    };
    expect(onDisk.schedules).toHaveLength(500);
  });

  it('appends the running record and the final record, and the last one wins', async () => {
    const store = await openStore();
    await store.insertRun(run('r1', at(0), { status: 'running' }));
    await store.updateRun(run('r1', at(0), { status: 'failed' }));
    await store.flush();
    const lines = (await fs.readFile(join(dir, 'runs', '2026-01-01T00.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as Run).status)).toEqual(['running', 'failed']);
    expect((await store.getRun('r1'))?.status).toBe('failed');
  });

  it('deletes a period by dropping whole hour files and rewriting only partly covered ones', async () => {
    const store = await openStore();
    for (let minute = 0; minute < 4 * 60; minute += 20)
      await store.insertRun(run(`m${minute}`, at(minute)));
    await store.flush();
    const untouched = join(dir, 'runs', '2026-01-01T03.jsonl');
    const before = await fs.stat(untouched);
    // 00:40 to 02:00: rewrites hour 00, drops hour 01, leaves hours 02 and 03 alone.
    expect(await store.deleteRuns({ from: at(40), to: at(120) })).toBe(4);
    const files = (await fs.readdir(join(dir, 'runs'))).filter((f) => f.endsWith('.jsonl'));
    expect(files.sort()).toEqual([
      '2026-01-01T00.jsonl',
      '2026-01-01T02.jsonl',
      '2026-01-01T03.jsonl',
    ]);
    expect((await fs.stat(untouched)).mtimeMs).toBe(before.mtimeMs);
    expect((await fs.stat(untouched)).ino).toBe(before.ino);
    const hour0 = await fs.readFile(join(dir, 'runs', '2026-01-01T00.jsonl'), 'utf8');
    expect(hour0.trim().split('\n')).toHaveLength(2);
    expect((await store.listRuns({ limit: 100 })).items).toHaveLength(8);
  });

  it('retention drops whole hour files and never the newest one', async () => {
    const store = await openStore();
    await store.insertRun(run('old', at(0)));
    await store.insertRun(run('new', at(60)));
    expect(await store.applyRetention({ maxAgeDays: 1 }, Date.parse(at(10 * 1440)))).toBe(1);
    expect(await store.applyRetention({ maxRuns: 1 }, Date.parse(at(10 * 1440)))).toBe(0);
    const files = (await fs.readdir(join(dir, 'runs'))).filter((f) => f.endsWith('.jsonl'));
    expect(files).toEqual(['2026-01-01T01.jsonl']);
    expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual(['new']);
  });
});

describe('json store bad input', () => {
  it('rejects a run whose startedAt is not a time and stores nothing', async () => {
    const store = await openStore();
    await expect(store.insertRun(run('bad', 'yesterday'))).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('"yesterday"'),
    });
    expect(await store.getRun('bad')).toBeUndefined();
    expect((await store.listRuns({ limit: 10 })).items).toEqual([]);
  });

  it('refuses to move a run to another startedAt and keeps the stored one', async () => {
    const store = await openStore();
    await store.insertRun(run('r1', at(0)));
    await expect(store.updateRun(run('r1', at(500)))).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect((await store.getRun('r1'))?.startedAt).toBe(at(0));
  });

  it('rejects a deletion period that is not made of times and deletes nothing', async () => {
    const store = await openStore();
    await store.insertRun(run('r1', at(0)));
    await expect(store.deleteRuns({ from: 'soon', to: at(10) })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(await store.getRun('r1')).toBeDefined();
  });

  it('refuses to be used before open and after close', async () => {
    const store = new JsonStore({ dataDir: dir });
    await expect(store.listTasks()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await store.open();
    await store.close();
    await expect(store.putTask(task('t', 'c'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(store.insertRun(run('r', at(0)))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });
});
