import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { forwardEvents, registerIpc } from '../../src/main/electron/ipc';
import { createBridge, type IpcRendererLike } from '../../src/preload/bridge';
import { createApp } from '../../src/main/app';
import { EventBus } from '../../src/main/core/event-bus';
import { MemoryStore } from '../../src/main/store/memory/memory-store';
import { IPC_EVENT_CHANNEL } from '../../src/shared/bridge';
import { METHOD_NAMES } from '../../src/shared/contract';
import type { AppEvent } from '../../src/shared/events';
import { FakeIpcMain, FakeWebContents, ipcEvent } from '../main/electron/fakes';

/** An ipcRenderer wired to a fake ipcMain, as the app window would be. */
function rendererFor(ipcMain: FakeIpcMain, contents: FakeWebContents) {
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const renderer: IpcRendererLike & {
    deliver(channel: string, payload: unknown): void;
    count(): number;
  } = {
    invoke: (channel, ...args) => ipcMain.invoke(channel, ipcEvent(contents), ...args),
    on(channel, listener) {
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
    deliver(channel, payload) {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'ipc-internals' }, payload);
    },
    count: () => listeners.get(IPC_EVENT_CHANNEL)?.size ?? 0,
  };
  return renderer;
}

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The repository's source files `entry` reaches through relative imports (type-only ones too). */
function reachedSources(entry: string): { files: string[]; unresolved: string[] } {
  const seen = new Set<string>();
  const unresolved: string[] = [];
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), fileName);
      const found = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find(existsSync);
      if (found) visit(found);
      else unresolved.push(`${relative(ROOT, file)}: ${fileName}`);
    }
  };
  visit(resolve(ROOT, entry));
  return { files: [...seen].map((file) => relative(ROOT, file)), unresolved };
}

describe('the preload bridge', () => {
  it('reaches nothing of the main process, directly or through src/shared', () => {
    const { files, unresolved } = reachedSources('src/preload/index.ts');
    expect(unresolved).toEqual([]);
    expect(files).toContain('src/shared/bridge.ts');
    expect(
      files.filter((f) => !f.startsWith('src/preload/') && !f.startsWith('src/shared/')),
    ).toEqual([]);
  });

  it('exposes exactly the contract methods as named functions, and nothing generic', () => {
    const bridge = createBridge(
      rendererFor(new FakeIpcMain(), new FakeWebContents()),
      METHOD_NAMES,
    );
    expect(Object.keys(bridge.methods).sort()).toEqual([...METHOD_NAMES].sort());
    for (const fn of Object.values(bridge.methods)) expect(typeof fn).toBe('function');
    expect(Object.keys(bridge).sort()).toEqual(['desktop', 'methods', 'onEvent', 'pickPath']);
    expect(Object.isFrozen(bridge.methods)).toBe(true);
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/invoke|ipcRenderer|send/);
  });

  it('round-trips a call through main and delivers events until unsubscribed', async () => {
    const ipcMain = new FakeIpcMain();
    const contents = new FakeWebContents();
    const app = createApp({ store: new MemoryStore(), executors: {} });
    await app.start();
    registerIpc({ ipcMain, core: app.core, trustedContents: () => [contents.id] });
    const renderer = rendererFor(ipcMain, contents);
    const bridge = createBridge(renderer, METHOD_NAMES);

    const info = await bridge.methods['system.info']({});
    expect(info).toMatchObject({ ok: true, result: { store: 'memory' } });
    const bad = await bridge.methods['tasks.get']({ id: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    const seen: AppEvent[] = [];
    const unsubscribe = bridge.onEvent((e) => seen.push(e));
    const bus = new EventBus();
    forwardEvents(
      (l) => bus.subscribe(l),
      () => [contents],
    );
    bus.emit('store.changed', { kind: 'tasks' });
    for (const sent of contents.sent) renderer.deliver(sent.channel, sent.args[0]);
    expect(seen).toEqual([{ name: 'store.changed', data: { kind: 'tasks' } }]);
    unsubscribe();
    unsubscribe();
    expect(renderer.count()).toBe(0);
    await app.stop();
  });
});
