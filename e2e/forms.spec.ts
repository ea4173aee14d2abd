/**
 * Editing in the configuration form (issue #17), in Chromium against the served UI: the CodeMirror
 * editor of a JSON body (lint as you type, Format), header rows (added, marked secret, switched
 * off) saved as the rows that are on, and a server error that goes once its field is fixed.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { call, env, open, shot, wipe } from './support/helpers';

interface Listed {
  id: string;
  name: string;
  params: Record<string, unknown>;
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

async function newConfigForm(page: Page): Promise<Locator> {
  await open(page, '/configs');
  await page.getByRole('button', { name: 'New configuration' }).click();
  return page.getByRole('form', { name: 'New configuration' });
}

test('the JSON body is a code editor that flags bad JSON as you type and formats good JSON', async ({
  page,
}) => {
  const form = await newConfigForm(page);
  const body = form.getByRole('textbox', { name: 'Body (JSON)' });
  // CodeMirror's content element carries the field's name once its chunk has loaded.
  await expect(form.locator('.cm-content[aria-label="Body (JSON)"]')).toBeVisible();
  const lint = form.locator('.cm-editor').locator('.cm-lintRange-error, .cm-lintPoint-error');
  await body.click();
  await page.keyboard.type('{');
  await expect(lint.first()).toBeAttached();
  // An empty body is no error: it leaves the body out.
  await page.keyboard.press('Backspace');
  await expect(lint).toHaveCount(0);
  await page.keyboard.type('{"items": [1, 2] "more": true}');
  await expect(lint.first()).toBeAttached();
  await expect(form.getByText(/is not valid JSON/)).toBeVisible();
  const format = form.getByRole('button', { name: 'Format', exact: true }).first();
  await expect(format).toBeDisabled();

  await body.fill('{"items":[1,2],"more":true}');
  await expect(lint).toHaveCount(0);
  await format.click();
  await expect(body).toHaveText('{  "items": [    1,    2  ],  "more": true}');
  await expect(form.locator('.cm-content[aria-label="Body (JSON)"] .cm-line')).toHaveCount(7);
  await shot(page, 'config-form-editor');
});

test('header rows are saved as the rows that are on, the secret one listed and sealed', async ({
  page,
}) => {
  const form = await newConfigForm(page);
  await form.getByLabel('Name').fill('with headers');
  await form.getByLabel('URL', { exact: true }).fill(`${env().target}/json`);
  const headers = form.getByRole('table', { name: 'Headers' });
  const rows: [string, string][] = [
    ['Accept', 'application/json'],
    ['X-Token', 'hdr-secret'],
    ['X-Debug', '1'],
  ];
  for (const [i, [key, value]] of rows.entries()) {
    await form.getByRole('button', { name: 'Add header' }).click();
    await headers.getByLabel(`Headers name ${i + 1}`).fill(key);
    await headers.getByLabel(`Headers value ${i + 1}`).fill(value);
  }
  await headers.getByLabel('Secret Headers X-Token').check();
  await expect(headers.getByLabel('Headers value 2')).toHaveAttribute('type', 'password');
  await headers.getByLabel('Send Headers X-Debug').uncheck();
  await shot(page, 'config-form-headers');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(form).toBeHidden();

  const [config] = await call<Listed[]>(page, 'configs.list');
  expect(config?.params).toMatchObject({
    headers: { Accept: 'application/json', 'X-Token': '••••••' },
    secretHeaders: ['X-Token'],
  });
  expect(config?.params['headers']).not.toHaveProperty('X-Debug');
  const clear = await call<Listed>(page, 'configs.get', { id: config?.id, reveal: true });
  expect(clear.params['headers']).toEqual({ Accept: 'application/json', 'X-Token': 'hdr-secret' });
});

test('a server error goes once its field is fixed, and Test then succeeds with no stale error', async ({
  page,
}) => {
  const form = await newConfigForm(page);
  await form.getByLabel('Name').fill('typo');
  const url = form.getByLabel('URL', { exact: true });
  await url.fill('not a url');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(form.getByText(/must start with http/).first()).toBeVisible();
  await expect(form.getByRole('alert')).not.toHaveCount(0);

  await url.fill(`${env().target}/json`);
  await expect(form.getByRole('alert')).toHaveCount(0);
  await form.getByRole('button', { name: 'Test', exact: true }).click();
  const result = form.getByRole('region', { name: 'Test result' });
  await expect(result).toContainText('succeeded');
  await expect(form.getByRole('alert')).toHaveCount(0);
  expect(await call<Listed[]>(page, 'configs.list')).toHaveLength(0);
});

test('a placeholder picked while the body editor has the cursor is inserted there', async ({
  page,
}) => {
  const form = await newConfigForm(page);
  const body = form.getByRole('textbox', { name: 'Body (JSON)' });
  await expect(form.locator('.cm-content[aria-label="Body (JSON)"]')).toBeVisible();
  await body.fill('{"id": ""}');
  await body.click();
  await page.keyboard.press('End');
  for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft');
  await form.getByRole('button', { name: /^Placeholders/ }).click();
  await form.getByRole('button', { name: '{{run.id}}' }).click();
  await expect(body).toHaveText('{"id": "{{run.id}}"}');
  await expect(form.getByText('Inserted {{run.id}} into “Body (JSON)”.')).toBeVisible();
});

test('the SQL of a SQLite configuration is a code editor with SQL highlighting', async ({
  page,
}) => {
  const form = await newConfigForm(page);
  await form.getByLabel('Type', { exact: true }).selectOption('db');
  await form.getByLabel('Connection URI').fill('sqlite::memory:');
  const sql = form.locator('.code-editor-rich[data-language="sql"] .cm-content');
  await expect(sql).toHaveAttribute('aria-label', 'SQL');
  await form.getByRole('textbox', { name: 'SQL', exact: true }).fill('SELECT 1 AS one');
  // The keyword is highlighted apart from the rest.
  await expect(sql.locator('span', { hasText: /^SELECT$/ })).toHaveCount(1);
});
