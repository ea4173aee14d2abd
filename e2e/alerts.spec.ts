/**
 * Alerts in Chromium against the built service (docs/alerts.md): a webhook alert with a header and
 * a JSON body template made in the form, its Test message, a failing task delivering through it,
 * and the deliveries listed. The webhook endpoint is a local HTTP server on 127.0.0.1.
 */
import { expect, test } from '@playwright/test';
import { startWebhookReceiver, type WebhookReceiver } from '../tests/main/alerts/support';
import { call, env, open, shot, wipe } from './support/helpers';

let hook: WebhookReceiver;

test.beforeAll(async () => {
  hook = await startWebhookReceiver();
});

test.afterAll(async () => {
  await hook.close();
});

test.beforeEach(async ({ page }) => {
  await wipe(page);
  for (const alert of await call<{ id: string }[]>(page, 'alerts.list')) {
    await call(page, 'alerts.delete', { id: alert.id });
  }
  hook.items.length = 0;
});

test('a webhook alert with a header and a body template: Test, a failing run, the deliveries', async ({
  page,
}) => {
  const config = await call<{ id: string }>(page, 'configs.save', {
    config: { name: 'e2e broken', type: 'api', params: { url: `${env().target}/status/500` } },
  });
  const task = await call<{ id: string }>(page, 'tasks.save', {
    task: { name: 'E2E export', type: 'api', operation: 'read', configId: config.id },
  });

  await open(page, '/alerts');
  await page.getByRole('button', { name: 'New alert' }).click();
  const form = page.getByRole('form', { name: 'New alert' });
  await form.getByLabel('Name').fill('E2E hook');
  await form.getByLabel('Webhook URL').fill(`${hook.url}/e2e`);
  await form.getByRole('button', { name: 'Add header' }).click();
  await form.getByLabel('Headers name 1').fill('X-E2E');
  await form.getByLabel('Headers value 1').fill('e2e-secret');
  await form
    .getByRole('textbox', { name: 'Body template (JSON)' })
    .fill('{"text": "{{task.name}} {{event}} ({{status}})"}');

  await form.getByRole('button', { name: 'Test' }).click();
  await expect(form.getByRole('status')).toHaveText('The test message was sent.');
  const [sample] = await hook.waitFor(1);
  expect(sample!.headers['x-e2e']).toBe('e2e-secret');
  expect(sample!.json).toEqual({ text: 'Sample task failed (failed)' });

  await form.getByRole('button', { name: 'Save alert' }).click();
  const alerts = page.getByRole('table', { name: 'Alerts' });
  await expect(alerts.getByRole('row', { name: /E2E hook/ })).toBeVisible();

  await call(page, 'tasks.run', { id: task.id });
  const [, sent] = await hook.waitFor(2);
  expect(sent!.url).toBe('/e2e');
  expect(sent!.json).toEqual({ text: 'E2E export failed (failed)' });

  // The deliveries as the screen lists them when opened again.
  await open(page, '/alerts');
  const deliveries = page.getByRole('table', { name: 'Recent deliveries' });
  await expect(deliveries.getByRole('row', { name: /E2E hook \(test\)/ })).toContainText('sent');
  const run = deliveries
    .getByRole('row')
    .filter({ hasText: 'E2E hook' })
    .filter({ hasNotText: '(test)' });
  await expect(run).toHaveCount(1);
  await expect(run).toContainText('webhook');
  await expect(run).toContainText('failed');
  await expect(run).toContainText('sent');
  await shot(page, 'alerts-screen');
});
