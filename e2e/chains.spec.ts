/**
 * Chains in the UI (issue #15), in Chromium against the served UI: a task made in the form to run
 * after another, with a check, runs when the other is run by hand; History shows its chained
 * run with the link to its parent, the input and the check's outcome; a cycle is refused at the
 * Run after row.
 */
import { expect, test, type Page } from '@playwright/test';
import { call, env, open, shot, wipe } from './support/helpers';

interface Listed {
  id: string;
  name: string;
  runAfter?: unknown[];
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

/** An api read task of `${target}${path}` saved through the API. */
async function apiTask(page: Page, name: string, path: string, runAfter?: string): Promise<Listed> {
  const config = await call<Listed>(page, 'configs.save', {
    config: { name: `${name} api`, type: 'api', params: { url: `${env().target}${path}` } },
  });
  return call<Listed>(page, 'tasks.save', {
    task: {
      name,
      type: 'api',
      operation: 'read',
      configId: config.id,
      ...(runAfter ? { runAfter: [{ taskId: runAfter, when: 'succeeded' }] } : {}),
    },
  });
}

test('a task made to run after another runs when it ends, and History shows the chain and its check', async ({
  page,
}) => {
  await apiTask(page, 'Fetch', '/json');
  await call(page, 'configs.save', {
    config: {
      name: 'echo count',
      type: 'api',
      params: { url: `${env().target}/echo?n={{input.body.items.length}}` },
    },
  });
  await open(page, '/tasks/new');
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Name').fill('Count');
  await form.getByLabel('Configuration').selectOption({ label: 'echo count' });
  await form.getByRole('button', { name: 'Add a task to run after' }).click();
  await form.getByRole('group', { name: 'Run after 1' }).getByLabel('Task').fill('Fetch');
  await form.getByRole('button', { name: 'Add check' }).click();
  const check = form.getByRole('group', { name: 'Check 1' });
  await check.getByLabel('Path').fill('body.query.n');
  await check.getByLabel('Value').fill('"3"');
  await shot(page, 'task-form-chain', true);
  await form.getByRole('button', { name: 'Save task' }).click();
  await expect(form).toBeHidden();
  await page
    .getByRole('status')
    .filter({ hasText: 'Saved task Count' })
    .getByRole('button', { name: 'Dismiss' })
    .click();

  const fetchRow = page.getByRole('row', { name: /^Fetch/ });
  await fetchRow.getByRole('button', { name: 'Run Fetch now' }).click();
  await expect(fetchRow.getByText('succeeded')).toBeVisible();
  const countRow = page.getByRole('row', { name: /^Count/ });
  await expect(countRow.getByText('succeeded')).toBeVisible();

  await page.getByRole('link', { name: 'History' }).click();
  await page
    .getByRole('list', { name: 'Runs' })
    .getByRole('link', { name: /Count.*chain/ })
    .click();
  const detail = page.getByRole('region', { name: 'Run detail' });
  await expect(detail).toContainText('chain after the run of “Fetch”');
  await expect(detail.getByRole('region', { name: 'Input' })).toContainText(
    'The result of the run of “Fetch”',
  );
  const outcome = detail.getByRole('table', { name: 'Check outcomes' }).getByRole('row').nth(1);
  await expect(outcome.getByRole('cell')).toHaveText([
    'body.query.n',
    'equals',
    '"3"',
    '"3"',
    'passed',
  ]);
  await shot(page, 'chain-run-detail', true);

  await detail.getByRole('link', { name: 'Parent run' }).click();
  await expect(page.getByRole('heading', { name: /Run of Fetch/ })).toBeVisible();
  const started = page.getByRole('region', { name: 'Runs it started' });
  await expect(started.getByRole('link', { name: /Count \(chain, / })).toBeVisible();
  await expect(started).toContainText('succeeded');
});

test('a cycle is refused at the Run after row and nothing is saved', async ({ page }) => {
  const fetch = await apiTask(page, 'Fetch', '/json');
  await apiTask(page, 'Save', '/json', fetch.id);
  await open(page, `/tasks/${fetch.id}/edit`);
  const chainView = page.getByRole('region', { name: 'Chain of Fetch' });
  await expect(chainView.getByRole('list', { name: 'Then runs' })).toContainText('Save');

  const form = page.getByRole('form', { name: 'Edit task Fetch' });
  await form.getByRole('button', { name: 'Add a task to run after' }).click();
  const row = form.getByRole('group', { name: 'Run after 1' });
  await row.getByLabel('Task').fill('Save');
  await form.getByRole('button', { name: 'Save task' }).click();
  await expect(row.getByRole('alert')).toContainText(
    'this makes a cycle: "Fetch" → "Save" → "Fetch"',
  );
  const stored = await call<Listed>(page, 'tasks.get', { id: fetch.id });
  expect(stored.runAfter).toBeUndefined();
});
