/**
 * The desktop shell over the core: window, tray, IPC, notifications, power and quit handling.
 * Every Electron object is injected (see types.ts); main.ts builds the real ones.
 */
import type { Settings } from '../../shared/domain';
import type { AppEvent } from '../../shared/events';
import type { Clock } from '../core/clock';
import type { SecretsStatus } from '../secrets/choose-codec';
import type { DesktopSettingsView, StoreChoice } from '../../shared/bridge';
import { AppError } from '../../shared/errors';
import { redactUri } from '../../shared/secrets';
import { parsePatch, type DesktopSettings, type DesktopSettingsStore } from './desktop-settings';
import { forwardEvents, registerIpc, type CoreLike } from './ipc';
import { ensureDesktopAlert, type DesktopNotifications } from './notifications';
import { APP_URL } from './protocol';
import { watchPower } from './power';
import type { SchedulerControls } from './scheduler-controls';
import { TrayController } from './tray';
import type {
  AppLike,
  DialogLike,
  IpcMainLike,
  NotificationFactory,
  PowerMonitorLike,
  ShellLike,
  TrayLike,
  WindowFactory,
  WindowLike,
} from './types';
import { createMainWindow } from './window';
import type { WindowStateStore } from './window-state';

/** The parts of the running App (src/main/app.ts) the shell uses. */
export interface ShellApp {
  core: CoreLike & { readonly currentSettings: Settings };
  events: { subscribe(listener: (event: AppEvent) => void): () => void };
  runner: { readonly activeCount: number };
  stop(): Promise<void>;
}

export interface SecretsPort {
  status(): SecretsStatus;
  /** Seals / unseals a single secret value with the codec in use (the MongoDB URI). */
  seal(plain: string): string;
  unseal(sealed: string): string;
  /** Switches the backend and re-seals stored secrets; returns the new status. */
  choose(choice: DesktopSettings['secretsBackend']): Promise<SecretsStatus>;
}

export interface DesktopShellOptions {
  /** The store this run uses (settings.store applies at the next start). */
  storeInUse?: StoreChoice;
  /** Shown in the desktop settings (`DesktopSettingsView.logFile`). */
  logFile?: string;
  app: AppLike;
  core: ShellApp;
  createWindow: WindowFactory;
  createTray: () => TrayLike;
  /** For the app's own notices (the tray hint). */
  notify: NotificationFactory;
  /**
   * The `desktop` alert channel's notifier, also given to the core (composeApp `desktop`): the
   * shell makes a click open the run and creates the default desktop alert once.
   */
  notifications?: DesktopNotifications;
  shell: ShellLike;
  dialog: DialogLike;
  ipcMain: IpcMainLike;
  powerMonitor: PowerMonitorLike;
  controls: SchedulerControls;
  clock: Clock;
  windowState: WindowStateStore;
  desktopSettings: DesktopSettingsStore;
  secrets: SecretsPort;
  preload: string;
  icon?: string;
  url?: string;
  devOrigin?: string;
  log?: (message: string) => void;
}

export class DesktopShell {
  private window: WindowLike | undefined;
  private tray: TrayController | undefined;
  private quitting = false;
  private stopped = false;
  private readonly log: (message: string) => void;

  constructor(private readonly o: DesktopShellOptions) {
    this.log = o.log ?? ((m) => console.warn(m));
  }

  get mainWindow(): WindowLike | undefined {
    return this.window;
  }
  get trayController(): TrayController | undefined {
    return this.tray;
  }

  async start(): Promise<void> {
    const { o } = this;
    o.app.setLoginItemSettings({ openAtLogin: o.desktopSettings.value.startAtLogin });
    registerIpc({
      ipcMain: o.ipcMain,
      core: o.core.core,
      trustedContents: () => (this.liveWindow() ? [this.window!.webContents.id] : []),
      dialog: o.dialog,
      desktop: {
        get: async () => this.desktopView(),
        save: async (raw) => {
          const patch = parsePatch(raw);
          if (patch.startAtLogin !== undefined) {
            o.app.setLoginItemSettings({ openAtLogin: patch.startAtLogin });
          }
          const { mongoUri, ...rest } = patch;
          const store = patch.store ?? o.desktopSettings.value.store;
          if (store === 'mongodb' && !mongoUri && !o.desktopSettings.value.mongoUriSealed) {
            throw new AppError(
              'VALIDATION',
              'desktop.saveSettings: mongoUri: the mongodb store needs a connection string (mongodb://host:27017/database)',
            );
          }
          if (patch.secretsBackend !== undefined) await o.secrets.choose(patch.secretsBackend);
          await o.desktopSettings.update({
            ...rest,
            ...(mongoUri ? { mongoUriSealed: o.secrets.seal(mongoUri) } : {}),
          });
          return this.desktopView();
        },
      },
      ...(o.devOrigin ? { devOrigin: o.devOrigin } : {}),
      log: this.log,
    });
    forwardEvents(o.core.events.subscribe.bind(o.core.events), () =>
      this.liveWindow() ? [this.window!.webContents] : [],
    );
    o.notifications?.onClick((runId) => this.openRun(runId));
    if (o.notifications) {
      await ensureDesktopAlert({
        core: o.core.core,
        done: o.desktopSettings.value.desktopAlertCreated,
        markDone: () => o.desktopSettings.update({ desktopAlertCreated: true }),
        log: this.log,
      });
    }
    this.tray = new TrayController({
      tray: o.createTray(),
      core: o.core.core,
      controls: o.controls,
      clock: o.clock,
      open: () => this.showWindow(),
      quit: () => void this.requestQuit(),
      log: this.log,
    });
    o.core.events.subscribe((event) => this.tray?.handle(event));
    watchPower(o.powerMonitor, o.controls, this.log);
    o.app.on('before-quit', (event) => {
      if (this.stopped) return;
      event.preventDefault();
      void this.requestQuit();
    });
    // Closing the window hides it; the app lives in the tray until Quit.
    o.app.on('window-all-closed', () => {});
    o.app.on('activate', () => this.showWindow());
    await this.tray.refresh();
    await this.openWindow();
  }

  private liveWindow(): boolean {
    return this.window !== undefined && !this.window.isDestroyed();
  }

  private desktopView(): DesktopSettingsView {
    const { mongoUriSealed, ...settings } = this.o.desktopSettings.value;
    let mongoUri: string | undefined;
    if (mongoUriSealed) {
      try {
        mongoUri = redactUri(this.o.secrets.unseal(mongoUriSealed));
      } catch {
        mongoUri = '(cannot be decrypted; enter it again)';
      }
    }
    return {
      ...settings,
      ...(mongoUri ? { mongoUri } : {}),
      storeInUse: this.o.storeInUse ?? 'json',
      secrets: this.o.secrets.status(),
      ...(this.o.logFile ? { logFile: this.o.logFile } : {}),
    };
  }

  private async openWindow(url = this.o.url): Promise<WindowLike> {
    const { o } = this;
    const win = createMainWindow({
      createWindow: o.createWindow,
      shell: o.shell,
      preload: o.preload,
      state: await o.windowState.load(),
      ...(o.icon ? { icon: o.icon } : {}),
      ...(url ? { url } : {}),
      ...(o.devOrigin ? { devOrigin: o.devOrigin } : {}),
      log: this.log,
    });
    win.on('close', (event) => {
      void this.saveWindowState(win);
      if (this.quitting) return;
      event.preventDefault();
      win.hide();
      this.firstHideHint().catch((error: unknown) => this.log(`Tray: ${String(error)}`));
    });
    win.on('closed', () => {
      if (this.window === win) this.window = undefined;
    });
    this.window = win;
    return win;
  }

  private async saveWindowState(win: WindowLike): Promise<void> {
    try {
      const b = win.getNormalBounds();
      await this.o.windowState.save({ ...b, maximized: win.isMaximized() });
    } catch (error) {
      this.log(`Window: saving its size and position failed: ${String(error)}`);
    }
  }

  private async firstHideHint(): Promise<void> {
    if (this.o.desktopSettings.value.trayHintShown) return;
    const n = this.o.notify({
      title: 'Task Scheduler is still running',
      body: 'Scheduled tasks keep running in the background. Use the tray icon to open or quit.',
    });
    n.on('click', () => this.showWindow());
    n.show();
    await this.o.desktopSettings.update({ trayHintShown: true });
  }

  /** Shows and focuses the window (re-creating it if it was destroyed). */
  showWindow(): void {
    if (!this.liveWindow()) {
      void this.openWindow();
      return;
    }
    const win = this.window!;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  /** Shows the window on the run's page (a notification was clicked); no run: just the window. */
  openRun(runId: string | undefined): void {
    if (runId === undefined) {
      this.showWindow();
      return;
    }
    const page = `${(this.o.url ?? APP_URL).split('#')[0]}#/history/${encodeURIComponent(runId)}`;
    if (!this.liveWindow()) {
      void this.openWindow(page);
      return;
    }
    this.showWindow();
    // Only the fragment changes: the renderer's router follows it, the page is not reloaded.
    this.window!.loadURL(page).catch((error: unknown) => this.log(`Window: ${String(error)}`));
  }

  /** Asks first when tasks are running; then stops the core (grace period) and quits. */
  async requestQuit(): Promise<boolean> {
    if (this.quitting) return false;
    const active = this.o.core.runner.activeCount;
    if (active > 0) {
      const grace = Math.round(this.o.core.core.currentSettings.shutdownGraceMs / 1000);
      const { response } = await this.o.dialog.showMessageBox({
        type: 'question',
        title: 'Quit Task Scheduler?',
        message: `${active} task${active === 1 ? ' is' : 's are'} running.`,
        detail: `Quitting waits up to ${grace} s for them to finish, then stops them (they are recorded as interrupted). Scheduled runs stop until you start the app again.`,
        buttons: ['Quit', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
      });
      if (response !== 0) return false;
    }
    this.quitting = true;
    if (this.liveWindow()) await this.saveWindowState(this.window!);
    try {
      await this.o.core.stop();
    } catch (error) {
      this.log(`Quit: stopping the core failed: ${String(error)}`);
    }
    this.stopped = true;
    this.o.app.quit();
    return true;
  }
}
