/**
 * The task page (issue #17) in Chromium against the served UI: opened from the Tasks list, Run
 * now and Run with… another configuration (the runs appear live), "Schedule this" (the new
 * entry's form with the task chosen, then back to the page with the entry's next fire times),
 * Duplicate, Delete; axe finds no serious or critical violation on it.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { call, env, open, shot, wipe } from './support/helpers';

interface Saved {
  id: string;
  name: string;
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

async function apiConfig(page: Page, name: string, path: string): Promise<Saved> {
  return call<Saved>(page, 'configs.save', {
    config: { name, type: 'api', params: { url: `${env().target}${path}` } },
  });
}

async function fetchOrders(page: Page): Promise<Saved> {
  const config = await apiConfig(page, 'Orders API', '/json');
  await apiConfig(page, 'Orders API (staging)', '/json?env=staging');
  return call<Saved>(page, 'tasks.save', {
    task: { name: 'Fetch orders', type: 'api', operation: 'read', configId: config.id },
  });
}

/** Dismisses the toast that says `text` (toasts stay a few seconds). */
async function dismiss(page: Page, text: string): Promise<void> {
  await page
    .getByRole('status')
    .filter({ hasText: text })
    .getByRole('button', { name: 'Dismiss' })
    .click();
}

test('a task page runs the task now and with another configuration, live', async ({ page }) => {
  const task = await fetchOrders(page);
  await open(page, '/tasks');
  await page
    .getByRole('table', { name: 'Tasks' })
    .getByRole('link', { name: 'Fetch orders' })
    .click();
  expect(new URL(page.url()).hash).toBe(`#/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Fetch orders' })).toBeVisible();
  const details = page.getByRole('region', { name: 'Details' });
  await expect(details.getByRole('link', { name: 'Orders API' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'All runs in History' })).toHaveAttribute(
    'href',
    `#/history?task=${task.id}`,
  );

  await page.getByRole('button', { name: 'Run now' }).click();
  const runs = page.getByRole('table', { name: 'Recent runs of Fetch orders' });
  const rows = runs.getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('succeeded');
  await expect(rows.nth(1)).toContainText('Orders API');

  await page.getByRole('button', { name: 'Run with…' }).click();
  const runWith = page.getByRole('form', { name: 'Run Fetch orders with another configuration' });
  await runWith.getByLabel('Configuration').selectOption({ label: 'Orders API (staging)' });
  await runWith.getByRole('button', { name: 'Run' }).click();
  await expect(runWith).toBeHidden();
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('Orders API (staging) (other)');
  await expect(rows.nth(1)).toContainText('succeeded');
  const listed = await call<{ items: { configName: string }[] }>(page, 'runs.list', {
    taskId: task.id,
  });
  expect(listed.items.map((r) => r.configName)).toEqual(['Orders API (staging)', 'Orders API']);

  // A run's time links to its detail in History.
  await rows.nth(1).getByRole('link').click();
  await expect(page.getByRole('region', { name: 'Run detail' })).toBeVisible();
});

test('“Schedule this” opens the entry form with the task chosen and the page lists the entry', async ({
  page,
}) => {
  const task = await fetchOrders(page);
  await open(page, `/tasks/${task.id}`);
  await expect(page.getByText('Not scheduled')).toBeVisible();
  await page.getByRole('button', { name: 'Schedule this' }).click();
  const form = page.getByRole('form', { name: 'New schedule entry' });
  await expect(form.getByLabel('Task')).toHaveValue(task.id);
  await form.getByLabel('Kind').selectOption('cron');
  await form.getByLabel('Cron expression').fill('0 3 * * *');
  await form.getByLabel('Time zone').fill('UTC');
  await form.getByRole('button', { name: 'Save schedule entry' }).click();
  await dismiss(page, 'Saved schedule entry');

  expect(new URL(page.url()).hash).toBe(`#/tasks/${task.id}`);
  const entries = page.getByRole('table', { name: 'Schedule entries of Fetch orders' });
  await expect(entries).toContainText('0 3 * * *');
  const times = entries.getByRole('list', { name: 'Next fire times (UTC)' }).getByRole('listitem');
  await expect(times).toHaveCount(5);
  await expect(times.first()).toContainText('UTC');
  // A few runs, so that the page (and the README's picture of it) shows them and their charts.
  for (let i = 0; i < 3; i++) await call(page, 'tasks.run', { id: task.id, wait: true });
  const runs = page.getByRole('table', { name: 'Recent runs of Fetch orders' }).locator('tbody tr');
  await expect(runs).toHaveCount(3);
  await expect(page.locator('[data-chart][data-drawn="true"]').first()).toBeVisible();
  await shot(page, 'task-page', true);

  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} at ${n.target.join(' ')}`));
  expect(bad).toEqual([]);
});

test('Duplicate opens the copy, and Delete asks, deletes and goes back to the list', async ({
  page,
}) => {
  const task = await fetchOrders(page);
  await call(page, 'schedules.save', {
    entry: { taskId: task.id, kind: 'frequency', everySeconds: 3600 },
  });
  await open(page, `/tasks/${task.id}`);
  await page.getByRole('button', { name: 'Duplicate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Fetch orders (copy)' })).toBeVisible();
  await dismiss(page, 'Saved task Fetch orders (copy)');
  const tasks = await call<Saved[]>(page, 'tasks.list', {});
  const copy = tasks.find((t) => t.name === 'Fetch orders (copy)')!;
  expect(new URL(page.url()).hash).toBe(`#/tasks/${copy.id}`);
  // Schedule entries belong to the original.
  await expect(page.getByText('Not scheduled')).toBeVisible();

  await page.getByRole('link', { name: 'Tasks', exact: true }).first().click();
  await page
    .getByRole('table', { name: 'Tasks' })
    .getByRole('link', { name: 'Fetch orders', exact: true })
    .click();
  await page.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete task Fetch orders?' });
  await expect(dialog).toContainText(
    'Its 1 schedule entry will be deleted too. Its runs stay in History (delete them there).',
  );
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  expect(new URL(page.url()).hash).toBe('#/tasks');
  expect((await call<Saved[]>(page, 'tasks.list', {})).map((t) => t.name)).toEqual([
    'Fetch orders (copy)',
  ]);

  // The deleted task's page now says it is not found, with a way back.
  await page.evaluate((id) => (window.location.hash = `#/tasks/${id}`), task.id);
  await expect(page.getByRole('heading', { name: 'Task not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to Tasks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
});
