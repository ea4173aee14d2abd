import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { createExecutors } from '../../../src/main/compose';
import { EncryptingStore } from '../../../src/main/secrets/encrypting-store';
import { FileKeyCodec } from '../../../src/main/secrets/file-key-codec';
import { SafeStorageCodec } from '../../../src/main/secrets/safe-storage-codec';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import { configsForExport } from '../../../src/main/store/transfer-secrets';
import { REDACTED, type Configuration } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { FakeSafeStorage } from './fake-safe-storage';

const T0 = '2026-01-01T00:00:00.000Z';
/** One per kind of secret the user marks (or that hides in a URL). */
const SECRETS = [
  'var-AAAA-1111',
  'hdr-BBBB-2222',
  'qry-CCCC-3333',
  'urlpw-DDDD-4444',
  'filepw-EEEE-5555',
  'fvar-FFFF-6666',
  'mongo-p@ss@GGGG-7777',
];

function markedConfigs(url = 'http://127.0.0.1:9'): Configuration[] {
  return [
    {
      id: 'api',
      name: 'marked api',
      type: 'api',
      params: {
        url: `${url}/status/404`,
        headers: { Authorization: 'Bearer {{tok}}', 'X-Custom': SECRETS[1]!, Accept: 'a/b' },
        query: { key: SECRETS[2]!, echo: '{{tok}}', page: '1' },
        variables: { tok: SECRETS[0]! },
        secretVariables: ['tok'],
        secretHeaders: ['x-custom'],
        secretQuery: ['key'],
      },
      createdAt: T0,
      updatedAt: T0,
    },
    {
      id: 'file',
      name: 'marked file',
      type: 'file',
      params: {
        location: `http://u:${SECRETS[4]}@127.0.0.1:9/up/{{sig}}`,
        variables: { sig: SECRETS[5]! },
        secretVariables: ['sig'],
      },
      createdAt: T0,
      updatedAt: T0,
    },
    {
      id: 'api-url-pw',
      name: 'password in the url',
      type: 'api',
      params: { url: `https://ann:${SECRETS[3]}@api.example/` },
      createdAt: T0,
      updatedAt: T0,
    },
    {
      id: 'db',
      name: 'db with @ in its password',
      type: 'db',
      params: {
        uri: `mongodb://admin:${SECRETS[6]}@127.0.0.1:27017/?authSource=admin`,
        database: 'd',
        collection: 'c',
        find: {},
      },
      createdAt: T0,
      updatedAt: T0,
    },
  ];
}

/** The parts of a secret that must not show: the whole and each side of its `@`s. */
function leaks(text: string): string[] {
  return SECRETS.flatMap((s) => [s, ...s.split('@').filter((p) => p.length >= 4)]).filter((s) =>
    text.includes(s),
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('secrets the user marks, at rest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-marked-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('seals marked variables, headers, query values, URL passwords and a password holding @ in every file', async () => {
    const open = async (): Promise<EncryptingStore> => {
      const store = new EncryptingStore(
        new JsonStore({ dataDir: dir }),
        await FileKeyCodec.open({ dataDir: dir, env: {} }),
      );
      await store.open();
      return store;
    };
    const store = await open();
    for (const c of markedConfigs()) await store.putConfig(c);
    await store.flush();
    await store.close();
    for (const file of await listFiles(dir)) {
      expect(leaks(await fs.readFile(file, 'utf8')), file).toEqual([]);
    }
    const reopened = await open();
    expect(await reopened.listConfigs()).toEqual(expect.arrayContaining(markedConfigs()));
    await reopened.close();
  });

  it('writes none of them into an export of a store without a key', async () => {
    const store = new MemoryStore();
    for (const c of markedConfigs()) await store.putConfig(c);
    const exported = await configsForExport(store, false);
    expect(exported.secrets).toBe('omitted');
    expect(leaks(JSON.stringify(exported.configs))).toEqual([]);
  });

  it('names the mongodb store in system.info without any part of a password holding @', () => {
    const store = new MongoStore({ uri: uriOf() });
    expect(store.location).toBe(`mongodb://admin:${REDACTED}@127.0.0.1:27017/?authSource=admin`);
  });
});

function uriOf(): string {
  const db = markedConfigs()[3]!;
  return db.type === 'db' ? db.params.uri : '';
}

describe('secrets the user marks, in what the core shows and records', () => {
  let target: HttpTarget;
  let inner: MemoryStore;
  let app: App;
  beforeEach(async () => {
    target = await startHttpTarget();
    inner = new MemoryStore();
    const store = new EncryptingStore(inner, new SafeStorageCodec(new FakeSafeStorage()));
    app = createApp({ store, executors: createExecutors() });
    await app.start();
  });
  afterEach(async () => {
    await app.stop();
    await target.close();
  });

  it('keeps them out of configs.get, configs.list and run records, and keeps them when sent back redacted', async () => {
    const saved: Configuration[] = [];
    for (const c of markedConfigs(target.url.replace(/\/$/, ''))) {
      const { id: _id, createdAt: _c, updatedAt: _u, ...input } = c;
      saved.push(await app.core.call('configs.save', { config: input }));
    }
    expect(leaks(JSON.stringify(saved))).toEqual([]);
    expect(leaks(JSON.stringify(await app.core.call('configs.list', {})))).toEqual([]);
    expect(leaks(JSON.stringify(await inner.listConfigs()))).toEqual([]);

    // The api task runs: the server answers 404, whose message and result echo the final URL.
    const run = await app.core.call('configs.test', { config: saved[0]!, operation: 'read' });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('HTTP_STATUS');
    expect(run.error?.message).toContain(`?key=${REDACTED}&echo=${REDACTED}&page=1 answered 404`);
    expect(leaks(JSON.stringify(run))).toEqual([]);
    // The secrets were sent as they are.
    const sent = target.requests.at(-1)!;
    expect(sent.url).toContain(`key=${SECRETS[2]}`);
    expect(sent.headers['authorization']).toBe(`Bearer ${SECRETS[0]}`);
    expect(sent.headers['x-custom']).toBe(SECRETS[1]);

    // Saving what configs.get showed (markers included) keeps every stored secret.
    for (const c of saved) {
      await app.core.call('configs.save', { config: { ...c, name: `${c.name} 2` } });
    }
    const revealed = await Promise.all(
      saved.map((c) => app.core.call('configs.get', { id: c.id, reveal: true })),
    );
    const expected = markedConfigs(target.url.replace(/\/$/, ''));
    revealed.forEach((c, i) => expect(c.params).toEqual(expected[i]!.params));
  });
});
