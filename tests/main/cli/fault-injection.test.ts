/**
 * Faults around the built service's files and process, injected for real: a stale lock naming
 * the service's own pid in a fresh pid namespace (`unshare`), a full disk (a tiny tmpfs), stdout
 * closed under it, and a data dir made under umask 000. The namespace and tmpfs cases need root
 * (CI runs as root) and say so when they skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStarted, SERVE, serveCli, startProcess } from '../../support/serve-process';

const LISTENING = /listening on (http:\/\/\S+\/)\n/;
const dirs: string[] = [];
const mounts: string[] = [];
afterEach(async () => {
  killStarted();
  for (const mount of mounts.splice(0)) spawnSync('umount', [mount]);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-faults-'));
  dirs.push(dir);
  return dir;
}

const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const canMountTmpfs = ((): boolean => {
  const probe = spawnSync('sh', [
    '-c',
    'd=$(mktemp -d) && mount -t tmpfs -o size=16k tmpfs "$d" && umount "$d" && rmdir "$d"',
  ]);
  return probe.status === 0;
})();

/** A tmpfs of `size` mounted on a fresh folder, unmounted after the test. */
async function tinyDisk(size: string): Promise<string> {
  const dir = await tempDir();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
  mounts.push(dir);
  return dir;
}

/** Fills the disk holding `dir` up to the last byte; returns the filler's path. */
async function fill(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  spawnSync('sh', ['-c', `cat /dev/zero > "${filler}" 2>/dev/null; sync`]);
  return filler;
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
      const dataDir = join(disk, 'data');
      await mkdir(dataDir);
      const filler = await fill(disk);

      const full = serveCli('--port', '0', '--data-dir', dataDir, '--token', 'tok');
      expect(await full.exited).toBe(1);
      expect(full.err()).toMatch(/could not start: .*(ENOSPC|no space)/i);
      expect(await readdir(dataDir)).toEqual([]);

      await rm(filler);
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
