/**
 * The composition root every entry point uses (desktop, service, export/import): the store it
 * picks, the secrets codec around it, and the multi-instance capabilities that must reach the
 * scheduler through that codec.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main/app';
import { composeApp, createStore, headlessSecrets } from '../../src/main/compose';
import { FileKeyCodec } from '../../src/main/secrets/file-key-codec';
import { REDACTED } from '../../src/shared/domain';
import type { Configuration } from '../../src/shared/domain';
import type { AppEvent } from '../../src/shared/events';
import { FakeClock } from '../support/fake-clock';
import { mongoTestTarget, uriWithDatabase, type MongoTestTarget } from '../support/mongo-target';

let target: MongoTestTarget;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  target = await mongoTestTarget();
});
afterAll(async () => {
  await target.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'compose-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function started(app: App): Promise<App> {
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

const env = { TASK_SCHEDULER_SECRET_KEY: randomBytes(32).toString('base64') };
const SECRET = 'probe-token-0123456789';

describe('the composition root', () => {
  it('builds the store the settings name, and refuses mongodb without a connection string', () => {
    expect(createStore({ store: 'memory', dataDir: '' }).kind).toBe('memory');
    expect(createStore({ store: 'json', dataDir: '/tmp/x' }).kind).toBe('json');
    expect(createStore({ store: 'mongodb', dataDir: '', mongoUri: 'mongodb://h/d' }).kind).toBe(
      'mongodb',
    );
    expect(() => createStore({ store: 'mongodb', dataDir: '' })).toThrow(
      /needs a connection string/,
    );
  });

  it('seals secrets before the backend sees them when given a codec', async () => {
    const dataDir = await tempDir();
    const app = await started(
      composeApp({ store: 'json', dataDir, secrets: await FileKeyCodec.open({ dataDir, env }) }),
    );
    await app.core.call('configs.save', {
      config: {
        name: 'Secret',
        type: 'api',
        params: { url: 'http://127.0.0.1:9/', auth: { kind: 'bearer', token: 'compose-secret' } },
      },
    });
    await app.store.flush();
    expect(await readFile(join(dataDir, 'catalog.json'), 'utf8')).not.toContain('compose-secret');
    const [config] = (await app.store.listConfigs()) as Configuration[];
    expect(config!.params).toMatchObject({ auth: { token: 'compose-secret' } });
  });

  it('gives store, runs and system.info one instance id, and fires nothing with schedule: false', async () => {
    const app = await started(
      composeApp({ store: 'memory', dataDir: '', instanceId: 'inst-1', schedule: false }),
    );
    expect(app.scheduler).toBeUndefined();
    expect((await app.core.call('system.info', {})).instanceId).toBe('inst-1');
    const scheduling = await started(composeApp({ store: 'memory', dataDir: '' }));
    expect(scheduling.scheduler).toBeDefined();
  });

  it("sends the scheduler's warnings to the entry point's logger, not to the console", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const app = await started(
      composeApp({ store: 'memory', dataDir: '', clock, warn: (line) => lines.push(line) }),
    );
    const config = await app.core.call('configs.save', {
      config: { name: 'Echo', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const task = await app.core.call('tasks.save', {
      task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id },
    });
    await app.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 10, enabled: true },
    });
    // Another process deletes the task behind this instance's core: the next fire says so.
    await app.store.deleteTasks([task.id]);
    await clock.advance(10_000);
    expect(lines).toContainEqual(
      expect.stringMatching(/^Scheduler: entry .* fired but its task ".*" no longer exists/),
    );
  });

  it('lets the claim and the schedule watch of a shared MongoDB through the secrets codec', async () => {
    const mongoUri = uriWithDatabase(target.uri, `${target.database}_compose`);
    const secrets = await FileKeyCodec.open({ dataDir: '', env });
    const compose = (instanceId: string): App =>
      composeApp({
        store: 'mongodb',
        dataDir: '',
        mongoUri,
        instanceId,
        secrets,
        mongo: { pollMs: 200, changeDetection: 'poll' },
      });
    const a = await started(compose('a'));
    const b = await started(compose('b'));
    expect(a.store.claim).toBeTypeOf('function');
    const slot = new Date().toISOString();
    expect(await a.store.claim!('entry-1', slot)).toBe(true);
    expect(await b.store.claim!('entry-1', slot)).toBe(false);

    // An entry saved on one instance reaches the other's scheduler and listeners (poll every
    // 200 ms); it fires only in a minute, after this test.
    const seen: string[] = [];
    b.events.subscribe((event) => {
      if (event.name === 'schedule.changed') {
        seen.push((event as AppEvent<'schedule.changed'>).data.id);
      }
    });
    const config = await a.core.call('configs.save', {
      config: { name: 'Ping', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const task = await a.core.call('tasks.save', {
      task: { name: 'Ping', type: 'api', operation: 'read', configId: config.id },
    });
    const entry = await a.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 60 },
    });
    await expect.poll(() => seen, { timeout: 5_000 }).toContain(entry.id);
  });

  it('opens a key file for the headless entry points, and none for the memory store', async () => {
    const dataDir = await tempDir();
    expect(await headlessSecrets({ store: 'memory', dataDir }, {})).toBeUndefined();
    const codec = await headlessSecrets({ store: 'json', dataDir }, {});
    expect(codec).toBeInstanceOf(FileKeyCodec);
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    const fromEnv = await headlessSecrets({ store: 'json', dataDir: await tempDir() }, env);
    expect(fromEnv?.description).toMatch(/TASK_SCHEDULER_SECRET_KEY/);
  });

  it('lets a bench put its own executor inside the product redaction and hear every fire', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const executed: string[] = [];
    const fired: string[] = [];
    const app = await started(
      composeApp({
        store: 'memory',
        dataDir: '',
        clock,
        probes: {
          executors: {
            api: {
              type: 'api',
              execute: (request) => {
                executed.push(request.config.name);
                // The product's wrapper redacts what the executor reports.
                return Promise.resolve({ result: { summary: `sent ${SECRET}` } });
              },
            },
          },
          onFire: (id, slot) => fired.push(`${id}@${new Date(slot).toISOString()}`),
        },
      }),
    );
    const config = await app.core.call('configs.save', {
      config: {
        name: 'Probe',
        type: 'api',
        params: { url: 'http://127.0.0.1:9/', auth: { kind: 'bearer', token: SECRET } },
      },
    });
    const task = await app.core.call('tasks.save', {
      task: { name: 'Probe', type: 'api', operation: 'read', configId: config.id },
    });
    const entry = await app.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 1 },
    });
    await clock.advance(2_000);
    expect(fired).toEqual([
      `${entry.id}@2026-01-01T00:00:01.000Z`,
      `${entry.id}@2026-01-01T00:00:02.000Z`,
    ]);
    expect(executed).toEqual(['Probe', 'Probe']);
    const runs = (await app.core.call('runs.list', {})).items;
    expect(runs.map((r) => r.result?.summary)).toEqual([`sent ${REDACTED}`, `sent ${REDACTED}`]);
  });
});
