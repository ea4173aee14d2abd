import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { registerIpc } from '../../../src/main/electron/ipc';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { ipcChannel, type Envelope } from '../../../src/shared/bridge';
import { METHOD_NAMES } from '../../../src/shared/contract';
import { FakeDialog, FakeIpcMain, FakeWebContents, ipcEvent } from './fakes';

let app: App;
let store: MemoryStore;
let ipc: FakeIpcMain;
let window: FakeWebContents;
let logs: string[];

beforeEach(async () => {
  store = new MemoryStore();
  app = createApp({ store, executors: {} });
  await app.start();
  ipc = new FakeIpcMain();
  window = new FakeWebContents();
  logs = [];
  registerIpc({
    ipcMain: ipc,
    core: app.core,
    trustedContents: () => [window.id],
    dialog: new FakeDialog(),
    log: (m) => logs.push(m),
  });
});
afterEach(async () => {
  await app.stop();
});

const call = (
  method: string,
  params: unknown,
  event = ipcEvent(window),
): Promise<Envelope<unknown>> =>
  ipc.invoke(`task-scheduler:${method}`, event, params) as Promise<Envelope<unknown>>;

async function nothingStored(): Promise<void> {
  expect(await store.listConfigs()).toEqual([]);
  expect(await store.listTasks()).toEqual([]);
  expect(await store.listSchedules()).toEqual([]);
}

describe('the IPC transport', () => {
  it('registers one handler per contract method', () => {
    for (const method of METHOD_NAMES) expect(ipc.handlers.has(ipcChannel(method))).toBe(true);
  });

  it('passes a valid call from the app window to the core and returns an envelope', async () => {
    const saved = await call('configs.save', {
      config: {
        name: 'api',
        type: 'api',
        params: { url: 'http://127.0.0.1:9/', auth: { kind: 'bearer', token: 't0k' } },
      },
    });
    expect(saved).toMatchObject({
      ok: true,
      result: { name: 'api', params: { auth: { token: '••••••' } } },
    });
    expect((await store.listConfigs()).length).toBe(1);
  });

  it('returns core errors as { code, message }', async () => {
    const reply = await call('tasks.get', { id: 'nope' });
    expect(reply).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringContaining('no task with id "nope"') },
    });
  });

  const validSave = { config: { name: 'x', type: 'file', params: { location: '/tmp/x' } } };

  it.each([
    ['a webContents the app did not create', () => ipcEvent(new FakeWebContents())],
    [
      'a sub-frame of the app window',
      () => ipcEvent(window, 'app://ui/index.html', { url: 'app://ui/' }),
    ],
    ['a page from another origin', () => ipcEvent(window, 'https://evil.example/')],
    ['a file:// page', () => ipcEvent(window, 'file:///tmp/index.html')],
    ['a frame that is gone', () => ({ sender: { id: window.id }, senderFrame: null })],
  ])('refuses a call from %s and stores nothing', async (_label, event) => {
    const reply = await call('configs.save', validSave, event());
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    await nothingStored();
    expect(logs.at(-1)).toMatch(/^IPC: refused task-scheduler:configs.save/);
  });

  it('refuses extra arguments', async () => {
    const reply = await ipc.invoke(
      'task-scheduler:configs.save',
      ipcEvent(window),
      validSave,
      'extra',
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    await nothingStored();
  });

  it('rejects any invalid params with VALIDATION before the core stores anything (fuzzed)', async () => {
    const saving = ['configs.save', 'tasks.save', 'schedules.save', 'settings.save'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...saving),
        fc.oneof(
          fc.anything(),
          fc.record({ config: fc.anything() }),
          fc.record({ task: fc.anything() }),
          fc.record({ entry: fc.anything() }),
          fc.record({
            settings: fc.record({ concurrency: fc.oneof(fc.integer({ max: 0 }), fc.string()) }),
          }),
          fc.record({
            config: fc.record({
              name: fc.string(),
              type: fc.constantFrom('api', 'db', 'file'),
              params: fc.record({ nope: fc.string() }),
            }),
          }),
        ),
        async (method, params) => {
          const reply = await call(method, params);
          expect(reply.ok).toBe(false);
          if (!reply.ok) {
            expect(['VALIDATION', 'NOT_FOUND']).toContain(reply.error.code);
            expect(reply.error.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
    await nothingStored();
    expect(await store.getSettings()).toBeUndefined();
  });

  it('validates the native picker options', async () => {
    const bad = (await ipc.invoke('task-scheduler:native.pickPath', ipcEvent(window), {
      kind: 'disk',
    })) as Envelope<unknown>;
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringMatching(/^native.pickPath: kind/) },
    });
    const cancelled = await ipc.invoke('task-scheduler:native.pickPath', ipcEvent(window), {
      kind: 'folder',
    });
    expect(cancelled).toEqual({ ok: true, result: undefined });
  });
});
