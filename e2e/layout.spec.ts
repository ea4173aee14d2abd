/**
 * Layout (#17) in Chromium from 1366 px down to 400 px: no horizontal page scroll on any screen,
 * the navigation a bar across the top below 900 px, row actions on one line and centred on their
 * row, the row menu (keyboard, flipping up at the bottom, clicks outside), and toasts in their own
 * row of the window so that several of them cover no control, the last row's menu button included.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { artifactShot, call, env, open, wipe } from './support/helpers';

interface Saved {
  id: string;
}

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1024, height: 768 },
  { width: 800, height: 700 },
  { width: 600, height: 700 },
  { width: 400, height: 700 },
];

/** Each screen, and the list table whose rows have actions (if it has one). */
const SCREENS: { route: string; heading: string; table?: string }[] = [
  { route: '/', heading: 'Dashboard' },
  { route: '/tasks', heading: 'Tasks', table: 'Tasks' },
  { route: '/configs', heading: 'Configurations', table: 'Configurations' },
  { route: '/schedules', heading: 'Schedules', table: 'Schedule entries' },
  { route: '/history', heading: 'History' },
  { route: '/settings', heading: 'Settings' },
  { route: '/alerts', heading: 'Alerts', table: 'Alerts' },
];

const TASKS = 30;
const failing: string[] = [];

/** The name of the Tasks list's last row (the list is sorted by name). */
async function lastTaskName(page: Page): Promise<string> {
  const rows = page.getByRole('table', { name: 'Tasks' }).locator('tbody > tr');
  await expect(rows).toHaveCount(TASKS + failing.length);
  return (await rows.last().locator('td').first().innerText()).trim();
}

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await wipe(page);
  for (const alert of await call<Saved[]>(page, 'alerts.list')) {
    await call(page, 'alerts.delete', { id: alert.id });
  }
  const orders = await call<Saved>(page, 'configs.save', {
    config: { name: 'Orders API', type: 'api', params: { url: `${env().target}/json` } },
  });
  await call(page, 'configs.save', {
    config: { name: 'Spare API', type: 'api', params: { url: `${env().target}/json?spare=1` } },
  });
  const broken = await call<Saved>(page, 'configs.save', {
    config: { name: 'Broken API', type: 'api', params: { url: `${env().target}/status/500` } },
  });
  let first = '';
  for (let i = 1; i <= TASKS; i++) {
    const task = await call<Saved>(page, 'tasks.save', {
      task: { name: `Task ${i}`, type: 'api', operation: 'read', configId: orders.id },
    });
    first ||= task.id;
  }
  for (let i = 1; i <= 4; i++) {
    const task = await call<Saved>(page, 'tasks.save', {
      task: {
        name: `Broken ${i} with a rather long name that makes its toast wrap`,
        type: 'api',
        operation: 'read',
        configId: broken.id,
      },
    });
    failing.push(task.id);
  }
  await call(page, 'schedules.save', {
    entry: {
      taskId: first,
      kind: 'cron',
      cron: '0 3 * * 1-5',
      timezone: 'America/Argentina/Buenos_Aires',
      name: 'Weekday mornings',
      enabled: true,
    },
  });
  await call(page, 'schedules.save', {
    entry: { taskId: first, kind: 'frequency', everySeconds: 86_400, enabled: true },
  });
  await call(page, 'alerts.save', {
    alert: {
      name: 'Team webhook',
      enabled: false,
      channel: { kind: 'webhook', url: `${env().target}/status/204` },
      rule: { on: ['failed', 'timed-out'] },
    },
  });
  await page.close();
});

/** How far the page and the screen's scroll area are wider than the window (0: not at all). */
function horizontalOverflow(page: Page): Promise<{ page: number; main: number }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const main = document.querySelector('main')!;
    return {
      page: root.scrollWidth - root.clientWidth,
      main: main.scrollWidth - main.clientWidth,
    };
  });
}

/** Rows whose action controls are not all centred on the row (wrapped, or sitting lower). */
function misalignedRows(page: Page, table: string): Promise<string[]> {
  return page.evaluate((name) => {
    const bad: string[] = [];
    const rows = document.querySelectorAll(`table[aria-label="${name}"] > tbody > tr`);
    for (const tr of Array.from(rows)) {
      const row = tr.getBoundingClientRect();
      const middle = row.top + row.height / 2;
      const controls = tr.querySelectorAll<HTMLElement>('td.actions button, td.actions select');
      if (controls.length === 0) bad.push(`${tr.textContent}: no actions`);
      for (const control of Array.from(controls)) {
        const box = control.getBoundingClientRect();
        const off = box.top + box.height / 2 - middle;
        if (Math.abs(off) > 2) {
          bad.push(
            `${control.getAttribute('aria-label')}: ${off.toFixed(1)} px off the row's middle`,
          );
        }
      }
    }
    return bad;
  }, table);
}

/** Controls of the screen, in its visible area, that something else lies over at their centre. */
function coveredControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!.getBoundingClientRect();
    const bad: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      'main button, main a[href], main input, main select, main textarea',
    );
    for (const el of Array.from(controls)) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      // Scrolled out of the screen's area: not shown, so not covered.
      if (y < main.top || y > main.bottom || x < main.left || x > main.right) continue;
      const hit = document.elementFromPoint(x, y);
      // A narrow list's frozen actions column lies over the cells scrolling under it, by design.
      const frozen = hit?.closest('td.actions, th') && hit.closest('table') === el.closest('table');
      if (!hit || !(hit === el || el.contains(hit) || hit.contains(el) || frozen)) {
        bad.push(`${el.getAttribute('aria-label') ?? el.textContent} under ${hit?.className}`);
      }
    }
    return bad;
  });
}

function box(locator: Locator): Promise<DOMRect> {
  return locator.evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
}

async function screenShown(page: Page, route: string, heading: string): Promise<void> {
  await page.evaluate((r) => (window.location.hash = `#${r}`), route);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  await expect(page.getByText(/^Loading .*…$/)).toHaveCount(0);
}

for (const size of SIZES) {
  test(`at ${size.width} px no screen scrolls sideways and row actions sit on one line in the middle of their row`, async ({
    page,
  }) => {
    await page.setViewportSize(size);
    await open(page, '/tasks');
    for (const screen of SCREENS) {
      await screenShown(page, screen.route, screen.heading);
      if (screen.table) {
        const rows = page.getByRole('table', { name: screen.table }).locator('tbody > tr');
        await expect(rows.first()).toBeVisible();
        expect(await misalignedRows(page, screen.table), screen.route).toEqual([]);
      }
      expect(await horizontalOverflow(page), screen.route).toEqual({ page: 0, main: 0 });
      if (screen.table)
        await artifactShot(page, `layout-${size.width}${screen.route.replace('/', '-')}`);
    }
    // The forms too (one column when narrow).
    await screenShown(page, '/configs', 'Configurations');
    await page.getByRole('button', { name: 'New configuration' }).click();
    await expect(page.getByRole('form')).toBeVisible();
    expect(await horizontalOverflow(page), 'configuration form').toEqual({ page: 0, main: 0 });
    await screenShown(page, '/tasks/new', 'Tasks');
    await expect(page.getByRole('form')).toBeVisible();
    expect(await horizontalOverflow(page), 'task form').toEqual({ page: 0, main: 0 });
    await screenShown(page, '/schedules', 'Schedules');
    await page.getByRole('button', { name: 'New schedule entry' }).click();
    await expect(page.getByRole('form')).toBeVisible();
    expect(await horizontalOverflow(page), 'schedule form').toEqual({ page: 0, main: 0 });

    // The navigation: a column on the left from 900 px, a bar across the top below; every link
    // shown whole, nothing over the screen.
    const nav = await box(page.getByRole('navigation', { name: 'Main' }));
    const main = await box(page.locator('main'));
    if (size.width >= 900) expect(nav.right).toBeLessThanOrEqual(main.left + 0.5);
    else {
      expect(nav.bottom).toBeLessThanOrEqual(main.top + 0.5);
      expect(nav.width).toBeGreaterThanOrEqual(size.width - 1);
    }
    for (const link of await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .all()) {
      const r = await box(link);
      expect(r.left).toBeGreaterThanOrEqual(0);
      expect(r.right).toBeLessThanOrEqual(size.width);
      expect(r.bottom).toBeLessThanOrEqual(nav.bottom + 0.5);
    }
  });
}

for (const size of [SIZES[0]!, SIZES[4]!]) {
  test(`at ${size.width} px several toasts cover no control, not even the last row's menu button`, async ({
    page,
  }) => {
    await page.setViewportSize(size);
    await open(page, '/tasks');
    const lastTask = await lastTaskName(page);
    for (const id of failing) await call(page, 'tasks.run', { id });
    const toasts = page.getByRole('region', { name: 'Notifications' }).getByRole('alert');
    await expect(toasts).toHaveCount(failing.length);

    const more = page.getByRole('button', { name: `More actions for ${lastTask}` });
    await more.scrollIntoViewIfNeeded();
    const hit = await more.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return at === el || el.contains(at);
    });
    expect(hit).toBe(true);
    expect(await coveredControls(page)).toEqual([]);
    await artifactShot(page, `layout-${size.width}-toasts`);
    // The toasts' row lies under the screen, not over it.
    const region = await box(page.getByRole('region', { name: 'Notifications' }));
    const main = await box(page.locator('main'));
    expect(region.top).toBeGreaterThanOrEqual(main.bottom - 0.5);
    // And the menu still opens and works there.
    await more.click();
    await expect(page.getByRole('menu', { name: `More actions for ${lastTask}` })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(more).toBeFocused();
  });
}

test('the row menu opens upwards at the bottom of the window, moves with the keyboard and hands focus back', async ({
  page,
}) => {
  await page.setViewportSize(SIZES[0]!);
  await open(page, '/tasks');
  const lastTask = await lastTaskName(page);
  const more = page.getByRole('button', { name: `More actions for ${lastTask}` });
  await more.scrollIntoViewIfNeeded();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  await more.click();
  const menu = page.getByRole('menu', { name: `More actions for ${lastTask}` });
  await expect(menu).toHaveAttribute('data-placement', 'up');
  await expect(more).toHaveAttribute('aria-expanded', 'true');
  const items = menu.getByRole('menuitem');
  await expect(items).toHaveText(['Edit', 'Delete']);
  await expect(items.first()).toBeFocused();
  // Wholly in the window, above the button, and on top of everything at each item.
  const m = await box(menu);
  const b = await box(more);
  expect(m.top).toBeGreaterThanOrEqual(0);
  expect(m.bottom).toBeLessThanOrEqual(b.top);
  expect(m.right).toBeLessThanOrEqual(SIZES[0]!.width);
  for (const item of await items.all()) {
    const onTop = await item.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    expect(onTop).toBe(true);
  }
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Delete' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Edit' })).toBeFocused();
  await page.keyboard.press('End');
  await expect(menu.getByRole('menuitem', { name: 'Delete' })).toBeFocused();
  await page.keyboard.press('Home');
  await expect(menu.getByRole('menuitem', { name: 'Edit' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();

  // A click outside closes it.
  await more.click();
  await expect(menu).toBeVisible();
  await page.getByRole('heading', { level: 1, name: 'Tasks' }).click();
  await expect(menu).toHaveCount(0);

  // Delete opens the confirmation; Cancel hands focus back to the menu button.
  await more.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('alertdialog', { name: `Delete task ${lastTask}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(more).toBeFocused();

  // A row near the top opens it downwards.
  const firstMore = page.getByRole('button', { name: 'More actions for Task 1', exact: true });
  await firstMore.scrollIntoViewIfNeeded();
  await page.locator('main').evaluate((el) => (el.scrollTop = 0));
  await firstMore.click();
  await expect(page.getByRole('menu', { name: 'More actions for Task 1' })).toHaveAttribute(
    'data-placement',
    'down',
  );
});

test('the row menu stays inside a narrow window and over a list that scrolls sideways', async ({
  page,
}) => {
  await page.setViewportSize(SIZES[4]!);
  await open(page, '/configs');
  const more = page.getByRole('button', { name: 'More actions for Orders API' });
  await more.click();
  const menu = page.getByRole('menu', { name: 'More actions for Orders API' });
  await expect(menu).toBeVisible();
  const m = await box(menu);
  expect(m.left).toBeGreaterThanOrEqual(0);
  expect(m.right).toBeLessThanOrEqual(SIZES[4]!.width);
  // Orders API is used: Delete says why it is disabled, and choosing it does nothing.
  const del = menu.getByRole('menuitem', { name: 'Delete' });
  await expect(del).toHaveAttribute('aria-disabled', 'true');
  await expect(del).toContainText('In use');
  // No serious or critical axe violation in the open menu (roles, names, the disabled item).
  const scan = await new AxeBuilder({ page }).include('[role="menu"]').analyze();
  expect(scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
    [],
  );
  await del.click({ force: true });
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Duplicate' }).click();
  await expect(page.getByRole('form')).toBeVisible();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Copy of Orders API');
});
