import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { REDACTED, type ApiParams, type Run, type Task } from '../../../src/shared/domain';
import { JSON_BODY } from '../../support/http-target';
import { target, useApiTarget, type Echo } from './support/api-executor';

useApiTarget();

describe('api tasks through the core', () => {
  let app: App;
  let api: ApiExecutor;

  beforeAll(async () => {
    api = new ApiExecutor();
    app = createApp({
      store: new MemoryStore(),
      executors: { api, file: new FileExecutor() },
    });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
  });

  afterEach(() => undefined);

  async function saveConfig(params: ApiParams, name = 'api config'): Promise<string> {
    const config = await app.core.call('configs.save', { config: { name, type: 'api', params } });
    return config.id;
  }

  async function saveTask(
    configId: string,
    extra: Partial<Task> = {},
    operation: 'read' | 'write' = 'read',
  ): Promise<Task> {
    return app.core.call('tasks.save', {
      task: { name: 'api task', type: 'api', operation, configId, ...extra },
    });
  }

  async function runTask(id: string, configId?: string): Promise<Run> {
    const run = await app.core.call('tasks.run', { id, ...(configId ? { configId } : {}) });
    return app.core.call('runs.get', { id: run.id });
  }

  it('records a succeeded read with the response and never stores the bearer token', async () => {
    const configId = await saveConfig({
      url: `${target.url}/redirect?to=/echo`,
      auth: { kind: 'bearer', token: 'top-secret-token' },
      headers: { 'X-Api-Key': 'key-secret' },
    });
    const task = await saveTask(configId);
    const run = await runTask(task.id);
    expect(run.status).toBe('succeeded');
    expect(run.attempt).toBe(1);
    expect(run.result?.statusCode).toBe(200);
    expect(run.result?.url).toBe(`${target.url}/echo`);
    expect((run.result?.body as Echo).headers['authorization']).toBe('Bearer top-secret-token');
    // The echo shows the server got it; the stored snapshot must not hold it.
    expect((run.config.auth as { token: string }).token).toBe(REDACTED);
    expect((run.config.headers as Record<string, string>)['X-Api-Key']).toBe(REDACTED);
    expect(JSON.stringify(run.config)).not.toContain('top-secret-token');
    expect(JSON.stringify(run.config)).not.toContain('key-secret');
  });

  it('records a succeeded write', async () => {
    const configId = await saveConfig({ url: `${target.url}/echo`, body: { hello: 'world' } });
    const task = await saveTask(configId, {}, 'write');
    const run = await runTask(task.id);
    expect(run.status).toBe('succeeded');
    expect(run.operation).toBe('write');
    expect((run.result?.body as Echo).method).toBe('POST');
    expect((run.result?.body as Echo).json).toEqual({ hello: 'world' });
  });

  it('records a 404 as a failed run with the response kept', async () => {
    const configId = await saveConfig({ url: `${target.url}/status/404` });
    const run = await runTask((await saveTask(configId)).id);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('HTTP_STATUS');
    expect(run.error?.message).toContain('404');
    expect(run.result?.statusCode).toBe(404);
    expect(run.result?.body).toEqual({ status: 404 });
  });

  it('retries a failing task, one run per attempt', async () => {
    const configId = await saveConfig({ url: `${target.url}/status/503` });
    const task = await saveTask(configId, { retry: { attempts: 3, backoffMs: 1, factor: 1 } });
    const last = await app.core.call('tasks.run', { id: task.id });
    expect(last.attempt).toBe(3);
    const { items } = await app.core.call('runs.list', { taskId: task.id });
    const attempts = items.map((r) => [r.attempt, r.status, r.trigger.kind]).sort();
    expect(attempts).toEqual([
      [1, 'failed', 'manual'],
      [2, 'failed', 'retry'],
      [3, 'failed', 'retry'],
    ]);
    expect(items.every((r) => r.result?.statusCode === 503)).toBe(true);
  });

  it('does not retry an invalid configuration', async () => {
    // Saved placeholders must be fillable (configs.save checks); a run can still find one
    // without a value: an allowed environment variable that is not set.
    const configId = await saveConfig({
      url: `${target.url}/echo/{{env.TS_TEST_NEVER_SET}}`,
      allowEnv: ['TS_TEST_NEVER_SET'],
    });
    const task = await saveTask(configId, { retry: { attempts: 3, backoffMs: 1, factor: 1 } });
    const run = await app.core.call('tasks.run', { id: task.id });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INVALID_CONFIG');
    const { items } = await app.core.call('runs.list', { taskId: task.id });
    expect(items).toHaveLength(1);
  });

  it('records a task that exceeds its timeout as timed-out', async () => {
    const configId = await saveConfig({ url: `${target.url}/slow?ms=5000` });
    const task = await saveTask(configId, { timeoutMs: 150 });
    const run = await runTask(task.id);
    expect(run.status).toBe('timed-out');
    expect(run.error?.code).toBe('TIMEOUT');
  });

  it('records the executor timeout (params.timeoutMs) as timed-out too', async () => {
    const configId = await saveConfig({ url: `${target.url}/slow?ms=5000`, timeoutMs: 150 });
    const run = await runTask((await saveTask(configId)).id);
    expect(run.status).toBe('timed-out');
    expect(run.error?.message).toContain('did not answer within 150 ms');
  });

  it('records a connection error with a clear message', async () => {
    const configId = await saveConfig({ url: 'http://unreachable.invalid/' });
    const run = await runTask((await saveTask(configId)).id);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'DNS',
      message: expect.stringContaining('unreachable.invalid') as unknown as string,
    });
  });

  it('runs with another api configuration, and refuses a configuration of another type', async () => {
    const first = await saveConfig({ url: `${target.url}/status/500` });
    const second = await saveConfig({ url: `${target.url}/json` }, 'second');
    const task = await saveTask(first);
    const run = await runTask(task.id, second);
    expect(run.status).toBe('succeeded');
    expect(run.configId).toBe(second);
    expect(run.result?.body).toEqual(JSON_BODY);
    const fileConfig = await app.core.call('configs.save', {
      config: { name: 'file', type: 'file', params: { location: '/tmp/x.txt' } },
    });
    await expect(
      app.core.call('tasks.run', { id: task.id, configId: fileConfig.id }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
