/**
 * The desktop app's notifications as the `desktop` alert channel (src/main/electron/notifications.ts):
 * the port over Electron's Notification (a fake here), and the one-time migration of the old
 * "notify on failure" settings into the "Desktop notifications" alert. The shell's wiring is in
 * shell.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import {
  DESKTOP_ALERT_NAME,
  DesktopNotifications,
  desktopAlertFromSettings,
  ensureDesktopAlert,
  NOTIFICATIONS_UNSUPPORTED,
} from '../../../src/main/electron/notifications';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { FakeNotifications } from './fakes';

describe('desktop notifications (the port)', () => {
  it('shows the notification and opens its run when clicked', () => {
    const notes = new FakeNotifications();
    const port = new DesktopNotifications(notes.create);
    const opened: (string | undefined)[] = [];
    port.onClick((runId) => opened.push(runId));
    port.show({ title: 'Task failed: Export', body: 'boom', runId: 'r1' });
    port.show({ title: 'Task failed: Sample task', body: 'test' });
    expect(notes.shown).toEqual([
      { title: 'Task failed: Export', body: 'boom' },
      { title: 'Task failed: Sample task', body: 'test' },
    ]);
    notes.clickers[0]!();
    notes.clickers[1]!();
    expect(opened).toEqual(['r1', undefined]);
  });

  it('throws a sentence when the system shows no notifications (a failed delivery)', () => {
    const notes = new FakeNotifications();
    const port = new DesktopNotifications(notes.create, () => false);
    expect(() => port.show({ title: 't', body: 'b' })).toThrow(NOTIFICATIONS_UNSUPPORTED);
    expect(notes.shown).toEqual([]);
  });
});

describe('the desktop alert made from the old settings', () => {
  it('maps always, after N failures and never onto the rules', () => {
    expect(
      desktopAlertFromSettings({ notifications: 'always', notifyAfterFailures: 3 }),
    ).toMatchObject({
      name: DESKTOP_ALERT_NAME,
      enabled: true,
      channel: { kind: 'desktop' },
      rule: { tasks: { kind: 'all' }, on: ['failed', 'timed-out', 'recovered'], quietMinutes: 0 },
    });
    expect(
      desktopAlertFromSettings({ notifications: 'after-failures', notifyAfterFailures: 4 }).rule,
    ).toMatchObject({ on: ['consecutive-failures', 'recovered'], consecutiveFailures: 4 });
    // One failure "in a row" is every failure.
    expect(
      desktopAlertFromSettings({ notifications: 'after-failures', notifyAfterFailures: 1 }).rule.on,
    ).toEqual(['failed', 'timed-out', 'recovered']);
    expect(
      desktopAlertFromSettings({ notifications: 'never', notifyAfterFailures: 3 }).enabled,
    ).toBe(false);
  });
});

describe('creating the desktop alert once', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  async function start(): Promise<App> {
    const notes = new FakeNotifications();
    app = createApp({
      store: new MemoryStore(),
      executors: {},
      alerts: { desktop: new DesktopNotifications(notes.create) },
    });
    await app.start();
    return app;
  }

  it('creates it from the settings in force, then marks the migration done', async () => {
    const a = await start();
    await a.core.call('settings.save', {
      settings: { notifications: 'after-failures', notifyAfterFailures: 5 },
    });
    let marks = 0;
    const created = await ensureDesktopAlert({
      core: a.core,
      done: false,
      markDone: async () => marks++,
      log: () => {},
    });
    expect(created).toMatchObject({
      name: DESKTOP_ALERT_NAME,
      rule: { on: ['consecutive-failures', 'recovered'], consecutiveFailures: 5 },
    });
    expect(marks).toBe(1);
    expect((await a.core.call('alerts.list', {})).map((x) => x.name)).toEqual([DESKTOP_ALERT_NAME]);
  });

  it('creates nothing once done (a deleted alert stays deleted) or when a desktop alert exists', async () => {
    const a = await start();
    const options = { core: a.core, markDone: async () => {}, log: () => {} };
    expect(await ensureDesktopAlert({ ...options, done: true })).toBeUndefined();
    expect(await a.core.call('alerts.list', {})).toEqual([]);
    await a.core.call('alerts.save', {
      alert: { name: 'Mine', channel: { kind: 'desktop' }, rule: { on: ['failed'] } },
    });
    let marked = false;
    const created = await ensureDesktopAlert({
      ...options,
      done: false,
      markDone: async () => (marked = true),
    });
    expect(created).toBeUndefined();
    expect(marked).toBe(true);
    expect((await a.core.call('alerts.list', {})).map((x) => x.name)).toEqual(['Mine']);
  });

  it('logs a failure and leaves the migration for the next start', async () => {
    const lines: string[] = [];
    let marked = false;
    const core = {
      currentSettings: { notifications: 'always', notifyAfterFailures: 3 },
      call: async () => {
        throw new Error('the store is not open');
      },
    } as unknown as Parameters<typeof ensureDesktopAlert>[0]['core'];
    await ensureDesktopAlert({
      core,
      done: false,
      markDone: async () => (marked = true),
      log: (line) => lines.push(line),
    });
    expect(marked).toBe(false);
    expect(lines).toEqual([
      'Notifications: creating the desktop alert failed; will try at the next start: the store is not open',
    ]);
  });
});
