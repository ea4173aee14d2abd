/**
 * `GET /metrics` of the built service (json store, a local HTTP target): Prometheus text that a
 * strict parser accepts, run counters equal to the runs recorded, the token rules, and 404s in
 * JSON for unknown paths; the metrics token given with `--metrics-token`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';
import type { Run } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { killStarted, postJson, serveJson } from '../../support/serve-process';
import { parseMetricsText, sampleValue, type MetricFamily } from './metrics-text-format';

const SERVICE_TOKEN = 'metrics-test-token';
let base: string;
let target: HttpTarget;
let dataDir: string;

beforeAll(async () => {
  target = await startHttpTarget();
  dataDir = await mkdtemp(join(tmpdir(), 'metrics-'));
  ({ base } = await serveJson(join(dataDir, 'main'), SERVICE_TOKEN));
});
afterAll(async () => {
  killStarted();
  await target.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function api<T>(method: string, params: unknown): Promise<T> {
  const answer = await postJson(base, SERVICE_TOKEN, method, params);
  if (answer.status !== 200) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.result as T;
}

async function scrape(token = SERVICE_TOKEN): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${base}metrics`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseMetricsText(await res.text());
}

async function apiTask(name: string, path: string): Promise<string> {
  const config = await api<{ id: string }>('configs.save', {
    config: { name, type: 'api', params: { url: `${target.url}${path}` } },
  });
  const task = await api<{ id: string }>('tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id },
  });
  return task.id;
}

/** This time tomorrow (an entry that does not fire during the test). */
function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString();
}

/** Every run recorded, through `runs.list`. */
async function recordedRuns(): Promise<Run[]> {
  return (await api<{ items: Run[] }>('runs.list', { limit: 1000 })).items;
}

describe('GET /metrics on the built service', () => {
  it('counts the runs recorded by type and status, and times them', async () => {
    const okTask = await apiTask('metrics ok', '/json');
    const failingTask = await apiTask('metrics failing', '/status/500');
    for (let i = 0; i < 3; i++) await api('tasks.run', { id: okTask });
    for (let i = 0; i < 2; i++) await api('tasks.run', { id: failingTask });

    const runs = await recordedRuns();
    const count = (status: string): number => runs.filter((r) => r.status === status).length;
    expect([count('succeeded'), count('failed')]).toEqual([3, 2]);
    const metrics = await scrape();
    const runsTotal = (status: string): number | undefined =>
      sampleValue(metrics, 'task_scheduler_runs_total', { type: 'api', status });
    expect(runsTotal('succeeded')).toBe(count('succeeded'));
    expect(runsTotal('failed')).toBe(count('failed'));
    // Every type and final status is there from the start, at 0 until a run ends so.
    expect(
      sampleValue(metrics, 'task_scheduler_runs_total', { type: 'db', status: 'timed-out' }),
    ).toBe(0);
    expect(metrics.get('task_scheduler_runs_total')?.type).toBe('counter');

    const durations = 'task_scheduler_run_duration_seconds';
    expect(metrics.get(durations)?.type).toBe('histogram');
    const countOf = (status: string): number | undefined =>
      sampleValue(metrics, durations, { type: 'api', status }, `${durations}_count`);
    expect([countOf('succeeded'), countOf('failed')]).toEqual([3, 2]);
    const summed = runs
      .filter((r) => r.status === 'succeeded')
      .reduce((sum, r) => sum + r.durationMs! / 1000, 0);
    expect(
      sampleValue(metrics, durations, { type: 'api', status: 'succeeded' }, `${durations}_sum`),
    ).toBeCloseTo(summed, 6);

    // One insert (the running record) and one update (the final one) per run.
    const writes = 'task_scheduler_run_record_write_seconds';
    for (const op of ['insert', 'update']) {
      expect(sampleValue(metrics, writes, { op }, `${writes}_count`)).toBe(runs.length);
    }
  });

  it('reports the scheduler gauges as system.info does', async () => {
    const taskId = await apiTask('metrics gauges', '/json');
    await api('schedules.save', {
      entry: { taskId, kind: 'frequency', everySeconds: 3600, startAt: tomorrow() },
    });
    const info = await api<{ scheduler: Record<string, number | boolean> }>('system.info', {});
    const metrics = await scrape();
    expect(sampleValue(metrics, 'task_scheduler_schedule_entries')).toBe(info.scheduler.entries);
    expect(info.scheduler.entries).toBeGreaterThan(0);
    expect(sampleValue(metrics, 'task_scheduler_active_runs')).toBe(0);
    expect(sampleValue(metrics, 'task_scheduler_queued_runs')).toBe(0);
    expect(sampleValue(metrics, 'task_scheduler_concurrency_limit')).toBe(
      info.scheduler.concurrency,
    );
    expect(sampleValue(metrics, 'task_scheduler_scheduler_running')).toBe(1);
    expect(sampleValue(metrics, 'task_scheduler_info', { store: 'json' })).toBe(1);
  });

  it('measures how late scheduled runs started', async () => {
    const taskId = await apiTask('metrics scheduled', '/json');
    const entry = await api<{ id: string }>('schedules.save', {
      entry: { taskId, kind: 'frequency', everySeconds: 1 },
    });
    await expect
      .poll(async () => (await recordedRuns()).some((r) => r.trigger.scheduleId === entry.id), {
        timeout: 10_000,
      })
      .toBe(true);
    await api('schedules.delete', { id: entry.id });
    await expect
      .poll(async () => (await recordedRuns()).filter((r) => r.status === 'running').length)
      .toBe(0);

    const fired = (await recordedRuns()).filter((r) => r.trigger.kind === 'schedule');
    const metrics = await scrape();
    const lateness = 'task_scheduler_fire_lateness_seconds';
    expect(
      sampleValue(metrics, lateness, { type: 'api', trigger: 'schedule' }, `${lateness}_count`),
    ).toBe(fired.length);
    const late = fired.reduce(
      (sum, r) => sum + (Date.parse(r.startedAt) - Date.parse(r.scheduledFor!)) / 1000,
      0,
    );
    expect(
      sampleValue(metrics, lateness, { type: 'api', trigger: 'schedule' }, `${lateness}_sum`),
    ).toBeCloseTo(late, 6);
  });

  it('refuses a scrape without the token or with a wrong one', async () => {
    const missing = await fetch(`${base}metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const wrong = await fetch(`${base}metrics`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('answers unknown paths under /api/ and /metrics/ with 404 in JSON, not the UI', async () => {
    for (const path of ['api/nope', 'api/tasks/list', 'metrics/x']) {
      const res = await fetch(`${base}${path}`, {
        headers: { Authorization: `Bearer ${SERVICE_TOKEN}` },
      });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe('NOT_FOUND');
      expect(body.error.message, path).toContain(`/${path}`);
    }
    // An unknown name POSTed is still an unknown method, listing the valid ones.
    const posted = await postJson(base, SERVICE_TOKEN, 'nope', {});
    expect(posted.status).toBe(400);
    expect(posted.error?.message).toMatch(/Unknown method "nope"; use one of: tasks\.list/);
  });
});

describe('the metrics token', () => {
  const METRICS_TOKEN = 'prometheus-only-token';

  it('is read from --metrics-token or TASK_SCHEDULER_METRICS_TOKEN, the flag first', () => {
    const env = { TASK_SCHEDULER_METRICS_TOKEN: 'from-env' };
    expect(parseServeSettings([], env, '/data').metricsToken).toBe('from-env');
    expect(parseServeSettings(['--metrics-token', 'flag'], env, '/data').metricsToken).toBe('flag');
    expect(parseServeSettings([], {}, '/data').metricsToken).toBeUndefined();
    expect(() => parseServeSettings(['--metrics-token', 'has space'], {}, '/data')).toThrow(
      /--metrics-token must be printable ASCII without spaces/,
    );
  });

  it('opens /metrics of the built service and nothing else; the API token opens it too', async () => {
    // Stopped, and its data dir removed, with the other service after the tests.
    const served = await serveJson(
      join(dataDir, 'with-metrics-token'),
      SERVICE_TOKEN,
      '--metrics-token',
      METRICS_TOKEN,
    );
    const get = (path: string, token: string): Promise<Response> =>
      fetch(`${served.base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    const scraped = await get('metrics', METRICS_TOKEN);
    expect(scraped.status).toBe(200);
    expect(parseMetricsText(await scraped.text()).has('task_scheduler_runs_total')).toBe(true);
    expect((await get('metrics', SERVICE_TOKEN)).status).toBe(200);
    expect((await postJson(served.base, METRICS_TOKEN, 'tasks.list', {})).status).toBe(401);

    const wrong = await get('metrics', 'not-it');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(
      /also takes the metrics token \(--metrics-token/,
    );
  });
});
