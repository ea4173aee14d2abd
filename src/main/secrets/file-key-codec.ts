/**
 * The headless service's secret codec: AES-256-GCM under a random 32-byte key kept in
 * `<dataDir>/secret.key` (mode 0600), or given in `TASK_SCHEDULER_SECRET_KEY` (base64).
 * Ciphertext: `v1:aes:<iv>:<tag>:<ct>`, each part base64.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { TaggedCodec } from './codec';

const TAG = 'v1:aes:';
export const SECRET_KEY_FILE = 'secret.key';
export const SECRET_KEY_ENV = 'TASK_SCHEDULER_SECRET_KEY';

function parseKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(
      `FileKeyCodec: ${where} must hold 32 bytes in base64 (got ${key.length}); restore the original key, it is needed to read the stored secrets`,
    );
  }
  return key;
}

export interface FileKeyOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Creates `file` holding a new random key, whole or not at all: written and synced under a temp
 * name, then hard-linked into place, which never replaces a key someone else wrote first. A full
 * disk leaves no key file behind (the next start tries again).
 */
async function createKeyFile(file: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(32).toString('base64') + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(
        `FileKeyCodec: cannot create ${file}: ${(error as Error).message}; check the data directory's permissions and free space`,
      );
    }
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

export class FileKeyCodec implements TaggedCodec {
  readonly tag = TAG;

  constructor(
    private readonly key: Buffer,
    readonly description: string,
  ) {
    if (key.length !== 32) throw new Error('FileKeyCodec: the key must be 32 bytes');
  }

  /** The key from the environment, else from `secret.key`, creating it (0600) when absent. */
  static async open(options: FileKeyOptions): Promise<FileKeyCodec> {
    const fromEnv = (options.env ?? process.env)[SECRET_KEY_ENV];
    if (fromEnv) {
      return new FileKeyCodec(
        parseKey(fromEnv, SECRET_KEY_ENV),
        `the key in ${SECRET_KEY_ENV} (AES-256-GCM)`,
      );
    }
    const file = join(options.dataDir, SECRET_KEY_FILE);
    // 0700: the folder holds the key and every secret sealed with it.
    await fs.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    if ((await fs.stat(file).catch(() => undefined))?.size === 0) {
      // An empty key file was left by a start that could not write it (a full disk): no secret
      // was ever sealed with it, so it is safe to make the key now.
      await fs.rm(file, { force: true });
    }
    await createKeyFile(file);
    return FileKeyCodec.fromFile(file);
  }

  /** The codec over an existing `secret.key`, or undefined when there is none. */
  static async openExisting(options: FileKeyOptions): Promise<FileKeyCodec | undefined> {
    const file = join(options.dataDir, SECRET_KEY_FILE);
    try {
      await fs.access(file);
    } catch {
      return undefined;
    }
    return FileKeyCodec.fromFile(file);
  }

  private static async fromFile(file: string): Promise<FileKeyCodec> {
    const text = await fs.readFile(file, 'utf8');
    return new FileKeyCodec(parseKey(text, file), `the key file ${file} (AES-256-GCM)`);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${TAG}${iv.toString('base64')}:${tag.toString('base64')}:${ct.toString('base64')}`;
  }

  decrypt(value: string): string {
    if (!value.startsWith(TAG)) {
      throw new Error(`FileKeyCodec: the value does not start with "${TAG}"`);
    }
    const parts = value.slice(TAG.length).split(':');
    if (parts.length !== 3) throw new Error('FileKeyCodec: the ciphertext is malformed');
    const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('FileKeyCodec: the value does not decrypt with this key (wrong key?)');
    }
  }
}
