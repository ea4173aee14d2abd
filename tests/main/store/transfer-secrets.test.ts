import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { isCiphertext, MultiCodec } from '../../../src/main/secrets/codec';
import { EncryptingStore, mapSecretFields } from '../../../src/main/secrets/encrypting-store';
import {
  FileKeyCodec,
  SECRET_KEY_ENV,
  SECRET_KEY_FILE,
} from '../../../src/main/secrets/file-key-codec';
import { SafeStorageCodec } from '../../../src/main/secrets/safe-storage-codec';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { exportStoreToFile, importStoreFromFile } from '../../../src/main/store/transfer';
import type { Store } from '../../../src/main/store/types';
import { REDACTED, type Configuration } from '../../../src/shared/domain';
import { apiConfig, at, entry, run, task } from '../../support/fixtures';
import { FakeSafeStorage } from '../secrets/fake-safe-storage';

const T0 = '2026-01-01T00:00:00.000Z';
const SECRETS = ['tok-AAAA-1111', 'pw-BBBB-2222', 'hdr-CCCC-3333', 'db-DDDD-4444', 'cookie-EEEE'];

/** One configuration per kind of secret field. */
function secretConfigs(): Configuration[] {
  return [
    apiConfig('bearer', {
      name: 'bearer config',
      params: {
        url: 'http://127.0.0.1:9/',
        auth: { kind: 'bearer', token: SECRETS[0]! },
        headers: { 'X-Api-Key': SECRETS[2]!, Accept: 'application/json' },
      },
    } as Partial<Configuration>),
    apiConfig('basic', {
      name: 'basic config',
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

const byId = (configs: Configuration[]): Configuration[] =>
  [...configs].sort((a, b) => a.id.localeCompare(b.id));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'ts-transfer-secrets-'));
  cleanups.push(() => rm(made, { recursive: true, force: true }));
  return made;
}

/** A json store in its own data dir, sealed by the key file of that dir (created on first use). */
async function encryptingJson(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ store: EncryptingStore; codec: FileKeyCodec }> {
  const codec = await FileKeyCodec.open({ dataDir, env });
  const store = new EncryptingStore(new JsonStore({ dataDir }), codec);
  await store.open();
  cleanups.push(() => store.close());
  return { store, codec };
}

async function openMemory(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open();
  return store;
}

/** Configurations, tasks and schedule entries plus one run, the secrets in clear. */
async function seed(store: Store): Promise<void> {
  for (const config of secretConfigs()) await store.putConfig(config);
  await store.putTask(task('t1', 'bearer'));
  await store.putSchedule(entry('e1', 't1'));
  await store.insertRun(run('r1', at(1)));
}

/** What a store holds, by count. */
async function counts(store: Store): Promise<Record<string, number>> {
  return {
    configs: (await store.listConfigs()).length,
    tasks: (await store.listTasks()).length,
    schedules: (await store.listSchedules()).length,
    runs: (await store.listRuns({ limit: 1000 })).items.length,
  };
}

async function readJson(file: string): Promise<{ text: string; json: Record<string, unknown> }> {
  const text = await readFile(file, 'utf8');
  return { text, json: JSON.parse(text) as Record<string, unknown> };
}

function secretValues(config: Configuration): string[] {
  const values: string[] = [];
  mapSecretFields(config, (v) => (values.push(v), v));
  return values;
}

describe('the export of an encrypting store', () => {
  it('holds the secrets sealed exactly as stored, no plaintext secret anywhere in the file', async () => {
    const dir = await tempDir();
    const { store, codec } = await encryptingJson(join(dir, 'source'));
    await seed(store);
    const file = join(dir, 'export.json');

    const summary = await exportStoreToFile(store, file);

    expect(summary.secrets).toBe('sealed');
    expect(summary.counts).toEqual({
      configs: 4,
      tasks: 1,
      schedules: 1,
      alerts: 0,
      settings: 0,
      runs: 1,
    });
    expect(summary.notes).toEqual([
      expect.stringMatching(
        /secrets of configurations "bearer config", "basic config", "db config", "file config" are sealed with the key file .*secret\.key.*same key.*includeSecrets/,
      ),
    ]);
    const { text, json } = await readJson(file);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(json.secrets).toBe('sealed');
    expect(json.sealedWith).toBe(codec.description);
    expect(byId(json.configs as Configuration[])).toEqual(byId(await store.listStoredConfigs()));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('imports back into a store with the same key, with every secret intact and sealed once', async () => {
    const dir = await tempDir();
    const { store } = await encryptingJson(join(dir, 'source'));
    await seed(store);
    const file = join(dir, 'export.json');
    await exportStoreToFile(store, file);
    // The same key, given to the other instance in the environment.
    const key = await readFile(join(dir, 'source', SECRET_KEY_FILE), 'utf8');
    const target = await encryptingJson(join(dir, 'target'), { [SECRET_KEY_ENV]: key.trim() });

    const summary = await importStoreFromFile(target.store, file);

    expect(summary).toEqual({
      file,
      counts: { configs: 4, tasks: 1, schedules: 1, alerts: 0, settings: 0, runs: 1 },
      secrets: 'sealed',
      notes: [],
    });
    expect(byId(await target.store.listConfigs())).toEqual(byId(secretConfigs()));
    const atRest = await target.store.listStoredConfigs();
    expect(JSON.stringify(atRest)).not.toMatch(new RegExp(SECRETS.join('|')));
    // One decryption gives the secret back: nothing was sealed twice.
    for (const config of atRest) {
      for (const value of secretValues(config)) {
        expect(isCiphertext(value)).toBe(true);
        expect(SECRETS).toContain(target.codec.decrypt(value));
      }
    }
  });

  it('refuses to import into a store with another key, naming the configurations, and stores nothing', async () => {
    const dir = await tempDir();
    const { store } = await encryptingJson(join(dir, 'source'));
    await seed(store);
    const file = join(dir, 'export.json');
    await exportStoreToFile(store, file);
    const other = await encryptingJson(join(dir, 'other'));
    await other.store.putConfig(apiConfig('mine'));
    await other.store.putTask(task('t-mine', 'mine'));
    const before = await counts(other.store);
    const storedBefore = await other.store.listStoredConfigs();

    const refused = importStoreFromFile(other.store, file);

    await expect(refused).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /^\/.*export\.json: the secrets of configurations "bearer config", "basic config", "db config", "file config" were sealed with the key file .*source.*secret\.key.* and do not decrypt with the key file .*other.*; use the key the file was exported with \(the same TASK_SCHEDULER_SECRET_KEY or secret\.key\), or export again with includeSecrets; nothing was imported/,
      ),
      details: { configIds: ['bearer', 'basic', 'db', 'file'] },
    });
    expect(await counts(other.store)).toEqual(before);
    expect(await other.store.listStoredConfigs()).toEqual(storedBefore);
  });

  it('refuses to import sealed secrets into a store without a key, unless nothing in the file is sealed', async () => {
    const dir = await tempDir();
    const { store } = await encryptingJson(join(dir, 'source'));
    await seed(store);
    const sealed = join(dir, 'sealed.json');
    await exportStoreToFile(store, sealed);
    const memory = await openMemory();

    await expect(importStoreFromFile(memory, sealed)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /the secrets of configurations "bearer config", .* are sealed with the key file .* and this memory store has no key to open them; import into a Task Scheduler that uses the same key .*, or export again with includeSecrets; nothing was imported/,
      ),
    });
    expect(await counts(memory)).toEqual({ configs: 0, tasks: 0, schedules: 0, runs: 0 });

    // A sealed file without any secret in it imports anywhere.
    const plain = await encryptingJson(join(dir, 'plain'));
    await plain.store.putConfig(apiConfig('open', { params: { url: 'http://127.0.0.1:9/' } }));
    const nothingSealed = join(dir, 'nothing-sealed.json');
    expect((await exportStoreToFile(plain.store, nothingSealed)).notes).toEqual([]);
    expect(await importStoreFromFile(memory, nothingSealed)).toMatchObject({
      secrets: 'sealed',
      notes: [],
    });
    expect(await memory.getConfig('open')).toEqual(
      apiConfig('open', { params: { url: 'http://127.0.0.1:9/' } }),
    );
  });

  it('seals in the file a secret still stored in clear from before encryption was on', async () => {
    const dir = await tempDir();
    const inner = new MemoryStore();
    const codec = await FileKeyCodec.open({ dataDir: dir, env: {} });
    const store = new EncryptingStore(inner, codec);
    await store.open();
    await inner.putConfig(secretConfigs()[0]!);
    const file = join(dir, 'export.json');

    await exportStoreToFile(store, file);

    const { text } = await readJson(file);
    expect(text).not.toContain(SECRETS[0]);
    expect(text).not.toContain(SECRETS[2]);
    expect(text).toContain('v1:aes:');
  });

  it('ends up sealed with the current codec when the file was sealed by another codec the target still opens', async () => {
    const dir = await tempDir();
    const keyring = new FakeSafeStorage();
    const source = new EncryptingStore(new MemoryStore(), new SafeStorageCodec(keyring));
    await source.open();
    for (const config of secretConfigs()) await source.putConfig(config);
    const file = join(dir, 'export.json');
    expect((await exportStoreToFile(source, file)).notes[0]).toMatch(/sealed with the OS keyring/);
    const fileKey = await FileKeyCodec.open({ dataDir: dir, env: {} });
    const target = new EncryptingStore(
      new MemoryStore(),
      new MultiCodec(fileKey, [new SafeStorageCodec(keyring)]),
    );
    await target.open();

    await importStoreFromFile(target, file);

    expect(byId(await target.listConfigs())).toEqual(byId(secretConfigs()));
    const values = (await target.listStoredConfigs()).flatMap(secretValues);
    expect(values).toHaveLength(5);
    for (const value of values) expect(value.startsWith('v1:aes:')).toBe(true);
  });
});

describe('an export with includeSecrets', () => {
  it('writes the secrets in clear, says so in a note, and stays private to its owner', async () => {
    const dir = await tempDir();
    const { store } = await encryptingJson(join(dir, 'source'));
    await seed(store);
    const file = join(dir, 'clear.json');

    const summary = await exportStoreToFile(store, file, { includeSecrets: true });

    expect(summary.secrets).toBe('clear');
    expect(summary.notes).toEqual([
      'The file holds secrets in clear (of configurations "bearer config", "basic config", "db config", "file config"): keep it private; it is readable only by its owner (mode 0600).',
    ]);
    const { text, json } = await readJson(file);
    for (const secret of SECRETS) expect(text).toContain(secret);
    expect(json.secrets).toBe('clear');
    expect(json).not.toHaveProperty('sealedWith');
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // Any store takes it: one with another key seals the secrets with its own.
    const other = await encryptingJson(join(dir, 'other'));
    expect((await importStoreFromFile(other.store, file)).secrets).toBe('clear');
    expect(byId(await other.store.listConfigs())).toEqual(byId(secretConfigs()));
    expect(JSON.stringify(await other.store.listStoredConfigs())).not.toContain(SECRETS[0]);
  });
});

describe('the export of a store without a codec', () => {
  it('omits every secret and names the configurations in a note', async () => {
    const dir = await tempDir();
    const memory = await openMemory();
    await seed(memory);
    await memory.putConfig(apiConfig('open', { params: { url: 'http://127.0.0.1:9/' } }));
    const file = join(dir, 'omitted.json');

    const summary = await exportStoreToFile(memory, file);

    expect(summary.secrets).toBe('omitted');
    expect(summary.notes).toEqual([
      `The secrets of configurations "bearer config", "basic config", "db config", "file config" were left out (replaced by "${REDACTED}"; this store has no key to seal them): an import keeps the secrets already stored under the same ids, otherwise they must be re-entered; export with includeSecrets to keep them.`,
    ]);
    const { text, json } = await readJson(file);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(json.secrets).toBe('omitted');
    const bearer = (json.configs as Configuration[]).find((c) => c.id === 'bearer')!;
    expect(secretValues(bearer)).toEqual([REDACTED, REDACTED]);
    expect(bearer.params).toMatchObject({ headers: { Accept: 'application/json' } });
  });

  it('imports keeping the secrets already stored, and asks to re-enter those it cannot keep', async () => {
    const dir = await tempDir();
    const memory = await openMemory();
    await seed(memory);
    const file = join(dir, 'omitted.json');
    await exportStoreToFile(memory, file);
    // The target already holds "bearer" (another name, its own secrets) and nothing else.
    const target = await encryptingJson(join(dir, 'target'));
    const stored = secretConfigs()[0]!;
    await target.store.putConfig({ ...stored, name: 'old name' });

    const summary = await importStoreFromFile(target.store, file);

    expect(summary.secrets).toBe('omitted');
    expect(summary.notes).toEqual([
      'The file omitted the secrets of configuration "bearer config"; the secrets already stored were kept.',
      'The file omitted the secrets of configurations "basic config", "db config", "file config" and none were stored: re-enter the secret of each before running its tasks.',
    ]);
    expect(await target.store.getConfig('bearer')).toEqual(stored);
    const basic = await target.store.getConfig('basic');
    expect(basic?.params).toMatchObject({ auth: { password: REDACTED } });
    expect((await target.store.getConfig('db'))?.params).toMatchObject({
      uri: `mongodb://admin:${REDACTED}@127.0.0.1:27017/?authSource=admin`,
    });
  });
});

describe('an export file from before the secrets field', () => {
  it('imports as clear', async () => {
    const dir = await tempDir();
    const memory = await openMemory();
    await seed(memory);
    const file = join(dir, 'old.json');
    await exportStoreToFile(memory, file, { includeSecrets: true });
    const { json } = await readJson(file);
    delete json.secrets;
    await writeFile(file, JSON.stringify(json));
    const { store } = await encryptingJson(join(dir, 'target'));

    const summary = await importStoreFromFile(store, file);

    expect(summary).toMatchObject({ secrets: 'clear', notes: [] });
    expect(byId(await store.listConfigs())).toEqual(byId(secretConfigs()));
  });
});

describe('system.export and system.import through the core', () => {
  async function startApp(store: Store): Promise<App> {
    const app = createApp({ store, executors: {} });
    await app.start();
    cleanups.push(() => app.stop());
    return app;
  }

  it('seals by default, writes clear with includeSecrets, and imports either with the same key', async () => {
    const dir = await tempDir();
    const codec = await FileKeyCodec.open({ dataDir: dir, env: {} });
    const from = await startApp(new EncryptingStore(new MemoryStore(), codec));
    await seed(from.store);
    const sealed = join(dir, 'sealed.json');
    const clear = join(dir, 'clear.json');

    expect(await from.core.call('system.export', { file: sealed })).toMatchObject({
      secrets: 'sealed',
      notes: [expect.stringMatching(/are sealed with/)],
    });
    expect(
      await from.core.call('system.export', { file: clear, includeSecrets: true }),
    ).toMatchObject({ secrets: 'clear', notes: [expect.stringMatching(/holds secrets in clear/)] });
    const sealedText = await readFile(sealed, 'utf8');
    const clearText = await readFile(clear, 'utf8');
    for (const secret of SECRETS) {
      expect(sealedText).not.toContain(secret);
      expect(clearText).toContain(secret);
    }

    const to = await startApp(new EncryptingStore(new MemoryStore(), codec));
    expect(await to.core.call('system.import', { file: sealed })).toMatchObject({
      secrets: 'sealed',
      counts: { configs: 4, tasks: 1, schedules: 1, alerts: 0, settings: 0, runs: 1 },
    });
    expect(await to.core.call('system.import', { file: clear })).toMatchObject({
      secrets: 'clear',
    });
    expect(byId(await to.store.listConfigs())).toEqual(byId(secretConfigs()));
  });
});
