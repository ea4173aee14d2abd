/**
 * The db engines in the UI (issue #16) against this machine's real PostgreSQL and Redis (or
 * TEST_PG_URI / TEST_REDIS_URI): configurations created in the form, "Test connection", and a
 * read task whose run shows the rows table.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { call, open, shot, wipe } from './support/helpers';

const PG_URI = process.env.TEST_PG_URI ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URI = process.env.TEST_REDIS_URI ?? 'redis://127.0.0.1:6379';

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

async function newDbConfiguration(page: Page, name: string, uri: string): Promise<Locator> {
  await open(page, '/configs');
  await page.getByRole('button', { name: 'New configuration' }).click();
  const form = page.getByRole('form', { name: 'New configuration' });
  await form.getByLabel('Type', { exact: true }).selectOption('db');
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Connection URI', { exact: true }).fill(uri);
  return form;
}

test('a PostgreSQL configuration tests its connection and a read task shows the rows table', async ({
  page,
}) => {
  const form = await newDbConfiguration(page, 'pg numbers', PG_URI);
  await expect(form.getByRole('group', { name: 'PostgreSQL' })).toBeVisible();
  await expect(form.getByRole('status', { name: 'Database engine' })).toHaveText(
    /^PostgreSQL — [^@]+$/,
  );
  await form
    .getByLabel('SQL', { exact: true })
    .fill("SELECT g AS n, 'row ' || g AS label FROM generate_series(1, $1::int) AS g");
  await form.getByRole('button', { name: 'Add parameter' }).click();
  await form.getByLabel('Parameter $1 kind', { exact: true }).selectOption('json');
  await form.getByLabel('Parameter $1', { exact: true }).fill('3');
  await form.getByRole('button', { name: 'Test connection' }).click();
  const tested = form.getByRole('region', { name: 'Test result' });
  await expect(tested).toContainText('succeeded');
  await expect(tested.getByRole('table', { name: 'Result rows' })).toContainText('label text');
  await shot(page, 'db-configuration-form', true);
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('table', { name: 'Configurations' })).toContainText('pg numbers');

  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: 'New task' }).click();
  const taskForm = page.getByRole('form', { name: 'New task' });
  await taskForm.getByLabel('Name', { exact: true }).fill('read numbers');
  await taskForm.getByLabel('Type', { exact: true }).selectOption('db');
  await taskForm.getByLabel('Configuration', { exact: true }).selectOption({ label: 'pg numbers' });
  await taskForm.getByRole('button', { name: 'Save task' }).click();
  const row = page.getByRole('row', { name: /read numbers/ });
  await row.getByRole('button', { name: 'Run read numbers now' }).click();
  await expect(row.getByText('succeeded')).toBeVisible();
  await row.getByRole('link', { name: /\d/ }).first().click();
  const detail = page.getByRole('region', { name: 'Run detail' });
  const table = detail.getByRole('table', { name: 'Result rows' });
  await expect(table.getByRole('columnheader')).toHaveText(['n int4', 'label text']);
  await expect(table.getByRole('row')).toHaveCount(1 + 3);
  await expect(table.getByRole('row').nth(3)).toHaveText('3row 3');
  await shot(page, 'db-run-rows');
});

test('a Redis configuration tests its command and shows the reply', async ({ page }) => {
  const key = `e2e:${Date.now().toString(36)}`;
  const form = await newDbConfiguration(page, 'redis greeting', REDIS_URI);
  await expect(form.getByRole('status', { name: 'Database engine' })).toHaveText(/^Redis — [^@]+$/);
  await form.getByLabel('Command name', { exact: true }).fill('SET');
  await form.getByRole('button', { name: 'Add argument' }).click();
  await form.getByRole('button', { name: 'Add argument' }).click();
  await form.getByLabel('Argument 1', { exact: true }).fill(key);
  await form.getByLabel('Argument 2', { exact: true }).fill('hello from the UI');
  await expect(form.getByLabel('Test operation', { exact: true })).toHaveValue('write');
  await form.getByRole('button', { name: 'Test connection' }).click();
  const tested = form.getByRole('region', { name: 'Test result' });
  await expect(tested).toContainText('succeeded');
  await expect(tested.getByRole('region', { name: 'Redis reply' })).toContainText('OK');

  await form.getByLabel('Command name', { exact: true }).fill('GET');
  await form.getByRole('button', { name: 'Remove argument 2' }).click();
  await expect(form.getByLabel('Test operation', { exact: true })).toHaveValue('read');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(tested.getByRole('region', { name: 'Redis reply' })).toContainText(
    'hello from the UI',
  );
  await shot(page, 'db-redis-reply', true);
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('table', { name: 'Configurations' })).toContainText('redis greeting');
  await call(page, 'configs.test', {
    config: { name: 'cleanup', type: 'db', params: { uri: REDIS_URI, command: ['DEL', key] } },
    operation: 'write',
  });
});
