import { expect, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

export const env = (): { url: string; token: string; target: string } => ({
  url: process.env.E2E_URL!,
  token: process.env.E2E_TOKEN!,
  target: process.env.E2E_TARGET!,
});

/** Calls the service API directly (setup and checks that "nothing was saved"). */
export function call<T = unknown>(page: Page, method: string, params: unknown = {}): Promise<T> {
  return callAt<T>(page, env(), method, params);
}

/** Calls the API of the service at `url` (no trailing slash) with `token`. */
export async function callAt<T = unknown>(
  page: Page,
  { url, token }: { url: string; token: string },
  method: string,
  params: unknown = {},
): Promise<T> {
  const response = await page.request.post(`${url}/api/${method}`, {
    data: params,
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (!response.ok()) throw new Error(`${method}: ${body.error?.message}`);
  return body.result as T;
}

/** Opens the UI the way the service's printed link does (token in the fragment). */
export async function open(page: Page, route = '/'): Promise<void> {
  const { url, token } = env();
  await page.goto(`${url}/#token=${token}`);
  await expect(page.getByRole('status', { name: 'Connection: Live' })).toBeVisible();
  if (route !== '/') await page.evaluate((r) => (window.location.hash = `#${r}`), route);
}

/**
 * Where screenshots go: test artifacts under test-results/screenshots, or the README's images in
 * docs/screenshots when UPDATE_SCREENSHOTS=1 (so a plain test run leaves the work tree clean).
 */
export function screenshotPath(name: string): string {
  const dir =
    process.env.UPDATE_SCREENSHOTS === '1'
      ? '../../docs/screenshots/'
      : '../../test-results/screenshots/';
  return fileURLToPath(new URL(`${dir}${name}.png`, import.meta.url));
}

/** A screenshot kept as a test artifact only (never one of the README's images). */
export async function artifactShot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: fileURLToPath(new URL(`../../test-results/screenshots/${name}.png`, import.meta.url)),
  });
}

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  if (!fullPage) {
    await page.screenshot({ path: screenshotPath(name) });
    return;
  }
  // The app is a fixed-height frame whose screen scrolls inside <main>: a full-page shot grows
  // the window to the screen's whole height for the picture, then puts it back.
  const viewport = page.viewportSize();
  const extra = await page.evaluate(() => {
    const main = document.querySelector('main');
    return main ? Math.max(0, main.scrollHeight - main.clientHeight) : 0;
  });
  if (!viewport || extra === 0) {
    await page.screenshot({ path: screenshotPath(name) });
    return;
  }
  await page.setViewportSize({ width: viewport.width, height: viewport.height + extra });
  try {
    await page.screenshot({ path: screenshotPath(name) });
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Deletes everything so each spec starts from an empty store. */
export async function wipe(page: Page): Promise<void> {
  await call(page, 'schedules.delete', { all: true });
  for (const type of ['api', 'db', 'file']) await call(page, 'tasks.delete', { type });
  await call(page, 'configs.deleteUnused', {});
  await call(page, 'runs.delete', { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' });
}
