/**
 * Real faults for tests: a tiny tmpfs to fill (a full disk) and a fresh pid namespace. Both need
 * root (CI runs as root); tests skip with a stated reason where the machine refuses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const canUnshare =
  spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

export const canMountTmpfs =
  spawnSync('sh', [
    '-c',
    'd=$(mktemp -d) && mount -t tmpfs -o size=16k tmpfs "$d" && umount "$d" && rmdir "$d"',
  ]).status === 0;

export interface TinyDisk {
  dir: string;
  /** Fills the disk up to the last byte. */
  fill(): void;
  /** Frees what `fill` took. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

/** A tmpfs of `size` (e.g. `64k`) on a fresh folder. */
export async function tinyDisk(size: string): Promise<TinyDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill: () => void spawnSync('sh', ['-c', `cat /dev/zero > "${filler}" 2>/dev/null; sync`]),
    free: () => rm(filler, { force: true }),
    unmount: async () => {
      spawnSync('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
