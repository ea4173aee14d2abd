import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Configuration, Run, ScheduleEntry, Settings, Task } from '../../../src/shared/domain';
import type { SystemInfo } from '../../../src/shared/contract';
import { call, ok, raw, serve, type ErrorBody, type Served } from './helpers';

let s: Served;

beforeEach(async () => {
  s = await serve();
});
afterEach(async () => {
  await s.stop();
});

const apiConfig = {
  name: 'Echo API',
  type: 'api',
  params: { url: 'http://127.0.0.1:9/echo', auth: { kind: 'bearer', token: 'secret' } },
};

/** Everything a bad request could have touched. */
async function snapshot(): Promise<unknown> {
  return {
    configs: await ok(s.port, 'configs.list'),
    tasks: await ok(s.port, 'tasks.list'),
    schedules: await ok(s.port, 'schedules.list'),
    runs: await ok(s.port, 'runs.list'),
    settings: await ok(s.port, 'settings.get'),
  };
}

async function createConfigAndTask(): Promise<{ config: Configuration; task: Task }> {
  const config = await ok<Configuration>(s.port, 'configs.save', { config: apiConfig });
  const task = await ok<Task>(s.port, 'tasks.save', {
    task: { name: 'Ping', type: 'api', operation: 'read', configId: config.id },
  });
  return { config, task };
}

function expectError(
  res: { status: number; json: unknown },
  status: number,
  code: string,
  message?: RegExp,
): void {
  expect(res.status).toBe(status);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
}

describe('the HTTP API', () => {
  it('serves every contract method end to end over HTTP', async () => {
    const config = await ok<Configuration>(s.port, 'configs.save', { config: apiConfig });
    expect(config.id).toBeTruthy();
    // Secrets are redacted on the way out.
    expect(config.params).toMatchObject({ auth: { kind: 'bearer', token: '••••••' } });
    expect((await ok<Configuration>(s.port, 'configs.get', { id: config.id })).name).toBe(
      'Echo API',
    );
    expect(await ok<Configuration[]>(s.port, 'configs.list', { unused: true })).toHaveLength(1);

    const task = await ok<Task>(s.port, 'tasks.save', {
      task: { name: 'Ping', type: 'api', operation: 'read', configId: config.id },
    });
    expect(await ok<Task[]>(s.port, 'tasks.list')).toEqual([task]);
    expect(await ok<Task>(s.port, 'tasks.get', { id: task.id })).toEqual(task);

    const entry = await ok<ScheduleEntry>(s.port, 'schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 3600 },
    });
    expect(entry.nextRunAt).toBeTruthy();
    expect(await ok<ScheduleEntry[]>(s.port, 'schedules.list', { taskId: task.id })).toHaveLength(
      1,
    );
    expect((await ok<ScheduleEntry>(s.port, 'schedules.get', { id: entry.id })).id).toBe(entry.id);
    const preview = await ok<{ times: string[] }>(s.port, 'schedules.preview', {
      kind: 'cron',
      cron: '0 9 * * *',
      timezone: 'UTC',
      count: 3,
    });
    expect(preview.times).toHaveLength(3);
    expect(preview.times.every((t) => t.endsWith('T09:00:00.000Z'))).toBe(true);
    expect(await ok(s.port, 'schedules.delete', { id: entry.id })).toEqual({ deleted: 1 });
    expect(await ok(s.port, 'schedules.list')).toEqual([]);

    // No executors are installed: the run is recorded as failed with NO_EXECUTOR.
    const run = await ok<Run>(s.port, 'tasks.run', { id: task.id });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('NO_EXECUTOR');
    const page = await ok<{ items: Run[] }>(s.port, 'runs.list', { taskId: task.id });
    expect(page.items.map((r) => r.id)).toEqual([run.id]);
    expect((await ok<Run>(s.port, 'runs.get', { id: run.id })).taskName).toBe('Ping');
    expect(
      await ok<Task[]>(s.port, 'tasks.list', { ranFrom: '2000-01-01T00:00:00Z' }),
    ).toHaveLength(1);

    const tested = await ok<Run>(s.port, 'configs.test', { config: apiConfig, operation: 'read' });
    expect(tested.trigger.kind).toBe('test');

    const settings = await ok<Settings>(s.port, 'settings.get');
    const saved = await ok<Settings>(s.port, 'settings.save', {
      settings: { ...settings, concurrency: 2 },
    });
    expect(saved.concurrency).toBe(2);
    expect((await ok<Settings>(s.port, 'settings.get')).concurrency).toBe(2);

    const info = await ok<SystemInfo>(s.port, 'system.info');
    expect(info.store).toBe('memory');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);

    expect(await ok(s.port, 'runs.delete', { ids: [run.id] })).toEqual({ deleted: 1 });
    expect(await ok(s.port, 'runs.delete', { taskId: task.id })).toEqual({ deleted: 0 });
    expect(
      await ok(s.port, 'runs.delete', { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }),
    ).toMatchObject({ deleted: expect.any(Number) });
    expectError(
      await call(s.port, 'configs.delete', { id: config.id }),
      409,
      'CONFLICT',
      /used by/,
    );
    expect(await ok(s.port, 'tasks.delete', { id: task.id })).toEqual({ deleted: 1 });
    expect(await ok(s.port, 'tasks.delete', { type: 'api' })).toEqual({ deleted: 0 });
    expect(await ok(s.port, 'configs.delete', { id: config.id })).toEqual({ deleted: 1 });
    await ok(s.port, 'configs.save', { config: { ...apiConfig, name: 'Spare' } });
    expect(await ok(s.port, 'configs.deleteUnused')).toEqual({ deleted: 1 });
    expect(await ok(s.port, 'schedules.delete', { all: true })).toEqual({ deleted: 0 });
  });

  it('treats an empty body as empty params', async () => {
    const res = await raw(s.port, { path: '/api/system.info', headers: {} });
    expect(res.status).toBe(200);
    expect((res.json as { result: SystemInfo }).result.store).toBe('memory');
  });

  it('answers JSON with no-store caching and the security headers', async () => {
    const res = await call(s.port, 'tasks.list');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('bad input over HTTP', () => {
  it('rejects malformed JSON with 400 VALIDATION and stores nothing', async () => {
    const before = await snapshot();
    const res = await raw(s.port, { path: '/api/configs.save', body: '{"config": {"name": ' });
    expectError(res, 400, 'VALIDATION', /^HTTP: the request body is not valid JSON: /);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a body that is not UTF-8', async () => {
    const res = await raw(s.port, {
      path: '/api/configs.save',
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expectError(res, 400, 'VALIDATION', /not valid JSON/);
  });

  it('rejects an unknown method with 400 VALIDATION listing the methods', async () => {
    const res = await call(s.port, 'tasks.explode', {});
    expectError(res, 400, 'VALIDATION', /Unknown method "tasks\.explode"; use one of: tasks\.list/);
  });

  it('rejects a GET on a method with 405 and an Allow header', async () => {
    const res = await raw(s.port, { method: 'GET', path: '/api/tasks.list' });
    expectError(res, 405, 'VALIDATION', /takes POST/);
    expect(res.headers.allow).toBe('POST');
  });

  it('rejects a body that is not declared as JSON with 415 and stores nothing', async () => {
    const before = await snapshot();
    const res = await raw(s.port, {
      path: '/api/configs.save',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ config: apiConfig }),
    });
    expectError(res, 415, 'VALIDATION', /Content-Type: application\/json/);
    const missing = await raw(s.port, {
      path: '/api/configs.save',
      bare: true,
      headers: { Host: s.hostHeader, Authorization: 'Bearer test-token-123' },
      body: JSON.stringify({ config: apiConfig }),
    });
    expectError(missing, 415, 'VALIDATION', /no Content-Type/);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects wrong types, unknown fields and empty names and stores nothing', async () => {
    const { config } = await createConfigAndTask();
    const before = await snapshot();
    expectError(
      await call(s.port, 'configs.save', { config: { ...apiConfig, name: 42 } }),
      400,
      'VALIDATION',
      /config\.name/,
    );
    expectError(
      await call(s.port, 'configs.save', { config: { ...apiConfig, colour: 'red' } }),
      400,
      'VALIDATION',
      /unknown field "colour"/,
    );
    expectError(
      await call(s.port, 'configs.save', { config: { ...apiConfig, name: '   ' } }),
      400,
      'VALIDATION',
      /name: must not be empty/,
    );
    expectError(
      await call(s.port, 'tasks.save', {
        task: { name: '', type: 'api', operation: 'read', configId: config.id },
      }),
      400,
      'VALIDATION',
      /name: must not be empty/,
    );
    expectError(await call(s.port, 'runs.list', { limit: 'ten' }), 400, 'VALIDATION', /limit/);
    expectError(await call(s.port, 'tasks.list', { extra: 1 }), 400, 'VALIDATION', /"extra"/);
    expectError(await call(s.port, 'tasks.list', [1, 2]), 400, 'VALIDATION', /must be an object/);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects an unknown task type or operation and stores nothing', async () => {
    const { config } = await createConfigAndTask();
    const before = await snapshot();
    expectError(
      await call(s.port, 'tasks.save', {
        task: { name: 'X', type: 'ftp', operation: 'read', configId: config.id },
      }),
      400,
      'VALIDATION',
      /task\.type/,
    );
    expectError(
      await call(s.port, 'tasks.save', {
        task: { name: 'X', type: 'api', operation: 'delete', configId: config.id },
      }),
      400,
      'VALIDATION',
      /task\.operation/,
    );
    expectError(
      await call(s.port, 'configs.save', { config: { ...apiConfig, type: 'ftp' } }),
      400,
      'VALIDATION',
      /config\.type/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a task whose configuration is of another type and stores nothing', async () => {
    const fileConfig = await ok<Configuration>(s.port, 'configs.save', {
      config: { name: 'Notes', type: 'file', params: { location: '/tmp/notes.txt' } },
    });
    const before = await snapshot();
    expectError(
      await call(s.port, 'tasks.save', {
        task: { name: 'Ping', type: 'api', operation: 'read', configId: fileConfig.id },
      }),
      400,
      'VALIDATION',
      /is for file tasks, not api/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers 404 NOT_FOUND for ids that do not exist and stores nothing', async () => {
    await createConfigAndTask();
    const before = await snapshot();
    for (const [method, params] of [
      ['tasks.get', { id: 'nope' }],
      ['tasks.run', { id: 'nope' }],
      ['tasks.delete', { id: 'nope' }],
      ['runs.get', { id: 'nope' }],
      ['configs.get', { id: 'nope' }],
      ['configs.delete', { id: 'nope' }],
      ['schedules.get', { id: 'nope' }],
      ['schedules.delete', { id: 'nope' }],
      [
        'tasks.save',
        { task: { id: 'nope', name: 'X', type: 'api', operation: 'read', configId: 'c' } },
      ],
    ] as const) {
      const res = await call(s.port, method, params);
      expectError(res, 404, 'NOT_FOUND', /"nope"/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('rejects runs.delete with from after to and deletes nothing', async () => {
    const { task } = await createConfigAndTask();
    await ok(s.port, 'tasks.run', { id: task.id });
    const before = await snapshot();
    expectError(
      await call(s.port, 'runs.delete', {
        from: '2030-01-01T00:00:00Z',
        to: '2020-01-01T00:00:00Z',
      }),
      400,
      'VALIDATION',
      /from .* must be before to/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers 500 INTERNAL without a stack trace when the core fails unexpectedly', async () => {
    const logged: unknown[] = [];
    const broken = await serve({ log: (_m, e) => logged.push(e) });
    try {
      // A store that breaks underneath the core: an unexpected exception, not an AppError.
      broken.app.store.listTasks = () => Promise.reject(new Error('disk on fire at /secret/path'));
      const res = await call(broken.port, 'tasks.list');
      expectError(res, 500, 'INTERNAL', /see the server log/);
      expect(res.text).not.toMatch(/secret|at .*\.ts/);
      expect(logged).toHaveLength(1);
    } finally {
      await broken.stop();
    }
  });
});
