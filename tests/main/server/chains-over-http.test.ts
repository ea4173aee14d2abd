/**
 * Chains and checks through the built service's HTTP API (issue #15), against a local HTTP
 * endpoint answering `{"items":[1,2,3]}` (and more, tests/support/http-target.ts): an api read
 * chained to a file write that saves the items, started by hand and by a schedule, retried,
 * cycles refused, and checks on the answer.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, Task } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { killStarted, serveJson } from '../../support/serve-process';
import { call, ok, TOKEN } from './helpers';

let port = 0;
let dir = '';
let target: HttpTarget;

beforeAll(async () => {
  target = await startHttpTarget();
  dir = await mkdtemp(join(tmpdir(), 'chains-http-'));
  const { base } = await serveJson(join(dir, 'data'), TOKEN);
  port = Number(new URL(base).port);
});
afterAll(async () => {
  killStarted();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

/** Saves a configuration and a task using it over HTTP. */
async function saveTask(
  name: string,
  config: { type: 'api' | 'file'; params: Record<string, unknown> },
  fields: Partial<Task> = {},
): Promise<Task> {
  const saved = await ok<{ id: string }>(port, 'configs.save', { config: { name, ...config } });
  return ok<Task>(port, 'tasks.save', {
    task: {
      name,
      type: config.type,
      operation: config.type === 'file' ? 'write' : 'read',
      configId: saved.id,
      ...fields,
    },
  });
}

const fetchItems = (name: string, fields: Partial<Task> = {}): Promise<Task> =>
  saveTask(name, { type: 'api', params: { url: `${target.url}/json` } }, fields);

/** The final runs of a task, oldest first, once there are `count` of them. */
async function runsOf(taskId: string, count: number): Promise<Run[]> {
  let runs: Run[] = [];
  await expect
    .poll(
      async () => {
        const page = await ok<{ items: Run[] }>(port, 'runs.list', { taskId });
        runs = page.items.filter((r) => r.status !== 'running').reverse();
        return runs.length;
      },
      { timeout: 10_000, interval: 50 },
    )
    .toBeGreaterThanOrEqual(count);
  return runs;
}

describe('chains through the built service', () => {
  it('an api read chained to a file write saves the items it read into a file named by date', async () => {
    const fetch = await fetchItems('Fetch items');
    const location = join(dir, 'out', 'items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json');
    const save = await saveTask(
      'Save items',
      {
        type: 'file',
        params: { location, format: 'json', createDirs: true, content: '{{input.body.items}}' },
      },
      { runAfter: [{ taskId: fetch.id, when: 'succeeded' }] },
    );
    const parent = await ok<Run>(port, 'tasks.run', { id: fetch.id });
    const [child] = await runsOf(save.id, 1);
    expect(child).toMatchObject({
      status: 'succeeded',
      trigger: { kind: 'chain', parentRunId: parent.id, parentTaskId: fetch.id },
    });
    expect(Date.parse(child!.startedAt) - Date.parse(parent.finishedAt!)).toBeLessThan(1000);
    const file = join(dir, 'out', `items-${child!.startedAt.slice(0, 10)}.json`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([1, 2, 3]);
    const children = await ok<{ items: Run[] }>(port, 'runs.list', { parentRunId: parent.id });
    expect(children.items.map((r) => r.id)).toEqual([child!.id]);
  });

  it('a scheduled parent starts its chained task, which retries as its task says', async () => {
    const fetch = await fetchItems('Every second');
    const post = await saveTask(
      'Post to a failing endpoint',
      { type: 'api', params: { url: `${target.url}/status/503`, method: 'POST', body: {} } },
      {
        runAfter: [{ taskId: fetch.id, when: 'finished' }],
        retry: { attempts: 2, backoffMs: 0, factor: 1 },
      },
    );
    const entry = await ok<{ id: string }>(port, 'schedules.save', {
      entry: { taskId: fetch.id, kind: 'frequency', everySeconds: 1 },
    });
    const attempts = (await runsOf(post.id, 2)).slice(0, 2);
    await ok(port, 'schedules.delete', { id: entry.id });
    const parent = await ok<Run>(port, 'runs.get', { id: attempts[0]!.trigger.parentRunId! });
    expect(parent.trigger).toEqual({ kind: 'schedule', scheduleId: entry.id });
    expect(attempts.map((r) => [r.status, r.trigger.kind, r.trigger.parentRunId])).toEqual([
      ['failed', 'chain', parent.id],
      ['failed', 'retry', parent.id],
    ]);
  });

  it('refuses a runAfter that would make a cycle, naming it, with the field in the details', async () => {
    const a = await fetchItems('A');
    const b = await fetchItems('B', { runAfter: [{ taskId: a.id, when: 'succeeded' }] });
    const res = await call(port, 'tasks.save', {
      task: { ...a, runAfter: [{ taskId: b.id, when: 'failed' }] },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        code: 'VALIDATION',
        message: expect.stringContaining('this makes a cycle: "A" → "B" → "A"'),
        details: { issues: [{ path: ['task', 'runAfter', '0', 'taskId'] }] },
      },
    });
    expect(await ok<Task>(port, 'tasks.get', { id: a.id })).toEqual(a);
  });
});

describe('checks through the built service', () => {
  it('body.items.length equals 4 fails the run with CHECK_FAILED, equals 3 passes', async () => {
    const four = await fetchItems('Four items?', {
      checks: [{ path: 'body.items.length', op: 'equals', value: 4 }],
    });
    const three = await fetchItems('Three items?', {
      checks: [{ path: 'body.items.length', op: 'equals', value: 3 }],
    });
    const failed = await ok<Run>(port, 'tasks.run', { id: four.id });
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'CHECK_FAILED', message: 'body.items.length equals 4 failed: actual 3' },
      result: {
        statusCode: 200,
        checks: [{ path: 'body.items.length', op: 'equals', value: 4, actual: 3, passed: false }],
      },
    });
    const passed = await ok<Run>(port, 'tasks.run', { id: three.id });
    expect(passed).toMatchObject({
      status: 'succeeded',
      result: { checks: [{ actual: 3, passed: true }] },
    });
    expect(passed).not.toHaveProperty('error');
  });
});
