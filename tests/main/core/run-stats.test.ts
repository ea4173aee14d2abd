import { describe, expect, it } from 'vitest';
import { RUN_STATUSES } from '../../../src/shared/domain';
import { app, call, executor, makeTask, useCoreApp } from './support/core-app';

useCoreApp();

const HOUR = 3_600_000;
const around = (iso: string): { from: string; to: string } => ({
  from: new Date(Date.parse(iso) - HOUR).toISOString(),
  to: new Date(Date.parse(iso) + HOUR).toISOString(),
});

/** The `details.issues` of the VALIDATION error `params` get. */
async function issuesOf(params: unknown): Promise<{ path: string[]; message: string }[]> {
  const error = (await app.core.call('runs.stats', params).catch((e: unknown) => e)) as {
    code: string;
    message: string;
    details?: { issues?: { path: string[]; message: string }[] };
  };
  expect(error.code).toBe('VALIDATION');
  expect(error.message).toMatch(/\w/);
  return error.details?.issues ?? [];
}

describe('runs.stats', () => {
  it('counts the runs of the period per status, task and bucket, with every status listed', async () => {
    const { task } = await makeTask();
    const ok = await call('tasks.run', { id: task.id });
    executor.behaviour = async () => {
      throw new Error('down');
    };
    await call('tasks.run', { id: task.id });
    const stats = await call('runs.stats', around(ok.startedAt));
    expect(Object.keys(stats.totals.counts).sort()).toEqual([...RUN_STATUSES].sort());
    expect(stats.totals).toMatchObject({ runs: 2, tasks: 1, successRate: 0.5 });
    expect(stats.totals.counts.succeeded).toBe(1);
    expect(stats.totals.counts.failed).toBe(1);
    expect(stats.tasks).toEqual([
      expect.objectContaining({ taskId: task.id, taskName: 'Fetch', runs: 2, succeeded: 1 }),
    ]);
    expect(stats.buckets.reduce((n, b) => n + b.counts.succeeded + b.counts.failed, 0)).toBe(2);
    expect(stats.buckets.length).toBeLessThanOrEqual(60);
  });

  it('leaves test runs out unless includeTests is set', async () => {
    const { config } = await makeTask();
    const test = await call('configs.test', {
      config: { name: config.name, type: 'api', params: { url: 'http://127.0.0.1:9/echo' } },
      operation: 'read',
    });
    expect((await call('runs.stats', around(test.startedAt))).totals.runs).toBe(0);
    const withTests = await call('runs.stats', { ...around(test.startedAt), includeTests: true });
    expect(withTests.totals.runs).toBe(1);
    expect(withTests.tasks[0]).toMatchObject({ taskId: '', taskName: test.taskName });
  });

  it('names tasks as they are named now, not as their runs recorded them', async () => {
    const { task } = await makeTask();
    const done = await call('tasks.run', { id: task.id });
    await call('tasks.save', { task: { ...task, name: 'Fetch orders' } });
    const stats = await call('runs.stats', { ...around(done.startedAt), taskId: task.id });
    expect(stats.tasks.map((t) => t.taskName)).toEqual(['Fetch orders']);
  });

  it('refuses a period that ends before it starts, naming the field', async () => {
    const issues = await issuesOf({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(issues).toEqual([{ path: ['to'], message: expect.stringMatching(/before it starts/) }]);
    expect(
      await issuesOf({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
    ).toHaveLength(1);
  });

  it('refuses a period longer than 400 days, saying how to shorten it', async () => {
    const issues = await issuesOf({ from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(issues).toEqual([
      { path: ['from'], message: expect.stringMatching(/at most 400 days/) },
    ]);
  });

  it('refuses bucket counts outside 1..500 and fractions', async () => {
    const period = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    for (const buckets of [0, 501, 1.5]) {
      const issues = await issuesOf({ ...period, buckets });
      expect(issues[0]?.path).toEqual(['buckets']);
    }
  });

  it('refuses missing or malformed times, unknown types and unknown fields', async () => {
    expect((await issuesOf({ to: '2026-01-02T00:00:00Z' }))[0]?.path).toEqual(['from']);
    expect((await issuesOf({ from: 'yesterday', to: '2026-01-02T00:00:00Z' }))[0]?.path).toEqual([
      'from',
    ]);
    const period = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    expect((await issuesOf({ ...period, type: 'ftp' }))[0]?.path).toEqual(['type']);
    expect((await issuesOf({ ...period, includeTests: 'yes' }))[0]?.path).toEqual(['includeTests']);
    expect(await issuesOf({ ...period, status: 'failed' })).toHaveLength(1);
  });

  it('answers empty buckets for a period without runs', async () => {
    const stats = await call('runs.stats', {
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01T06:00:00Z',
      buckets: 6,
    });
    expect(stats).toMatchObject({ bucketMs: HOUR, tasks: [], totals: { runs: 0, tasks: 0 } });
    expect(stats.buckets.map((b) => b.start)).toEqual(
      [0, 1, 2, 3, 4, 5].map((h) =>
        new Date(Date.parse('2026-01-01T00:00:00Z') + h * HOUR).toISOString(),
      ),
    );
    expect(stats.totals.successRate).toBeUndefined();
    expect(stats.totals.p50).toBeUndefined();
  });
});
