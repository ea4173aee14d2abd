/**
 * json store behaviour beyond the shared contract: files on disk, crashes, the lock, recovery.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdGenerator } from '../../../src/main/core/ids';
import { JsonStore } from '../../../src/main/store/json/json-store';
import type { Run } from '../../../src/shared/domain';
import { settingsSchema } from '../../../src/shared/domain';
import { apiConfig, at, entry, run, task } from '../../support/fixtures';

const CHILD = fileURLToPath(new URL('./fixtures/json-store-child.ts', import.meta.url));

let dir: string;
const open: JsonStore[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

async function openStore(dataDir = dir): Promise<JsonStore> {
  const store = new JsonStore({ dataDir });
  await store.open();
  open.push(store);
  return store;
}

function startChild(
  mode: string,
  dataDir = dir,
): {
  child: ChildProcessWithoutNullStreams;
  nextLine: (match: (line: string) => boolean) => Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dataDir], {
    cwd: process.cwd(),
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const nextLine = (match: (line: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const seen = lines.find(match);
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
      child.once('exit', (code) =>
        reject(new Error(`child exited (${code}) before the expected line; stderr: ${stderr}`)),
      );
    });
  return { child, nextLine };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'json-store-files-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  for (const store of open.splice(0)) await store.close();
  await fs.chmod(dir, 0o700).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

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

describe('json store recovery', () => {
  it('skips a torn last line, reports it once, and appends cleanly after it', async () => {
    let store = await openStore();
    await store.insertRun(run('r1', at(0)));
    await store.insertRun(run('r2', at(1)));
    await store.close();
    const file = join(dir, 'runs', '2026-01-01T00.jsonl');
    const intact = (await fs.stat(file)).size;
    await fs.appendFile(file, '{"id":"r3","startedAt":"2026-01-01T00:02:0');

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    store = await openStore();
    expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual(['r2', 'r1']);
    await store.listRuns({ limit: 10 });
    const reports = warn.mock.calls.filter((c) => String(c[0]).includes(file));
    expect(reports).toHaveLength(1);
    expect(String(reports[0]![0])).toContain(`at byte ${intact}`);

    await store.insertRun(run('r4', at(3)));
    await store.close();
    warn.mockClear();
    store = await openStore();
    expect((await store.listRuns({ limit: 10 })).items.map((r) => r.id)).toEqual([
      'r4',
      'r2',
      'r1',
    ]);
    expect(warn).not.toHaveBeenCalled();
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

describe('json store lock', () => {
  it('fails fast with CONFLICT while another process uses the data dir, and stores nothing', async () => {
    const holder = startChild('hold');
    const line = await holder.nextLine((l) => l.startsWith('open '));
    const pid = Number(line.split(' ')[1]);
    const store = new JsonStore({ dataDir: dir });
    await expect(store.open()).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        new RegExp(
          `^JsonStore: .* is in use by process ${pid} .*; stop it or choose another --data-dir$`,
        ),
      ),
    });
    await expect(store.putTask(task('t1', 'c1'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(JSON.parse(await fs.readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({ pid });
    holder.child.stdin.end();
    await exited(holder.child);
    await expect(fs.access(join(dir, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    const later = await openStore();
    expect(await later.listTasks()).toEqual([]);
  });

  it('reports CONFLICT to a second process while this one holds the data dir', async () => {
    await openStore();
    const other = startChild('try');
    const line = await other.nextLine((l) => l.startsWith('ok') || l.startsWith('error'));
    expect(line).toMatch(new RegExp(`^error CONFLICT .* in use by process ${process.pid} `));
  });

  it('takes over a lock left by a dead process on this host', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    await fs.writeFile(
      join(dir, 'lock'),
      JSON.stringify({ pid: gone.pid, hostname: hostname(), startedAt: at(0) }),
    );
    const store = await openStore();
    expect(JSON.parse(await fs.readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    await store.close();
    await expect(fs.access(join(dir, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a lock naming this very pid that this process does not hold (a restarted container is pid 1 again)', async () => {
    await fs.writeFile(
      join(dir, 'lock'),
      JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: at(0) }),
    );
    await openStore();
    const held = JSON.parse(await fs.readFile(join(dir, 'lock'), 'utf8')) as { startedAt: string };
    expect(held.startedAt).not.toBe(at(0));
  });

  it('refuses a second open of the same data dir within this process', async () => {
    await openStore();
    await expect(new JsonStore({ dataDir: dir }).open()).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already open in this process'),
    });
  });

  it('takes over a lock of another host that nobody touched for 10 minutes', async () => {
    await fs.writeFile(
      join(dir, 'lock'),
      JSON.stringify({ pid: 1234, hostname: 'gone.example', startedAt: at(0) }),
    );
    const old = new Date(Date.now() - 11 * 60_000);
    await fs.utimes(join(dir, 'lock'), old, old);
    await openStore();
    expect(JSON.parse(await fs.readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
  });

  it('touches its lock while it holds it, so other hosts can tell it is alive', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      await openStore();
      const old = new Date(Date.now() - 5 * 60_000);
      await fs.utimes(join(dir, 'lock'), old, old);
      vi.advanceTimersByTime(60_000);
      await expect
        .poll(async () => (await fs.stat(join(dir, 'lock'))).mtimeMs)
        .toBeGreaterThan(Date.now() - 10_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not take over a lock of another host, and names that host', async () => {
    await fs.writeFile(
      join(dir, 'lock'),
      JSON.stringify({ pid: 1234, hostname: 'elsewhere.example', startedAt: at(0) }),
    );
    await expect(new JsonStore({ dataDir: dir }).open()).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('on host elsewhere.example'),
    });
  });
});

describe('json store unwritable data dir', () => {
  async function expectUnavailable(dataDir: string): Promise<void> {
    const store = new JsonStore({ dataDir });
    await expect(store.open()).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(
        new RegExp(
          `^JsonStore: data directory ${dataDir} cannot be written \\(\\w+\\); fix its permissions or choose another --data-dir$`,
        ),
      ),
    });
  }

  it('fails open with UNAVAILABLE when the data dir lies under a regular file', async () => {
    await fs.writeFile(join(dir, 'file.txt'), 'not a directory');
    await expectUnavailable(join(dir, 'file.txt', 'data'));
  });

  it('fails open with UNAVAILABLE on a read-only data dir (root: a path no one can create)', async () => {
    const readOnly = join(dir, 'read-only');
    await fs.mkdir(readOnly, { mode: 0o500 });
    await fs.chmod(readOnly, 0o500);
    // Root ignores permission bits: detect that, and use a path under a file instead.
    const probe = join(readOnly, 'probe');
    const writable = await fs.writeFile(probe, '').then(
      () => true,
      () => false,
    );
    if (writable) {
      await fs.rm(probe);
      await fs.writeFile(join(dir, 'file.txt'), 'x');
      await expectUnavailable(join(dir, 'file.txt', 'data'));
    } else {
      await expectUnavailable(readOnly);
      expect(await fs.readdir(readOnly)).toEqual([]);
    }
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
