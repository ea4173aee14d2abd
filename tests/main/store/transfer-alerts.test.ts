/**
 * Alerts in export files (issue #18): exported with their channel secrets sealed, omitted or in
 * clear like configuration secrets, imported back checked by the alert schema, counted, and a
 * version 1 file (no alerts) still imports. A bad alert refuses the whole file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCiphertext } from '../../../src/main/secrets/codec';
import { EncryptingStore } from '../../../src/main/secrets/encrypting-store';
import { FileKeyCodec } from '../../../src/main/secrets/file-key-codec';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import {
  copyStore,
  exportStoreData,
  exportStoreToFile,
  importStoreFromFile,
  prepareDump,
} from '../../../src/main/store/transfer';
import type { Store } from '../../../src/main/store/types';
import type { Alert } from '../../../src/shared/alerts';
import { ALERT_SECRETS, ALERT_T0, emailAlert, webhookAlert } from '../../support/alert-fixtures';
import { apiConfig, task } from '../../support/fixtures';

const T0 = ALERT_T0;
const SECRETS = ALERT_SECRETS;
const webhook = webhookAlert;
const email = (id: string): Alert => emailAlert(id);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempFile(name = 'export.json'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-transfer-alerts-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, name);
}

async function memory(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open();
  return store;
}

async function sealed(key: Buffer): Promise<EncryptingStore> {
  const store = new EncryptingStore(new MemoryStore(), new FileKeyCodec(key, 'a test key'));
  await store.open();
  return store;
}

async function seed(store: Store): Promise<void> {
  await store.putConfig(apiConfig('c1'));
  await store.putTask(task('t1', 'c1'));
  await store.putAlert(webhook('a1'));
  await store.putAlert(email('a2'));
}

const byId = (alerts: Alert[]): Alert[] => [...alerts].sort((a, b) => a.id.localeCompare(b.id));

/** A hand-written export holding these alerts (counts made to match). */
function dumpWith(alerts: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'task-scheduler-export',
    version: 2,
    exportedAt: T0,
    secrets: 'clear',
    counts: { configs: 1, tasks: 1, schedules: 0, alerts: alerts.length, settings: 0, runs: 0 },
    configs: [apiConfig('c1')],
    tasks: [task('t1', 'c1')],
    schedules: [],
    alerts,
    runs: [],
    ...extra,
  };
}

async function nothingStored(store: Store): Promise<void> {
  expect(await store.listAlerts()).toEqual([]);
  expect(await store.listConfigs()).toEqual([]);
  expect(await store.listTasks()).toEqual([]);
}

describe('alerts in export files', () => {
  it('seals alert secrets with the store key, and a store with the same key imports them intact', async () => {
    const key = randomBytes(32);
    const source = await sealed(key);
    await seed(source);
    const file = await tempFile();
    const summary = await exportStoreToFile(source, file);
    expect(summary.counts).toMatchObject({ configs: 1, tasks: 1, alerts: 2 });
    expect(summary.notes.join(' ')).toMatch(/alerts "hook a1", "mail a2" are sealed/);
    const text = await readFile(file, 'utf8');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const written = JSON.parse(text) as { version: number; alerts: Alert[] };
    expect(written.version).toBe(2);
    const hook = written.alerts.find((a) => a.id === 'a1')!.channel;
    expect(hook.kind === 'webhook' && isCiphertext(hook.url)).toBe(true);

    const target = await sealed(key);
    const imported = await importStoreFromFile(target, file);
    expect(imported.counts).toEqual({
      configs: 1,
      tasks: 1,
      schedules: 0,
      alerts: 2,
      settings: 0,
      runs: 0,
    });
    expect(byId(await target.listAlerts())).toEqual([webhook('a1'), email('a2')]);
    // Importing twice changes nothing.
    await importStoreFromFile(target, file);
    expect(byId(await target.listAlerts())).toEqual([webhook('a1'), email('a2')]);
  });

  it('refuses sealed alert secrets in a store with another key or none, naming the alerts, and stores nothing', async () => {
    const source = await sealed(randomBytes(32));
    // Only alerts: they are what cannot be opened.
    await source.putAlert(webhook('a1'));
    await source.putAlert(email('a2'));
    const file = await tempFile();
    await exportStoreToFile(source, file);
    const other = await sealed(randomBytes(32));
    await expect(importStoreFromFile(other, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /alerts "hook a1", "mail a2" were sealed with a test key and do not decrypt.*nothing was imported/,
      ),
      details: { alertIds: ['a1', 'a2'] },
    });
    await nothingStored(other);
    const plain = await memory();
    await expect(importStoreFromFile(plain, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/are sealed with a test key and this memory store has no key/),
    });
    await nothingStored(plain);
  });

  it('leaves alert secrets out without a key: the stored ones are kept, the others arrive disabled', async () => {
    const source = await memory();
    await seed(source);
    const file = await tempFile();
    const summary = await exportStoreToFile(source, file);
    expect(summary.secrets).toBe('omitted');
    expect(summary.notes.join(' ')).toMatch(/alerts "hook a1", "mail a2" .* were left out/);
    const text = await readFile(file, 'utf8');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('https://hooks.slack.com/••••••');

    const back = await importStoreFromFile(source, file);
    expect(back.notes.join(' ')).toMatch(/secrets already stored were kept/);
    expect(byId(await source.listAlerts())).toEqual([webhook('a1'), email('a2')]);

    const fresh = await memory();
    const moved = await importStoreFromFile(fresh, file);
    expect(moved.counts.alerts).toBe(2);
    expect(moved.notes.join(' ')).toMatch(/were imported disabled; type each secret/);
    const alerts = byId(await fresh.listAlerts());
    expect(alerts.map((a) => a.enabled)).toEqual([false, false]);
    expect(alerts[0]!.channel).toMatchObject({ url: 'https://hooks.slack.com/••••••' });
  });

  it('writes alert secrets in clear with includeSecrets, and they import anywhere', async () => {
    const source = await sealed(randomBytes(32));
    await seed(source);
    const file = await tempFile();
    const summary = await exportStoreToFile(source, file, { includeSecrets: true });
    expect(summary.notes.join(' ')).toMatch(/alerts "hook a1", "mail a2" are in the file in clear/);
    const text = await readFile(file, 'utf8');
    for (const secret of SECRETS) expect(text).toContain(secret);
    const fresh = await memory();
    await importStoreFromFile(fresh, file);
    expect(byId(await fresh.listAlerts())).toEqual([webhook('a1'), email('a2')]);
  });

  it('holds the same export in memory as in the file, optionally without the runs', async () => {
    const source = await memory();
    await seed(source);
    const { dump, counts } = await exportStoreData(source, { includeSecrets: true, runs: false });
    expect(counts).toMatchObject({ alerts: 2, runs: 0 });
    expect(byId(dump.alerts!)).toEqual([webhook('a1'), email('a2')]);
    const fresh = await memory();
    const prepared = await prepareDump(fresh, JSON.parse(JSON.stringify(dump)), 'test');
    expect(prepared.dump.alerts).toHaveLength(2);
  });

  it('copies alerts from one store into another', async () => {
    const source = await memory();
    await seed(source);
    const target = await memory();
    expect((await copyStore(source, target)).alerts).toBe(2);
    expect(byId(await target.listAlerts())).toEqual([webhook('a1'), email('a2')]);
  });

  it('imports a version 1 file, which holds no alerts', async () => {
    const v1 = dumpWith([]);
    delete v1.alerts;
    v1.version = 1;
    v1.counts = { configs: 1, tasks: 1, schedules: 0, settings: 0, runs: 0 };
    const file = await tempFile();
    await writeFile(file, JSON.stringify(v1));
    const store = await memory();
    const summary = await importStoreFromFile(store, file);
    expect(summary.counts).toEqual({
      configs: 1,
      tasks: 1,
      schedules: 0,
      alerts: 0,
      settings: 0,
      runs: 0,
    });
  });

  it('refuses a file of another version, saying it comes from another Task Scheduler', async () => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify({ ...dumpWith([]), version: 3 }));
    const store = await memory();
    await expect(importStoreFromFile(store, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /version: must be 1 or 2 \(this file comes from another version/,
      ),
    });
    await nothingStored(store);
  });

  it('refuses a file whose alert count does not match its alerts', async () => {
    const file = await tempFile();
    const dump = dumpWith([webhook('a1')]);
    (dump.counts as { alerts: number }).alerts = 3;
    await writeFile(file, JSON.stringify(dump));
    const store = await memory();
    await expect(importStoreFromFile(store, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/says it holds .*"alerts":3.* but holds .*"alerts":1/),
    });
    await nothingStored(store);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      'an unknown channel',
      { ...webhook('bad'), channel: { kind: 'pager', number: '1' } },
      /alert "bad" channel\.kind: /,
    ],
    [
      'a webhook URL that is not http(s)',
      webhook('bad', {
        channel: { ...(webhook('x').channel as object), url: 'ftp://example.com/' } as never,
      }),
      /alert "bad" channel\.url: must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      'an unknown placeholder',
      webhook('bad', {
        channel: { ...(webhook('x').channel as object), body: { text: '{{nope}}' } } as never,
      }),
      /alert "bad" channel\.body\.text: unknown placeholder \{\{nope\}\}/,
    ],
    [
      'a negative quiet period',
      webhook('bad', { rule: { ...webhook('x').rule, quietMinutes: -1 } }),
      /alert "bad" rule\.quietMinutes: must be 0 or more/,
    ],
    [
      'an unknown field',
      { ...webhook('bad'), extra: 1 },
      /alert "bad" extra: is not a known field/,
    ],
  ];
  it.each(bad)('refuses an alert with %s, naming it, and imports nothing', async (_, alert, re) => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify(dumpWith([webhook('good'), alert])));
    const store = await memory();
    await expect(importStoreFromFile(store, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(re),
    });
    await expect(importStoreFromFile(store, file)).rejects.toMatchObject({
      message: expect.stringMatching(/1 record is not valid, so nothing was imported/),
    });
    await nothingStored(store);
  });

  it('refuses the same alert id twice', async () => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify(dumpWith([webhook('a1'), webhook('a1')])));
    const store = await memory();
    await expect(importStoreFromFile(store, file)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/alerts holds id "a1" twice/),
    });
    await nothingStored(store);
  });
});
