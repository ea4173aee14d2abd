/**
 * Faults around the built service's files and process, injected for real: a stale lock naming
 * the service's own pid in a fresh pid namespace (`unshare`), a full disk (a tiny tmpfs), stdout
 * closed under it, and a data dir made under umask 000. The namespace and tmpfs cases need root
 * (CI runs as root) and say so when they skip.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canMountTmpfs, canUnshare, tinyDisk, type TinyDisk } from '../../support/faults';
import { killStarted, SERVE, serveCli, startProcess } from '../../support/serve-process';

const LISTENING = /listening on (http:\/\/\S+\/)\n/;
const dirs: string[] = [];
const disks: TinyDisk[] = [];
afterEach(async () => {
  killStarted();
  for (const disk of disks.splice(0)) await disk.unmount();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-faults-'));
  dirs.push(dir);
  return dir;
}

describe('the service under faults', () => {
  it.skipIf(!canUnshare)(
    'starts as pid 1 of a fresh pid namespace over a stale lock naming pid 1 (a restarted container) — needs unshare as root',
    async () => {
      const dataDir = await tempDir();
      await writeFile(
        join(dataDir, 'lock'),
        JSON.stringify({ pid: 1, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
      );
      const service = startProcess('unshare', [
        ...['--pid', '--fork', '--mount-proc', '--kill-child=SIGTERM'],
        ...[process.execPath, SERVE, 'serve', '--port', '0', '--data-dir', dataDir],
        ...['--token', 'tok'],
      ]);
      await service.line(LISTENING);
      // unshare ignores SIGTERM while it waits: signal the service (pid 1 inside) by its pid here.
      const children = await readFile(
        `/proc/${service.child.pid}/task/${service.child.pid}/children`,
        'utf8',
      );
      process.kill(Number(children.trim().split(' ')[0]), 'SIGTERM');
      await service.exited;
      expect(service.out()).toContain('Task Scheduler stopped.');
      expect(await readdir(dataDir)).not.toContain('lock');
    },
  );

  it.skipIf(!canMountTmpfs)(
    'leaves no empty secret.key or lock behind when the first start finds the disk full, and starts once space is back — needs mount as root',
    async () => {
      const disk = await tinyDisk('64k');
      disks.push(disk);
      const dataDir = join(disk.dir, 'data');
      await mkdir(dataDir);
      disk.fill();

      const full = serveCli('--port', '0', '--data-dir', dataDir, '--token', 'tok');
      expect(await full.exited).toBe(1);
      expect(full.err()).toMatch(/could not start: .*(ENOSPC|no space)/i);
      expect(await readdir(dataDir)).toEqual([]);

      await disk.free();
      const again = serveCli('--port', '0', '--data-dir', dataDir, '--token', 'tok');
      await again.line(LISTENING);
      expect((await stat(join(dataDir, 'secret.key'))).size).toBeGreaterThan(40);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    },
  );

  it('stops cleanly on SIGTERM after its stdout was closed (logging never stops the service)', async () => {
    const dataDir = await tempDir();
    const service = serveCli('--port', '0', '--data-dir', dataDir, '--token', 'tok');
    const [, url] = await service.line(LISTENING);
    service.child.stdout!.destroy();
    // Still serving with nobody reading its output.
    expect((await fetch(`${url}api/health`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(await readdir(dataDir)).not.toContain('lock');
  });

  it('makes its data dir private (0700) even under umask 000', async () => {
    const dataDir = join(await tempDir(), 'new', 'data');
    const service = startProcess('sh', [
      '-c',
      `umask 000; exec "${process.execPath}" "${SERVE}" serve --port 0 --data-dir "${dataDir}" --token tok`,
    ]);
    await service.line(LISTENING);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });
});
