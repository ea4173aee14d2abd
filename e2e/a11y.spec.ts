/**
 * Accessibility: axe-core on every screen (and the forms, a run's detail, the dialogs) in the
 * light and the dark theme (the app follows `prefers-color-scheme`), with no serious or critical
 * violation allowed.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { call, env, open, wipe } from './support/helpers';

interface Saved {
  id: string;
}

/** What each scan opens: a route, then optionally a click that opens a form or a dialog. */
const VIEWS: { name: string; route: string; open?: (page: Page) => Promise<void> }[] = [
  { name: 'Dashboard', route: '/' },
  { name: 'Tasks', route: '/tasks' },
  {
    name: 'task form',
    route: '/tasks',
    open: (page) => page.getByRole('button', { name: 'New task' }).click(),
  },
  { name: 'Configurations', route: '/configs' },
  {
    name: 'configuration form',
    route: '/configs',
    open: (page) => page.getByRole('button', { name: 'New configuration' }).click(),
  },
  { name: 'Schedules', route: '/schedules' },
  {
    name: 'schedule form',
    route: '/schedules',
    open: (page) => page.getByRole('button', { name: 'New schedule entry' }).click(),
  },
  { name: 'History', route: '/history' },
  {
    name: 'a confirmation',
    route: '/schedules',
    open: (page) => page.getByRole('button', { name: 'Delete all entries' }).click(),
  },
  {
    name: 'the command palette',
    route: '/',
    open: (page) => page.keyboard.press('Control+k'),
  },
  { name: 'Settings', route: '/settings' },
  { name: 'not found', route: '/history/%E0' },
];

let runId = '';

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await wipe(page);
  const config = await call<Saved>(page, 'configs.save', {
    config: { name: 'Orders API', type: 'api', params: { url: `${env().target}/json` } },
  });
  const task = await call<Saved>(page, 'tasks.save', {
    task: { name: 'Fetch orders', type: 'api', operation: 'read', configId: config.id },
  });
  await call(page, 'schedules.save', {
    entry: { taskId: task.id, kind: 'cron', cron: '0 3 * * *', enabled: true },
  });
  runId = (await call<Saved>(page, 'tasks.run', { id: task.id })).id;
  await page.close();
});

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });
    const views = [...VIEWS, { name: 'run detail', route: '' }];
    for (const view of views) {
      test(`${view.name} has no serious or critical axe violations`, async ({ page }) => {
        await open(page, view.route || `/history/${runId}`);
        await expect(page.locator('main')).not.toBeEmpty();
        await view.open?.(page);
        // Let the screen finish loading (no "Loading …" status left) before scanning.
        await expect(page.getByText(/^Loading .*…$/)).toHaveCount(0);
        const results = await new AxeBuilder({ page }).analyze();
        const bad = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .flatMap((v) =>
            v.nodes.map(
              (n) =>
                `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.any.map((c) => c.message).join('; ') || v.help}`,
            ),
          );
        expect(bad).toEqual([]);
      });
    }
  });
}
