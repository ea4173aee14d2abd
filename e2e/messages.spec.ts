/**
 * Messages (issue #17) in Chromium against the served UI: the service's refusal of a bad URL sits
 * under the URL field (aria-invalid, aria-describedby) in users' words, the banner above the
 * buttons says only that nothing was saved, no method or module name shows anywhere, and both go
 * once the field changes; the API answers the same sentence with the field path in details.
 */
import { expect, test } from '@playwright/test';
import { env, open, wipe } from './support/helpers';

const INTERNAL =
  /configs\.save|config:|FileExecutor|ApiExecutor|ScheduleEntry|Too small|Invalid input/;

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

test('a bad URL is refused at the URL field in a sentence, without internal names', async ({
  page,
}) => {
  await open(page, '/configs');
  await page.getByRole('button', { name: 'New configuration' }).click();
  const form = page.getByRole('form', { name: 'New configuration' });
  await form.getByLabel('Name').fill('typo');
  const url = form.getByLabel('URL', { exact: true });
  await url.fill('not a url');
  await form.getByRole('button', { name: 'Save configuration' }).click();

  await expect(url).toHaveAccessibleDescription(
    /must start with http:\/\/ or https:\/\/ \(got "not a url"\)/,
  );
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert').filter({ hasText: 'nothing was saved' })).toHaveText(
    'Fix the highlighted field; nothing was saved.',
  );
  expect(await form.innerText()).not.toMatch(INTERNAL);

  await url.fill(`${env().target}/json`);
  await expect(url).toHaveAttribute('aria-invalid', 'false');
  await expect(form.getByRole('alert')).toHaveCount(0);
});

test('the API answers the same sentence, with the path in details.issues', async ({ page }) => {
  const { url, token } = env();
  const response = await page.request.post(`${url}/api/configs.save`, {
    data: { config: { name: 'typo', type: 'api', params: { url: 'not a url', timeoutMs: 0 } } },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(400);
  expect(await response.json()).toEqual({
    error: {
      code: 'VALIDATION',
      message: 'config.params.timeoutMs: must be at least 1',
      details: {
        issues: [{ path: ['config', 'params', 'timeoutMs'], message: 'must be at least 1' }],
      },
    },
  });
});
