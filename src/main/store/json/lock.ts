/**
 * The data-dir lock: a `lock` file holding `{ pid, hostname, startedAt }`, written whole to a
 * temp file and hard-linked into place (the link fails if a lock exists, so it is exclusive, and
 * a full disk can never leave an empty lock behind). A second process on the same data dir fails
 * fast. Stale, and taken over: a lock of a dead process on this host, a lock naming this very
 * pid that this process does not hold (a container restarted after a crash is pid 1 again), and
 * a lock whose mtime has not been refreshed for STALE_AFTER_MS (its holder, on whatever host,
 * stopped; the holder touches it every REFRESH_EVERY_MS).
 */
import { randomBytes } from 'node:crypto';
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
/** The holder touches its lock this often… */
export const REFRESH_EVERY_MS = 60_000;
/** …so a lock not touched for this long has no live holder, on any host. */
export const STALE_AFTER_MS = 10 * 60_000;

/** Locks held by this process (a lock naming our pid that is not here was left by a crash). */
const heldHere = new Set<string>();

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

  private refresh: ReturnType<typeof setInterval> | undefined;

  /** Creates the lock file whole or not at all; false when a lock file already exists. */
  private async create(info: LockInfo): Promise<boolean> {
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(info));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.link(temp, this.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw unwritableDirError(this.dir, error);
    } finally {
      await fs.rm(temp, { force: true }).catch(() => undefined);
    }
  }

  async acquire(): Promise<{ tookOverFrom?: LockInfo }> {
    const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: this.nowIso() };
    let tookOverFrom: LockInfo | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create(info)) {
        this.held = true;
        heldHere.add(this.path);
        // Touching the lock says "still here" to other hosts sharing the folder.
        this.refresh = setInterval(() => {
          const now = new Date();
          void fs.utimes(this.path, now, now).catch(() => undefined);
        }, REFRESH_EVERY_MS);
        this.refresh.unref();
        return tookOverFrom ? { tookOverFrom } : {};
      }
      const existing = await readLock(this.path);
      if (!existing) continue; // released meanwhile: try again
      const owner = existing.info;
      const untouchedFor = `${Math.round(existing.ageMs / 60_000)} min`;
      if (!owner) {
        if (existing.ageMs < UNREADABLE_LOCK_GRACE_MS) {
          throw new AppError(
            'CONFLICT',
            `JsonStore: ${this.dir} is being opened by another process (its lock file ${this.path} is not written yet); stop it or choose another --data-dir`,
          );
        }
      } else if (existing.ageMs >= STALE_AFTER_MS) {
        tookOverFrom = owner; // nobody touched it for 10 minutes: its holder is gone
      } else if (owner.hostname !== info.hostname) {
        throw new AppError(
          'CONFLICT',
          `JsonStore: ${this.dir} is in use by process ${owner.pid} on host ${owner.hostname} (since ${owner.startedAt}, lock touched ${untouchedFor} ago); stop it or choose another --data-dir (a lock not touched for ${STALE_AFTER_MS / 60_000} min is taken over)`,
        );
      } else if (owner.pid === process.pid) {
        if (heldHere.has(this.path)) {
          throw new AppError(
            'CONFLICT',
            `JsonStore: ${this.dir} is already open in this process; close the other store first`,
          );
        }
        tookOverFrom = owner; // our pid, but not ours: left by an earlier life of this pid
      } else if (isAlive(owner.pid)) {
        throw new AppError(
          'CONFLICT',
          `JsonStore: ${this.dir} is in use by process ${owner.pid} (since ${owner.startedAt}); stop it or choose another --data-dir`,
        );
      } else {
        tookOverFrom = owner;
      }
      // Stale: its process is gone (or it was never finished). Take it over.
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
    heldHere.delete(this.path);
    if (this.refresh !== undefined) clearInterval(this.refresh);
    await fs.rm(this.path, { force: true });
  }
}
