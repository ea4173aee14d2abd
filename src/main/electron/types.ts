/**
 * The narrow slices of Electron's objects the shell uses. Only main.ts imports `electron`; it
 * hands the real objects to the rest as these interfaces, so tests drive the shell with fakes.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WebContentsLike {
  readonly id: number;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: PreventableEvent, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed' | 'ready-to-show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Bounds;
}

/** The BrowserWindow options this app sets (a subset of Electron's). */
export interface WindowOptions {
  x?: number;
  y?: number;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  icon?: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    spellcheck: boolean;
  };
}

export type WindowFactory = (options: WindowOptions) => WindowLike;

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

/** Electron's menu template item, reduced to what the app uses. */
export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  accelerator?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(template: MenuItemTemplate[]): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}
export type NotificationFactory = (options: { title: string; body: string }) => NotificationLike;

export interface PowerMonitorLike {
  on(event: 'suspend' | 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface MessageBoxOptions {
  type: 'question' | 'warning' | 'info' | 'error';
  title: string;
  message: string;
  detail?: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

/** A file type a native dialog offers (Electron's `FileFilter`). */
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface DialogLike {
  showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  showOpenDialog(options: {
    title: string;
    properties: ('openFile' | 'openDirectory' | 'createDirectory')[];
    filters?: FileFilter[];
  }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(options: {
    title: string;
    defaultPath?: string;
    filters?: FileFilter[];
  }): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance' | 'activate', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  quit(): void;
  exit(code?: number): void;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  getLoginItemSettings(): { openAtLogin: boolean };
}
