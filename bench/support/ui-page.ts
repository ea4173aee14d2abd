/**
 * What bench/ui.ts measures inside the page: the instrumentation installed before the app's
 * scripts (long tasks, `__bench.until`, which resolves on the first frame after a check holds),
 * and the measurements (History open, scroll, filter changes, the long lists), each timed in the
 * page with performance.now and animation frames.
 */
import type { Page } from '@playwright/test';

/**
 * Installed before the app's scripts: a longtask log and `__bench.until(check)`, which resolves
 * with the time of the first animation frame after `check()` holds (checked on every DOM
 * mutation and every frame), i.e. when the content is painted.
 */
export const INSTRUMENT = `
window.__name = window.__name || ((f) => f);
window.__bench = (() => {
  const longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  const until = (check, timeoutMs = 30000) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    let done = false;
    const finish = (ok, err) => {
      if (done) return;
      done = true;
      observer.disconnect();
      if (ok) requestAnimationFrame(() => resolve(performance.now()));
      else reject(err);
    };
    const test = () => {
      let ok = false;
      try { ok = check(); } catch {}
      if (ok) finish(true);
      else if (performance.now() - t0 > timeoutMs) finish(false, new Error('until: timed out'));
    };
    const observer = new MutationObserver(test);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    const tick = () => { if (!done) { test(); requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
  });
  const rows = () => [...document.querySelectorAll('[role=list][aria-label=Runs] [role=listitem]')];
  const setSelect = (label, value) => {
    const el = document.querySelector('select[aria-label="' + label + '"]');
    const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;
    setter.call(el, value);
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const loadingRuns = () => [...document.querySelectorAll('.loading')].some((e) => e.textContent.includes('Loading runs'));
  // Frame rate, worst frame and the long tasks between t0 and t1 of frame times \`frames\`.
  const frameStats = (frames, t0, t1) => {
    let worst = 0;
    for (let i = 1; i < frames.length; i++) worst = Math.max(worst, frames[i] - frames[i - 1]);
    const tasks = longtasks.filter((t) => t.start >= t0 && t.start <= t1);
    return {
      fps: (frames.length - 1) / ((frames[frames.length - 1] - frames[0]) / 1000),
      frames: frames.length,
      worstFrameMs: worst,
      longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
      longTasks: tasks.length,
      seconds: (t1 - t0) / 1000,
    };
  };
  return { longtasks, frame, until, rows, setSelect, loadingRuns, frameStats };
})();
`;

export interface Stats {
  p50: number;
  p95: number;
  max: number;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p95: at(95), max: sorted[sorted.length - 1]! };
}

/** Opens the app at the dashboard with every list loaded, ready for a navigation. */
async function openApp(page: Page, url: string, token: string): Promise<void> {
  await page.goto('about:blank'); // a real page load each time (not a same-document hash change)
  await page.goto(`${url}/#token=${token}`);
  await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { name: 'Dashboard' }).first().waitFor();
  // Let start-up fetches (lists, last run per task) settle so they do not blur the figures.
  await page.waitForLoadState('networkidle');
}

/** Navigation → first History rows painted, after a fresh page load each time. */
export async function measureHistoryOpen(
  page: Page,
  url: string,
  token: string,
  reps: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    await openApp(page, url, token);
    times.push(
      await page.evaluate(`(async () => {
        const b = window.__bench;
        const t0 = performance.now();
        window.location.hash = '#/history';
        const t1 = await b.until(() => b.rows().length > 0 && !b.loadingRuns());
        return t1 - t0;
      })()`),
    );
  }
  return times;
}

export interface ScrollResult {
  fps: number;
  frames: number;
  worstFrameMs: number;
  longestTaskMs: number;
  longTasks: number;
  rowsScrolled: number;
  loaded: number;
  seconds: number;
}

/** Scrolls the run list frame by frame through several pages (fetching as it goes). */
export async function measureScroll(page: Page, targetRows: number): Promise<ScrollResult> {
  return page.evaluate(`(async () => {
    const b = window.__bench;
    const list = document.querySelector('[role=list][aria-label=Runs]');
    await b.frame();
    const t0 = performance.now();
    const frames = [];
    const step = 10 * 36; // 10 rows per frame: about 600 rows a second at 60 fps
    await new Promise((resolve) => {
      const onFrame = (now) => {
        frames.push(now);
        list.scrollTop += step;
        const row = Math.floor(list.scrollTop / 36);
        if (row >= ${targetRows} || now - t0 > 20000) resolve();
        else requestAnimationFrame(onFrame);
      };
      requestAnimationFrame(onFrame);
    });
    const t1 = performance.now();
    return {
      ...b.frameStats(frames, t0, t1),
      rowsScrolled: Math.floor(list.scrollTop / 36),
      loaded: Number(list.getAttribute('data-count')),
    };
  })()`);
}

/** One filter change (select label → value) until the updated rows are painted. */
export async function measureFilter(
  page: Page,
  label: string,
  value: string,
  check: string,
): Promise<number> {
  return page.evaluate(`(async () => {
    const b = window.__bench;
    let sawLoading = false;
    const seen = new MutationObserver(() => { if (b.loadingRuns()) sawLoading = true; });
    seen.observe(document.body, { childList: true, subtree: true });
    const t0 = performance.now();
    b.setSelect(${JSON.stringify(label)}, ${JSON.stringify(value)});
    if (b.loadingRuns()) sawLoading = true;
    const t1 = await b.until(() => {
      if (b.loadingRuns()) sawLoading = true;
      const rows = b.rows();
      return sawLoading && !b.loadingRuns() && rows.length > 0 && rows.every((r) => (${check})(r.textContent));
    });
    seen.disconnect();
    return t1 - t0;
  })()`);
}

/**
 * A check (page-side source) that the table shows all `count` rows: every row in the DOM, or, for
 * a windowed table (hooks/useTableWindow.ts), `aria-rowcount` saying them all with the rows in
 * view rendered and the stand-in rows making up the rest of its height.
 */
function listShown(table: string, count: number): string {
  return `(() => {
    const t = document.querySelector('table[aria-label="${table}"]');
    if (!t) return false;
    const rows = t.querySelectorAll('tbody tr:not([data-spacer])').length;
    if (rows >= ${count}) return true;
    return t.getAttribute('aria-rowcount') === '${count + 1}' && rows > 0;
  })()`;
}

/** Navigation from the dashboard → a table with all its rows painted (or, windowed, in view). */
export async function measureList(
  page: Page,
  route: string,
  table: string,
  count: number,
  reps: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    await page.evaluate(`(async () => {
      window.location.hash = '#/';
      await window.__bench.until(() => !document.querySelector('table[aria-label="${table}"]'));
    })()`);
    times.push(
      await page.evaluate(`(async () => {
        const b = window.__bench;
        const t0 = performance.now();
        window.location.hash = '#/${route}';
        const t1 = await b.until(() => ${listShown(table, count)});
        return t1 - t0;
      })()`),
    );
  }
  return times;
}

/** Fresh page load straight into a route → its table painted (includes fetching the list). */
export async function measureColdList(
  page: Page,
  url: string,
  route: string,
  table: string,
  count: number,
): Promise<number> {
  await page.goto('about:blank');
  await page.goto(`${url}/#/${route}`);
  return page.evaluate(`(async () => {
    const t1 = await window.__bench.until(() => ${listShown(table, count)});
    return t1;
  })()`);
}
