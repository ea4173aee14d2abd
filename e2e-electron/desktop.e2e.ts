/**
 * The desktop app end to end: launch, create a task, run it, see the result, close to tray, and a
 * scheduled run is still recorded. Needs a built app (npm run build) and the Electron binary; it
 * skips itself, saying why, where the binary is missing (as in CI containers without a display).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const require = createRequire(import.meta.url);

/**
 * Where the Electron binary is, read the way `require('electron')` reads it but without its
 * fallback of downloading the binary (no network here).
 */
function electronBinary(): { path?: string; reason?: string } {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const pathFile = path.join(dir, 'path.txt');
    if (!override && !existsSync(pathFile)) {
      return {
        reason: `the Electron binary is not installed (${pathFile} is missing; run npx install-electron)`,
      };
    }
    const binary = override
      ? path.join(override, process.platform === 'win32' ? 'electron.exe' : 'electron')
      : path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    if (!existsSync(binary)) {
      return { reason: `the Electron binary is not installed (${binary} does not exist)` };
    }
    return { path: binary };
  } catch (error) {
    return {
      reason: `the electron package cannot be resolved (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

const binary = electronBinary();
if (!binary.path) console.warn(`desktop e2e skipped: ${binary.reason}`);
const mainBundle = path.resolve('out/main/index.js');

test.skip(!binary.path, binary.reason ?? '');
test.skip(!existsSync(mainBundle), 'the app is not built; run npm run build first');

test('launch, create and run a task, close to tray, scheduled run recorded', async () => {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ hello: 'e2e' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
  const home = mkdtempSync(path.join(os.tmpdir(), 'ts-e2e-'));
  const app = await electron.launch({
    executablePath: binary.path!,
    args: [mainBundle],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, APPDATA: home },
  });
  try {
    const page = await app.firstWindow();
    await page.waitForFunction(() => 'taskScheduler' in window);
    type Bridge = {
      methods: Record<
        string,
        (p: unknown) => Promise<{ ok: boolean; result?: unknown; error?: unknown }>
      >;
    };
    const call = <T = { id: string }>(
      method: string,
      params: unknown,
    ): Promise<{ ok: boolean; result: T }> =>
      page.evaluate(
        ([m, p]) =>
          (window as unknown as { taskScheduler: Bridge }).taskScheduler.methods[m as string]!(p),
        [method, params] as const,
      ) as Promise<{ ok: boolean; result: T }>;
    const config = await call('configs.save', {
      config: { name: 'e2e api', type: 'api', params: { url } },
    });
    expect(config.ok).toBe(true);
    const task = await call('tasks.save', {
      task: { name: 'e2e task', type: 'api', operation: 'read', configId: config.result.id },
    });
    const run = await call('tasks.run', { id: task.result.id });
    expect(run.result).toMatchObject({ status: 'succeeded' });
    await expect(page.getByText('e2e task').first()).toBeVisible();

    await call('schedules.save', {
      entry: { taskId: task.result.id, kind: 'frequency', everySeconds: 2 },
    });
    // Close to the tray: the window hides, the app keeps scheduling.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
    expect(
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.isVisible()),
    ).toBe(false);
    await expect
      .poll(
        async () => {
          const runs = await call<{ items: { trigger: { kind: string } }[] }>('runs.list', {
            taskId: task.result.id,
          });
          return runs.result.items.some((r) => r.trigger.kind === 'schedule');
        },
        { timeout: 30_000 },
      )
      .toBe(true);
  } finally {
    await app.evaluate(({ app: electronApp }) => electronApp.exit(0)).catch(() => {});
    await app.close().catch(() => {});
    server.close();
    rmSync(home, { recursive: true, force: true });
  }
});
