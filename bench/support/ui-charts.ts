/**
 * bench/ui.ts's chart figures: `runs.stats` latency over HTTP (cold, then warm), History's charts
 * drawn after navigation, hover frames over the runs chart (a pointer move every frame), and the
 * bundle split into what the page loads first and the chunks it loads later.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';

const DAY = 86_400_000;

/** One `runs.stats` call over HTTP; returns its latency in ms and the runs it counted. */
export async function timeRunStats(
  origin: string,
  token: string,
  params: Record<string, unknown>,
): Promise<{ ms: number; runs: number }> {
  const t0 = performance.now();
  const response = await fetch(`${origin}/api/runs.stats`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await response.json()) as {
    result?: { totals: { runs: number } };
    error?: unknown;
  };
  if (!response.ok || !body.result) throw new Error(`runs.stats: ${JSON.stringify(body.error)}`);
  return { ms: performance.now() - t0, runs: body.result.totals.runs };
}

/** The period of the last `days` days, as runs.stats takes it. */
export function lastDays(days: number): { from: string; to: string } {
  const to = Date.now();
  return { from: new Date(to - days * DAY).toISOString(), to: new Date(to).toISOString() };
}

/** Tasks → History: both charts drawn (runs.stats over the whole period included). */
export async function measureChartsOpen(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    const b = window.__bench;
    window.location.hash = '#/tasks';
    await b.until(() => !document.querySelector('[data-chart]'));
    const t0 = performance.now();
    window.location.hash = '#/history';
    const t1 = await b.until(
      () => document.querySelectorAll('[data-chart][data-drawn=true]').length >= 2,
      120000,
    );
    return t1 - t0;
  })()`);
}

export interface HoverResult {
  fps: number;
  frames: number;
  worstFrameMs: number;
  longestTaskMs: number;
  seconds: number;
}

/** Moves the pointer across the runs chart, one step every frame for `ms`, counting frames. */
export async function measureHover(page: Page, ms: number): Promise<HoverResult> {
  return page.evaluate(`(async () => {
    const b = window.__bench;
    const over = document.querySelector('[data-chart="runs-by-status"] .u-over');
    if (!over) throw new Error('bench/ui: the runs chart is not drawn');
    const rect = over.getBoundingClientRect();
    await b.frame();
    const t0 = performance.now();
    const frames = [];
    let x = 0;
    await new Promise((resolve) => {
      const onFrame = (now) => {
        frames.push(now);
        x = (x + 7) % rect.width;
        over.dispatchEvent(new MouseEvent('mousemove', {
          clientX: rect.left + x, clientY: rect.top + rect.height / 2, bubbles: true,
        }));
        if (now - t0 > ${ms}) resolve();
        else requestAnimationFrame(onFrame);
      };
      requestAnimationFrame(onFrame);
    });
    return b.frameStats(frames, t0, performance.now());
  })()`);
}

/** Gzip KiB of what index.html loads (entry, its static imports, CSS) and of every asset. */
export function bundleSplit(rendererDir: string): {
  initialKiB: number;
  totalKiB: number;
  lazy: { file: string; kiB: number }[];
} {
  const assets = join(rendererDir, 'assets');
  const gz = (f: string): number => gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  const files = readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  const html = readFileSync(join(rendererDir, 'index.html'), 'utf8');
  const initial = new Set<string>();
  const visit = (f: string): void => {
    if (initial.has(f) || !files.includes(f)) return;
    initial.add(f);
    if (!f.endsWith('.js')) return;
    const text = readFileSync(join(assets, f), 'utf8');
    // Static imports only: `import … from "./x.js"` / `import "./x.js"` (dynamic ones are lazy).
    for (const m of text.matchAll(
      /(?:^|[;}\s])import\s*(?:[^"'()]*?from\s*)?["']\.\/([\w.-]+)["']/g,
    ))
      visit(m[1]!);
  };
  for (const m of html.matchAll(/(?:src|href)="\.\/assets\/([\w.-]+)"/g)) visit(m[1]!);
  let initialBytes = 0;
  let total = 0;
  const lazy: { file: string; kiB: number }[] = [];
  for (const f of files) {
    const size = gz(f);
    total += size;
    if (initial.has(f)) initialBytes += size;
    else lazy.push({ file: f, kiB: size / 1024 });
  }
  return { initialKiB: initialBytes / 1024, totalKiB: total / 1024, lazy };
}
