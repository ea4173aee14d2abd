import { describe, expect, it } from 'vitest';
import { REDACTED, type Configuration } from '../../../src/shared/domain';
import { apiConfigInput, app, call, expectError, makeTask, useCoreApp } from './support/core-app';

useCoreApp();

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
      /config\.name: must not be empty/,
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

describe('configurations listed', () => {
  it('name the tasks that use them by default and the entries that override with them', async () => {
    const { config, task } = await makeTask();
    const spare = await call('configs.save', { config: apiConfigInput('Spare') });
    const entry = await call('schedules.save', {
      entry: { taskId: task.id, configId: spare.id, kind: 'frequency', everySeconds: 60 },
    });
    const plain = await call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 60 },
    });
    const unused = await call('configs.save', { config: apiConfigInput('Unused') });

    const usedBy = Object.fromEntries(
      (await call('configs.list', {})).map((c) => [c.id, c.usedBy]),
    );
    expect(usedBy).toEqual({
      [config.id]: { tasks: [{ id: task.id, name: 'Fetch' }], entries: [] },
      [spare.id]: { tasks: [], entries: [{ id: entry.id, taskId: task.id }] },
      [unused.id]: { tasks: [], entries: [] },
    });
    expect(plain.configId).toBeUndefined();
  });

  it('follow who uses them, whatever type the list is filtered by', async () => {
    const { config, task } = await makeTask();
    const file = await call('configs.save', {
      config: { name: 'F', type: 'file', params: { location: '/tmp/x' } },
    });
    await call('tasks.save', {
      task: { name: 'Read file', type: 'file', operation: 'read', configId: file.id },
    });
    const [listed] = await call('configs.list', { type: 'api' });
    expect(listed).toMatchObject({ id: config.id, usedBy: { tasks: [{ id: task.id }] } });

    await call('tasks.delete', { id: task.id });
    const [after] = await call('configs.list', { type: 'api' });
    expect(after!.usedBy).toEqual({ tasks: [], entries: [] });
    expect((await call('configs.list', { unused: true })).map((c) => c.name)).toEqual(['Echo']);
  });
});
