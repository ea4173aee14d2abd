/**
 * The shape of the preload bridge (`window.taskScheduler` in Electron). Every contract method is a
 * named function; results and errors cross as an envelope because contextBridge drops the fields
 * of thrown errors. The renderer's client unwraps envelopes so callers see results or `AppError`s.
 */
import type { MethodName, MethodParams, MethodResult } from './contract';
import type { ErrorData } from './errors';
import type { AppEvent } from './events';

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorData };

export type BridgeMethods = {
  [M in MethodName]: (params: MethodParams<M>) => Promise<Envelope<MethodResult<M>>>;
};

/** Desktop-only settings (start at login, how secrets are sealed); see docs/desktop.md. */
export interface DesktopBridge {
  getSettings(): Promise<Envelope<unknown>>;
  saveSettings(patch: {
    startAtLogin?: boolean;
    secretsBackend?: 'auto' | 'keyring' | 'file-key';
  }): Promise<Envelope<unknown>>;
}

export interface Bridge {
  methods: BridgeMethods;
  /** Subscribes to core events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Native pickers (Electron only). */
  pickPath?(options: { kind: 'file' | 'folder'; save?: boolean }): Promise<string | undefined>;
  /** Desktop-only settings (Electron only). */
  desktop?: DesktopBridge;
}

/** The global name the preload script exposes the bridge under. */
export const BRIDGE_GLOBAL = 'taskScheduler';
/** IPC channel names: one per method, plus the event channel. */
export const ipcChannel = (method: MethodName): string => `task-scheduler:${method}`;
export const IPC_EVENT_CHANNEL = 'task-scheduler:event';
