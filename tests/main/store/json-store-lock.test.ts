/**
 * json store lock beyond the shared contract: one process per data dir (child processes hold
 * it), stale locks taken over, and a data dir that cannot be written.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { at, task } from '../../support/fixtures';
import { dir, exited, openStore, startChild, useJsonStoreDir } from './support/json-store-files';

useJsonStoreDir();

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
