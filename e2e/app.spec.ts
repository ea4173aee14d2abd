import { expect, test } from '@playwright/test';
import { call, env, open, shot, wipe } from './support/helpers';

interface Listed {
  id: string;
  name: string;
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

test('takes the token from the link, hides it and shows a live connection', async ({ page }) => {
  await open(page);
  expect(page.url()).not.toContain('token=');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByText('Nothing scheduled')).toBeVisible();
  // A reload keeps working: the token lives in session storage.
  await page.reload();
  await expect(page.getByRole('status', { name: 'Connection: Live' })).toBeVisible();
});

test('asks for the token when the link has none', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(`${env().url}/`);
  const dialog = page.getByRole('dialog', { name: 'Connect to the service' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Access token').fill(env().token);
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status', { name: 'Connection: Live' })).toBeVisible();
  await page.close();
});

test('create a configuration, a task, run it and see the result', async ({ page }) => {
  await open(page, '/configs');
  await expect(page.getByText('No configurations yet')).toBeVisible();
  await page.getByRole('button', { name: 'New configuration' }).click();
  const form = page.getByRole('form', { name: 'New configuration' });
  await form.getByLabel('Name').fill('target json');
  await form.getByLabel('URL', { exact: true }).fill(`${env().target}/json`);
  await form.getByLabel('Test operation').selectOption('read');
  await form.getByRole('button', { name: 'Test' }).click();
  await expect(form.getByRole('region', { name: 'Test result' })).toContainText('succeeded');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByRole('table', { name: 'Configurations' })).toContainText('target json');

  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: 'New task' }).click();
  const taskForm = page.getByRole('form', { name: 'New task' });
  await taskForm.getByLabel('Name').fill('fetch json');
  await taskForm.getByLabel('Configuration').selectOption({ label: 'target json' });
  await taskForm.getByRole('button', { name: 'Save task' }).click();
  const row = page.getByRole('row', { name: /fetch json/ });
  await expect(row).toContainText('never ran');
  await row.getByRole('button', { name: 'Run fetch json now' }).click();
  await expect(row.getByText('succeeded')).toBeVisible();
  await row.getByRole('link', { name: /\d/ }).first().click();
  const detail = page.getByRole('region', { name: 'Run detail' });
  await expect(detail).toContainText('wörld');
  await expect(detail).toContainText('manual');
});

test('bad input in each form shows a clear message and saves nothing', async ({ page }) => {
  await open(page, '/configs');
  await page.getByRole('button', { name: 'New configuration' }).click();
  const form = page.getByRole('form', { name: 'New configuration' });
  await form.getByRole('button', { name: 'Edit Headers as JSON' }).click();
  await form.getByLabel('Headers (JSON object)').fill('{"a": ');
  await expect(form.getByText(/is not valid JSON/)).toBeVisible();
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(form.getByText(/nothing was saved/)).toBeVisible();
  await form.getByLabel('Name').fill('no scheme');
  await form.getByLabel('Headers (JSON object)').fill('');
  await form.getByLabel('URL', { exact: true }).fill('example.com/x');
  await form.getByRole('button', { name: 'Save configuration' }).click();
  await expect(form.getByText(/must start with http/).first()).toBeVisible();
  expect(await call<Listed[]>(page, 'configs.list')).toHaveLength(0);

  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: 'New task' }).click();
  const taskForm = page.getByRole('form', { name: 'New task' });
  await taskForm.getByLabel('Timeout (ms)').fill('0');
  await expect(taskForm.getByText('must be at least 1')).toBeVisible();
  await taskForm.getByRole('button', { name: 'Save task' }).click();
  await expect(taskForm.getByText('pick a configuration')).toBeVisible();
  expect(await call<Listed[]>(page, 'tasks.list')).toHaveLength(0);

  const config = await call<Listed>(page, 'configs.save', {
    config: { name: 'c', type: 'api', params: { url: `${env().target}/json` } },
  });
  await call(page, 'tasks.save', {
    task: { name: 't', type: 'api', operation: 'read', configId: config.id },
  });
  await page.getByRole('link', { name: 'Schedules' }).click();
  await page.getByRole('button', { name: 'New schedule entry' }).click();
  const entryForm = page.getByRole('form', { name: 'New schedule entry' });
  await entryForm.getByLabel('Task').selectOption({ label: 't' });
  await entryForm.getByLabel('Kind').selectOption('cron');
  await entryForm.getByLabel('Cron expression').fill('61 * * * *');
  await entryForm.getByRole('button', { name: 'Save schedule entry' }).click();
  await expect(
    entryForm.getByText(/minute \(field 1\) must be 0-59; got "61"/).first(),
  ).toBeVisible();
  expect(await call<Listed[]>(page, 'schedules.list')).toHaveLength(0);

  await page.getByRole('link', { name: 'Settings' }).click();
  const settings = page.getByRole('form', { name: 'Settings' });
  await settings.getByLabel('Tasks running at once').fill('0');
  await expect(settings.getByText(/at least 1/)).toBeVisible();
  await expect(settings.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await shot(page, 'settings');
});

test('a schedule every 2 s makes runs appear live in History', async ({ page }) => {
  const config = await call<Listed>(page, 'configs.save', {
    config: { name: 'c', type: 'api', params: { url: `${env().target}/json` } },
  });
  await call(page, 'tasks.save', {
    task: { name: 'ticker', type: 'api', operation: 'read', configId: config.id },
  });
  await open(page, '/schedules');
  await page.getByRole('button', { name: 'New schedule entry' }).click();
  const form = page.getByRole('form', { name: 'New schedule entry' });
  await form.getByLabel('Task').selectOption({ label: 'ticker' });
  await form.getByLabel('Every (seconds)').fill('2');
  await expect(
    form.getByRole('region', { name: 'Next fire times' }).getByRole('listitem'),
  ).toHaveCount(10);
  await form.getByRole('button', { name: 'Save schedule entry' }).click();
  const table = page.getByRole('table', { name: 'Schedule entries' });
  await expect(table).toContainText('every 2 s');
  await expect(table).toContainText(/in \d s/);

  // No reload from here on: new runs must arrive through the event stream.
  await page.getByRole('link', { name: 'History' }).click();
  const list = page.getByRole('list', { name: 'Runs' });
  await expect(list.getByRole('listitem').first()).toContainText('ticker', { timeout: 10_000 });
  await expect(list.getByRole('listitem').nth(1)).toContainText('schedule', { timeout: 10_000 });
});

test('editing a schedule to cron shows the plain-language description and the next 10 times', async ({
  page,
}) => {
  const config = await call<Listed>(page, 'configs.save', {
    config: { name: 'c', type: 'api', params: { url: `${env().target}/json` } },
  });
  const task = await call<Listed>(page, 'tasks.save', {
    task: { name: 'ticker', type: 'api', operation: 'read', configId: config.id },
  });
  await call(page, 'schedules.save', {
    entry: { taskId: task.id, kind: 'frequency', everySeconds: 3600 },
  });
  await open(page, '/schedules');
  const table = page.getByRole('table', { name: 'Schedule entries' });
  await expect(table).toContainText('every 3600 s');
  await page.getByRole('button', { name: 'Edit schedule of ticker' }).click();
  const edit = page.getByRole('form', { name: 'Edit schedule entry' });
  await edit.getByLabel('Kind').selectOption('cron');
  await edit.getByLabel('Time zone').fill('Europe/Paris');
  await edit.getByLabel('Cron expression').fill('0 9 * * 1-5');
  await expect(edit.getByText('Runs: At 09:00, Monday through Friday.')).toBeVisible();
  await expect(
    edit.getByRole('region', { name: 'Next fire times' }).getByRole('listitem'),
  ).toHaveCount(10);
  await shot(page, 'cron-helper');
  await edit.getByRole('button', { name: 'Save schedule entry' }).click();
  await expect(table).toContainText('0 9 * * 1-5');
  await expect(table).toContainText('At 09:00, Monday through Friday');
  await expect(table).toContainText('Europe/Paris');
  await shot(page, 'schedules');
  await edit.waitFor({ state: 'detached' });
  // Disable from the list: saved at once.
  await table.getByRole('checkbox').click();
  await expect
    .poll(async () => (await call<{ enabled: boolean }[]>(page, 'schedules.list'))[0]?.enabled)
    .toBe(false);
});

test('the cron helper refuses what the service refuses, at the field, before Save', async ({
  page,
}) => {
  const config = await call<Listed>(page, 'configs.save', {
    config: { name: 'c', type: 'api', params: { url: `${env().target}/json` } },
  });
  await call(page, 'tasks.save', {
    task: { name: 'helped', type: 'api', operation: 'read', configId: config.id },
  });
  await open(page, '/schedules');
  await page.getByRole('button', { name: 'New schedule entry' }).click();
  const form = page.getByRole('form', { name: 'New schedule entry' });
  await form.getByLabel('Task').selectOption({ label: 'helped' });
  await form.getByLabel('Kind').selectOption('cron');
  const cron = form.getByLabel('Cron expression');
  // Each refusal in the words the service uses for it (tests/main/server/cron-over-http.test.ts).
  const refusals: Array<[string, string]> = [
    ['61 * * * *', 'minute (field 1) must be 0-59; got "61"'],
    ['*/0 * * * *', 'minute (field 1) step "/0" must be a whole number from 1 to 60'],
    ['0 0 * 13 *', 'month (field 4) must be 1-12 or JAN-DEC; got "13"'],
    ['0 0 31 2 *', 'never fires; check the day and month fields'],
  ];
  for (const [text, message] of refusals) {
    await cron.fill(text);
    await expect(form.getByRole('alert').filter({ hasText: message })).toBeVisible();
    await expect(form.getByText(/^Runs:/)).toHaveCount(0);
    const server = await call(page, 'schedules.preview', { kind: 'cron', cron: text }).catch(
      String,
    );
    expect(String(server)).toContain(message);
  }
  await form.getByRole('button', { name: 'Save schedule entry' }).click();
  await expect(form.getByRole('alert').filter({ hasText: 'never fires' })).toBeVisible();
  expect(await call<unknown[]>(page, 'schedules.list')).toEqual([]);

  // A preset writes a valid expression; the list describes it.
  await form.getByLabel('Preset').selectOption('monthly');
  await form.getByLabel('Day of the month').fill('15');
  await form.getByLabel('Time of day').fill('06:45');
  await form.getByRole('button', { name: 'Use 45 6 15 * *' }).click();
  await expect(cron).toHaveValue('45 6 15 * *');
  await expect(form.getByText('Runs: At 06:45, on day 15 of the month.')).toBeVisible();
  await form.getByRole('button', { name: 'Save schedule entry' }).click();
  const table = page.getByRole('table', { name: 'Schedule entries' });
  await expect(table).toContainText('At 06:45, on day 15 of the month');
});

test('typing a time zone letter by letter never blanks the page and saves the picked zone', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const config = await call<Listed>(page, 'configs.save', {
    config: { name: 'c', type: 'api', params: { url: `${env().target}/json` } },
  });
  await call(page, 'tasks.save', {
    task: { name: 'zoned', type: 'api', operation: 'read', configId: config.id },
  });
  await open(page, '/schedules');
  await page.getByRole('button', { name: 'New schedule entry' }).click();
  const form = page.getByRole('form', { name: 'New schedule entry' });
  await form.getByLabel('Task').selectOption({ label: 'zoned' });
  await form.getByLabel('Kind').selectOption('cron');
  await form.getByLabel('Cron expression').fill('30 9 * * 1-5');
  const preview = form.getByRole('region', { name: 'Next fire times' });
  await expect(preview.getByRole('listitem')).toHaveCount(10);
  const zone = form.getByLabel('Time zone');
  const typed = 'Europe/Berlin';
  for (let i = 1; i <= typed.length; i++) {
    await zone.pressSequentially(typed[i - 1]!);
    await expect(zone).toHaveValue(typed.slice(0, i));
    await expect(form).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    if (i < typed.length) await expect(form.getByText(/pick a zone from the list/)).toBeVisible();
  }
  await expect(form.getByText(/pick a zone from the list/)).toHaveCount(0);
  await expect(preview.getByRole('heading')).toContainText('Europe/Berlin');
  await expect(preview.getByRole('listitem')).toHaveCount(10);
  await form.getByRole('button', { name: 'Save schedule entry' }).click();
  const table = page.getByRole('table', { name: 'Schedule entries' });
  await expect(table.getByRole('row', { name: /zoned/ })).toContainText('Europe/Berlin');
  await expect(page.getByText(/Something went wrong/)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('screenshots of every screen with data', async ({ page }) => {
  const config = await call<Listed>(page, 'configs.save', {
    config: {
      name: 'orders api',
      type: 'api',
      params: { url: `${env().target}/json`, auth: { kind: 'bearer', token: 'secret' } },
    },
  });
  await call(page, 'configs.save', {
    config: {
      name: 'report file',
      type: 'file',
      params: { location: '/tmp/report.csv', format: 'csv' },
    },
  });
  const task = await call<Listed>(page, 'tasks.save', {
    task: { name: 'fetch orders', type: 'api', operation: 'read', configId: config.id },
  });
  await call(page, 'schedules.save', {
    entry: { taskId: task.id, kind: 'cron', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' },
  });
  const run = await call<Listed>(page, 'tasks.run', { id: task.id });
  await call(page, 'tasks.run', { id: task.id });
  await open(page, '/tasks');
  await expect(page.getByRole('row', { name: /fetch orders/ })).toContainText(/succeeded|failed/);
  await shot(page, 'tasks');
  await page.getByRole('link', { name: 'Configurations' }).click();
  await expect(page.getByRole('table', { name: 'Configurations' })).toContainText('orders api');
  await shot(page, 'configurations');
  await page.getByRole('button', { name: 'Edit orders api' }).click();
  await shot(page, 'configuration-form');
  await page.evaluate((id) => (window.location.hash = `#/history/${id}`), run.id);
  await expect(page.getByRole('region', { name: 'Run detail' })).toBeVisible();
  await shot(page, 'run-detail');
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('img', { name: 'Runs over time by status' })).toBeVisible();
  await shot(page, 'history', true);
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { name: /Success rate/ })).toBeVisible();
  await shot(page, 'dashboard');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'dashboard-dark');
});

test('filter tasks by type and runs by period', async ({ page }) => {
  const api = await call<Listed>(page, 'configs.save', {
    config: { name: 'a', type: 'api', params: { url: `${env().target}/json` } },
  });
  const file = await call<Listed>(page, 'configs.save', {
    config: { name: 'f', type: 'file', params: { location: `${env().target}/text` } },
  });
  const apiTask = await call<Listed>(page, 'tasks.save', {
    task: { name: 'api task', type: 'api', operation: 'read', configId: api.id },
  });
  await call(page, 'tasks.save', {
    task: { name: 'file task', type: 'file', operation: 'read', configId: file.id },
  });
  await call(page, 'tasks.run', { id: apiTask.id });
  await open(page, '/tasks');
  const table = page.getByRole('table', { name: 'Tasks' });
  await expect(table.getByRole('row')).toHaveCount(3);
  await page.getByLabel('Filter by type').selectOption('file');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('file task');
  await page.getByLabel('Filter by type').selectOption('');
  await page.getByLabel('Search tasks').fill('api');
  await expect(table.getByRole('row')).toHaveCount(2);
  await page.getByLabel('Search tasks').fill('');
  await page.getByLabel('Ran from').fill('2020-01-01T00:00');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('api task');

  await page.getByRole('link', { name: 'History' }).click();
  const list = page.getByRole('list', { name: 'Runs' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await page.getByLabel('Runs to').fill('2020-01-01T00:00');
  await expect(page.getByText('No runs match')).toBeVisible();
  await page.getByLabel('Period preset').selectOption('last 24 h');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await page.getByLabel('Filter runs by type').selectOption('file');
  await expect(page.getByText('No runs match')).toBeVisible();
});

test('bulk deletes: unused configurations, tasks of a type, all schedules, runs in a period', async ({
  page,
}) => {
  const used = await call<Listed>(page, 'configs.save', {
    config: { name: 'used', type: 'api', params: { url: `${env().target}/json` } },
  });
  await call(page, 'configs.save', {
    config: { name: 'spare', type: 'api', params: { url: `${env().target}/json` } },
  });
  const task = await call<Listed>(page, 'tasks.save', {
    task: { name: 'doomed', type: 'api', operation: 'read', configId: used.id },
  });
  await call(page, 'schedules.save', {
    entry: { taskId: task.id, kind: 'cron', cron: '0 0 1 1 *' },
  });
  await call(page, 'tasks.run', { id: task.id });

  await open(page, '/configs');
  const configs = page.getByRole('table', { name: 'Configurations' });
  await configs.getByRole('button', { name: 'More actions for used' }).click();
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toHaveAttribute(
    'aria-disabled',
    'true',
  );
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Delete all unused (1)' }).click();
  await expect(page.getByRole('alertdialog')).toContainText(
    '1 configuration that no task or schedule entry uses',
  );
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(configs).not.toContainText('spare');

  await page.getByRole('link', { name: 'Schedules' }).click();
  await page.getByRole('button', { name: 'Delete all entries' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Nothing is scheduled')).toBeVisible();

  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByLabel('Filter by type').selectOption('api');
  await page.getByRole('button', { name: 'Delete all api tasks' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('Their runs stay in History');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('No task matches these filters')).toBeVisible();

  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(1);
  await page.getByLabel('Period preset').selectOption('last hour');
  await page.getByRole('button', { name: 'Delete runs in period' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete runs' }).click();
  await expect(page.getByText('No runs match')).toBeVisible();
  expect((await call<{ items: unknown[] }>(page, 'runs.list')).items).toHaveLength(0);
});

test('a failing run raises a toast that links to it', async ({ page }) => {
  const config = await call<Listed>(page, 'configs.save', {
    config: { name: 'broken', type: 'api', params: { url: `${env().target}/status/500` } },
  });
  const task = await call<Listed>(page, 'tasks.save', {
    task: { name: 'flaky', type: 'api', operation: 'read', configId: config.id },
  });
  await open(page, '/tasks');
  await call(page, 'tasks.run', { id: task.id, wait: false });
  const toast = page.getByRole('alert').filter({ hasText: 'Run of flaky failed' });
  await expect(toast).toBeVisible();
  await toast.getByRole('link').click();
  await expect(page.getByRole('region', { name: 'Run detail' })).toContainText('500');
});
