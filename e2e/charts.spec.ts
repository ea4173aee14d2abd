/**
 * Charts in Chromium (issue #17): History and the Dashboard draw runs over time by status and
 * durations per task with uPlot (loaded on first use), with a legend whose values follow the
 * pointer, and a text alternative; test runs are left out.
 */
import { expect, test, type Page } from '@playwright/test';
import { call, env, open, wipe } from './support/helpers';

interface Listed {
  id: string;
}

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

async function seedRuns(page: Page): Promise<void> {
  const ok = await call<Listed>(page, 'configs.save', {
    config: { name: 'chart ok', type: 'api', params: { url: `${env().target}/json` } },
  });
  const bad = await call<Listed>(page, 'configs.save', {
    config: { name: 'chart bad', type: 'api', params: { url: `${env().target}/status/500` } },
  });
  const good = await call<Listed>(page, 'tasks.save', {
    task: { name: 'Chart fetch', type: 'api', operation: 'read', configId: ok.id },
  });
  const failing = await call<Listed>(page, 'tasks.save', {
    task: { name: 'Chart broken', type: 'api', operation: 'read', configId: bad.id },
  });
  for (let i = 0; i < 3; i++) await call(page, 'tasks.run', { id: good.id });
  await call(page, 'tasks.run', { id: failing.id });
  await call(page, 'configs.test', {
    config: { name: 'chart ok', type: 'api', params: { url: `${env().target}/json` } },
    operation: 'read',
  });
}

test('History draws runs by status and durations per task, with hover values in the legend', async ({
  page,
}) => {
  await seedRuns(page);
  const chunks: string[] = [];
  page.on('request', (r) => chunks.push(r.url()));
  await open(page, '/history');
  const charts = page.getByRole('group', { name: 'Charts' });
  // The test run is left out: 4 runs of 2 tasks.
  await expect(charts.getByRole('status')).toHaveText(/^4 runs of 2 tasks: 3 succeeded, 1 failed/);
  const byStatus = charts.locator('[data-chart="runs-by-status"][data-drawn="true"]');
  await expect(byStatus).toBeVisible();
  await expect(charts.getByRole('img', { name: 'Runs over time by status' })).toBeVisible();
  const canvas = byStatus.locator('canvas');
  const box = (await canvas.boundingBox())!;
  expect(box.width).toBeGreaterThan(200);
  // The bars are painted (the newest bucket's bar is not cut off at the axis' end): the canvas
  // holds pixels of the succeeded colour (--ok, a green) and of the failed one (--bad, a red).
  const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let green = 0;
    let red = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
      if (a < 200) continue;
      if (g > r + 40 && g > b + 20) green++;
      if (r > g + 60 && r > b + 60) red++;
    }
    return { green, red };
  });
  expect(painted.green).toBeGreaterThan(50);
  expect(painted.red).toBeGreaterThan(20);
  // uPlot came as its own chunk, after the page had loaded.
  expect(chunks.some((u) => /uplot-lazy-[\w-]+\.js$/.test(u))).toBe(true);

  // Hovering the bar of the current bucket shows its counts in the legend.
  const over = byStatus.locator('.u-over');
  const area = (await over.boundingBox())!;
  const legend = byStatus.locator('.u-legend');
  await expect(legend).toContainText('succeeded');
  let seen = '';
  for (let x = area.width - 1; x > 0 && !/succeeded\s*3/.test(seen); x -= 3) {
    await page.mouse.move(area.x + x, area.y + area.height / 2);
    seen = (await legend.innerText()).replace(/\s+/g, ' ');
  }
  expect(seen).toMatch(/succeeded\s*3/);
  expect(seen).toMatch(/failed\s*1/);

  const durations = charts.locator('[data-chart="durations-per-task"][data-drawn="true"]');
  await expect(durations).toBeVisible();
  await charts.getByText('Durations per task as a table').click();
  const table = charts.getByRole('table', { name: 'Duration percentiles per task' });
  await expect(table.getByRole('row', { name: /Chart fetch/ })).toContainText('100%');
  await expect(table.getByRole('row', { name: /Chart broken/ })).toContainText('0%');

  // Filters change the charts: only the failing task's type and runs.
  await page.getByLabel('Filter runs by task').selectOption({ label: 'Chart broken' });
  await expect(charts.getByRole('status')).toHaveText(/^1 run of 1 task: 1 failed/);
});

test('the Dashboard charts the last 7 days and redraws in the dark scheme', async ({ page }) => {
  await seedRuns(page);
  await open(page, '/');
  const section = page.getByRole('region', { name: 'Runs in the last 7 days' });
  await expect(section.getByRole('status')).toHaveText(/^4 runs of 2 tasks/);
  const chart = section.locator('[data-chart="runs-by-status"][data-drawn="true"]');
  await expect(chart).toBeVisible();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(chart.locator('canvas')).toHaveCount(1);
  await expect(section.locator('[data-chart="runs-by-status"][data-drawn="true"]')).toBeVisible();
});
