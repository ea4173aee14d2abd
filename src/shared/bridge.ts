/**
 * The shape of the preload bridge (`window.taskScheduler` in Electron). Every contract method is a
 * named function; results and errors cross as an envelope because contextBridge drops the fields
 * of thrown errors. The renderer's client unwraps envelopes so callers see results or `AppError`s.
 */
import type { MethodName, MethodParams, MethodResult } from './contract';
import type { DesktopSettingsPatch, SecretsBackendChoice, StoreChoice } from './desktop-settings';
import type { ErrorData } from './errors';
import type { AppEvent } from './events';

export type { DesktopSettingsPatch, SecretsBackendChoice, StoreChoice } from './desktop-settings';

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorData };

export type BridgeMethods = {
  [M in MethodName]: (params: MethodParams<M>) => Promise<Envelope<MethodResult<M>>>;
};

/** How configuration secrets are sealed at rest in the desktop app. */
export interface SecretsStatus {
  /** What the OS offers. */
  os: 'keyring' | 'basic-text' | 'unavailable';
  /** What seals new secrets. */
  using: 'keyring' | 'file-key';
  choice: SecretsBackendChoice;
  description: string;
  /** Shown in Settings when protection is weaker than a keyring. */
  warning?: string;
}

/** The desktop-only settings as the renderer sees them (the MongoDB URI redacted). */
export interface DesktopSettingsView {
  startAtLogin: boolean;
  secretsBackend: SecretsBackendChoice;
  trayHintShown: boolean;
  /** The store the app opens at its next start. */
  store: StoreChoice;
  mongoUri?: string;
  /** The store this run of the app uses. */
  storeInUse: StoreChoice;
  secrets: SecretsStatus;
  /** The desktop app's log file (turned over by size; docs/desktop.md, "Log file"). */
  logFile?: string;
}

/** Desktop-only settings (start at login, secrets, store); see docs/desktop.md. */
export interface DesktopBridge {
  getSettings(): Promise<Envelope<DesktopSettingsView>>;
  saveSettings(patch: DesktopSettingsPatch): Promise<Envelope<DesktopSettingsView>>;
}

/** What the native picker asks for: an existing file or folder, or where to save a file. */
export interface PickPathOptions {
  kind: 'file' | 'folder';
  /** A save dialog (only with `kind: 'file'`). */
  save?: boolean;
  /** The dialog's title. */
  title?: string;
  /** The file name a save dialog proposes (a name, not a path). */
  defaultName?: string;
  /** Offer only JSON files (export files). */
  json?: boolean;
}

export interface Bridge {
  methods: BridgeMethods;
  /** Subscribes to core events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Native pickers (Electron only). */
  pickPath?(options: PickPathOptions): Promise<string | undefined>;
  /** Desktop-only settings (Electron only). */
  desktop?: DesktopBridge;
}

/** The global name the preload script exposes the bridge under. */
export const BRIDGE_GLOBAL = 'taskScheduler';
/** IPC channel names: one per method, plus the event channel. */
export const ipcChannel = (method: MethodName): string => `task-scheduler:${method}`;
export const IPC_EVENT_CHANNEL = 'task-scheduler:event';
/** IPC channels beyond the contract's: the native path picker and the desktop-only settings. */
export const PICK_PATH_CHANNEL = 'task-scheduler:native.pickPath';
export const DESKTOP_GET_CHANNEL = 'task-scheduler:desktop.getSettings';
export const DESKTOP_SAVE_CHANNEL = 'task-scheduler:desktop.saveSettings';
