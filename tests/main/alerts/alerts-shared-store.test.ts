/**
 * Two instances on one MongoDB database (a real server when MONGODB_URI is set, else the
 * stand-in): an alert saved on one is stored for both, and a run's alert is sent once, by the
 * instance that ran it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';
import { startWebhookReceiver, type WebhookReceiver } from './support';

let mongo: MongoTestTarget;
let target: HttpTarget;
let hook: WebhookReceiver;
let first: App;
let second: App;

function instance(): App {
  return createApp({
    store: new MongoStore({ uri: mongo.uri, database: mongo.database }),
    executors: { api: new ApiExecutor() },
    alerts: { retryDelaysMs: [5, 5, 5], timeoutMs: 1000 },
  });
}

beforeAll(async () => {
  [mongo, target, hook] = await Promise.all([
    mongoTestTarget(),
    startHttpTarget(),
    startWebhookReceiver(),
  ]);
  first = instance();
  second = instance();
  await first.start();
  await second.start();
});
afterAll(async () => {
  await Promise.all([first.stop(), second.stop()]);
  await Promise.all([mongo.stop(), target.close(), hook.close()]);
});

describe('alerts with several instances on one MongoDB', () => {
  it('the instance that ran the run sends its alert, once', async () => {
    const alert = await first.core.call('alerts.save', {
      alert: {
        name: 'Shared',
        channel: { kind: 'webhook', url: `${hook.url}/shared` },
        rule: { on: ['failed'] },
      },
    });
    expect((await second.core.call('alerts.list', {})).map((a) => a.id)).toEqual([alert.id]);
    const config = await first.core.call('configs.save', {
      config: { name: 'Broken', type: 'api', params: { url: `${target.url}/status/500` } },
    });
    const task = await first.core.call('tasks.save', {
      task: { name: 'Shared task', type: 'api', operation: 'read', configId: config.id },
    });

    const run = await second.core.call('tasks.run', { id: task.id });
    await Promise.all([first.alerts.idle(), second.alerts.idle()]);
    expect(run.status).toBe('failed');
    expect(hook.items.map((r) => r.json)).toEqual([
      expect.objectContaining({ event: 'failed', run: expect.objectContaining({ id: run.id }) }),
    ]);
    expect((await second.core.call('alerts.deliveries', {})).items).toHaveLength(1);
    expect((await first.core.call('alerts.deliveries', {})).items).toEqual([]);
  });
});
