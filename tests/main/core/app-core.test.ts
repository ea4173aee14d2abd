import { describe, expect, it } from 'vitest';
import type { MethodName } from '../../../src/shared/contract';
import { DEFAULT_CONCURRENCY } from '../../../src/shared/domain';
import { app, call, events, executor, expectError, makeTask, useCoreApp } from './support/core-app';

useCoreApp();

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
