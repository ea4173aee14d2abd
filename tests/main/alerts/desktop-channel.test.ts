/**
 * The `desktop` alert channel: OS notifications through the injected DesktopNotifier port, under
 * the same rules as every channel; a core without a notifier (the headless service) refuses it.
 * The real core on a memory store, with an api "executor" that fails when its url says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import type { DesktopNotifier } from '../../../src/main/alerts/senders';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { AlertInput } from '../../../src/shared/alerts';
import type { ExecutorRegistry } from '../../../src/main/executors/types';
import type { AppEvent } from '../../../src/shared/events';

interface Shown {
  title: string;
  body: string;
  runId?: string;
}

/** A notifier that records what it was asked to show, or refuses with `refusal`. */
class RecordingNotifier implements DesktopNotifier {
  shown: Shown[] = [];
  refusal: string | undefined;
  show(message: Shown): void {
    if (this.refusal) throw new Error(this.refusal);
    this.shown.push(message);
  }
}

const executors: ExecutorRegistry = {
  api: {
    type: 'api',
    async execute(request) {
      if (request.config.params.url.includes('fail')) throw new Error('connection refused');
      return { result: { summary: 'ok' } };
    },
  },
};

let app: App | undefined;
/** What the app logged as warnings (composeApp's `warn`). */
let warnings: string[] = [];
afterEach(async () => {
  warnings = [];
  await app?.stop();
  app = undefined;
});

async function start(notifier?: DesktopNotifier, store = new MemoryStore()): Promise<App> {
  app = createApp({
    store,
    executors,
    warn: (message) => warnings.push(message),
    alerts: { retryDelaysMs: [1, 1, 1], ...(notifier ? { desktop: notifier } : {}) },
  });
  await app.start();
  return app;
}

/** A task and two configurations: `fail` makes its run fail, `ok` succeed. */
async function task(
  a: App,
  name = 'Export',
): Promise<{ id: string; run(ok?: boolean): Promise<string> }> {
  const fail = await a.core.call('configs.save', {
    config: { name: `${name} failing`, type: 'api', params: { url: 'http://127.0.0.1:9/fail' } },
  });
  const ok = await a.core.call('configs.save', {
    config: { name: `${name} ok`, type: 'api', params: { url: 'http://127.0.0.1:9/ok' } },
  });
  const saved = await a.core.call('tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: fail.id },
  });
  return {
    id: saved.id,
    run: async (succeed = false) => {
      const run = await a.core.call('tasks.run', {
        id: saved.id,
        ...(succeed ? { configId: ok.id } : {}),
      });
      await a.alerts.idle();
      return run.id;
    },
  };
}

const desktopAlert = (extra: Partial<AlertInput> = {}): AlertInput => ({
  name: 'On this desktop',
  channel: { kind: 'desktop' },
  rule: { on: ['failed', 'timed-out', 'recovered'] },
  ...extra,
});

describe('the desktop alert channel', () => {
  it('is refused at save and at test by a core without a notifier, naming the field, nothing stored', async () => {
    const a = await start();
    for (const method of ['alerts.save', 'alerts.test'] as const) {
      const refused = a.core.call(method, { alert: desktopAlert() });
      await expect(refused).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining(
          'alert.channel.kind: desktop notifications exist only in the desktop app',
        ),
        details: { issues: [{ path: ['alert', 'channel', 'kind'] }] },
      });
    }
    expect(await a.core.call('alerts.list', {})).toEqual([]);
  });

  it('passes over desktop alerts another instance stored when it has no notifier', async () => {
    const store = new MemoryStore();
    const now = new Date().toISOString();
    await store.putAlert({
      id: 'desk1',
      name: 'Somebody else’s desktop',
      enabled: true,
      channel: { kind: 'desktop' },
      rule: { tasks: { kind: 'all' }, on: ['failed'], consecutiveFailures: 3, quietMinutes: 0 },
      createdAt: now,
      updatedAt: now,
    });
    const a = await start(undefined, store);
    await (await task(a)).run();
    expect(a.alerts.deliveries({})).toEqual([]);
  });

  it('notifies a failure and the recovery with the default texts, each naming its run', async () => {
    const notifier = new RecordingNotifier();
    const a = await start(notifier);
    const t = await task(a);
    await a.core.call('alerts.save', { alert: desktopAlert() });
    const failed = await t.run();
    const recovered = await t.run(true);
    expect(notifier.shown).toEqual([
      { title: 'Task failed: Export', body: 'connection refused', runId: failed },
      { title: 'Task recovered: Export', body: 'It ran successfully again.', runId: recovered },
    ]);
    expect(a.alerts.deliveries({}).map((d) => [d.channel, d.event, d.status])).toEqual([
      ['desktop', 'recovered', 'sent'],
      ['desktop', 'failed', 'sent'],
    ]);
  });

  it('follows the rules: the N-th failure in a row, the quiet period, the chosen tasks', async () => {
    const notifier = new RecordingNotifier();
    const a = await start(notifier);
    const watched = await task(a, 'Watched');
    const other = await task(a, 'Other');
    await a.core.call('alerts.save', {
      alert: desktopAlert({
        rule: {
          tasks: { kind: 'ids', ids: [watched.id] },
          on: ['consecutive-failures'],
          consecutiveFailures: 2,
          quietMinutes: 60,
        },
      }),
    });
    await watched.run();
    await other.run();
    await other.run();
    expect(notifier.shown).toEqual([]);
    await watched.run();
    await watched.run(); // within the quiet period
    expect(notifier.shown.map((s) => s.title)).toEqual(['Task failed 2 times in a row: Watched']);
  });

  it('fills title and body templates with the run’s values', async () => {
    const notifier = new RecordingNotifier();
    const a = await start(notifier);
    const t = await task(a);
    await a.core.call('alerts.save', {
      alert: desktopAlert({
        channel: {
          kind: 'desktop',
          title: '{{task.name}} is {{status}}',
          body: '{{errorCode}}: {{error}} ({{failures}})',
        },
      }),
    });
    await t.run();
    expect(notifier.shown[0]).toMatchObject({
      title: 'Export is failed',
      body: expect.stringMatching(/: connection refused \(1\)$/),
    });
  });

  it('refuses a template with an unknown placeholder, naming the field', async () => {
    const a = await start(new RecordingNotifier());
    const saving = a.core.call('alerts.save', {
      alert: desktopAlert({ channel: { kind: 'desktop', title: 'Oops {{nope}}' } }),
    });
    await expect(saving).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { issues: [expect.objectContaining({ path: ['alert', 'channel', 'title'] })] },
    });
    expect(await a.core.call('alerts.list', {})).toEqual([]);
  });

  it('records a notification that cannot be shown as a failed delivery, retried, the run unaffected', async () => {
    const notifier = new RecordingNotifier();
    notifier.refusal = 'this system does not show notifications';
    const a = await start(notifier);
    const t = await task(a);
    const saved = await a.core.call('alerts.save', { alert: desktopAlert() });
    const runId = await t.run();
    const attempts = a.alerts.deliveries({ alertId: saved.id });
    expect(attempts.map((d) => [d.attempt, d.status, d.reason])).toEqual([
      [4, 'failed', 'this system does not show notifications'],
      [3, 'failed', 'this system does not show notifications'],
      [2, 'failed', 'this system does not show notifications'],
      [1, 'failed', 'this system does not show notifications'],
    ]);
    expect((await a.core.call('runs.get', { id: runId })).status).toBe('failed');
    expect(warnings).toContain(
      'Alerts: alert "On this desktop" attempt 4 failed: this system does not show notifications',
    );
  });

  it('sends a test notification that names no run', async () => {
    const notifier = new RecordingNotifier();
    const a = await start(notifier);
    const delivery = await a.core.call('alerts.test', { alert: desktopAlert() });
    expect(delivery).toMatchObject({ channel: 'desktop', status: 'sent', test: true });
    expect(notifier.shown).toEqual([
      { title: 'Task failed: Sample task', body: 'This is a test message from Task Scheduler' },
    ]);
  });

  it('tells every UI when alerts change (store.changed "alerts")', async () => {
    const a = await start(new RecordingNotifier());
    const kinds: string[] = [];
    a.events.subscribe((event: AppEvent) => {
      if (event.name === 'store.changed') kinds.push(event.data.kind);
    });
    const saved = await a.core.call('alerts.save', { alert: desktopAlert() });
    await a.core.call('alerts.delete', { id: saved.id });
    expect(kinds).toEqual(['alerts', 'alerts']);
  });
});
