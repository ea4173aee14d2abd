import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MultiCodec } from '../../../src/main/secrets/codec';
import { BASIC_TEXT_WARNING, chooseCodec } from '../../../src/main/secrets/choose-codec';
import {
  FileKeyCodec,
  SECRET_KEY_ENV,
  SECRET_KEY_FILE,
} from '../../../src/main/secrets/file-key-codec';
import { SafeStorageCodec } from '../../../src/main/secrets/safe-storage-codec';
import { FakeSafeStorage } from './fake-safe-storage';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-codecs-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('SafeStorageCodec', () => {
  it('tags its ciphertext v1:safe: and round-trips any string', () => {
    const codec = new SafeStorageCodec(new FakeSafeStorage());
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (plain) => {
        const sealed = codec.encrypt(plain);
        expect(sealed.startsWith('v1:safe:')).toBe(true);
        expect(codec.decrypt(sealed)).toBe(plain);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses to start when OS encryption is unavailable', () => {
    const storage = new FakeSafeStorage();
    storage.available = false;
    expect(() => new SafeStorageCodec(storage)).toThrow(/not available/);
  });

  it('fails clearly when the keyring changed', () => {
    const storage = new FakeSafeStorage('old');
    const sealed = new SafeStorageCodec(storage).encrypt('s3cret');
    storage.keyring = 'new';
    expect(() => new SafeStorageCodec(storage).decrypt(sealed)).toThrow(
      /OS keyring could not decrypt/,
    );
  });
});

describe('FileKeyCodec', () => {
  it('creates secret.key with mode 0600 and reuses it on the next start', async () => {
    const a = await FileKeyCodec.open({ dataDir: dir, env: {} });
    const stat = await fs.stat(path.join(dir, SECRET_KEY_FILE));
    if (process.platform !== 'win32') expect(stat.mode & 0o777).toBe(0o600);
    const sealed = a.encrypt('hunter2');
    expect(sealed).toMatch(/^v1:aes:[^:]+:[^:]+:[^:]*$/);
    const b = await FileKeyCodec.open({ dataDir: dir, env: {} });
    expect(b.decrypt(sealed)).toBe('hunter2');
  });

  it('round-trips any string and never repeats a ciphertext', async () => {
    const codec = await FileKeyCodec.open({ dataDir: dir, env: {} });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (plain) => {
        const one = codec.encrypt(plain);
        expect(codec.decrypt(one)).toBe(plain);
        expect(codec.encrypt(plain)).not.toBe(one);
      }),
      { numRuns: 100 },
    );
  });

  it('takes the key from TASK_SCHEDULER_SECRET_KEY without writing a key file', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const codec = await FileKeyCodec.open({ dataDir: dir, env: { [SECRET_KEY_ENV]: key } });
    expect(codec.description).toContain(SECRET_KEY_ENV);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('rejects a malformed key with a message naming the file, and leaves the file alone', async () => {
    const file = path.join(dir, SECRET_KEY_FILE);
    await fs.writeFile(file, 'not a key');
    await expect(FileKeyCodec.open({ dataDir: dir, env: {} })).rejects.toThrow(
      /secret\.key must hold 32 bytes in base64/,
    );
    expect(await fs.readFile(file, 'utf8')).toBe('not a key');
  });

  it('fails clearly on a ciphertext from another key or a tampered one', async () => {
    const sealed = (await FileKeyCodec.open({ dataDir: dir, env: {} })).encrypt('x');
    const other = new FileKeyCodec(Buffer.alloc(32, 1), 'other');
    expect(() => other.decrypt(sealed)).toThrow(/does not decrypt with this key/);
    expect(() => other.decrypt('v1:aes:abc')).toThrow(/malformed/);
  });
});

describe('MultiCodec and chooseCodec', () => {
  it('uses the keyring when a real keyring backs safeStorage', async () => {
    const { codec, status } = await chooseCodec({
      safeStorage: new FakeSafeStorage(),
      dataDir: dir,
      choice: 'auto',
    });
    expect(status).toMatchObject({ os: 'keyring', using: 'keyring' });
    expect(status.warning).toBeUndefined();
    expect(codec.encrypt('a').startsWith('v1:safe:')).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('says so and defaults to the key file when only basic_text exists', async () => {
    const storage = new FakeSafeStorage('k', 'basic_text');
    const auto = await chooseCodec({ safeStorage: storage, dataDir: dir, choice: 'auto' });
    expect(auto.status).toMatchObject({ os: 'basic-text', using: 'file-key' });
    expect(auto.status.warning).toBe(BASIC_TEXT_WARNING);
    const sealed = auto.codec.encrypt('pw');
    expect(sealed.startsWith('v1:aes:')).toBe(true);

    // The user chooses the keyring anyway: older key-file values still decrypt.
    const keyring = await chooseCodec({ safeStorage: storage, dataDir: dir, choice: 'keyring' });
    expect(keyring.status.using).toBe('keyring');
    expect(keyring.codec.decrypt(sealed)).toBe('pw');
    expect(keyring.codec.encrypt('pw').startsWith('v1:safe:')).toBe(true);
  });

  it('falls back to the key file when OS encryption is unavailable', async () => {
    const storage = new FakeSafeStorage();
    storage.available = false;
    const { status } = await chooseCodec({ safeStorage: storage, dataDir: dir, choice: 'keyring' });
    expect(status).toMatchObject({ os: 'unavailable', using: 'file-key' });
  });

  it('names the missing backend when a value was sealed by a codec not present', () => {
    const safe = new SafeStorageCodec(new FakeSafeStorage());
    const multi = new MultiCodec(new FileKeyCodec(Buffer.alloc(32, 2), 'k'));
    expect(() => multi.decrypt(safe.encrypt('x'))).toThrow(/OS keyring is unavailable/);
  });
});
