/**
 * The one BrowserWindow factory: locked-down web preferences, the UI from the app protocol,
 * navigation and new windows denied, external http(s) links handed to the OS browser.
 */
import { APP_URL, isAppUrl } from './protocol';
import type { ShellLike, WindowFactory, WindowLike, WindowOptions } from './types';
import { DEFAULT_SIZE, MIN_WINDOW_SIZE, type WindowState } from './window-state';

export function mainWindowOptions(
  preload: string,
  state: WindowState | undefined,
  icon?: string,
): WindowOptions {
  return {
    ...(state ? { x: state.x, y: state.y } : {}),
    width: state?.width ?? DEFAULT_SIZE.width,
    height: state?.height ?? DEFAULT_SIZE.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    title: 'Task Scheduler',
    ...(icon ? { icon } : {}),
    autoHideMenuBar: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** An http(s) URL that is safe to give to the OS browser, or undefined. */
export function externalUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url.toString();
}

export interface CreateWindowOptions {
  createWindow: WindowFactory;
  shell: ShellLike;
  preload: string;
  state: WindowState | undefined;
  icon?: string;
  /** Where the UI comes from: the app protocol, or the dev server in `npm run dev`. */
  url?: string;
  /** Origins besides the app's that the window may stay on (the dev server). */
  devOrigin?: string;
  log?: (message: string) => void;
}

export function createMainWindow(options: CreateWindowOptions): WindowLike {
  const log = options.log ?? ((m: string) => console.warn(m));
  const win = options.createWindow(mainWindowOptions(options.preload, options.state, options.icon));
  if (options.state?.maximized) win.maximize();
  const contents = win.webContents;
  const sameApp = (url: string): boolean =>
    isAppUrl(url) || (options.devOrigin !== undefined && url.startsWith(options.devOrigin));

  const openOutside = (url: string): void => {
    const safe = externalUrl(url);
    if (safe) void options.shell.openExternal(safe);
    else log(`Window: refused to open ${JSON.stringify(url)}: only http(s) links open outside`);
  };

  // The UI is a single page: any navigation is either a link (open outside) or an attack.
  const denyNavigation = (event: { preventDefault(): void }, url: string): void => {
    event.preventDefault();
    if (!sameApp(url)) openOutside(url);
  };
  contents.on('will-navigate', denyNavigation);
  contents.on('will-redirect', denyNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  win.on('ready-to-show', () => win.show());
  void win.loadURL(options.url ?? APP_URL).catch((error: unknown) => {
    log(`Window: loading the UI failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  return win;
}
