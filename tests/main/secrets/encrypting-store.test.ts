import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { MultiCodec } from '../../../src/main/secrets/codec';
import { UNREADABLE_SECRET } from '../../../src/main/secrets/unreadable-secrets';
import { EncryptingStore } from '../../../src/main/secrets/encrypting-store';
import { FileKeyCodec } from '../../../src/main/secrets/file-key-codec';
import { SafeStorageCodec } from '../../../src/main/secrets/safe-storage-codec';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Store } from '../../../src/main/store/types';
import type { Configuration } from '../../../src/shared/domain';
import { apiConfig } from '../../support/fixtures';
import { describeStoreContract } from '../store/store-contract';
import { FakeSafeStorage } from './fake-safe-storage';

const T0 = '2026-01-01T00:00:00.000Z';
const SECRETS = ['tok-AAAA-1111', 'pw-BBBB-2222', 'hdr-CCCC-3333', 'db-DDDD-4444', 'cookie-EEEE'];

function secretConfigs(): Configuration[] {
  return [
    apiConfig('bearer', {
      params: {
        url: 'http://127.0.0.1:9/',
        auth: { kind: 'bearer', token: SECRETS[0]! },
        headers: { 'X-Api-Key': SECRETS[2]!, Accept: 'application/json' },
      },
    } as Partial<Configuration>),
    apiConfig('basic', {
      params: {
        url: 'http://127.0.0.1:9/',
        auth: { kind: 'basic', username: 'u', password: SECRETS[1]! },
      },
    } as Partial<Configuration>),
    {
      id: 'db',
      name: 'db config',
      type: 'db',
      params: {
        uri: `mongodb://admin:${SECRETS[3]}@127.0.0.1:27017/?authSource=admin`,
        database: 'd',
        collection: 'c',
        find: {},
      },
      createdAt: T0,
      updatedAt: T0,
    },
    {
      id: 'file',
      name: 'file config',
      type: 'file',
      params: { location: 'http://127.0.0.1:9/up', headers: { Cookie: SECRETS[4]! } },
      createdAt: T0,
      updatedAt: T0,
    },
  ];
}

describeStoreContract('encrypting(memory)', async () => {
  const codec = new FileKeyCodec(Buffer.alloc(32, 9), 'test key');
  const store = new EncryptingStore(new MemoryStore(), codec);
  await store.open();
  return { store, cleanup: () => store.close() };
});

describe('EncryptingStore over the memory store', () => {
  let inner: MemoryStore;
  let store: EncryptingStore;
  beforeEach(async () => {
    inner = new MemoryStore();
    store = new EncryptingStore(inner, new SafeStorageCodec(new FakeSafeStorage()));
    await store.open();
  });

  it('hands every secret field to the backend sealed and gives it back in clear', async () => {
    for (const c of secretConfigs()) await store.putConfig(c);
    const atRest = JSON.stringify(await inner.listConfigs());
    for (const secret of SECRETS) expect(atRest).not.toContain(secret);
    expect(atRest).toContain('v1:safe:');
    // Non-secret fields stay readable for the backend (names, urls, plain headers, db user).
    expect(atRest).toContain('application/json');
    expect(atRest).toContain('mongodb://admin:v1:safe:');
    for (const c of secretConfigs()) expect(await store.getConfig(c.id)).toEqual(c);
    expect(await store.listConfigs()).toEqual(expect.arrayContaining(secretConfigs()));
  });

  it('reads a secret stored in clear before encryption was on, and seals it on re-encryption', async () => {
    const legacy = secretConfigs()[0]!;
    await inner.putConfig(legacy);
    expect(await store.getConfig(legacy.id)).toEqual(legacy);
    store.setCodec(new MultiCodec(new SafeStorageCodec(new FakeSafeStorage())));
    expect(await store.reencryptAll()).toEqual({ rewritten: 1, failed: [] });
    expect(await store.reencryptAll()).toEqual({ rewritten: 0, failed: [] });
    expect(JSON.stringify(await inner.getConfig(legacy.id))).not.toContain(SECRETS[0]);
    expect(await store.getConfig(legacy.id)).toEqual(legacy);
  });

  it('after a keyring change lists the configurations with their secrets marked unreadable, refuses to save the marker, and keeps the stored data untouched', async () => {
    const storage = new FakeSafeStorage('before');
    const first = new EncryptingStore(inner, new SafeStorageCodec(storage));
    for (const c of secretConfigs()) await first.putConfig(c);
    const before = structuredClone(await inner.listConfigs());
    storage.keyring = 'after';
    const after = new EncryptingStore(inner, new SafeStorageCodec(storage));
    const marked = await after.getConfig('bearer');
    expect(marked?.params).toMatchObject({ auth: { token: UNREADABLE_SECRET } });
    expect(await after.listConfigs()).toHaveLength(4);
    expect(after.problems().map((p) => p.recordId)).toContain('bearer');
    await expect(after.putConfig(marked!)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /the secrets of configuration "config bearer" do not decrypt .*type each secret again .*nothing was saved/,
      ),
    });
    // Re-encryption under the new key skips what it cannot read instead of overwriting it.
    after.setCodec(new MultiCodec(new SafeStorageCodec(storage)));
    const result = await after.reencryptAll();
    expect(result.rewritten).toBe(0);
    expect(result.failed.length).toBe(4);
    expect(await inner.listConfigs()).toEqual(before);
    // Restoring the keyring brings everything back.
    storage.keyring = 'before';
    expect(await after.getConfig('db')).toEqual(secretConfigs()[2]);
  });

  it('keeps secrets out of what the core returns and out of run records', async () => {
    const app = createApp({ store, executors: {} });
    await app.start();
    try {
      const saved = await app.core.call('configs.save', {
        config: { name: 'c', type: 'api', params: secretConfigs()[0]!.params },
      });
      expect(JSON.stringify(saved)).not.toContain(SECRETS[0]);
      const revealed = await app.core.call('configs.get', { id: saved.id, reveal: true });
      expect(revealed.type === 'api' && revealed.params.auth).toEqual({
        kind: 'bearer',
        token: SECRETS[0],
      });
      // A redacted secret sent back unchanged keeps the stored secret.
      await app.core.call('configs.save', { config: { ...saved, name: 'renamed' } });
      const again = await app.core.call('configs.get', { id: saved.id, reveal: true });
      expect(again.type === 'api' && again.params.auth).toEqual(
        revealed.type === 'api' && revealed.params.auth,
      );
      expect(JSON.stringify(await inner.listConfigs())).not.toContain(SECRETS[0]);
    } finally {
      await app.stop();
    }
  });
});

/** The AES key-file codec, counting the values it decrypts. */
class CountingCodec extends FileKeyCodec {
  decrypted = 0;

  override decrypt(value: string): string {
    this.decrypted++;
    return super.decrypt(value);
  }
}

describe('EncryptingStore reading the same configuration again and again', () => {
  it('decrypts each stored secret once, and again after it is saved anew', async () => {
    const codec = new CountingCodec(Buffer.alloc(32, 7), 'test key');
    const store = new EncryptingStore(new MemoryStore(), codec);
    await store.open();
    const bearer = secretConfigs()[0]!; // a token and a sensitive header: two secrets
    await store.putConfig(bearer);
    for (let i = 0; i < 50; i++) expect(await store.getConfig(bearer.id)).toEqual(bearer);
    expect(codec.decrypted).toBe(2);
    const changed = {
      ...bearer,
      params: { ...bearer.params, auth: { kind: 'bearer', token: 'tok-NEW' } },
    } as Configuration;
    await store.putConfig(changed);
    expect(await store.getConfig(bearer.id)).toEqual(changed);
    expect(codec.decrypted).toBe(4); // both values were sealed anew
  });

  it('opens nothing with a codec it was given later that it opened with the one before', async () => {
    const store = new EncryptingStore(
      new MemoryStore(),
      new FileKeyCodec(Buffer.alloc(32, 1), 'first key'),
    );
    await store.open();
    const bearer = secretConfigs()[0]!;
    await store.putConfig(bearer);
    expect(await store.getConfig(bearer.id)).toEqual(bearer);
    store.setCodec(new FileKeyCodec(Buffer.alloc(32, 2), 'another key'));
    expect((await store.getConfig(bearer.id))?.params).toMatchObject({
      auth: { token: UNREADABLE_SECRET },
    });
    expect(store.problems().map((p) => p.recordId)).toEqual([bearer.id]);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out.sort();
}

describe('EncryptingStore over the json store in a temp data dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-enc-json-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function openStore(codecDir: string): Promise<Store> {
    const store = new EncryptingStore(
      new JsonStore({ dataDir: dir }),
      await FileKeyCodec.open({ dataDir: codecDir, env: {} }),
    );
    await store.open();
    return store;
  }

  it('never writes a secret in clear to any file of the data dir', async () => {
    const store = await openStore(dir);
    for (const c of secretConfigs()) await store.putConfig(c);
    await store.flush();
    await store.close();
    const files = await listFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const bytes = await fs.readFile(file);
      for (const secret of SECRETS)
        expect(bytes.includes(secret), `${file} holds ${secret}`).toBe(false);
    }
    const reopened = await openStore(dir);
    expect(await reopened.getConfig('db')).toEqual(secretConfigs()[2]);
    await reopened.close();
  });

  it('with a different key marks the secrets unreadable and leaves every file byte for byte', async () => {
    const store = await openStore(dir);
    for (const c of secretConfigs()) await store.putConfig(c);
    await store.close();
    const snapshot = async (): Promise<Map<string, string>> =>
      new Map(
        await Promise.all(
          (await listFiles(dir)).map(
            async (f) => [f, (await fs.readFile(f)).toString('base64')] as [string, string],
          ),
        ),
      );
    const before = await snapshot();
    const otherKeyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-otherkey-'));
    try {
      const wrong = await openStore(otherKeyDir);
      const marked = await wrong.getConfig('bearer');
      expect(marked?.params).toMatchObject({ auth: { token: UNREADABLE_SECRET } });
      await expect(wrong.putConfig(marked!)).rejects.toMatchObject({ code: 'VALIDATION' });
      await wrong.close();
    } finally {
      await fs.rm(otherKeyDir, { recursive: true, force: true });
    }
    const after = await snapshot();
    // The lock file a store may hold while open is the only thing allowed to differ.
    const stable = (m: Map<string, string>): [string, string][] =>
      [...m].filter(([f]) => !f.endsWith('.lock'));
    expect(stable(after)).toEqual(stable(before));
  });
});
