import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import type { Clock, TimerHandle } from '../../../src/main/core/clock';
import { DesktopSettingsStore } from '../../../src/main/electron/desktop-settings';
import { FailureNotifier } from '../../../src/main/electron/notifications';
import { schedulerControls } from '../../../src/main/electron/scheduler-controls';
import { DesktopShell } from '../../../src/main/electron/shell';
import { claimSingleInstance } from '../../../src/main/electron/single-instance';
import { PAUSE_MS } from '../../../src/main/electron/tray';
import { WindowStateStore } from '../../../src/main/electron/window-state';
import type { SchedulerPort } from '../../../src/main/core/scheduler-port';
import type { ExecutorRegistry } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Run } from '../../../src/shared/domain';
import {
  FakeApp,
  FakeDialog,
  FakeIpcMain,
  FakeNotifications,
  FakePowerMonitor,
  FakeTray,
  FakeWindow,
  ipcEvent,
} from './fakes';

/** Manual time: timers fire only when the test advances the clock. */
class ManualClock implements Clock {
  t = Date.parse('2026-03-01T10:00:00Z');
  timers = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  now(): number {
    return this.t;
  }
  monotonic(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timers.set(++this.seq, { at: this.t + ms, fn });
    return this.seq as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }
  advance(ms: number): void {
    this.t += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.t) {
        this.timers.delete(id);
        timer.fn();
      }
    }
  }
}

class RecordingScheduler implements SchedulerPort {
  calls: string[] = [];
  async start(): Promise<void> {
    this.calls.push('start');
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
  }
  entryChanged(): void {}
  entryRemoved(): void {}
  status(): { running: boolean; entries: number } {
    return { running: true, entries: 0 };
  }
  wake(): void {
    this.calls.push('wake');
  }
}

/** Polls a condition (bounded by a 10 s deadline) instead of sleeping. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Harness {
  app: App;
  fakeApp: FakeApp;
  shell: DesktopShell;
  tray: FakeTray;
  windows: FakeWindow[];
  notes: FakeNotifications;
  dialog: FakeDialog;
  ipc: FakeIpcMain;
  power: FakePowerMonitor;
  scheduler: RecordingScheduler;
  clock: ManualClock;
  dir: string;
  release: () => void;
}

let h: Harness;

async function harness(): Promise<Harness> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-shell-'));
  const clock = new ManualClock();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // An api "executor" that fails when the url says so and otherwise waits for the gate.
  const executors: ExecutorRegistry = {
    api: {
      type: 'api',
      async execute(request) {
        if (request.config.params.url.includes('fail')) throw new Error('connection refused');
        await gate;
        return { result: { summary: 'ok' } };
      },
    },
  };
  const scheduler = new RecordingScheduler();
  const app = createApp({ store: new MemoryStore(), executors, createScheduler: () => scheduler });
  await app.start();
  const fakeApp = new FakeApp();
  const tray = new FakeTray();
  const windows: FakeWindow[] = [];
  const notes = new FakeNotifications();
  const dialog = new FakeDialog();
  const ipc = new FakeIpcMain();
  const power = new FakePowerMonitor();
  const desktopSettings = new DesktopSettingsStore(dir);
  await desktopSettings.load();
  const shell = new DesktopShell({
    app: fakeApp,
    core: app,
    createWindow: (options) => {
      const w = new FakeWindow(options);
      windows.push(w);
      return w;
    },
    createTray: () => tray,
    notify: notes.create,
    shell: { openExternal: async () => {} },
    dialog,
    ipcMain: ipc,
    powerMonitor: power,
    controls: schedulerControls(app.scheduler, clock),
    clock,
    windowState: new WindowStateStore(dir, () => [{ x: 0, y: 0, width: 1920, height: 1080 }]),
    desktopSettings,
    secrets: {
      // A reversible stand-in for the codec, so the test can see what was sealed.
      seal: (plain) => `sealed:${Buffer.from(plain).toString('base64')}`,
      unseal: (sealed) => Buffer.from(sealed.replace(/^sealed:/, ''), 'base64').toString(),
      status: () => ({
        os: 'keyring',
        using: 'keyring',
        choice: 'auto',
        description: 'fake keyring',
      }),
      choose: async (choice) => ({
        os: 'keyring',
        using: 'keyring',
        choice,
        description: 'fake keyring',
      }),
    },
    preload: '/app/out/preload/index.cjs',
    formatTime: undefined,
    log: () => {},
  } as ConstructorParameters<typeof DesktopShell>[0]);
  await shell.start();
  return {
    app,
    fakeApp,
    shell,
    tray,
    windows,
    notes,
    dialog,
    ipc,
    power,
    scheduler,
    clock,
    dir,
    release,
  };
}

async function addTask(url: string, name: string): Promise<string> {
  const config = await h.app.core.call('configs.save', {
    config: { name: `${name} config`, type: 'api', params: { url } },
  });
  const task = await h.app.core.call('tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id },
  });
  return task.id;
}

beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  h.release();
  if (!h.fakeApp.quits) await h.app.stop().catch(() => {});
  await fs.rm(h.dir, { recursive: true, force: true });
});

describe('the desktop shell', () => {
  it('hides the window to the tray on close and says so the first time only', async () => {
    const win = h.windows[0]!;
    win.emit('ready-to-show');
    expect(win.close().prevented).toBe(true);
    expect(win.visible).toBe(false);
    await until(() => h.notes.shown.length === 1, 'the tray notice');
    expect(h.notes.shown[0]!.title).toBe('Task Scheduler is still running');
    win.show();
    win.close();
    const flag = async (): Promise<boolean> =>
      JSON.parse(await fs.readFile(path.join(h.dir, 'desktop.json'), 'utf8').catch(() => '{}'))
        .trayHintShown === true;
    await until(flag, 'the flag');
    expect(h.notes.shown.length).toBe(1);
    // The window's place was remembered.
    await until(
      () =>
        fs.access(path.join(h.dir, 'window-state.json')).then(
          () => true,
          () => false,
        ),
      'the state',
    );
    const saved = JSON.parse(await fs.readFile(path.join(h.dir, 'window-state.json'), 'utf8'));
    expect(saved).toMatchObject({ width: 1200, height: 800, maximized: false });
  });

  it('shows the next run and offers open, run a task, pause for 1 h / resume and quit', async () => {
    const id = await addTask('http://127.0.0.1:9/ok', 'Nightly export');
    await h.app.core.call('schedules.save', {
      entry: { taskId: id, kind: 'frequency', everySeconds: 3600 },
    });
    await until(
      () => h.tray.menu.some((i) => /^Next run: Nightly export/.test(i.label ?? '')),
      'the next run',
    );
    expect(h.tray.tooltip).toMatch(/Next run: Nightly export at/);
    expect(h.tray.menu.map((i) => i.label ?? i.type)).toEqual([
      'Open Task Scheduler',
      'separator',
      expect.stringMatching(/^Next run/),
      'No failures',
      'separator',
      'Run a task',
      'Pause all for 1 hour',
      'separator',
      'Quit',
    ]);

    h.windows[0]!.hide();
    h.tray.item('Open Task Scheduler').click!();
    expect(h.windows[0]!.visible).toBe(true);

    h.tray.item('Run a task').submenu![0]!.click!();
    await until(() => h.app.runner.activeCount === 1, 'the run to start');

    h.tray.item('Pause all for 1 hour').click!();
    expect(h.scheduler.calls).toContain('stop');
    await until(() => h.tray.menu.some((i) => i.label === 'Resume scheduling'), 'the resume item');
    expect(h.tray.menu.find((i) => /^Paused until/.test(i.label ?? ''))).toBeDefined();
    h.tray.item('Resume scheduling').click!();
    expect(h.scheduler.calls.filter((c) => c === 'start').length).toBe(2);
    await until(
      () => h.tray.menu.some((i) => i.label === 'Pause all for 1 hour'),
      'the pause item',
    );
  });

  it('resumes by itself when the hour of pause is over', async () => {
    h.tray.item('Pause all for 1 hour').click!();
    h.clock.advance(PAUSE_MS - 1);
    expect(h.scheduler.calls.filter((c) => c === 'start').length).toBe(1);
    h.clock.advance(1);
    expect(h.scheduler.calls.filter((c) => c === 'start').length).toBe(2);
  });

  it('counts failures in the tray and notifies on failure and on recovery', async () => {
    const id = await addTask('http://127.0.0.1:9/fail', 'Flaky');
    await h.app.core.call('tasks.run', { id });
    await until(
      () => h.tray.menu.some((i) => i.label === '1 failure (last: Flaky)'),
      'the failure line',
    );
    expect(h.notes.shown).toEqual([
      { title: 'Task failed: Flaky', body: expect.stringContaining('connection refused') },
    ]);
    h.notes.clickers[0]!();
    expect(h.windows[0]!.visible).toBe(true);
  });

  it('asks before quitting while tasks run, and stays when the user cancels', async () => {
    const id = await addTask('http://127.0.0.1:9/slow', 'Slow');
    await h.app.core.call('tasks.run', { id, wait: false });
    h.dialog.answer = 1;
    expect(await h.shell.requestQuit()).toBe(false);
    expect(h.dialog.boxes[0]!.message).toBe('1 task is running.');
    expect(h.fakeApp.quits).toBe(0);
    h.dialog.answer = 0;
    h.release();
    expect(await h.shell.requestQuit()).toBe(true);
    expect(h.fakeApp.quits).toBe(1);
    expect(h.scheduler.calls).toContain('stop');
  });

  it('quits without asking when nothing runs, stopping the core once', async () => {
    const event = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    h.fakeApp.emit('before-quit', event);
    expect(event.prevented).toBe(true);
    await until(() => h.fakeApp.quits === 1, 'the quit');
    expect(h.dialog.boxes).toEqual([]);
    const win = h.windows[0]!;
    expect(win.close().prevented).toBe(false);
  });

  it('feeds resume and unlock events to the scheduler wake-up', () => {
    h.power.emit('suspend');
    h.power.emit('resume');
    h.power.emit('unlock-screen');
    expect(h.scheduler.calls.filter((c) => c === 'wake')).toEqual(['wake', 'wake']);
  });

  it('turns start at login on and off from the desktop settings, validating the patch', async () => {
    const trusted = ipcEvent(h.windows[0]!.webContents);
    const ok = await h.ipc.invoke('task-scheduler:desktop.saveSettings', trusted, {
      startAtLogin: true,
    });
    expect(ok).toMatchObject({
      ok: true,
      result: { startAtLogin: true, secrets: { using: 'keyring' } },
    });
    expect(h.fakeApp.login.openAtLogin).toBe(true);
    const bad = await h.ipc.invoke('task-scheduler:desktop.saveSettings', trusted, {
      startAtLogin: 'yes',
      x: 1,
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(h.fakeApp.login.openAtLogin).toBe(true);
    expect(
      JSON.parse(await fs.readFile(path.join(h.dir, 'desktop.json'), 'utf8')).startAtLogin,
    ).toBe(true);
  });
  it('selects the MongoDB store for the next start, sealing the URI and showing it redacted', async () => {
    const trusted = ipcEvent(h.windows[0]!.webContents);
    const missing = await h.ipc.invoke('task-scheduler:desktop.saveSettings', trusted, {
      store: 'mongodb',
    });
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/mongoUri/) },
    });
    const wrong = await h.ipc.invoke('task-scheduler:desktop.saveSettings', trusted, {
      store: 'mongodb',
      mongoUri: 'http://db.example',
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(
      JSON.parse(await fs.readFile(path.join(h.dir, 'desktop.json'), 'utf8').catch(() => '{}'))
        .store,
    ).not.toBe('mongodb');

    const saved = await h.ipc.invoke('task-scheduler:desktop.saveSettings', trusted, {
      store: 'mongodb',
      mongoUri: 'mongodb://ann:hunter2@db.example:27017/app',
    });
    expect(saved).toMatchObject({
      ok: true,
      result: {
        store: 'mongodb',
        storeInUse: 'json',
        mongoUri: 'mongodb://ann:••••••@db.example:27017/app',
      },
    });
    const onDisk = await fs.readFile(path.join(h.dir, 'desktop.json'), 'utf8');
    expect(onDisk).not.toContain('hunter2');
    expect(JSON.parse(onDisk)).toMatchObject({
      store: 'mongodb',
      mongoUriSealed: expect.stringMatching(/^sealed:/),
    });
  });
});

describe('single instance', () => {
  it('a second launch focuses the first window', () => {
    const app = new FakeApp();
    let focused = 0;
    expect(claimSingleInstance(app, () => focused++)).toBe(true);
    app.emit('second-instance');
    expect(focused).toBe(1);
  });

  it('the second process quits when the lock is taken', () => {
    const app = new FakeApp();
    app.lockAvailable = false;
    expect(claimSingleInstance(app, () => {})).toBe(false);
    expect(app.quits).toBe(1);
  });
});

describe('failure notifications', () => {
  const finished = (
    status: Run['status'],
    taskId = 't1',
  ): { name: 'run.finished'; data: { run: Run } } => ({
    name: 'run.finished',
    data: {
      run: {
        id: 'r',
        taskId,
        taskName: 'Export',
        status,
        error: status === 'succeeded' ? undefined : { code: 'X', message: 'boom' },
      } as Run,
    },
  });

  it('after N consecutive failures notifies once, then on recovery', () => {
    const notes = new FakeNotifications();
    const n = new FailureNotifier(
      notes.create,
      () => ({ notifications: 'after-failures', notifyAfterFailures: 3 }),
      () => {},
    );
    n.handle(finished('failed'));
    n.handle(finished('timed-out'));
    expect(notes.shown).toEqual([]);
    n.handle(finished('failed'));
    n.handle(finished('failed'));
    expect(notes.shown.map((s) => s.title)).toEqual(['Task failed: Export']);
    expect(notes.shown[0]!.body).toBe('boom (3 times in a row)');
    n.handle(finished('succeeded'));
    expect(notes.shown.map((s) => s.title)).toEqual([
      'Task failed: Export',
      'Task recovered: Export',
    ]);
  });

  it('never notifies when set to never, and does not announce recovery of an unannounced streak', () => {
    const notes = new FakeNotifications();
    let mode: 'never' | 'always' = 'never';
    const n = new FailureNotifier(
      notes.create,
      () => ({ notifications: mode, notifyAfterFailures: 3 }),
      () => {},
    );
    n.handle(finished('failed'));
    n.handle(finished('succeeded'));
    expect(notes.shown).toEqual([]);
    mode = 'always';
    n.handle(finished('skipped'));
    n.handle(finished('failed', 't2'));
    expect(notes.shown.length).toBe(1);
  });
});
