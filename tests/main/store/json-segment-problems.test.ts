import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import type { Executor } from '../../../src/main/executors/types';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { allRuns, apiConfig, run, task } from '../../support/fixtures';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-segment-problems-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openStore(dir: string, log: string[] = []): Promise<JsonStore> {
  const store = new JsonStore({ dataDir: dir, log: (l) => log.push(l) });
  await store.open();
  cleanups.push(() => store.close());
  return store;
}

const HOUR = 3_600_000;
/** The start of the UTC hour `hoursAgo` hours before now. */
const hourAgo = (hoursAgo: number, plusMinutes = 0): string =>
  new Date(
    Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR + plusMinutes * 60_000,
  ).toISOString();
const segmentOf = (dir: string, iso: string): string =>
  join(dir, 'runs', `${iso.slice(0, 13)}.jsonl`);

/** A store holding `counts[i]` runs in the hour i+3 hours ago (so the oldest comes first). */
async function seed(dir: string, counts: number[]): Promise<string[]> {
  const store = new JsonStore({ dataDir: dir });
  await store.open();
  const hours: string[] = [];
  for (const [i, count] of counts.entries()) {
    const hour = hourAgo(counts.length + 2 - i);
    hours.push(hour);
    for (let n = 0; n < count; n++) {
      await store.insertRun(run(`h${i}-r${n}`, hourAgo(counts.length + 2 - i, n)));
    }
  }
  await store.close();
  return hours;
}

describe('run segments lost or damaged while the app was stopped', () => {
  it('reports a deleted segment at every start with the number of runs it held, until acknowledged', async () => {
    const dir = await tempDir();
    const [, lost] = await seed(dir, [3, 2]);
    await fs.rm(segmentOf(dir, lost!));

    const log: string[] = [];
    let store = await openStore(dir, log);
    const expected = expect.objectContaining({
      id: `runs:${lost!.slice(0, 13)}:missing`,
      kind: 'runs',
      at: segmentOf(dir, lost!),
      message: expect.stringMatching(/is missing: the 2 runs recorded there are lost/),
    });
    expect(store.problems()).toEqual([expected]);
    expect(log.join('\n')).toMatch(/is missing: the 2 runs recorded there are lost/);
    expect(await allRuns(store)).toHaveLength(3);
    await store.close();

    store = await openStore(dir);
    expect(store.problems()).toEqual([expected]);
    expect(await store.acknowledgeProblem(store.problems()[0]!.id)).toBe(true);
    await store.close();
    store = await openStore(dir);
    expect(store.problems()).toEqual([]);
  });

  it('reports a hole of NUL bytes at start with the records it skipped', async () => {
    const dir = await tempDir();
    const [hour] = await seed(dir, [5]);
    const file = segmentOf(dir, hour!);
    const bytes = await fs.readFile(file);
    const first = bytes.indexOf(0x0a);
    const second = bytes.indexOf(0x0a, first + 1);
    bytes.fill(0, first + 1, second); // the second record, its newline kept
    await fs.writeFile(file, bytes);

    const store = await openStore(dir);
    expect(store.problems()).toEqual([
      expect.objectContaining({
        kind: 'runs',
        at: file,
        message: expect.stringMatching(
          /is damaged: 1 unreadable line skipped \(the first at byte \d+: holds NUL bytes \(a hole in the file\)\); the summary listed 5 runs, 4 can be read/,
        ),
      }),
    ]);
    expect((await allRuns(store)).map((r) => r.id).sort()).toEqual([
      'h0-r0',
      'h0-r2',
      'h0-r3',
      'h0-r4',
    ]);
  });

  it('reports a segment cut short, even when it was cut inside a line', async () => {
    const dir = await tempDir();
    const [hour] = await seed(dir, [3]);
    const file = segmentOf(dir, hour!);
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.indexOf(0x0a) + 20));
    const store = await openStore(dir);
    expect(store.problems()).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /is damaged: the file is shorter than the summary recorded \(\d+ bytes\); the summary listed 3 runs, 1 can be read/,
        ),
      }),
    ]);
  });

  it('reports nothing for a torn last line, or for segments that runs.delete and retention removed', async () => {
    const dir = await tempDir();
    const [a, b, c] = await seed(dir, [2, 2, 2]);
    await fs.appendFile(segmentOf(dir, c!), '{"id":"half');
    const store = await openStore(dir);
    expect(store.problems()).toEqual([]);
    await store.deleteRuns({ from: a!, to: b! });
    await store.applyRetention({ maxRuns: 1 }, Date.now());
    // Without a clean close (a crash), the summary file already forgot the removed segments.
    const summary = JSON.parse(await fs.readFile(join(dir, 'runs', 'summary.json'), 'utf8')) as {
      segments: Record<string, unknown>;
    };
    expect(Object.keys(summary.segments)).toEqual([c!.slice(0, 13)]);
    await store.close();
    expect((await openStore(dir)).problems()).toEqual([]);
  });
});

/** Answers at once. */
const executor: Executor<'api'> = {
  type: 'api',
  execute: async () => ({ result: { summary: 'ok' } }),
};

async function startApp(dir: string): Promise<App> {
  const app = createApp({
    store: new JsonStore({ dataDir: dir, log: () => undefined }),
    executors: { api: executor },
  });
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

describe('a run segment that cannot be read', () => {
  it('answers runs.list with UNAVAILABLE naming the file, while other hours, tasks.run and new runs work', async () => {
    const dir = await tempDir();
    const [unreadable, readable] = await seed(dir, [2, 2]);
    // Permissions do not stop root: a directory in the file's place fails for everyone.
    const file = segmentOf(dir, unreadable!);
    await fs.rm(file);
    await fs.mkdir(file);

    const app = await startApp(dir);
    await app.store.putConfig(apiConfig('c1'));
    await app.store.putTask(task('t1', 'c1'));
    expect((await app.core.call('system.info', {})).problems).toEqual([
      expect.objectContaining({
        kind: 'runs',
        at: file,
        message: expect.stringMatching(/cannot be read \(EISDIR\)/),
      }),
    ]);
    await expect(app.core.call('runs.list', {})).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(`JsonStore: run segment ${file} cannot be read (EISDIR)`),
    });
    const other = await app.core.call('runs.list', {
      from: readable!,
      to: new Date(Date.parse(readable!) + HOUR).toISOString(),
    });
    expect(other.items.map((r) => r.id)).toEqual(['h1-r1', 'h1-r0']);

    const started = await app.core.call('tasks.run', { id: 't1' });
    expect(started.status).toBe('succeeded');
    expect(await app.core.call('runs.get', { id: started.id })).toMatchObject({
      status: 'succeeded',
    });
    const recent = await app.core.call('runs.list', { from: hourAgo(0) });
    expect(recent.items.map((r) => r.id)).toEqual([started.id]);
  });
});
