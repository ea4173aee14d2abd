import { expect, test, type Page } from '@playwright/test';
import { call, env, open, wipe } from './support/helpers';

interface Saved {
  id: string;
  name: string;
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

async function saveTask(page: Page, name: string): Promise<Saved> {
  const config = await call<Saved>(page, 'configs.save', {
    config: { name: `${name} target`, type: 'api', params: { url: `${env().target}/json` } },
  });
  return call<Saved>(page, 'tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id },
  });
}

test('a malformed route shows "not found" with a link home instead of a blank app', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await open(page, '/history/%E0');
  const notFound = page.getByRole('region', { name: 'Not found' });
  await expect(notFound).toContainText('not a valid link');
  await notFound.getByRole('link', { name: 'Go to the Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  expect(errors).toEqual([]);
});

test('the command palette jumps to a task and runs another, all from the keyboard', async ({
  page,
}) => {
  const fetch = await saveTask(page, 'Fetch orders');
  const other = await saveTask(page, 'Export users');
  await open(page);
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  const input = palette.getByRole('combobox', { name: 'Go to or run' });
  await expect(input).toBeFocused();
  await input.fill('open task fetch');
  await expect(palette.getByRole('option')).toHaveText(['Open task Fetch orders task']);
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  expect(new URL(page.url()).hash).toBe(`#/tasks/${fetch.id}`);

  await page.keyboard.press('Control+k');
  await input.fill('export');
  await page.keyboard.press('ArrowDown');
  await expect(palette.getByRole('option', { name: /Run task Export users/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Started Export users' })).toBeVisible();
  await expect
    .poll(
      async () =>
        (await call<{ items: unknown[] }>(page, 'runs.list', { taskId: other.id })).items.length,
    )
    .toBe(1);
});

test('Escape closes the palette, a form and a confirmation', async ({ page }) => {
  await open(page, '/schedules');
  const opener = page.getByRole('button', { name: 'New schedule entry' });
  await opener.click();
  const form = page.getByRole('form', { name: 'New schedule entry' });
  await expect(form.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await expect(opener).toBeFocused();

  await page.keyboard.press('Control+k');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeHidden();

  await call(page, 'configs.save', {
    config: { name: 'Unused target', type: 'api', params: { url: `${env().target}/json` } },
  });
  await open(page, '/configs');
  await page.getByRole('button', { name: /Delete all unused/ }).click();
  await expect(page.getByRole('alertdialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('alertdialog')).toBeHidden();
});

test('a wrong token is called wrong, and the right one then connects', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(`${env().url}/`);
  const dialog = page.getByRole('dialog', { name: 'Connect to the service' });
  const field = dialog.getByLabel('Access token');
  await field.fill('not-the-token');
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog.getByRole('alert')).toContainText('The service refused this token');
  await expect(field).toHaveValue('not-the-token');
  await field.fill(env().token);
  await expect(dialog.getByRole('alert')).toBeHidden();
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status', { name: 'Connection: Live' })).toBeVisible();
  await page.close();
});
