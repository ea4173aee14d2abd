import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_URL } from '../../../src/main/electron/protocol';
import { PAUSE_MS } from '../../../src/main/electron/tray';
import { ipcEvent } from './fakes';
import { addTask, h, until, useShellHarness } from './support/shell-harness';

useShellHarness();

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

  it('counts failures in the tray and notifies through the desktop alert, a click opening the run', async () => {
    const id = await addTask('http://127.0.0.1:9/fail', 'Flaky');
    const run = await h.app.core.call('tasks.run', { id });
    await until(
      () => h.tray.menu.some((i) => i.label === '1 failure (last: Flaky)'),
      'the failure line',
    );
    await h.app.alerts.idle();
    expect(h.notes.shown).toEqual([
      { title: 'Task failed: Flaky', body: expect.stringContaining('connection refused') },
    ]);
    h.notes.clickers[0]!();
    expect(h.windows[0]!.visible).toBe(true);
    expect(h.windows[0]!.loaded.at(-1)).toBe(`${APP_URL}#/history/${run.id}`);
  });

  it('makes the failure notifications a desktop alert at the first start, once', async () => {
    const alerts = await h.app.core.call('alerts.list', {});
    expect(alerts.map((a) => [a.name, a.channel.kind, a.enabled])).toEqual([
      ['Desktop notifications', 'desktop', true],
    ]);
    const file = JSON.parse(await fs.readFile(path.join(h.dir, 'desktop.json'), 'utf8'));
    expect(file.desktopAlertCreated).toBe(true);
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
