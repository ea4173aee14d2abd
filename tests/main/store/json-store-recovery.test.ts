/**
 * json store recovery beyond the shared contract: torn lines, leftover temp files and damaged
 * files at open, and a kill -9 while runs are appended (a child process).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { JsonStore } from '../../../src/main/store/json/json-store';
import type { Run } from '../../../src/shared/domain';
import { at, run, task } from '../../support/fixtures';
import { dir, exited, openStore, startChild, useJsonStoreDir } from './support/json-store-files';

useJsonStoreDir();

describe('json store recovery', () => {
  it('skips a torn last line, reports it once, and appends cleanly after it', async () => {
    let store = await openStore();
    await store.insertRun(run('r1', at(0)));
    await store.insertRun(run('r2', at(1)));
    await store.close();
    const file = join(dir, 'runs', '2026-01-01T00.jsonl');
    const intact = (await fs.stat(file)).size;
    await fs.appendFile(file, '{"id":"r3","startedAt":"2026-01-01T00:02:0');

    // Reported to the store's log (the entry point's logger), not to the console.
    const warn = vi.spyOn(console, 'warn');
    const lines: string[] = [];
    store = await openStore(dir, (line) => lines.push(line));
    expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual(['r2', 'r1']);
    await store.listRuns({ limit: 10 });
    const reports = lines.filter((line) => line.includes(file));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(`at byte ${intact}`);
    expect(warn).not.toHaveBeenCalled();

    await store.insertRun(run('r4', at(3)));
    await store.close();
    lines.length = 0;
    store = await openStore(dir, (line) => lines.push(line));
    expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual([
      'r4',
      'r2',
      'r1',
    ]);
    expect(lines).toEqual([]);
    warn.mockRestore();
  });

  it('removes temp files a crash left behind and keeps the real files', async () => {
    let store = await openStore();
    await store.putTask(task('t1', 'c1'));
    await store.insertRun(run('r1', at(0)));
    await store.close();
    await fs.writeFile(join(dir, 'catalog.json.1a2b3c.tmp'), '{"half":');
    await fs.writeFile(join(dir, 'runs', '2026-01-01T00.jsonl.9f8e7d.tmp'), 'partial');
    store = await openStore();
    const names = [...(await fs.readdir(dir)), ...(await fs.readdir(join(dir, 'runs')))];
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await store.getTask('t1')).toEqual(task('t1', 'c1'));
    expect(await store.getRun('r1')).toBeDefined();
  });

  it.each([
    ['is not JSON', '{"version":1,"configs":['],
    [
      'has the wrong shape',
      '{"version":1,"configs":"nope","tasks":[],"schedules":[],"settings":null}',
    ],
  ])('moves a catalog that %s aside and says what to do', async (_what, content) => {
    await fs.writeFile(join(dir, 'catalog.json'), content);
    const store = new JsonStore({ dataDir: dir });
    const failure = await store.open().then(
      () => undefined,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(failure?.code).toBe('UNAVAILABLE');
    expect(failure?.message).toMatch(
      /^JsonStore: .*catalog\.json is unreadable \(.+\); it was moved to .*catalog\.json\.corrupt-.+; restore it from a backup or start with an empty catalog by removing it$/,
    );
    const aside = (await fs.readdir(dir)).filter((n) => n.startsWith('catalog.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await fs.readFile(join(dir, aside[0]!), 'utf8')).toBe(content);
    expect(failure?.message).toContain(join(dir, aside[0]!));
    // The user was told; the next start begins with an empty catalog and keeps the moved file.
    const next = await openStore();
    expect(await next.listConfigs()).toEqual([]);
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('catalog.json.corrupt-'))).toEqual(
      aside,
    );
  });
});

describe('json store crash', () => {
  it('survives kill -9 while appending runs: catalog intact, every committed run kept', async () => {
    const writer = startChild('write');
    // Let it write across several hour files, then kill it in the middle of whatever it does.
    const last = await writer.nextLine(
      (l) => l.startsWith('committed ') && Number(l.split(' ')[1]) >= 2000,
    );
    writer.child.kill('SIGKILL');
    await exited(writer.child);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = await openStore();
    expect(await store.getConfig('cfg')).toMatchObject({ name: 'kept config' });
    const [, count, lastId] = last.split(' ');
    const committed = await store.getRun(lastId!);
    expect(committed?.status).toBe('succeeded');
    const all: Run[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listRuns({ limit: 1000, ...(cursor ? { cursor } : {}) });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    // Every run reported committed is there; only the batch in flight may be partly missing.
    const finished = all.filter((r) => r.status === 'succeeded');
    expect(finished.length).toBeGreaterThanOrEqual(Number(count));
    const running = await store.listRunningRuns();
    expect(running.every((r) => r.id > lastId!)).toBe(true);
    expect(all.length).toBeLessThanOrEqual(Number(count) + 50 * 20);
    expect(all.every((r) => r.status === 'succeeded' || r.status === 'running')).toBe(true);
    // A torn line, if the kill made one, was reported and skipped, not fatal.
    for (const call of warn.mock.calls) expect(String(call[0])).toMatch(/at byte \d+/);
  });
});
