/**
 * Import and export in Settings (issue #17), in Chromium against the served UI: download an
 * export from one service, upload it into a second, fresh service (its own data dir and key) and
 * see the counts; a sealed export, a file that is not JSON and an alert with a bad channel are
 * refused in words, and nothing is imported.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { serveJson } from '../tests/support/serve-process';
import { call, callAt, env, open, shot, wipe } from './support/helpers';

const TOKEN2 = 'e2e-second-token-0123456789abcdef';

let second: ChildProcess | undefined;
let secondUrl = '';
let dir = '';

/** The second service: the built entry, a json store in a fresh data dir. */
async function startSecond(): Promise<void> {
  const started = await serveJson(path.join(dir, 'second'), TOKEN2);
  second = started.proc.child;
  secondUrl = started.base.replace(/\/$/, '');
}

const secondCall = <T>(page: Page, method: string, params: unknown = {}): Promise<T> =>
  callAt<T>(page, { url: secondUrl, token: TOKEN2 }, method, params);

async function openSecondSettings(page: Page): Promise<void> {
  await page.goto(`${secondUrl}/#token=${TOKEN2}`);
  await expect(page.getByRole('status', { name: 'Connection: Live' })).toBeVisible();
  await page.evaluate(() => (window.location.hash = '#/settings'));
  await expect(page.getByRole('heading', { name: 'Import and export' })).toBeVisible();
}

/** Clicks "Download export" and returns the downloaded file's path and name. */
async function downloadExport(page: Page): Promise<{ file: string; name: string }> {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download export' }).click();
  const download = await downloading;
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return { file, name: download.suggestedFilename() };
}

async function secondCounts(page: Page): Promise<number[]> {
  return [
    (await secondCall<unknown[]>(page, 'configs.list')).length,
    (await secondCall<unknown[]>(page, 'tasks.list')).length,
    (await secondCall<unknown[]>(page, 'alerts.list')).length,
  ];
}

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ts-e2e-transfer-'));
  await startSecond();
});

test.afterAll(async () => {
  if (second && second.exitCode === null) {
    second.kill('SIGTERM');
    await new Promise<void>((resolve) => second!.once('exit', () => resolve()));
  }
  await rm(dir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await wipe(page);
  for (const alert of await call<Array<{ id: string }>>(page, 'alerts.list')) {
    await call(page, 'alerts.delete', { id: alert.id });
  }
  const config = await call<{ id: string }>(page, 'configs.save', {
    config: { name: 'Status page', type: 'api', params: { url: `${env().target}/status` } },
  });
  await call(page, 'tasks.save', {
    task: { name: 'Check status', type: 'api', configId: config.id, operation: 'read' },
  });
  await call(page, 'alerts.save', {
    alert: {
      name: 'Team channel',
      channel: { kind: 'webhook', url: `${env().target}/hook`, preset: 'slack' },
      rule: { on: ['failed'] },
    },
  });
});

test('an export downloaded from one service imports into a fresh one, with its counts shown', async ({
  page,
}) => {
  await open(page, '/settings');
  const panel = page.getByRole('region', { name: 'Import and export' });
  await panel.getByRole('checkbox', { name: /Include secrets in clear/ }).check();
  const { file, name } = await downloadExport(page);
  expect(name).toMatch(/^task-scheduler-export-\d{4}-\d{2}-\d{2}\.json$/);
  await expect(panel.getByRole('status', { name: 'Import and export result' })).toContainText(
    `Downloaded ${name}: 1 configuration, 1 task, 0 schedule entries, 1 alert`,
  );
  const dump = JSON.parse(await readFile(file, 'utf8')) as { version: number; alerts: unknown[] };
  expect(dump.version).toBe(2);
  expect(dump.alerts).toHaveLength(1);

  await openSecondSettings(page);
  await page.getByLabel('Export file to import').setInputFiles(file);
  const dialog = page.getByRole('alertdialog', { name: `Import ${name}?` });
  await expect(dialog).toContainText('The file holds 1 configuration, 1 task, 0 schedule entries');
  await expect(dialog).toContainText('replaces the record with the same id');
  await shot(page, 'settings-import-confirm');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('status', { name: 'Import and export result' })).toContainText(
    `Imported ${name}: 1 configuration, 1 task, 0 schedule entries, 1 alert`,
  );
  expect(await secondCounts(page)).toEqual([1, 1, 1]);
  await page.evaluate(() => (window.location.hash = '#/alerts'));
  await expect(page.getByText('Team channel').first()).toBeVisible();
});

test('a sealed export, a file that is not JSON and an alert with a bad channel are refused in words', async ({
  page,
}) => {
  await open(page, '/settings');
  const sealed = await downloadExport(page);
  const good = JSON.parse(await readFile(sealed.file, 'utf8')) as Record<string, unknown>;
  const before = await (async () => {
    await openSecondSettings(page);
    return secondCounts(page);
  })();

  // Sealed with the first service's key, which the second does not have.
  await page.getByLabel('Export file to import').setInputFiles(sealed.file);
  await page.getByRole('alertdialog').getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText(
    /the secrets of alert "Team channel" were sealed with .* nothing was imported/,
  );

  const notJson = path.join(dir, 'cut.json');
  await writeFile(notJson, '{"format": "task-scheduler-export", "runs": [');
  await page.getByLabel('Export file to import').setInputFiles(notJson);
  await expect(page.getByRole('alert')).toContainText('cut.json is not valid JSON');
  await expect(page.getByRole('alertdialog')).toHaveCount(0);

  const badAlert = path.join(dir, 'bad-alert.json');
  const alerts = good.alerts as Array<Record<string, unknown>>;
  await writeFile(
    badAlert,
    JSON.stringify({
      ...good,
      secrets: 'clear',
      alerts: [{ ...alerts[0], channel: { kind: 'pager' } }],
    }),
  );
  await page.getByLabel('Export file to import').setInputFiles(badAlert);
  await page.getByRole('alertdialog').getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText(
    /bad-alert\.json: .*not valid, so nothing was imported: .*alert ".*" channel\.kind/,
  );
  expect(await secondCounts(page)).toEqual(before);
});
