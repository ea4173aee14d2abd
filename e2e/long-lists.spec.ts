/**
 * Long lists (#17, "lists of 1,000 ≤ 200 ms"): the Tasks, Configurations and Schedules tables
 * render the rows near the viewport only (hooks/useTableWindow.ts), yet read as the whole list:
 * the table says how many rows it has, scrolling brings every row in with its actions, the
 * columns hold still while rows scroll in, the page is as tall as the whole list, and a search
 * narrows it to the rows that match.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { artifactShot, call, env, open, wipe } from './support/helpers';

const COUNT = 300;

interface Saved {
  id: string;
  name: string;
}

const name = (i: number): string => `Chore ${String(i).padStart(3, '0')}`;

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await wipe(page);
  // Ten at a time: bounded loopback traffic. A configuration, a task and an entry per number.
  for (let i = 0; i < COUNT; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, k) => {
        const n = name(i + k + 1);
        const config = await call<Saved>(page, 'configs.save', {
          config: { name: `${n} API`, type: 'api', params: { url: `${env().target}/json` } },
        });
        const task = await call<Saved>(page, 'tasks.save', {
          task: { name: n, type: 'api', operation: 'read', configId: config.id },
        });
        await call(page, 'schedules.save', {
          entry: { taskId: task.id, kind: 'frequency', everySeconds: 86_400, enabled: false },
        });
      }),
    );
  }
  await page.close();
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await wipe(page);
  await page.close();
});

const table = (page: Page) => page.getByRole('table', { name: 'Tasks' });
const rendered = (page: Page) => table(page).locator('tbody > tr:not([data-spacer])');

/** Scrolls the screen (it scrolls inside <main>) to `to` px, or to its end. */
async function scrollMain(page: Page, to: number | 'end'): Promise<void> {
  await page.evaluate((y) => {
    const main = document.querySelector('main')!;
    main.scrollTop = y === 'end' ? main.scrollHeight : y;
  }, to);
}

/** The left edges of the header cells, i.e. where the columns sit. */
function columnEdges(page: Page): Promise<number[]> {
  return table(page)
    .locator('thead th')
    .evaluateAll((ths) => ths.map((th) => Math.round(th.getBoundingClientRect().left)));
}

test('a list of 300 tasks renders the rows in view, and says it has 300', async ({ page }) => {
  await open(page, '/tasks');
  await expect(table(page)).toHaveAttribute('aria-rowcount', String(COUNT + 1));
  await expect(page.getByRole('link', { name: name(1), exact: true })).toBeVisible();
  const shown = await rendered(page).count();
  expect(shown).toBeGreaterThan(10);
  expect(shown).toBeLessThan(100);
  // The rows say where they sit in the whole list (the header is row 1).
  await expect(rendered(page).first()).toHaveAttribute('aria-rowindex', '2');
  // The screen is as tall as all 300 rows would be.
  const rowHeight = await rendered(page)
    .first()
    .evaluate((tr) => tr.getBoundingClientRect().height);
  const scrollHeight = await page.evaluate(() => document.querySelector('main')!.scrollHeight);
  expect(scrollHeight).toBeGreaterThan(rowHeight * COUNT * 0.9);
});

test('scrolling brings every row in with its actions, and the columns hold still', async ({
  page,
}) => {
  await open(page, '/tasks');
  await expect(page.getByRole('link', { name: name(1), exact: true })).toBeVisible();
  const edges = await columnEdges(page);

  // The middle of the list.
  const middle = await page.evaluate(() => document.querySelector('main')!.scrollHeight / 2);
  await scrollMain(page, middle);
  await expect(page.getByRole('link', { name: name(150), exact: true })).toBeInViewport();
  await expect(page.getByRole('link', { name: name(1), exact: true })).toHaveCount(0);
  expect(await columnEdges(page)).toEqual(edges);
  await artifactShot(page, 'long-list-middle');

  // The end: the last row, its index, and no gap under it.
  await scrollMain(page, 'end');
  const last = page.getByRole('link', { name: name(COUNT), exact: true });
  await expect(last).toBeInViewport();
  const lastRow = rendered(page).last();
  await expect(lastRow).toHaveAttribute('aria-rowindex', String(COUNT + 1));
  const gap = await table(page).evaluate((t) => {
    const rows = t.querySelectorAll('tbody > tr:not([data-spacer])');
    const bottomRow = rows[rows.length - 1]!.getBoundingClientRect().bottom;
    return t.getBoundingClientRect().bottom - bottomRow;
  });
  expect(gap).toBeLessThan(2);
  expect(await columnEdges(page)).toEqual(edges);

  // Its actions work like any row's: the row menu opens the task's form.
  await page.getByRole('button', { name: `More actions for ${name(COUNT)}` }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  await expect(page.getByRole('form', { name: `Edit task ${name(COUNT)}` })).toBeVisible();
});

test('in an 800 px window the long list scrolls to its end with its actions at hand', async ({
  page,
}) => {
  await page.setViewportSize({ width: 800, height: 700 });
  await open(page, '/tasks');
  await expect(page.getByRole('link', { name: name(1), exact: true })).toBeVisible();
  await scrollMain(page, 'end');
  await expect(page.getByRole('link', { name: name(COUNT), exact: true })).toBeInViewport();
  await expect(page.getByRole('button', { name: `Run ${name(COUNT)} now` })).toBeInViewport();
  await expect(
    page.getByRole('button', { name: `More actions for ${name(COUNT)}` }),
  ).toBeInViewport();
  await artifactShot(page, 'long-list-800px-end');
  // The page itself never scrolls sideways (the table does, inside itself).
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
    true,
  );
});

test('a search narrows the long list to the rows that match, whole', async ({ page }) => {
  await open(page, '/tasks');
  await scrollMain(page, 'end');
  await expect(page.getByRole('link', { name: name(COUNT), exact: true })).toBeInViewport();
  await page.getByRole('searchbox', { name: 'Search tasks' }).fill('Chore 29');
  // 290–299: ten rows, all rendered, no stand-in rows, the first of them in view.
  await expect(rendered(page)).toHaveCount(10);
  await expect(table(page).locator('tbody > tr[data-spacer]')).toHaveCount(0);
  await expect(table(page)).toHaveAttribute('aria-rowcount', '11');
  await expect(page.getByRole('link', { name: name(290), exact: true })).toBeInViewport();
});

for (const list of [
  {
    route: '/configs',
    table: 'Configurations',
    last: `${name(COUNT)} API`,
    edit: `Edit ${name(COUNT)} API`,
  },
  {
    route: '/schedules',
    table: 'Schedule entries',
    last: `Edit schedule of ${name(COUNT)}`,
    edit: `Edit schedule of ${name(COUNT)}`,
  },
]) {
  test(`the ${list.table} list of 300 says its size and brings its last row in at the end`, async ({
    page,
  }) => {
    await open(page, list.route);
    const t = page.getByRole('table', { name: list.table });
    await expect(t).toHaveAttribute('aria-rowcount', String(COUNT + 1));
    const rows = t.locator('tbody > tr:not([data-spacer])');
    await expect(rows.first()).toHaveAttribute('aria-rowindex', '2');
    expect(await rows.count()).toBeLessThan(100);
    await scrollMain(page, 'end');
    await expect(rows.last()).toHaveAttribute('aria-rowindex', String(COUNT + 1));
    const last =
      list.route === '/configs'
        ? t.getByRole('cell', { name: list.last, exact: true })
        : t.getByRole('button', { name: list.last, exact: true });
    await expect(last).toBeInViewport();

    // Its Edit opens the form at the top of the screen (the row scrolls out of view), and
    // Escape closes it and gives focus back to that row's Edit.
    const edit = t.getByRole('button', { name: list.edit, exact: true });
    await edit.click();
    const form = page.getByRole('form').first();
    await expect(form).toBeVisible();
    await expect(form.locator(':focus')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(form).toHaveCount(0);
    await expect(edit).toBeFocused();
    await expect(edit).toBeInViewport();
  });
}

test('the long list has no serious accessibility violation', async ({ page }) => {
  await open(page, '/tasks');
  await expect(page.getByRole('link', { name: name(1), exact: true })).toBeVisible();
  await scrollMain(page, 'end');
  await expect(page.getByRole('link', { name: name(COUNT), exact: true })).toBeInViewport();
  const { violations } = await new AxeBuilder({ page }).include('table').analyze();
  expect(
    violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help}`),
  ).toEqual([]);
});
