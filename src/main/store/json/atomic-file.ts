/**
 * Durable whole-file writes: a unique temp file in the same directory, write, fsync, rename over
 * the target, fsync the directory. A crash leaves either the old or the new file, never a mix;
 * at worst a stale `*.tmp` file that `removeStaleTempFiles` deletes at the next open.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

export const TEMP_SUFFIX = '.tmp';

/** Temp names look like `<target>.<random>.tmp`, so stale ones are easy to find. */
export function tempPathFor(target: string): string {
  return `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
}

/** fsync of a directory makes a rename in it durable; some platforms cannot, which is fine. */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(target);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', 0o600);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(target));
}

/** Deletes `*.tmp` files left in `dir` by a crash mid-write; returns their names. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const stale = names.filter((name) => name.endsWith(TEMP_SUFFIX));
  await Promise.all(stale.map((name) => fs.rm(join(dir, name), { force: true })));
  return stale.map((name) => basename(name));
}

/**
 * A lowdb adapter over one file written with `writeFileAtomic`. `parse` turns the text into the
 * in-memory shape (and throws when it is not one); `serialize` runs synchronously at the start of
 * `write`, so the bytes written are a snapshot of the data at the moment `write` was called.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    readonly path: string,
    private readonly codec: { parse: (text: string) => T; serialize: (data: T) => string },
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return this.codec.parse(text);
  }

  write(data: T): Promise<void> {
    const text = this.codec.serialize(data);
    return writeFileAtomic(this.path, text);
  }
}
