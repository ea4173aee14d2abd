import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { TaskError } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import {
  apiConfigInput,
  app,
  call,
  events,
  executor,
  expectError,
  makeTask,
  useCoreApp,
} from './support/core-app';

useCoreApp();

describe('tasks', () => {
  it('are created, read, edited and listed by type', async () => {
    const { task, config } = await makeTask();
    expect(await call('tasks.get', { id: task.id })).toEqual(task);
    const edited = await call('tasks.save', {
      task: { ...task, name: 'Fetch again', description: 'd' },
    });
    expect(edited).toMatchObject({ id: task.id, name: 'Fetch again', createdAt: task.createdAt });
    const file = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    await call('tasks.save', {
      task: { name: 'Read file', type: 'file', operation: 'read', configId: file.id },
    });
    expect((await call('tasks.list', { type: 'api' })).map((t) => t.name)).toEqual(['Fetch again']);
    expect((await call('tasks.list', {})).map((t) => t.name)).toEqual(['Fetch again', 'Read file']);
    expect(config.type).toBe('api');
  });

  it('refuse a configuration of another type, a missing configuration and unknown operations', async () => {
    const file = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    await expectError(
      call('tasks.save', {
        task: { name: 'T', type: 'api', operation: 'read', configId: file.id },
      }),
      'VALIDATION',
      /configuration "F" is for file tasks, not api/,
    );
    await expectError(
      call('tasks.save', { task: { name: 'T', type: 'api', operation: 'read', configId: 'nope' } }),
      'VALIDATION',
      /task\.configId: no configuration with id "nope"/,
    );
    await expect(
      app.core.call('tasks.save', {
        task: { name: 'T', type: 'api', operation: 'delete', configId: file.id },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      app.core.call('tasks.save', {
        task: { name: 'T', type: 'smtp', operation: 'read', configId: file.id },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await call('tasks.list', {})).toEqual([]);
  });

  it('refuse a configuration that cannot do their operation, at save and as an entry override', async () => {
    const readOnly = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    await expectError(
      call('tasks.save', {
        task: { name: 'W', type: 'file', operation: 'write', configId: readOnly.id },
      }),
      'VALIDATION',
      /^task\.configId: configuration "F" has no content to write; add params\.content$/,
    );
    const writable = await call('configs.save', {
      config: { name: 'G', type: 'file', params: { location: '/tmp/x', content: 'x' } },
    });
    const writer = await call('tasks.save', {
      task: { name: 'W', type: 'file', operation: 'write', configId: writable.id },
    });
    await expectError(
      call('schedules.save', {
        entry: { taskId: writer.id, configId: readOnly.id, kind: 'frequency', everySeconds: 60 },
      }),
      'VALIDATION',
      /^entry\.configId: configuration "F" has no content to write; add params\.content$/,
    );
    expect(await call('schedules.list', {})).toEqual([]);
  });

  it('answer NOT_FOUND for ids that do not exist', async () => {
    await expectError(call('tasks.get', { id: 'ghost' }), 'NOT_FOUND', /no task with id "ghost"/);
    await expectError(call('tasks.run', { id: 'ghost' }), 'NOT_FOUND', /ghost/);
    await expectError(call('tasks.delete', { id: 'ghost' }), 'NOT_FOUND', /ghost/);
    const { config } = await makeTask();
    await expectError(
      call('tasks.save', {
        task: { id: 'ghost', name: 'x', type: 'api', operation: 'read', configId: config.id },
      }),
      'NOT_FOUND',
      /ghost/,
    );
    expect(await call('tasks.list', {})).toHaveLength(1);
  });

  it('deleted take their schedule entries but keep their runs', async () => {
    const { task } = await makeTask();
    await call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 30 },
    });
    const run = await call('tasks.run', { id: task.id });
    expect(await call('tasks.delete', { id: task.id })).toEqual({ deleted: 1 });
    expect(await call('schedules.list', {})).toEqual([]);
    expect((await call('runs.get', { id: run.id })).taskName).toBe('Fetch');
  });

  it('of one type are deleted in bulk, leaving the others', async () => {
    const { config } = await makeTask();
    await call('tasks.save', {
      task: { name: 'Second', type: 'api', operation: 'write', configId: config.id },
    });
    const file = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    await call('tasks.save', {
      task: { name: 'File', type: 'file', operation: 'read', configId: file.id },
    });
    expect(await call('tasks.delete', { type: 'api' })).toEqual({ deleted: 2 });
    expect((await call('tasks.list', {})).map((t) => t.name)).toEqual(['File']);
    expect(await call('tasks.delete', { type: 'db' })).toEqual({ deleted: 0 });
  });

  it('that ran in a period are found by ranFrom/ranTo', async () => {
    const { task, config } = await makeTask();
    const idle = await call('tasks.save', {
      task: { name: 'Idle', type: 'api', operation: 'read', configId: config.id },
    });
    const run = await call('tasks.run', { id: task.id });
    const before = new Date(Date.parse(run.startedAt) - 1000).toISOString();
    const after = new Date(Date.parse(run.startedAt) + 1000).toISOString();
    expect((await call('tasks.list', { ranFrom: before, ranTo: after })).map((t) => t.id)).toEqual([
      task.id,
    ]);
    expect(await call('tasks.list', { ranFrom: after })).toEqual([]);
    expect(idle.id).not.toBe(task.id);
    await expectError(
      call('tasks.list', { ranFrom: after, ranTo: before }),
      'VALIDATION',
      /must be before/,
    );
  });
});

describe('running a task', () => {
  it('records a running run then the finished run, with events and a redacted snapshot', async () => {
    const { task } = await makeTask();
    const run = await call('tasks.run', { id: task.id });
    expect(run).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      trigger: { kind: 'manual' },
      taskName: 'Fetch',
    });
    expect(run.result).toMatchObject({ body: { hello: 'world' } });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(await call('runs.get', { id: run.id }))).not.toContain('top-secret');
    expect(executor.calls[0]!.config.params.auth).toEqual({ kind: 'bearer', token: 'top-secret' });
    const names = events.filter((e) => e.name.startsWith('run.')).map((e) => e.name);
    expect(names).toEqual(['run.started', 'run.finished']);
  });

  it('returns the running record at once when wait is false', async () => {
    const { task } = await makeTask();
    let release!: () => void;
    executor.behaviour = () => new Promise((resolve) => (release = () => resolve({ result: {} })));
    const running = await call('tasks.run', { id: task.id, wait: false });
    expect(running.status).toBe('running');
    expect((await call('runs.get', { id: running.id })).status).toBe('running');
    release();
    await expect
      .poll(async () => (await call('runs.get', { id: running.id })).status)
      .toBe('succeeded');
  });

  it('records a failure with its error and the result the executor kept', async () => {
    const { task } = await makeTask();
    executor.behaviour = async () => {
      throw new TaskError('HTTP_STATUS', 'HTTP 404 Not Found', { statusCode: 404 });
    };
    const run = await call('tasks.run', { id: task.id });
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'HTTP_STATUS', message: 'HTTP 404 Not Found' },
      result: { statusCode: 404 },
    });
  });

  it('retries per the task policy, one run per attempt', async () => {
    const { task } = await makeTask({ retry: { attempts: 3, backoffMs: 1, factor: 1 } });
    let n = 0;
    executor.behaviour = async () => {
      n++;
      if (n < 3) throw new Error(`flaky ${n}`);
      return { result: { summary: 'third time lucky' } };
    };
    const last = await call('tasks.run', { id: task.id });
    expect(last).toMatchObject({ status: 'succeeded', attempt: 3, trigger: { kind: 'retry' } });
    const { items } = await call('runs.list', { taskId: task.id });
    expect(items.map((r) => [r.attempt, r.status])).toEqual([
      [3, 'succeeded'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
  });

  it('times out a task that runs past its timeout and aborts its signal', async () => {
    const { task } = await makeTask({ timeoutMs: 50 });
    let aborted = false;
    executor.behaviour = (request) =>
      new Promise((_resolve, reject) => {
        request.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      });
    const run = await call('tasks.run', { id: task.id });
    expect(run).toMatchObject({ status: 'timed-out', error: { code: 'TIMEOUT' } });
    expect(aborted).toBe(true);
  });

  it('bounds a large result and marks it truncated', async () => {
    await call('settings.save', { settings: { resultMaxBytes: 1024 } });
    const { task } = await makeTask();
    executor.behaviour = async () => ({ result: { summary: 'big', body: 'x'.repeat(10_000) } });
    const run = await call('tasks.run', { id: task.id });
    expect(run.result?.truncated).toBe(true);
    expect(String(run.result?.body).length).toBeLessThanOrEqual(1024);
    expect(run.result?.bodyBytes).toBe(10_002);
  });

  it('with another configuration of the same type works, and of another type is refused', async () => {
    const { task } = await makeTask();
    const other = await call('configs.save', { config: apiConfigInput('Other') });
    const run = await call('tasks.run', { id: task.id, configId: other.id });
    expect(run).toMatchObject({ configId: other.id, configName: 'Other', status: 'succeeded' });
    const file = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    await expectError(
      call('tasks.run', { id: task.id, configId: file.id }),
      'VALIDATION',
      /pick a api configuration|is for file tasks/,
    );
    expect((await call('runs.list', {})).items).toHaveLength(1);
  });

  it('never runs more tasks at once than the concurrency setting', async () => {
    await call('settings.save', { settings: { concurrency: 2 } });
    const { task } = await makeTask();
    let active = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    executor.behaviour = () =>
      new Promise((resolve) => {
        active++;
        peak = Math.max(peak, active);
        releases.push(() => {
          active--;
          resolve({ result: {} });
        });
      });
    const runs = Array.from({ length: 5 }, () => call('tasks.run', { id: task.id }));
    for (let released = 0; released < 5; released++) {
      await expect.poll(() => releases.length).toBeGreaterThan(released);
      expect(active).toBeLessThanOrEqual(2);
      releases[released]!();
    }
    await Promise.all(runs);
    expect(peak).toBe(2);
  });

  it('marks runs left running by a crash as interrupted at the next start', async () => {
    const store = new MemoryStore();
    const first = createApp({ store, executors: { api: executor } });
    await first.start();
    const config = await first.core.call('configs.save', { config: apiConfigInput() });
    const task = await first.core.call('tasks.save', {
      task: { name: 'T', type: 'api', operation: 'read', configId: config.id },
    });
    executor.behaviour = () => new Promise(() => undefined); // never finishes: the "crash"
    const running = await first.core.call('tasks.run', { id: task.id, wait: false });
    const second = createApp({ store, executors: { api: executor } });
    await second.start();
    expect(await second.core.call('runs.get', { id: running.id })).toMatchObject({
      status: 'interrupted',
      error: { code: 'INTERRUPTED' },
    });
    await second.stop();
  });
});
