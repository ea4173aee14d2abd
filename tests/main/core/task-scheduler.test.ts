import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import type { Executor, ExecutionRequest } from '../../../src/main/executors/types';
import { TaskError } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { MethodName, MethodParams, MethodResult } from '../../../src/shared/contract';
import { DEFAULT_CONCURRENCY, REDACTED, type Configuration } from '../../../src/shared/domain';
import type { AppEvent } from '../../../src/shared/events';

/** An api executor whose behaviour each test sets. */
class ScriptedExecutor implements Executor<'api'> {
  readonly type = 'api' as const;
  calls: ExecutionRequest<'api'>[] = [];
  behaviour: (request: ExecutionRequest<'api'>) => Promise<{ result: Record<string, unknown> }> =
    async () => ({ result: { summary: 'ok', body: { hello: 'world' } } });

  execute(request: ExecutionRequest<'api'>): Promise<{ result: Record<string, unknown> }> {
    this.calls.push(request);
    return this.behaviour(request);
  }
}

let app: App;
let executor: ScriptedExecutor;
let events: AppEvent[];

async function call<M extends MethodName>(
  method: M,
  params: MethodParams<M>,
): Promise<MethodResult<M>> {
  return app.core.call(method, params);
}

async function expectError(
  promise: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
}

const apiConfigInput = (name = 'Echo'): MethodParams<'configs.save'>['config'] => ({
  name,
  type: 'api',
  params: { url: 'http://127.0.0.1:9/echo', auth: { kind: 'bearer', token: 'top-secret' } },
});

async function makeTask(overrides: Partial<MethodParams<'tasks.save'>['task']> = {}) {
  const config = await call('configs.save', { config: apiConfigInput() });
  const task = await call('tasks.save', {
    task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id, ...overrides },
  });
  return { config, task };
}

beforeEach(async () => {
  executor = new ScriptedExecutor();
  app = createApp({ store: new MemoryStore(), executors: { api: executor } });
  events = [];
  app.events.subscribe((e) => events.push(e));
  await app.start();
});
afterEach(async () => {
  await app.stop();
});

describe('configurations', () => {
  it('are created, listed by type, read with secrets redacted, and revealed on request', async () => {
    const saved = await call('configs.save', { config: apiConfigInput() });
    expect(saved.id).toBeTruthy();
    expect(saved.params).toMatchObject({ auth: { kind: 'bearer', token: REDACTED } });
    await call('configs.save', {
      config: { name: 'Disk', type: 'file', params: { location: '/tmp/x.txt' } },
    });
    expect((await call('configs.list', { type: 'api' })).map((c) => c.name)).toEqual(['Echo']);
    expect(await call('configs.list', {})).toHaveLength(2);
    const revealed = (await call('configs.get', { id: saved.id, reveal: true })) as Configuration;
    expect(revealed.params).toMatchObject({ auth: { token: 'top-secret' } });
  });

  it('keep the stored secret when an edit sends the redacted value back', async () => {
    const saved = await call('configs.save', { config: apiConfigInput() });
    const edited = await call('configs.save', { config: { ...saved, name: 'Renamed' } });
    expect(edited.name).toBe('Renamed');
    expect(edited.createdAt).toBe(saved.createdAt);
    const revealed = await call('configs.get', { id: saved.id, reveal: true });
    expect(revealed.params).toMatchObject({ auth: { token: 'top-secret' } });
  });

  it('refuse a redaction marker where no secret is stored', async () => {
    await expectError(
      call('configs.save', {
        config: {
          name: 'x',
          type: 'api',
          params: { url: 'http://a.test/', auth: { kind: 'bearer', token: REDACTED } },
        },
      }),
      'VALIDATION',
      /redaction marker/,
    );
    expect(await call('configs.list', {})).toEqual([]);
  });

  it('refuse empty names, unknown fields, unknown types and non-http urls, storing nothing', async () => {
    const bad: unknown[] = [
      { name: '  ', type: 'api', params: { url: 'http://a.test/' } },
      { name: 'x', type: 'api', params: { url: 'http://a.test/', bogus: 1 } },
      { name: 'x', type: 'ftp', params: {} },
      { name: 'x', type: 'api', params: { url: 'ftp://a.test/' } },
      { name: 'x', type: 'db', params: { uri: 'mongodb://h/', database: 'd', collection: 'c' } },
      {
        name: 'x',
        type: 'db',
        params: { uri: 'mongodb://h/', database: 'd', collection: 'c', find: {}, count: {} },
      },
      { name: 'x', type: 'file', params: { location: '/tmp/a\u0000b' } },
    ];
    for (const config of bad) {
      await expect(app.core.call('configs.save', { config })).rejects.toMatchObject({
        code: 'VALIDATION',
      });
    }
    expect(await call('configs.list', {})).toEqual([]);
  });

  it('accept placeholder variables and allowEnv on file configurations and refuse a bad env name', async () => {
    const params = {
      location: '~/exports/{{customer}}.json',
      variables: { customer: 'acme' },
      allowEnv: ['UPLOAD_TOKEN'],
    };
    const saved = await call('configs.save', { config: { name: 'Export', type: 'file', params } });
    expect((await call('configs.get', { id: saved.id })).params).toEqual(params);
    await expectError(
      app.core.call('configs.save', {
        config: { name: 'Bad', type: 'file', params: { ...params, allowEnv: ['NOT-A-NAME'] } },
      }),
      'VALIDATION',
      /config\.params\.allowEnv\.0: must be a variable name/,
    );
    expect((await call('configs.list', {})).map((c) => c.name)).toEqual(['Export']);
  });

  it('name the field in validation messages', async () => {
    await expectError(
      app.core.call('configs.save', {
        config: { name: '', type: 'api', params: { url: 'http://a.test/' } },
      }),
      'VALIDATION',
      /configs\.save: config\.name: must not be empty/,
    );
    await expectError(
      app.core.call('configs.save', {
        config: { name: 'x', type: 'api', params: { url: 'http://a.test/' }, color: 'red' },
      }),
      'VALIDATION',
      /unknown field "color"/,
    );
  });

  it('cannot be deleted while a task or entry uses them, and say who uses them', async () => {
    const { config, task } = await makeTask();
    await expectError(
      call('configs.delete', { id: config.id }),
      'CONFLICT',
      /used by task "Fetch"/,
    );
    expect(await call('configs.get', { id: config.id })).toBeDefined();
    const spare = await call('configs.save', { config: apiConfigInput('Spare') });
    await call('schedules.save', {
      entry: { taskId: task.id, configId: spare.id, kind: 'frequency', everySeconds: 60 },
    });
    await expectError(call('configs.delete', { id: spare.id }), 'CONFLICT', /schedule entry/);
  });

  it('that nothing uses are listed as unused and deleted in bulk', async () => {
    await makeTask();
    await call('configs.save', { config: apiConfigInput('Orphan 1') });
    await call('configs.save', { config: apiConfigInput('Orphan 2') });
    expect((await call('configs.list', { unused: true })).map((c) => c.name)).toEqual([
      'Orphan 1',
      'Orphan 2',
    ]);
    expect(await call('configs.deleteUnused', {})).toEqual({ deleted: 2 });
    expect((await call('configs.list', {})).map((c) => c.name)).toEqual(['Echo']);
  });

  it('cannot change type while tasks use them', async () => {
    const { config } = await makeTask();
    await expectError(
      call('configs.save', {
        config: { id: config.id, name: 'x', type: 'file', params: { location: '/tmp/a' } },
      }),
      'CONFLICT',
      /cannot change from api to file/,
    );
  });

  it('can be tested without a task, recorded as a test run', async () => {
    const run = await call('configs.test', { config: apiConfigInput(), operation: 'read' });
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'test' }, taskId: '' });
    expect(JSON.stringify(run)).not.toContain('top-secret');
    expect(await call('configs.list', {})).toEqual([]);
  });
});

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

describe('runs', () => {
  it('are listed newest first, filtered, and deleted by period, task or id', async () => {
    const { task } = await makeTask();
    const a = await call('tasks.run', { id: task.id });
    const b = await call('tasks.run', { id: task.id });
    expect((await call('runs.list', {})).items.map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await call('runs.list', { status: 'failed' })).items).toEqual([]);
    expect(await call('runs.delete', { ids: [a.id] })).toEqual({ deleted: 1 });
    const from = new Date(Date.parse(b.startedAt) - 1).toISOString();
    const to = new Date(Date.parse(b.startedAt) + 1).toISOString();
    expect(await call('runs.delete', { from, to })).toEqual({ deleted: 1 });
    await call('tasks.run', { id: task.id });
    expect(await call('runs.delete', { taskId: task.id })).toEqual({ deleted: 1 });
  });

  it('refuse a period whose start is after its end, deleting nothing', async () => {
    const { task } = await makeTask();
    await call('tasks.run', { id: task.id });
    await expectError(
      call('runs.delete', { from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }),
      'VALIDATION',
      /from .* must be before to/,
    );
    await expect(app.core.call('runs.delete', {})).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await call('runs.list', {})).items).toHaveLength(1);
  });

  it('answer NOT_FOUND for an unknown run and VALIDATION for a forged cursor', async () => {
    await expectError(call('runs.get', { id: 'nope' }), 'NOT_FOUND', /no run with id "nope"/);
    await expectError(call('runs.list', { cursor: 'garbage!' }), 'VALIDATION', /cursor/);
  });
});

describe('schedule entries', () => {
  it('are stored with an explicit zone and next run, edited, listed and deleted', async () => {
    const { task } = await makeTask();
    const entry = await call('schedules.save', {
      entry: { taskId: task.id, kind: 'cron', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
    });
    expect(entry).toMatchObject({
      enabled: true,
      overlap: 'skip',
      missed: 'run-once',
      timezone: 'Europe/Berlin',
    });
    expect(Date.parse(entry.nextRunAt!)).toBeGreaterThan(Date.now());
    const disabled = await call('schedules.save', { entry: { ...entry, enabled: false } });
    expect(disabled.nextRunAt).toBeUndefined();
    expect(await call('schedules.list', { enabled: false })).toHaveLength(1);
    const every = await call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 5 },
    });
    expect(every.timezone).toBeUndefined();
    expect(await call('schedules.delete', { id: entry.id })).toEqual({ deleted: 1 });
    expect(await call('schedules.delete', { all: true })).toEqual({ deleted: 1 });
    expect(await call('schedules.list', {})).toEqual([]);
  });

  it('refuse bad input with a clear message and store nothing', async () => {
    const { task, config } = await makeTask();
    const file = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    const cases: Array<[unknown, RegExp]> = [
      [
        { taskId: task.id, kind: 'cron', cron: '61 * * * *' },
        /minute \(field 1\) must be 0-59; got "61"/,
      ],
      [{ taskId: task.id, kind: 'cron', cron: '* * *' }, /3 fields/],
      [{ taskId: task.id, kind: 'cron', cron: '2030-01-01T00:00:00' }, /1 field/],
      [{ taskId: task.id, kind: 'cron', cron: '0 0 31 2 *' }, /never fires/],
      [
        { taskId: task.id, kind: 'cron', cron: '* * * * *', timezone: 'Mars/Olympus' },
        /time zone "Mars\/Olympus" is unknown/,
      ],
      [{ taskId: task.id, kind: 'frequency', everySeconds: 0 }, /at least 1/],
      [{ taskId: task.id, kind: 'frequency', everySeconds: 1.5 }, /whole number/],
      [{ taskId: task.id, kind: 'frequency' }, /needs everySeconds/],
      [
        {
          taskId: task.id,
          kind: 'frequency',
          everySeconds: 5,
          startAt: '2030-01-02T00:00:00Z',
          endAt: '2030-01-01T00:00:00Z',
        },
        /endAt .* must be after startAt/,
      ],
      [{ taskId: 'ghost', kind: 'frequency', everySeconds: 5 }, /no task with id "ghost"/],
      [
        { taskId: task.id, configId: file.id, kind: 'frequency', everySeconds: 5 },
        /is for file tasks/,
      ],
    ];
    for (const [entry, message] of cases) {
      await expect(app.core.call('schedules.save', { entry })).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(message),
      });
    }
    expect(await call('schedules.list', {})).toEqual([]);
    expect(config.id).toBeTruthy();
  });

  it('preview the next fire times before saving', async () => {
    const { times } = await call('schedules.preview', {
      kind: 'cron',
      cron: '0 0 * * *',
      timezone: 'UTC',
      count: 3,
    });
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toMatch(/T00:00:00\.000Z$/);
    const every = await call('schedules.preview', {
      kind: 'frequency',
      everySeconds: 60,
      count: 2,
    });
    expect(Date.parse(every.times[1]!) - Date.parse(every.times[0]!)).toBe(60_000);
  });
});

describe('settings and system info', () => {
  it('start from defaults and persist what is saved', async () => {
    const defaults = await call('settings.get', {});
    expect(defaults).toMatchObject({
      concurrency: DEFAULT_CONCURRENCY,
      retention: { maxAgeDays: 90 },
    });
    await call('settings.save', { settings: { ...defaults, concurrency: 8 } });
    expect((await call('settings.get', {})).concurrency).toBe(8);
    await expect(
      app.core.call('settings.save', { settings: { concurrency: 0 } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      app.core.call('settings.save', { settings: { defaultTimezone: 'Nowhere/Land' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await call('settings.get', {})).concurrency).toBe(8);
  });

  it('reports the store and version', async () => {
    expect(await call('system.info', {})).toMatchObject({
      store: 'memory',
      version: expect.any(String),
    });
  });

  it('reject an unknown method with the list of methods', async () => {
    await expect(app.core.call('tasks.explode' as MethodName, {})).rejects.toThrow();
  });
});

describe('a run deleted while in progress', () => {
  it('finishes quietly without resurrecting the record', async () => {
    const { task } = await makeTask();
    let release!: () => void;
    executor.behaviour = () => new Promise((resolve) => (release = () => resolve({ result: {} })));
    const running = await call('tasks.run', { id: task.id, wait: false });
    expect(await call('runs.delete', { ids: [running.id] })).toEqual({ deleted: 1 });
    release();
    await expect.poll(() => events.some((e) => e.name === 'run.finished')).toBe(true);
    await expect(call('runs.get', { id: running.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the latest run of each task', () => {
  it('is answered in one call and follows new runs and deletions', async () => {
    const { task, config } = await makeTask();
    const other = await call('tasks.save', {
      task: { name: 'Other', type: 'api', operation: 'read', configId: config.id },
    });
    const never = await call('tasks.save', {
      task: { name: 'Never', type: 'api', operation: 'read', configId: config.id },
    });
    await call('tasks.run', { id: task.id });
    const second = await call('tasks.run', { id: task.id });
    const latest = await call('runs.latest', {});
    expect(Object.keys(latest)).toEqual([task.id]);
    expect(latest[task.id]!.id).toBe(second.id);

    const otherRun = await call('tasks.run', { id: other.id });
    expect((await call('runs.latest', { taskIds: [other.id, never.id] }))[other.id]!.id).toBe(
      otherRun.id,
    );
    expect(await call('runs.latest', { taskIds: [never.id] })).toEqual({});

    await call('runs.delete', { ids: [second.id] });
    const afterDelete = await call('runs.latest', { taskIds: [task.id] });
    expect(afterDelete[task.id]!.id).not.toBe(second.id);
  });
});
