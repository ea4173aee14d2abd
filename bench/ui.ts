/**
 * UI performance: `node --import tsx bench/ui.ts`.
 * Builds a json data dir with 1,000,000 runs over 30 days plus 1,000 configurations, tasks and
 * schedule entries (catalog through the real core), starts the real headless service, drives
 * Debian Chromium and measures in the page (performance.now, longtask observer, rAF frames):
 * History first page, filter changes, scrolling, the 1,000-item lists, the charts (runs.stats
 * latency over 30 days of runs, cold and warm; charts drawn; hover frames) and the bundle size
 * (what the page loads first, and with the lazy chunks such as uPlot).
 * BENCH_RUNS=N changes the history size; BENCH_REPS=N the repetitions (default 5).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { createApp } from '../src/main/app';
import { JsonStore } from '../src/main/store/json/json-store';
import type { RunStatus, Task, TaskType } from '../src/shared/domain';
import { CHROMIUM_LAUNCH_OPTIONS } from '../e2e/support/chromium';
import { sampleRun, writeRunHistory } from './support/run-history';
import {
  INSTRUMENT,
  measureColdList,
  measureFilter,
  measureHistoryOpen,
  measureList,
  measureScroll,
  stats,
} from './support/ui-page';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import {
  bundleSplit,
  lastDays,
  measureChartsOpen,
  measureHover,
  timeRunStats,
} from './support/ui-charts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RENDERER = join(ROOT, 'out', 'renderer');
const HOUR = 3_600_000;
const DAYS = 30;
const TYPES: TaskType[] = ['api', 'db', 'file'];
const TOKEN = 'bench-ui-token-0123456789abcdef';
const TOTAL = Number(process.env.BENCH_RUNS ?? 1_000_000);
const CATALOG = 1_000;
const REPS = Number(process.env.BENCH_REPS ?? 5);

type Row = [figure: string, measured: string, goal: string, pass: boolean | undefined];

// ---------------------------------------------------------------- data

/** 1,000 configurations, tasks and schedule entries through the real core (validated). */
async function buildCatalog(dataDir: string): Promise<Task[]> {
  const app = createApp({ store: new JsonStore({ dataDir }), executors: {} });
  await app.start();
  try {
    const configs = await Promise.all(
      Array.from({ length: CATALOG }, (_, i) => {
        const type = TYPES[i % 3]!;
        const params =
          type === 'api'
            ? { url: `http://127.0.0.1:9/items/${i}` }
            : type === 'db'
              ? {
                  uri: 'mongodb://127.0.0.1:9/bench',
                  database: 'bench',
                  collection: `c${i}`,
                  ...(i % 2 ? { insert: { documents: [{ n: i }] } } : { find: { filter: {} } }),
                }
              : {
                  location: join(dataDir, `files/f${i}.json`),
                  format: 'json',
                  ...(i % 2 ? { content: `{"n":${i}}` } : {}),
                };
        return app.core.call('configs.save', {
          config: { name: `Config ${String(i).padStart(4, '0')}`, type, params },
        });
      }),
    );
    const tasks = await Promise.all(
      configs.map((c, i) =>
        app.core.call('tasks.save', {
          task: {
            name: `Task ${String(i).padStart(4, '0')} ${c.type}`,
            type: c.type,
            operation: i % 2 ? 'write' : 'read',
            configId: c.id,
          },
        }),
      ),
    );
    // Enabled entries that will not fire during the bench (a week apart), and some disabled.
    await Promise.all(
      tasks.map((t, i) =>
        app.core.call('schedules.save', {
          entry:
            i % 2
              ? { taskId: t.id, kind: 'frequency', everySeconds: 7 * 86_400, enabled: i % 5 !== 0 }
              : {
                  taskId: t.id,
                  kind: 'cron',
                  cron: `${i % 60} ${i % 24} 1 1 *`,
                  timezone: 'Europe/Berlin',
                  enabled: i % 5 !== 0,
                },
        }),
      ),
    );
    return tasks;
  } finally {
    await app.stop();
  }
}

const STATUSES: RunStatus[] = ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed'];

function statusOf(i: number): RunStatus {
  if (i % 997 === 0) return 'timed-out';
  if (i % 499 === 0) return 'skipped';
  if (i % 1009 === 0) return 'interrupted';
  return STATUSES[i % STATUSES.length]!;
}

/** `count` runs of the catalog's tasks over the last DAYS days, one segment file per hour. */
function buildRuns(dataDir: string, tasks: Task[], count: number): Promise<void> {
  const end = Date.now() - 60_000;
  return writeRunHistory(dataDir, count, end - DAYS * 24 * HOUR, end, (id, ms, i) => {
    const task = tasks[(i * 7) % tasks.length]!;
    return sampleRun(id, ms, i, { ...task, configName: `Config of ${task.name}` }, statusOf(i));
  });
}

// ---------------------------------------------------------------- service

/** The service as `npm run serve` starts it: the launcher builds the service and the UI when stale. */
function startService(dataDir: string): Promise<ServiceProcess> {
  return startServiceProcess({
    entry: [join(ROOT, 'bin/task-scheduler.mjs')],
    dataDir,
    token: TOKEN,
    where: 'bench/ui',
  });
}

const ms = (n: number): string => `${n.toFixed(0)} ms`;

// ---------------------------------------------------------------- bundle

function bundleRows(): Row[] {
  const assets = join(RENDERER, 'assets');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  let raw = 0;
  let gz = 0;
  let lines = 0;
  let jsBytes = 0;
  for (const f of files) {
    const buf = readFileSync(join(assets, f));
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
    if (f.endsWith('.js')) {
      jsBytes += buf.length;
      lines += buf.toString('utf8').split('\n').length;
    }
  }
  const maps = readdirSync(assets).filter((f) => f.endsWith('.map')).length;
  // Minified output has very long lines and no source maps next to it.
  const minified = jsBytes / lines > 1000 && maps === 0;
  return [
    [
      'renderer bundle minified (JS bytes per line, no .map)',
      `${Math.round(jsBytes / lines).toLocaleString()} B/line, ${maps} maps`,
      'minified',
      minified,
    ],
    [
      `renderer bundle size (${files.length} js/css files)`,
      `${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip`,
      'reported',
      undefined,
    ],
  ];
}

// ---------------------------------------------------------------- main

function printTable(rows: Row[]): void {
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length), 8));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 4)).join(' | ')} |`;
  console.log(line(['figure', 'measured', 'goal', 'pass']));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat('----')));
  for (const [figure, measured, goal, pass] of rows)
    console.log(line([figure, measured, goal, pass === undefined ? '—' : pass ? 'pass' : 'FAIL']));
}

async function main(): Promise<void> {
  const began = performance.now();
  const rows: Row[] = [];
  const stale = !existsSync(join(RENDERER, 'index.html'))
    ? 'out/renderer/index.html is missing'
    : bundleRows()[0]![3]
      ? undefined
      : 'out/renderer is not a minified production build';
  if (stale || process.env.BENCH_BUILD === '1') {
    console.log(`building the renderer (${stale ?? 'BENCH_BUILD=1'})…`);
    const build = spawnSync(
      'npx',
      ['vite', 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (build.status !== 0) throw new Error('bench/ui: building the renderer failed');
  }
  const dataDir = await fs.mkdtemp(join(tmpdir(), 'bench-ui-'));
  let service: ServiceProcess | undefined;
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const tasks = await buildCatalog(dataDir);
    await buildRuns(dataDir, tasks, TOTAL);
    console.log(
      `data: ${TOTAL.toLocaleString()} runs over ${DAYS} days, ${CATALOG} configurations/tasks/entries (${((performance.now() - began) / 1000).toFixed(1)} s)`,
    );
    service = await startService(dataDir);
    const url = service.origin;

    // runs.stats over the whole history, before any page asked (cold: every segment file read).
    const cold = await timeRunStats(url, TOKEN, lastDays(DAYS + 1));
    const warm: number[] = [];
    for (let i = 0; i < REPS; i++)
      warm.push((await timeRunStats(url, TOKEN, lastDays(DAYS + 1))).ms);
    const week: number[] = [];
    for (let i = 0; i < REPS; i++) week.push((await timeRunStats(url, TOKEN, lastDays(7))).ms);
    const oneTask: number[] = [];
    for (let i = 0; i < REPS; i++)
      oneTask.push(
        (await timeRunStats(url, TOKEN, { ...lastDays(DAYS + 1), taskId: tasks[0]!.id })).ms,
      );
    const oneType: number[] = [];
    for (let i = 0; i < REPS; i++)
      oneType.push((await timeRunStats(url, TOKEN, { ...lastDays(DAYS + 1), type: 'db' })).ms);
    const w = stats(warm);
    rows.push(
      [
        `runs.stats over ${DAYS} days (${cold.runs.toLocaleString()} runs): first call (files read)`,
        ms(cold.ms),
        'info',
        undefined,
      ],
      [
        `  runs.stats ${DAYS} days again (p50 / p95 of ${REPS})`,
        `${ms(w.p50)} / ${ms(w.p95)}`,
        '≤ 300 ms',
        w.p95 <= 300,
      ],
      [
        `  runs.stats 7 days (p50 of ${REPS})`,
        ms(stats(week).p50),
        '≤ 300 ms',
        stats(week).p95 <= 300,
      ],
      [
        `  runs.stats one task, ${DAYS} days (p50 of ${REPS})`,
        ms(stats(oneTask).p50),
        '≤ 300 ms',
        stats(oneTask).p95 <= 300,
      ],
      [
        `  runs.stats one type (db), ${DAYS} days (p50 of ${REPS})`,
        ms(stats(oneType).p50),
        '≤ 300 ms',
        stats(oneType).p95 <= 300,
      ],
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(INSTRUMENT);
    const page = await context.newPage();

    // History: navigation → first page.
    const open = stats(await measureHistoryOpen(page, url, TOKEN, REPS));
    rows.push([
      `History first page after navigation (p50 / p95 of ${REPS})`,
      `${ms(open.p50)} / ${ms(open.p95)}`,
      '≤ 300 ms',
      open.p95 <= 300,
    ]);

    // Scrolling through several pages (page fetches included).
    const scroll = await measureScroll(page, 2_000);
    rows.push([
      `History scroll: fps over ${scroll.rowsScrolled.toLocaleString()} rows (${scroll.loaded.toLocaleString()} loaded, ${scroll.seconds.toFixed(1)} s)`,
      `${scroll.fps.toFixed(1)} fps (worst frame ${ms(scroll.worstFrameMs)})`,
      '≥ 50 fps',
      scroll.fps >= 50,
    ]);
    rows.push([
      '  longest long task while scrolling',
      `${ms(scroll.longestTaskMs)} (${scroll.longTasks} long tasks)`,
      '≤ 50 ms',
      scroll.longestTaskMs <= 50,
    ]);

    // Filter changes: type, status, period presets.
    const typeCheck = (t: string): string =>
      `(text) => text.includes(' ${t} ') || text.includes('${t} read') || text.includes('${t} write')`;
    const filterTimes: number[] = [];
    const filterCases: [string, string, string][] = [
      ['Filter runs by type', 'db', typeCheck('db')],
      ['Filter runs by status', 'failed', `(text) => text.startsWith('failed')`],
      ['Filter runs by type', 'api', typeCheck('api')],
      ['Filter runs by status', 'timed-out', `(text) => text.startsWith('timed-out')`],
      ['Filter runs by status', '', `(text) => true`],
      ['Period preset', 'last 24 h', `(text) => true`],
      ['Filter runs by type', 'file', typeCheck('file')],
      ['Period preset', 'last 7 days', `(text) => true`],
      ['Filter runs by status', 'skipped', `(text) => text.startsWith('skipped')`],
      ['Period preset', 'all', `(text) => true`],
      ['Filter runs by type', '', `(text) => true`],
      ['Filter runs by status', '', `(text) => true`],
    ];
    for (const [label, value, check] of filterCases) {
      try {
        filterTimes.push(await measureFilter(page, label, value, check));
      } catch (error) {
        const seen = await page.evaluate(
          `window.__bench.rows().slice(0, 3).map((r) => r.textContent)`,
        );
        throw new Error(
          `bench/ui: filter ${label} = "${value}" never showed matching rows (${JSON.stringify(seen)}): ${String(error)}`,
        );
      }
    }
    console.log(
      'filter changes (ms): ' +
        filterCases
          .map(
            ([l, v], i) =>
              `${l.replace(/^Filter runs by /, '')}=${v || 'all'} ${filterTimes[i]!.toFixed(0)}`,
          )
          .join(', '),
    );
    const filter = stats(filterTimes);
    rows.push([
      `History filter change → rows (p50 / p95 / max of ${filterTimes.length})`,
      `${ms(filter.p50)} / ${ms(filter.p95)} / ${ms(filter.max)}`,
      '≤ 300 ms',
      filter.p95 <= 300,
    ]);

    // The 1,000-item lists, rendered on navigation (data already loaded by the app).
    for (const [route, table] of [
      ['tasks', 'Tasks'],
      ['schedules', 'Schedule entries'],
      ['configs', 'Configurations'],
    ] as const) {
      const s = stats(await measureList(page, route, table, CATALOG, REPS));
      rows.push([
        `${table} list, ${CATALOG} items, render after navigation (p50 / p95 of ${REPS})`,
        `${ms(s.p50)} / ${ms(s.p95)}`,
        '≤ 200 ms',
        s.p95 <= 200,
      ]);
    }
    for (const [route, table] of [
      ['tasks', 'Tasks'],
      ['schedules', 'Schedule entries'],
    ] as const) {
      const t = await measureColdList(page, url, route, table, CATALOG);
      rows.push([`  ${table}: page load → list painted (incl. fetch)`, ms(t), 'info', undefined]);
    }
    // Charts: History's two charts over the whole period, then hovering the runs chart.
    const charts = stats(
      await (async () => {
        const times: number[] = [];
        for (let i = 0; i < REPS; i++) times.push(await measureChartsOpen(page));
        return times;
      })(),
    );
    rows.push([
      `History charts drawn after navigation, runs.stats over ${DAYS} days included (p50 / p95 of ${REPS})`,
      `${ms(charts.p50)} / ${ms(charts.p95)}`,
      '≤ 1000 ms',
      charts.p95 <= 1000,
    ]);
    const hover = await measureHover(page, 3_000);
    rows.push([
      `Runs chart hover: fps with a pointer move every frame (${hover.seconds.toFixed(1)} s)`,
      `${hover.fps.toFixed(1)} fps (worst frame ${ms(hover.worstFrameMs)}, longest task ${ms(hover.longestTaskMs)})`,
      '≥ 60 fps',
      hover.fps >= 59.5,
    ]);
    await context.close();
    rows.push(...bundleRows());
    const split = bundleSplit(RENDERER);
    const lazy = split.lazy
      .sort((a, b) => b.kiB - a.kiB)
      .slice(0, 4)
      .map((c) => `${c.file.replace(/-[\w]{8}\./, '.')} ${c.kiB.toFixed(1)}`)
      .join(', ');
    rows.push(
      [
        'renderer bundle loaded first (entry, static imports, CSS)',
        `${split.initialKiB.toFixed(1)} KiB gzip`,
        '< 250 KiB gzip',
        split.initialKiB < 250,
      ],
      [
        `  with the lazy chunks (largest: ${lazy})`,
        `${split.totalKiB.toFixed(1)} KiB gzip`,
        'reported',
        undefined,
      ],
    );
  } finally {
    await browser.close();
    await service?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
    printTable(rows); // what was measured, also when a later step failed
  }
  console.log(`(bench/ui took ${((performance.now() - began) / 1000).toFixed(0)} s)`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
