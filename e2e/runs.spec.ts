/**
 * Runs in History (issue #17, "Runs"), in Chromium against the built service: cancel a slow api
 * run (the local target holds its answer) while its elapsed timer ticks, run it again, copy it
 * as cURL; search runs and the Configuration column; `#/history?task=<id>`; the runs of a
 * deleted task found by its name and deleted after a confirmation naming it and the count.
 */
import { expect, test, type Page } from '@playwright/test';
import { call, env, open, wipe } from './support/helpers';

interface Saved {
  id: string;
  name: string;
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

/** An api read task of `${target}${path}`, its configuration named `${name} API`. */
async function apiTask(page: Page, name: string, path: string): Promise<Saved> {
  const config = await call<Saved>(page, 'configs.save', {
    config: { name: `${name} API`, type: 'api', params: { url: `${env().target}${path}` } },
  });
  return call<Saved>(page, 'tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id, timeoutMs: 120_000 },
  });
}

test('a slow run is cancelled from its detail, and run again', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const task = await apiTask(page, 'Slow fetch', '/slow?ms=60000');
  const running = await call<Saved>(page, 'tasks.run', { id: task.id, wait: false });
  await open(page, `/history/${running.id}`);
  const detail = page.getByRole('region', { name: 'Run detail' });
  const timer = detail.getByRole('timer');
  await expect(timer).toHaveText(/running for \d/);
  const first = await timer.textContent();
  await expect(timer).not.toHaveText(first!, { timeout: 4_000 });

  await detail.getByRole('button', { name: 'Copy as cURL' }).click();
  await expect(detail.getByRole('status')).toHaveText('Copied the curl command to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    `curl -X GET '${env().target}/slow?ms=60000'`,
  );

  await detail.getByRole('button', { name: 'Cancel run' }).click();
  await expect(detail.getByRole('status')).toHaveText('The run was cancelled.');
  await expect(detail.locator('.badge')).toHaveText('cancelled');
  await expect(detail).toContainText('Cancelled by the user at');
  await expect(detail.getByRole('button', { name: 'Cancel run' })).toBeHidden();
  expect((await call<{ status: string }>(page, 'runs.get', { id: running.id })).status).toBe(
    'cancelled',
  );

  await detail.getByRole('button', { name: 'Run again' }).click();
  await expect(page).not.toHaveURL(new RegExp(`${running.id}$`));
  await expect(detail.getByRole('button', { name: 'Cancel run' })).toBeVisible();
  await detail.getByRole('button', { name: 'Cancel run' }).click();
  await expect(detail.locator('.badge')).toHaveText('cancelled');
  const { items } = await call<{ items: Array<{ status: string }> }>(page, 'runs.list', {
    taskId: task.id,
  });
  expect(items.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
});

test('History searches runs, shows their configuration and opens on the task a link names', async ({
  page,
}) => {
  const fetch = await apiTask(page, 'Fetch orders', '/json');
  const sync = await apiTask(page, 'Sync users', '/status/503');
  await call(page, 'tasks.run', { id: fetch.id });
  await call(page, 'tasks.run', { id: sync.id });
  await open(page, '/history');
  const list = page.getByRole('list', { name: 'Runs' });
  await expect(list.getByRole('link')).toHaveCount(2);
  await expect(page.locator('#runs-columns')).toContainText('Configuration');
  await expect(list.getByRole('link').first()).toContainText('Sync users API');

  await page.getByRole('searchbox', { name: /Search runs/ }).fill('ANSWERED 503');
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list.getByRole('link')).toContainText('Sync users');
  await page.getByRole('searchbox', { name: /Search runs/ }).fill('orders api');
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list.getByRole('link')).toContainText('Fetch orders');
  await page.getByRole('searchbox', { name: /Search runs/ }).fill('');
  await expect(list.getByRole('link')).toHaveCount(2);

  await page.evaluate((id) => (window.location.hash = `#/history?task=${id}`), sync.id);
  await expect(page.getByRole('combobox', { name: 'Filter runs by task' })).toHaveValue(sync.id);
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list.getByRole('link')).toContainText('Sync users');
});

test('the runs of a deleted task are found by its name and deleted after a confirmation', async ({
  page,
}) => {
  const gone = await apiTask(page, 'Fetch orders', '/json');
  const kept = await apiTask(page, 'Kept', '/json');
  await call(page, 'tasks.run', { id: gone.id });
  await call(page, 'tasks.run', { id: gone.id });
  await call(page, 'tasks.run', { id: kept.id });
  await call(page, 'tasks.delete', { id: gone.id });
  await open(page, '/history');
  const task = page.getByRole('combobox', { name: 'Filter runs by task' });
  await expect(task.getByRole('option', { name: 'Fetch orders (deleted)' })).toBeAttached();
  await task.selectOption({ label: 'Fetch orders (deleted)' });
  const list = page.getByRole('list', { name: 'Runs' });
  await expect(list.getByRole('link')).toHaveCount(2);
  await page.getByRole('button', { name: 'Delete runs of task' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Delete 2 runs of Fetch orders (deleted)?');
  await dialog.getByRole('button', { name: 'Delete runs' }).click();
  await expect(dialog).toBeHidden();
  await expect(task.getByRole('option', { name: 'Fetch orders (deleted)' })).not.toBeAttached();
  await expect(list.getByRole('link')).toHaveCount(1);
  await expect(list.getByRole('link')).toContainText('Kept');
});
