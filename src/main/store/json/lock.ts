/**
 * The data-dir lock: a `lock` file created with O_EXCL holding `{ pid, hostname, startedAt }`.
 * A second process on the same data dir fails fast; a lock left by a dead process on this host
 * is stale and taken over.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';

export const LOCK_FILE = 'lock';

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** A lock file younger than this that cannot be parsed may be mid-creation by another process. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<{ info?: LockInfo; ageMs: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(path, 'utf8'), fs.stat(path)]);
    const ageMs = Date.now() - stat.mtimeMs;
    try {
      const value = JSON.parse(text) as Partial<LockInfo>;
      if (typeof value.pid === 'number' && typeof value.hostname === 'string') {
        return {
          info: {
            pid: value.pid,
            hostname: value.hostname,
            startedAt: String(value.startedAt ?? '?'),
          },
          ageMs,
        };
      }
    } catch {
      // unreadable: decided by age below
    }
    return { ageMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function unwritableDirError(dir: string, cause: unknown): AppError {
  const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return new AppError(
    'UNAVAILABLE',
    `JsonStore: data directory ${dir} cannot be written (${code}); fix its permissions or choose another --data-dir`,
  );
}

export class DirLock {
  private held = false;
  readonly path: string;

  constructor(
    readonly dir: string,
    private readonly nowIso: () => string,
  ) {
    this.path = join(dir, LOCK_FILE);
  }

  async acquire(): Promise<{ tookOverFrom?: LockInfo }> {
    const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: this.nowIso() };
    let tookOverFrom: LockInfo | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await fs.open(this.path, 'wx', 0o644);
        try {
          await handle.writeFile(JSON.stringify(info));
          await handle.sync();
        } finally {
          await handle.close();
        }
        this.held = true;
        return tookOverFrom ? { tookOverFrom } : {};
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw unwritableDirError(this.dir, error);
      }
      const existing = await readLock(this.path);
      if (!existing) continue; // released meanwhile: try again
      const owner = existing.info;
      if (!owner) {
        if (existing.ageMs < UNREADABLE_LOCK_GRACE_MS) {
          throw new AppError(
            'CONFLICT',
            `JsonStore: ${this.dir} is being opened by another process (its lock file ${this.path} is not written yet); stop it or choose another --data-dir`,
          );
        }
      } else if (owner.hostname !== info.hostname) {
        throw new AppError(
          'CONFLICT',
          `JsonStore: ${this.dir} is in use by process ${owner.pid} on host ${owner.hostname} (since ${owner.startedAt}); stop it or choose another --data-dir (if that process is gone, delete ${this.path})`,
        );
      } else if (isAlive(owner.pid)) {
        throw new AppError(
          'CONFLICT',
          `JsonStore: ${this.dir} is in use by process ${owner.pid} (since ${owner.startedAt}); stop it or choose another --data-dir`,
        );
      } else {
        tookOverFrom = owner;
      }
      // Stale: its process is dead (or it was never finished). Take it over.
      await fs.rm(this.path, { force: true });
    }
    throw new AppError(
      'CONFLICT',
      `JsonStore: could not take the lock ${this.path}; another process keeps creating it. Stop it or choose another --data-dir`,
    );
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await fs.rm(this.path, { force: true });
  }
}
