/** Fakes of Electron's objects (types.ts); they record what the shell did to them. */
import type {
  AppLike,
  Bounds,
  DialogLike,
  IpcInvokeEventLike,
  IpcMainLike,
  MenuItemTemplate,
  MessageBoxOptions,
  NotificationLike,
  PowerMonitorLike,
  PreventableEvent,
  TrayLike,
  WebContentsLike,
  WindowLike,
  WindowOptions,
} from '../../../src/main/electron/types';

type Listener = (...args: never[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
}

export class FakeEvent implements PreventableEvent {
  prevented = false;
  preventDefault(): void {
    this.prevented = true;
  }
}

let nextId = 1;

export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextId++;
  openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeWindow extends Emitter implements WindowLike {
  readonly webContents = new FakeWebContents();
  loaded: string[] = [];
  visible = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  focused = 0;
  bounds: Bounds;
  constructor(readonly options: WindowOptions) {
    super();
    this.bounds = {
      x: options.x ?? 0,
      y: options.y ?? 0,
      width: options.width,
      height: options.height,
    };
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Bounds {
    return this.bounds;
  }
  /** What a user clicking the close box does. */
  close(): FakeEvent {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.prevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return event;
  }
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve(handler(event, ...args));
  }
}

export class FakeTray extends Emitter implements TrayLike {
  tooltip = '';
  menu: MenuItemTemplate[] = [];
  destroyed = false;
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(template: MenuItemTemplate[]): void {
    this.menu = template;
  }
  destroy(): void {
    this.destroyed = true;
  }
  item(label: string | RegExp): MenuItemTemplate {
    const found = this.menu.find((i) =>
      typeof label === 'string' ? i.label === label : label.test(i.label ?? ''),
    );
    if (!found)
      throw new Error(`no tray item ${label}; have ${this.menu.map((i) => i.label).join(', ')}`);
    return found;
  }
}

export class FakeNotifications {
  shown: { title: string; body: string }[] = [];
  clickers: (() => void)[] = [];
  readonly create = (options: { title: string; body: string }): NotificationLike => {
    const { shown, clickers } = this;
    return {
      show() {
        shown.push(options);
      },
      on(_event: 'click', listener: () => void) {
        clickers.push(listener);
        return this;
      },
    };
  };
}

export class FakePowerMonitor extends Emitter implements PowerMonitorLike {}

export class FakeDialog implements DialogLike {
  boxes: MessageBoxOptions[] = [];
  answer = 0;
  openResult: { canceled: boolean; filePaths: string[] } = { canceled: true, filePaths: [] };
  async showMessageBox(options: MessageBoxOptions): Promise<{ response: number }> {
    this.boxes.push(options);
    return { response: this.answer };
  }
  async showOpenDialog(): Promise<{ canceled: boolean; filePaths: string[] }> {
    return this.openResult;
  }
  async showSaveDialog(): Promise<{ canceled: boolean; filePath?: string }> {
    return { canceled: true };
  }
}

export class FakeApp extends Emitter implements AppLike {
  lockAvailable = true;
  quits = 0;
  exits: (number | undefined)[] = [];
  login = { openAtLogin: false };
  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  quit(): void {
    this.quits++;
    const event = new FakeEvent();
    this.emit('before-quit', event);
  }
  exit(code?: number): void {
    this.exits.push(code);
  }
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.login = settings;
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return this.login;
  }
}

/** An IPC event as Electron delivers it from a window's main frame. */
export function ipcEvent(
  contents: { id: number },
  url = 'app://ui/index.html',
  parent: unknown = null,
): IpcInvokeEventLike {
  return { sender: { id: contents.id }, senderFrame: { url, parent } };
}
