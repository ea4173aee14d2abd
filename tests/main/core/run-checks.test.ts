/**
 * What the runner decides beside the executor, through the core: a task's checks on its result,
 * a chained run's truncated input, and a test run's sample input.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SAMPLE_PARENT_ID } from '../../../src/main/core/run-parts';
import type { MethodParams } from '../../../src/shared/contract';
import type { Task } from '../../../src/shared/domain';
import { apiConfigInput, call, executor, finishedRuns, useCoreApp } from './support/core-app';

useCoreApp();

let configId: string;
beforeEach(async () => {
  configId = (await call('configs.save', { config: apiConfigInput() })).id;
  executor.behaviour = async () => ({ result: { statusCode: 200, body: { items: [1, 2, 3] } } });
});

const saveTask = (
  name: string,
  fields: Partial<MethodParams<'tasks.save'>['task']> = {},
): Promise<Task> =>
  call('tasks.save', { task: { name, type: 'api', operation: 'read', configId, ...fields } });

describe('checks on a run result', () => {
  it('fail the run with CHECK_FAILED naming the first failed check and the value found', async () => {
    const task = await saveTask('Fetch', {
      checks: [
        { path: 'statusCode', op: 'equals', value: 200 },
        { path: 'body.items.length', op: 'equals', value: 4 },
        { path: 'body.token', op: 'exists' },
      ],
    });
    const run = await call('tasks.run', { id: task.id });
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'CHECK_FAILED', message: 'body.items.length equals 4 failed: actual 3' },
    });
    expect(run.result?.body).toEqual({ items: [1, 2, 3] });
    expect(run.result?.checks).toEqual([
      { path: 'statusCode', op: 'equals', value: 200, actual: 200, passed: true },
      {
        path: 'body.items.length',
        op: 'equals',
        value: 4,
        actual: 3,
        passed: false,
        message: 'actual 3',
      },
      {
        path: 'body.token',
        op: 'exists',
        passed: false,
        message: 'body.token: no key "token" in body; it has items',
      },
    ]);
  });

  it('pass the run and are recorded in result.checks, the run duration among the fields', async () => {
    const task = await saveTask('Fetch', {
      checks: [
        { path: 'body.items.length', op: 'equals', value: 3 },
        { path: 'durationMs', op: 'lt', value: 60_000 },
      ],
    });
    const run = await call('tasks.run', { id: task.id });
    expect(run.status).toBe('succeeded');
    expect(run).not.toHaveProperty('error');
    expect(run.result?.checks).toEqual([
      { path: 'body.items.length', op: 'equals', value: 3, actual: 3, passed: true },
      { path: 'durationMs', op: 'lt', value: 60_000, actual: expect.any(Number), passed: true },
    ]);
  });

  it('see the whole result, before the result size cap cuts what is stored', async () => {
    await call('settings.save', { settings: { resultMaxBytes: 1024 } });
    const items = Array.from({ length: 1000 }, (_, i) => i);
    executor.behaviour = async () => ({ result: { body: { items } } });
    const task = await saveTask('Big', {
      checks: [{ path: 'body.items.length', op: 'equals', value: 1000 }],
    });
    const run = await call('tasks.run', { id: task.id });
    expect(run.status).toBe('succeeded');
    expect(run.result?.truncated).toBe(true);
    expect(run.result?.checks).toMatchObject([{ actual: 1000, passed: true }]);
  });

  it('fail with changed when the value differs from the previous succeeded run', async () => {
    let body: unknown = { rate: 1 };
    executor.behaviour = async () => ({ result: { body } });
    const task = await saveTask('Watch', { checks: [{ path: 'body', op: 'changed' }] });
    const runs = [
      await call('tasks.run', { id: task.id }),
      await call('tasks.run', { id: task.id }),
    ];
    body = { rate: 2 };
    runs.push(await call('tasks.run', { id: task.id }));
    // Still compared with the last run that succeeded, whose rate was 1.
    runs.push(await call('tasks.run', { id: task.id }));
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'failed', 'failed']);
    expect(runs[2]!.error).toEqual({
      code: 'CHECK_FAILED',
      message: 'body changed failed: was {"rate":1}, now {"rate":2}',
    });
  });
});

describe('a chained run whose parent result was truncated', () => {
  beforeEach(async () => {
    await call('settings.save', { settings: { resultMaxBytes: 1024 } });
    executor.behaviour = async (request) =>
      request.task?.name === 'Parent'
        ? { result: { data: 'x'.repeat(5000) } }
        : { result: { summary: 'child' } };
  });

  it('fails with INPUT_TRUNCATED without retrying, naming both ways out', async () => {
    const parent = await saveTask('Parent');
    const child = await saveTask('Child', {
      runAfter: [{ taskId: parent.id, when: 'succeeded' }],
      retry: { attempts: 3, backoffMs: 0, factor: 1 },
    });
    const cut = await call('tasks.run', { id: parent.id });
    expect(cut.result?.truncated).toBe(true);
    const [run] = await finishedRuns(child.id, 1);
    expect(run).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: {
        code: 'INPUT_TRUNCATED',
        message: expect.stringMatching(/raise resultMaxBytes.*allowTruncatedInput/),
      },
    });
    expect(executor.calls.filter((r) => r.task?.id === child.id)).toEqual([]);
    expect((await call('runs.list', { taskId: child.id })).items).toHaveLength(1);
  });

  it('runs with the truncated input when the task allows it', async () => {
    const parent = await saveTask('Parent');
    const child = await saveTask('Child', {
      runAfter: [{ taskId: parent.id, when: 'succeeded' }],
      allowTruncatedInput: true,
    });
    await call('tasks.run', { id: parent.id });
    const [run] = await finishedRuns(child.id, 1);
    expect(run!.status).toBe('succeeded');
    const request = executor.calls.find((r) => r.task?.id === child.id)!;
    expect(request.template?.input?.truncated).toBe(true);
  });
});

describe('a test run', () => {
  it('gives a sample input to the placeholders as the parent result', async () => {
    const run = await call('configs.test', {
      config: apiConfigInput('Sample'),
      operation: 'read',
      input: { body: { items: [1, 2] } },
    });
    expect(run.status).toBe('succeeded');
    expect(executor.calls.at(-1)!.template).toMatchObject({
      run: { id: run.id },
      parent: { id: SAMPLE_PARENT_ID, scheduledFor: run.startedAt },
      input: { result: { body: { items: [1, 2] } }, truncated: false },
    });
  });

  it('without an input has no parent', async () => {
    await call('configs.test', { config: apiConfigInput('Plain'), operation: 'read' });
    const template = executor.calls.at(-1)!.template!;
    expect(template).not.toHaveProperty('input');
    expect(template).not.toHaveProperty('parent');
    expect(template.task).toEqual({ id: '', name: 'Test of Plain' });
  });
});
