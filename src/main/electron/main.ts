/**
 * The Electron entry point and the only main-process file that imports `electron`: it builds the
 * real objects and hands them to the shell. Everything else runs under plain Node in tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type MenuItemConstructorOptions,
} from 'electron';
import { composeApp, sealStoredSecrets } from '../compose';
import { systemClock } from '../core/clock';
import { createLogger, logLevelFromEnv } from '../logging/logger';
import { RotatingFile } from '../logging/rotating-file';
import { defaultDataDir } from '../paths';
import { chooseCodec, type SecretsStatus } from '../secrets/choose-codec';
import type { EncryptingStore } from '../secrets/encrypting-store';
import { DesktopSettingsStore, desktopLogFile } from './desktop-settings';
import { appMenuTemplate } from './menu';
import { DesktopNotifications } from './notifications';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';
import { schedulerControls } from './scheduler-controls';
import { DesktopShell } from './shell';
import { claimSingleInstance } from './single-instance';
import type { MenuItemTemplate, WindowLike } from './types';
import { externalUrl } from './window';
import { WindowStateStore } from './window-state';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = defaultDataDir();
// One folder for everything: Electron's own files (userData) and the app's data.
app.setPath('userData', dataDir);
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const devOrigin = devUrl ? new URL(devUrl).origin : undefined;
const logFile = new RotatingFile({ file: desktopLogFile(dataDir) });
const logger = createLogger({
  level: logLevelFromEnv(process.env),
  name: 'desktop',
  file: logFile,
});
const log = (m: string): void => logger.warn(m);
if (!logFile.writable) log(`Log: cannot open ${logFile.file}; logging to stderr only`);
app.on('will-quit', () => logFile.close());

const menuOf = (template: MenuItemTemplate[]): Menu =>
  Menu.buildFromTemplate(template as MenuItemConstructorOptions[]);

let shellRef: DesktopShell | undefined;

if (claimSingleInstance(app, () => shellRef?.showWindow())) {
  // Anything web content tries beyond the main window is refused, whatever created it.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const safe = externalUrl(url);
      if (safe) void shell.openExternal(safe);
      return { action: 'deny' };
    });
  });
  app.whenReady().then(start, (error: unknown) => fatal(error));
}

async function start(): Promise<void> {
  try {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
      callback(false),
    );
    session.defaultSession.setPermissionCheckHandler(() => false);
    protocol.handle(APP_SCHEME, createAppProtocolHandler(path.join(here, '../renderer')));

    const desktopSettings = new DesktopSettingsStore(dataDir);
    await desktopSettings.load(log);
    let secrets = await chooseCodec({
      safeStorage,
      dataDir,
      choice: desktopSettings.value.secretsBackend,
    });
    if (secrets.status.warning) log(`Secrets: ${secrets.status.warning}`);
    // The store is chosen in the desktop settings and applies at start (see docs/desktop.md).
    const { store: storeKind, mongoUriSealed } = desktopSettings.value;
    const iconPath = path.join(here, '../../resources/icon.png');
    // The `desktop` alert channel: the core's alerts show OS notifications through it.
    const notifications = new DesktopNotifications(
      (options) => new Notification({ ...options, icon: iconPath }),
      () => Notification.isSupported(),
    );
    const core = composeApp({
      desktop: notifications,
      warn: log,
      store: storeKind,
      dataDir,
      secrets: secrets.codec,
      ...(storeKind === 'mongodb' && mongoUriSealed
        ? { mongoUri: secrets.codec.decrypt(mongoUriSealed) }
        : {}),
    });
    await core.start();
    const unreadable = await sealStoredSecrets(core);
    if (unreadable.length) {
      log(`Secrets: cannot decrypt ${unreadable.join(', ')}; the data is kept (see Settings)`);
    }
    const store = core.store as EncryptingStore;

    const clock = systemClock;
    const controls = schedulerControls(core.scheduler, clock, log);
    const shellInstance = new DesktopShell({
      app,
      core,
      // The security preferences are repeated literally so static checkers can see them.
      createWindow: (options) =>
        new BrowserWindow({
          ...options,
          webPreferences: {
            ...options.webPreferences,
            contextIsolation: true,
            sandbox: true,
            nodeIntegration: false,
            webSecurity: true,
            webviewTag: false,
          },
        }) as unknown as WindowLike,
      createTray: () => {
        const tray = new Tray(
          nativeImage.createFromPath(iconPath).resize({ width: 16, height: 16 }),
        );
        return {
          setToolTip: (text) => tray.setToolTip(text),
          setContextMenu: (template) => tray.setContextMenu(menuOf(template)),
          on: (event, listener) => tray.on(event, listener),
          destroy: () => tray.destroy(),
        };
      },
      notify: (options) => new Notification({ ...options, icon: iconPath }),
      notifications,
      shell,
      dialog: {
        showMessageBox: (options) => dialog.showMessageBox(options),
        showOpenDialog: (options) => dialog.showOpenDialog(options),
        showSaveDialog: (options) => dialog.showSaveDialog(options),
      },
      ipcMain,
      powerMonitor,
      controls,
      clock,
      windowState: new WindowStateStore(dataDir, () =>
        screen.getAllDisplays().map((d) => d.workArea),
      ),
      desktopSettings,
      storeInUse: storeKind,
      logFile: logFile.file,
      secrets: {
        status: (): SecretsStatus => secrets.status,
        seal: (plain) => secrets.codec.encrypt(plain),
        unseal: (sealed) => secrets.codec.decrypt(sealed),
        choose: async (choice) => {
          secrets = await chooseCodec({ safeStorage, dataDir, choice });
          store.setCodec(secrets.codec);
          const result = await store.reencryptAll();
          if (result.failed.length) log(`Secrets: could not re-seal ${result.failed.join(', ')}`);
          return secrets.status;
        },
      },
      preload: path.join(here, '../preload/index.cjs'),
      icon: iconPath,
      ...(devUrl ? { url: devUrl } : {}),
      ...(devOrigin ? { devOrigin } : {}),
      log,
    });
    shellRef = shellInstance;
    Menu.setApplicationMenu(
      menuOf(
        appMenuTemplate(
          process.platform,
          {
            showWindow: () => shellInstance.showWindow(),
            hideWindow: () => shellInstance.mainWindow?.hide(),
            quit: () => void shellInstance.requestQuit(),
            openDocs: () =>
              void shell.openExternal('https://github.com/task-scheduler/task-scheduler#readme'),
          },
          devUrl !== undefined,
        ),
      ),
    );
    await shellInstance.start();
  } catch (error) {
    fatal(error);
  }
}

function fatal(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  logger.fatal(`Task Scheduler could not start: ${message}`, { error });
  dialog.showErrorBox('Task Scheduler could not start', `${message}\n\nData folder: ${dataDir}`);
  app.exit(1);
}
