import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EncryptingStore } from '../../../src/main/secrets/encrypting-store';
import { FileKeyCodec } from '../../../src/main/secrets/file-key-codec';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import type { Store } from '../../../src/main/store/types';
import type { Alert } from '../../../src/shared/alerts';
import { ALERT_SECRETS, emailAlert, webhookAlert } from '../../support/alert-fixtures';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';

const SECRETS = ALERT_SECRETS;

/** A webhook whose header and body keys hold `$` and `.` (MongoDB field names must survive). */
function webhook(id: string, name = `alert ${id}`): Alert {
  const alert = webhookAlert(id, { name });
  if (alert.channel.kind !== 'webhook') throw new Error('a webhook alert');
  return {
    ...alert,
    channel: {
      ...alert.channel,
      headers: { Authorization: `Bearer ${SECRETS[1]}`, 'X-$odd.key': 'v' },
      body: { text: '{{task.name}} {{event}}', $weird: { 'a.b': 1 } },
    },
  };
}

const email = (id: string): Alert => emailAlert(id, { enabled: false });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-alerts-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function opened<S extends Store>(store: S): Promise<S> {
  await store.open();
  cleanups.push(() => store.close());
  return store;
}

/** Put, get, list, replace and delete alerts: what every store does the same. */
async function roundTrip(store: Store): Promise<void> {
  await store.putAlert(webhook('a1'));
  await store.putAlert(email('a2'));
  expect(await store.getAlert('a1')).toEqual(webhook('a1'));
  expect(await store.getAlert('a2')).toEqual(email('a2'));
  expect(await store.getAlert('nope')).toBeUndefined();
  await store.putAlert(webhook('a1', 'renamed'));
  expect((await store.listAlerts()).map((a) => [a.id, a.name]).sort()).toEqual([
    ['a1', 'renamed'],
    ['a2', 'mail a2'],
  ]);
  expect(await store.deleteAlerts(['a2', 'nope'])).toBe(1);
  expect((await store.listAlerts()).map((a) => a.id)).toEqual(['a1']);
}

describe('alerts in the memory store', () => {
  it('keeps, replaces and deletes alerts', async () => {
    await roundTrip(await opened(new MemoryStore()));
  });
});

describe('alerts in the json store', () => {
  it('keeps, replaces and deletes alerts, and they survive a reopen', async () => {
    const dir = await tempDir();
    const store = new JsonStore({ dataDir: dir });
    await store.open();
    await roundTrip(store);
    await store.close();
    const again = await opened(new JsonStore({ dataDir: dir }));
    expect(await again.listAlerts()).toEqual([webhook('a1', 'renamed')]);
  });

  it('opens a catalog written before alerts existed, then writes its alerts array', async () => {
    const dir = await tempDir();
    const old = { version: 1, configs: [], tasks: [], schedules: [], settings: null };
    await fs.writeFile(join(dir, 'catalog.json'), JSON.stringify(old));
    const store = await opened(new JsonStore({ dataDir: dir }));
    expect(await store.listAlerts()).toEqual([]);
    expect(store.problems()).toEqual([]);
    await store.putAlert(webhook('a1'));
    const file = JSON.parse(await fs.readFile(join(dir, 'catalog.json'), 'utf8')) as {
      alerts: unknown[];
    };
    expect(file.alerts).toEqual([webhook('a1')]);
  });

  it('sets aside a stored alert that fails the checks, reports it and keeps it in the file', async () => {
    const dir = await tempDir();
    const bad = {
      ...webhook('bad'),
      channel: { ...webhook('bad').channel, body: { text: '{{nope}}' } },
    };
    const catalog = {
      version: 1,
      configs: [],
      tasks: [],
      schedules: [],
      settings: null,
      alerts: [webhook('good'), bad],
    };
    await fs.writeFile(join(dir, 'catalog.json'), JSON.stringify(catalog));
    const store = await opened(new JsonStore({ dataDir: dir }));
    expect((await store.listAlerts()).map((a) => a.id)).toEqual(['good']);
    expect(store.problems()).toEqual([
      expect.objectContaining({
        kind: 'alert',
        recordId: 'bad',
        message: expect.stringContaining('channel.body.text: unknown placeholder {{nope}}'),
      }),
    ]);
    await store.putAlert(webhook('other'));
    const file = JSON.parse(await fs.readFile(join(dir, 'catalog.json'), 'utf8')) as {
      alerts: Alert[];
    };
    expect(file.alerts.map((a) => a.id)).toEqual(['good', 'other', 'bad']);
  });

  it('seals the url, header values and SMTP password at rest and opens them on read', async () => {
    const dir = await tempDir();
    const codec = new FileKeyCodec(Buffer.alloc(32, 7), 'test key');
    const store = await opened(new EncryptingStore(new JsonStore({ dataDir: dir }), codec));
    await store.putAlert(webhook('a1'));
    await store.putAlert(email('a2'));
    await store.flush();
    const text = await fs.readFile(join(dir, 'catalog.json'), 'utf8');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('v1:aes:');
    expect(await store.getAlert('a1')).toEqual(webhook('a1'));
    expect(await store.listAlerts()).toEqual(expect.arrayContaining([webhook('a1'), email('a2')]));
  });
});

describe('alerts in the mongodb store', () => {
  let target: MongoTestTarget;
  beforeAll(async () => {
    target = await mongoTestTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  it('keeps, replaces and deletes alerts in the alerts collection', async () => {
    const store = await opened(
      new MongoStore({ uri: target.uri, database: `${target.database}_a` }),
    );
    await roundTrip(store);
  });

  it('skips and reports an alert document that fails the checks', async () => {
    const database = `${target.database}_b`;
    const store = await opened(new MongoStore({ uri: target.uri, database }));
    await store.putAlert(webhook('good'));
    const client = new MongoClient(target.uri);
    cleanups.push(() => client.close());
    await client
      .db(database)
      .collection<{ _id: string; name: string }>('alerts')
      .insertOne({ _id: 'bad', name: 'x' });
    expect((await store.listAlerts()).map((a) => a.id)).toEqual(['good']);
    expect(store.problems()).toEqual([expect.objectContaining({ kind: 'alert', recordId: 'bad' })]);
  });
});
