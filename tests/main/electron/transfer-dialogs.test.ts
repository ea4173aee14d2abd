/**
 * Import and export in the desktop app (issue #17): the Settings screen asks the native save and
 * open dialogs for a path through the preload bridge, then the core writes or reads that file
 * (`system.export` / `system.import`). The whole desktop path runs here: the real core, the real
 * IPC handlers and preload bridge, with a dialog fake standing in for Electron's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { registerIpc } from '../../../src/main/electron/ipc';
import type { DialogLike, FileFilter } from '../../../src/main/electron/types';
import {
  createBridge,
  type DesktopBridgeApi,
  type IpcRendererLike,
} from '../../../src/preload/bridge';
import type { Envelope } from '../../../src/shared/bridge';
import type { MethodName, MethodResult } from '../../../src/shared/contract';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { METHOD_NAMES } from '../../../src/shared/contract';
import { apiConfig, task } from '../../support/fixtures';
import { FakeIpcMain, FakeWebContents, ipcEvent } from './fakes';

/** Electron's dialogs in miniature: records what was asked, answers the path set by the test. */
class RecordingDialog implements DialogLike {
  asked: Array<{ dialog: 'open' | 'save'; options: object }> = [];
  answer: string | undefined;
  async showMessageBox(): Promise<{ response: number }> {
    return { response: 0 };
  }
  async showOpenDialog(options: {
    title: string;
    properties: string[];
    filters?: FileFilter[];
  }): Promise<{ canceled: boolean; filePaths: string[] }> {
    this.asked.push({ dialog: 'open', options });
    return this.answer
      ? { canceled: false, filePaths: [this.answer] }
      : { canceled: true, filePaths: [] };
  }
  async showSaveDialog(options: {
    title: string;
    defaultPath?: string;
    filters?: FileFilter[];
  }): Promise<{ canceled: boolean; filePath?: string }> {
    this.asked.push({ dialog: 'save', options });
    return this.answer ? { canceled: false, filePath: this.answer } : { canceled: true };
  }
}

const JSON_FILTERS = [
  { name: 'JSON files', extensions: ['json'] },
  { name: 'All files', extensions: ['*'] },
];

interface Desktop {
  app: App;
  store: MemoryStore;
  dialog: RecordingDialog;
  bridge: DesktopBridgeApi;
  /** A method through the bridge, its envelope opened (as the renderer's bridge transport does). */
  call<M extends MethodName>(method: M, params: unknown): Promise<MethodResult<M>>;
}

const desktops: Desktop[] = [];
let dir: string;

/** One desktop app: core, IPC and bridge, as the window would have them. */
async function desktop(): Promise<Desktop> {
  const store = new MemoryStore();
  const app = createApp({ store, executors: {} });
  await app.start();
  const ipcMain = new FakeIpcMain();
  const window = new FakeWebContents();
  const dialog = new RecordingDialog();
  registerIpc({ ipcMain, core: app.core, trustedContents: () => [window.id], dialog });
  const renderer: IpcRendererLike = {
    invoke: (channel, ...args) => ipcMain.invoke(channel, ipcEvent(window), ...args),
    on: () => undefined,
    removeListener: () => undefined,
  };
  const bridge = createBridge(renderer, METHOD_NAMES);
  const call = async <M extends MethodName>(
    method: M,
    params: unknown,
  ): Promise<MethodResult<M>> => {
    const fn = bridge.methods[method] as (p: unknown) => Promise<Envelope<MethodResult<M>>>;
    const reply = await fn(params);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.result;
  };
  const made = { app, store, dialog, bridge, call };
  desktops.push(made);
  return made;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-transfer-dialogs-'));
});
afterEach(async () => {
  for (const d of desktops.splice(0)) await d.app.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('import and export through the native dialogs', () => {
  it('saves an export where the save dialog says, and another app imports it from the open dialog', async () => {
    const from = await desktop();
    await from.store.putConfig(apiConfig('c1'));
    await from.store.putTask(task('t1', 'c1'));
    await from.store.putAlert({
      id: 'a1',
      name: 'Ops',
      enabled: true,
      channel: {
        kind: 'email',
        host: 'smtp.example.com',
        port: 587,
        tls: false,
        from: 'a@example.com',
        to: ['b@example.com'],
        subject: 's',
        body: 'b',
      },
      rule: { tasks: { kind: 'all' }, on: ['failed'], consecutiveFailures: 3, quietMinutes: 0 },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const file = join(dir, 'chosen.json');
    from.dialog.answer = file;
    const picked = await from.bridge.pickPath!({
      kind: 'file',
      save: true,
      json: true,
      title: 'Export to a file',
      defaultName: 'task-scheduler-export-2026-01-01.json',
    });
    expect(picked).toBe(file);
    expect(from.dialog.asked).toEqual([
      {
        dialog: 'save',
        options: {
          title: 'Export to a file',
          defaultPath: 'task-scheduler-export-2026-01-01.json',
          filters: JSON_FILTERS,
        },
      },
    ]);
    const exported = await from.call('system.export', { file: picked! });
    expect(exported.counts).toMatchObject({ configs: 1, tasks: 1, alerts: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 2 });

    const to = await desktop();
    to.dialog.answer = file;
    const chosen = await to.bridge.pickPath!({ kind: 'file', json: true, title: 'Import' });
    expect(to.dialog.asked).toEqual([
      {
        dialog: 'open',
        options: { title: 'Import', properties: ['openFile'], filters: JSON_FILTERS },
      },
    ]);
    const imported = await to.call('system.import', { file: chosen! });
    expect(imported.counts).toMatchObject({ configs: 1, tasks: 1, alerts: 1 });
    expect((await to.call('alerts.list', {})).map((a) => a.name)).toEqual(['Ops']);
  });

  it('answers nothing when the dialog is cancelled, and keeps the old titles without options', async () => {
    const d = await desktop();
    expect(await d.bridge.pickPath!({ kind: 'file', save: true })).toBeUndefined();
    expect(d.dialog.asked).toEqual([
      { dialog: 'save', options: { title: 'Choose where to write the file' } },
    ]);
  });

  it.each([
    ['a folder part', '../elsewhere/export.json'],
    ['a Windows folder part', 'C:\\Users\\x\\export.json'],
    ['only dots', '..'],
  ])('refuses a proposed file name with %s, asking nothing', async (_, defaultName) => {
    const d = await desktop();
    await expect(d.bridge.pickPath!({ kind: 'file', save: true, defaultName })).rejects.toThrow(
      /native\.pickPath: defaultName: must be a file name, not a path/,
    );
    expect(d.dialog.asked).toEqual([]);
  });
});
