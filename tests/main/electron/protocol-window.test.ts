import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_URL,
  CONTENT_SECURITY_POLICY,
  createAppProtocolHandler,
  resolveAppPath,
} from '../../../src/main/electron/protocol';
import {
  createMainWindow,
  externalUrl,
  mainWindowOptions,
} from '../../../src/main/electron/window';
import { FakeEvent, FakeWindow } from './fakes';

describe('the app protocol', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-proto-'));
    root = path.join(base, 'renderer');
    outside = path.join(base, 'secret.txt');
    await fs.mkdir(path.join(root, 'assets'), { recursive: true });
    await fs.writeFile(path.join(root, 'index.html'), '<!doctype html><p>ui</p>');
    await fs.writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    await fs.writeFile(outside, 'top secret');
  });
  afterAll(async () => {
    await fs.rm(path.dirname(root), { recursive: true, force: true });
  });

  it('serves the UI with the strict Content-Security-Policy', async () => {
    const handler = createAppProtocolHandler(root);
    const page = await handler({ url: APP_URL, method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain(
      "default-src 'self'; script-src 'self'; object-src 'none'",
    );
    expect(await page.text()).toContain('<p>ui</p>');
    const script = await handler({ url: 'app://ui/assets/app.js' });
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it.each([
    'app://ui/../secret.txt',
    'app://ui/%2e%2e/secret.txt',
    'app://ui/assets/..%2f..%2fsecret.txt',
    'app://ui/..%5csecret.txt',
    'app://ui//etc/passwd',
    'app://ui/C:/Windows/win.ini',
    'app://ui/%2Fetc%2Fpasswd',
    'app://ui/a%00.js',
    'app://other/index.html',
    'file:///etc/passwd',
  ])('refuses %s and never reads outside the UI folder', async (url) => {
    const resolved = resolveAppPath(root, url);
    if (resolved !== undefined) expect(resolved.startsWith(root + path.sep)).toBe(true);
    const response = await createAppProtocolHandler(root)({ url });
    const body = await response.text();
    expect(body).not.toContain('top secret');
    if (resolved === undefined) expect(response.status).toBe(400);
  });

  it('answers 404 for a missing asset and the page for a UI route', async () => {
    const handler = createAppProtocolHandler(root);
    expect((await handler({ url: 'app://ui/assets/missing.js' })).status).toBe(404);
    const route = await handler({ url: 'app://ui/tasks' });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<p>ui</p>');
  });

  it('refuses methods other than GET', async () => {
    expect((await createAppProtocolHandler(root)({ url: APP_URL, method: 'POST' })).status).toBe(
      405,
    );
  });
});

describe('the main window', () => {
  function open(): { win: FakeWindow; opened: string[]; logs: string[] } {
    const opened: string[] = [];
    const logs: string[] = [];
    let win!: FakeWindow;
    createMainWindow({
      createWindow: (options) => (win = new FakeWindow(options)),
      shell: { openExternal: async (url) => void opened.push(url) },
      preload: '/app/preload/index.cjs',
      state: undefined,
      log: (m) => logs.push(m),
    });
    return { win, opened, logs };
  }

  it('is created with isolation, sandbox, no node integration, web security and no webview', () => {
    const prefs = mainWindowOptions('/p.cjs', undefined).webPreferences;
    expect(prefs).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads the UI from the app protocol, not file://, and shows when ready', () => {
    const { win } = open();
    expect(win.loaded).toEqual(['app://ui/index.html']);
    expect(win.visible).toBe(false);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });

  it('reopens at the remembered size and position', () => {
    const options = mainWindowOptions('/p.cjs', {
      x: 40,
      y: 50,
      width: 1000,
      height: 700,
      maximized: false,
    });
    expect(options).toMatchObject({ x: 40, y: 50, width: 1000, height: 700 });
  });

  it('denies every navigation and sends http(s) links to the OS browser', () => {
    const { win, opened } = open();
    for (const url of [
      'https://example.com/docs',
      'app://ui/other.html',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      const event = new FakeEvent();
      win.webContents.emit('will-navigate', event, url);
      expect(event.prevented).toBe(true);
      const redirect = new FakeEvent();
      win.webContents.emit('will-redirect', redirect, url);
      expect(redirect.prevented).toBe(true);
    }
    expect(opened).toEqual(['https://example.com/docs', 'https://example.com/docs']);
  });

  it('denies new windows and webviews; only valid http(s) URLs open outside', () => {
    const { win, opened, logs } = open();
    for (const url of [
      'https://example.com/',
      'file:///c:/x',
      'smb://host/share',
      'not a url',
      'https://user:pw@example.com/',
    ]) {
      expect(win.webContents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://example.com/']);
    expect(logs.length).toBe(4);
    const attach = new FakeEvent();
    win.webContents.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
    expect(externalUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
  });
});
