/**
 * Builds the object the preload exposes as `window.taskScheduler`: one named function per
 * contract method (no generic invoke, no raw ipcRenderer), an event subscription that returns its
 * unsubscribe function, the native path picker and the desktop-only settings.
 * Pure: it takes an ipcRenderer-like object, so it runs in unit tests.
 */
import {
  DESKTOP_GET_CHANNEL,
  DESKTOP_SAVE_CHANNEL,
  ipcChannel,
  IPC_EVENT_CHANNEL,
  PICK_PATH_CHANNEL,
  type Bridge,
  type BridgeMethods,
  type DesktopBridge,
  type DesktopSettingsView,
  type Envelope,
  type PickPathOptions,
} from '../shared/bridge';
import type { MethodName } from '../shared/contract';
import type { AppEvent } from '../shared/events';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export type DesktopBridgeApi = Bridge & { desktop: DesktopBridge };

export function createBridge(
  ipc: IpcRendererLike,
  methodNames: readonly MethodName[],
): DesktopBridgeApi {
  const methods: Record<string, (params: unknown) => Promise<unknown>> = {};
  for (const method of methodNames) {
    const channel = ipcChannel(method);
    // Exactly one argument crosses: the renderer cannot smuggle extra values to main.
    methods[method] = (params: unknown) => ipc.invoke(channel, params ?? {});
  }
  return {
    methods: Object.freeze(methods) as unknown as BridgeMethods,
    onEvent(listener: (event: AppEvent) => void): () => void {
      // The IpcRendererEvent (with `sender`) never reaches the page.
      const wrapped: IpcListener = (_event, payload) => listener(payload as AppEvent);
      ipc.on(IPC_EVENT_CHANNEL, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
      };
    },
    async pickPath(options: PickPathOptions): Promise<string | undefined> {
      const reply = (await ipc.invoke(PICK_PATH_CHANNEL, options)) as Envelope<string | undefined>;
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.result;
    },
    desktop: Object.freeze<DesktopBridge>({
      getSettings: () =>
        ipc.invoke(DESKTOP_GET_CHANNEL, {}) as Promise<Envelope<DesktopSettingsView>>,
      saveSettings: (patch) =>
        ipc.invoke(DESKTOP_SAVE_CHANNEL, patch) as Promise<Envelope<DesktopSettingsView>>,
    }),
  };
}
