import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { FileParams, Run, Task } from '../../../src/shared/domain';
import { dir, listDir, target, UNICODE, useFileSandbox } from './support/file-executor';

useFileSandbox();

describe('file tasks through the core', () => {
  let app: App;

  beforeAll(async () => {
    app = createApp({
      store: new MemoryStore(),
      executors: { api: new ApiExecutor(), file: new FileExecutor() },
    });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
  });

  async function runFileTask(
    params: FileParams,
    operation: 'read' | 'write',
    extra: Partial<Task> = {},
  ): Promise<Run> {
    const config = await app.core.call('configs.save', {
      config: { name: `file ${operation}`, type: 'file', params },
    });
    const task = await app.core.call('tasks.save', {
      task: {
        name: `file ${operation} task`,
        type: 'file',
        operation,
        configId: config.id,
        ...extra,
      },
    });
    const run = await app.core.call('tasks.run', { id: task.id });
    return app.core.call('runs.get', { id: run.id });
  }

  it('records a write and a read of the same file', async () => {
    const file = path.join(dir, 'core.txt');
    const write = await runFileTask({ location: file, content: UNICODE }, 'write');
    expect(write.status).toBe('succeeded');
    expect(write.result).toMatchObject({ location: file, bytes: Buffer.byteLength(UNICODE) });
    const read = await runFileTask({ location: file }, 'read');
    expect(read.status).toBe('succeeded');
    expect(read.result?.data).toBe(UNICODE);
  });

  it('records a missing file as a failed run with a clear error', async () => {
    const file = path.join(dir, 'nope.txt');
    const run = await runFileTask({ location: file }, 'read');
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'NOT_FOUND',
      message: `cannot read "${file}": it does not exist; check the path`,
    });
  });

  it('records an upload with its response and keeps a secret header out of the record', async () => {
    const run = await runFileTask(
      {
        location: `${target.url}/upload`,
        content: 'payload',
        headers: { Authorization: 'Bearer upload-secret' },
      },
      'write',
    );
    expect(run.status).toBe('succeeded');
    expect(run.result?.statusCode).toBe(200);
    expect(target.requests.at(-1)?.headers['authorization']).toBe('Bearer upload-secret');
    expect(JSON.stringify(run)).not.toContain('upload-secret');
  });

  it('retries a failing read once per attempt', async () => {
    const run = await runFileTask({ location: path.join(dir, 'later.txt') }, 'read', {
      retry: { attempts: 2, backoffMs: 1, factor: 1 },
    });
    expect(run.attempt).toBe(2);
    const { items } = await app.core.call('runs.list', { taskId: run.taskId });
    expect(items.map((r) => r.attempt).sort()).toEqual([1, 2]);
  });

  it('refuses a relative path at save, and one a placeholder fills in at run time without retrying', async () => {
    await expect(
      runFileTask({ location: 'relative.txt', content: 'x' }, 'write'),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/location "relative.txt" is a relative path/),
    });
    const run = await runFileTask(
      { location: '{{dir}}relative.txt', variables: { dir: '' }, content: 'x' },
      'write',
      { retry: { attempts: 3, backoffMs: 1, factor: 1 } },
    );
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INVALID_CONFIG');
    expect(run.attempt).toBe(1);
  });

  it('records a filled location in the result and keeps the template in the config snapshot', async () => {
    const params: FileParams = {
      location: path.join(dir, '{{name}}.txt'),
      variables: { name: 'report' },
      content: 'for {{name}}',
    };
    const run = await runFileTask(params, 'write');
    expect(run.status).toBe('succeeded');
    expect(run.result?.location).toBe(path.join(dir, 'report.txt'));
    expect(run.config).toMatchObject({ location: params.location, content: 'for {{name}}' });
    expect(await fs.readFile(path.join(dir, 'report.txt'), 'utf8')).toBe('for report');
  });

  it('records a placeholder without a value (an allowed env var not set) as INVALID_CONFIG without retrying', async () => {
    const run = await runFileTask(
      {
        location: path.join(dir, '{{env.TS_TEST_NEVER_SET}}.txt'),
        content: 'x',
        allowEnv: ['TS_TEST_NEVER_SET'],
      },
      'write',
      { retry: { attempts: 3, backoffMs: 1, factor: 1 } },
    );
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'INVALID_CONFIG',
      message:
        'location: placeholder {{env.TS_TEST_NEVER_SET}} has no value: environment variable TS_TEST_NEVER_SET is not set; set it before starting the app or use params.variables',
    });
    expect(run.attempt).toBe(1);
    expect(await listDir(dir)).toEqual([]);
  });

  it('records a task timeout against a slow download as timed-out', async () => {
    const run = await runFileTask({ location: `${target.url}/slow?ms=5000` }, 'read', {
      timeoutMs: 150,
    });
    expect(run.status).toBe('timed-out');
  });
});
