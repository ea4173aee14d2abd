/**
 * The desktop shell of shell.test.ts on the fakes of ../fakes.ts: a real core on a memory store,
 * an api executor that fails when its url says so and otherwise waits for `release()`, a
 * recording scheduler and manual time. `h` is a live binding: `useShellHarness()` registers the
 * hooks that start a new harness before each test and stop it after.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createApp, type App } from '../../../../src/main/app';
import type { Clock, TimerHandle } from '../../../../src/main/core/clock';
import { DesktopSettingsStore } from '../../../../src/main/electron/desktop-settings';
import { DesktopNotifications } from '../../../../src/main/electron/notifications';
import { schedulerControls } from '../../../../src/main/electron/scheduler-controls';
import { DesktopShell } from '../../../../src/main/electron/shell';
import { WindowStateStore } from '../../../../src/main/electron/window-state';
import type { SchedulerPort } from '../../../../src/main/core/scheduler-port';
import type { ExecutorRegistry } from '../../../../src/main/executors/types';
import { MemoryStore } from '../../../../src/main/store/memory/memory-store';
import {
  FakeApp,
  FakeDialog,
  FakeIpcMain,
  FakeNotifications,
  FakePowerMonitor,
  FakeTray,
  FakeWindow,
} from '../fakes';

/** Manual time: timers fire only when the test advances the clock. */
export class ManualClock implements Clock {
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

export class RecordingScheduler implements SchedulerPort {
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
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Harness {
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

export let h: Harness;

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
  const notes = new FakeNotifications();
  // The desktop alert channel, as main.ts gives it to the core and the shell.
  const notifications = new DesktopNotifications(notes.create);
  const app = createApp({
    store: new MemoryStore(),
    executors,
    createScheduler: () => scheduler,
    alerts: { desktop: notifications },
  });
  await app.start();
  const fakeApp = new FakeApp();
  const tray = new FakeTray();
  const windows: FakeWindow[] = [];
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
    notifications,
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

export async function addTask(url: string, name: string): Promise<string> {
  const config = await h.app.core.call('configs.save', {
    config: { name: `${name} config`, type: 'api', params: { url } },
  });
  const task = await h.app.core.call('tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id },
  });
  return task.id;
}

/** A new harness before each test; after it, the gate released, the core stopped, files removed. */
export function useShellHarness(): void {
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    h.release();
    if (!h.fakeApp.quits) await h.app.stop().catch(() => {});
    await fs.rm(h.dir, { recursive: true, force: true });
  });
}
