/**
 * Through the core: `runs.list` by configuration and search (params checked), the deleted tasks
 * that still have runs (`runs.deletedTasks`) and deleting their runs by the task's name.
 */
import { describe, expect, it } from 'vitest';
import { RUN_SEARCH_MAX } from '../../../src/shared/contract';
import { apiConfigInput, call, expectError, makeTask, useCoreApp } from './support/core-app';

useCoreApp();

describe('listing runs by configuration and search', () => {
  it('narrows the runs to one configuration and to a search of names', async () => {
    const { config, task } = await makeTask();
    const other = await call('configs.save', { config: apiConfigInput('Other API') });
    const first = await call('tasks.run', { id: task.id });
    const second = await call('tasks.run', { id: task.id, configId: other.id });
    const ids = async (params: object): Promise<string[]> =>
      (await call('runs.list', params)).items.map((r) => r.id);
    expect(await ids({ configId: config.id })).toEqual([first.id]);
    expect(await ids({ q: 'other api' })).toEqual([second.id]);
    expect(await ids({ q: '  FETCH ' })).toEqual([second.id, first.id]);
  });

  it('refuses an empty, blank or too long search and an empty configuration id', async () => {
    await expectError(call('runs.list', { q: '' }), 'VALIDATION', /q: must not be empty/);
    await expectError(call('runs.list', { q: '   ' }), 'VALIDATION', /q: must not be empty/);
    await expectError(
      call('runs.list', { q: 'x'.repeat(RUN_SEARCH_MAX + 1) }),
      'VALIDATION',
      new RegExp(`q: must be at most ${RUN_SEARCH_MAX} characters`),
    );
    await expectError(call('runs.list', { configId: '' }), 'VALIDATION', /configId/);
    await expectError(call('runs.list', { q: 5 } as never), 'VALIDATION', /q/);
  });
});

describe('runs of deleted tasks', () => {
  it('lists each deleted task that has runs by the name on its latest run', async () => {
    const { config, task } = await makeTask();
    const kept = await call('tasks.save', {
      task: { name: 'Kept', type: 'api', operation: 'read', configId: config.id },
    });
    await call('tasks.run', { id: task.id });
    await call('tasks.run', { id: kept.id });
    await call('configs.test', { config: apiConfigInput('Tested'), operation: 'read' });
    expect(await call('runs.deletedTasks', {})).toEqual({ tasks: [] });
    await call('tasks.delete', { id: task.id });
    expect(await call('runs.deletedTasks', {})).toEqual({
      tasks: [{ id: task.id, name: 'Fetch' }],
    });
  });

  it('deletes the runs of a deleted task by its name, and only those', async () => {
    const { config, task } = await makeTask();
    const kept = await call('tasks.save', {
      task: { name: 'Kept', type: 'api', operation: 'read', configId: config.id },
    });
    await call('tasks.run', { id: task.id });
    await call('tasks.run', { id: task.id });
    await call('tasks.run', { id: kept.id });
    await call('tasks.delete', { id: task.id });
    expect(await call('runs.delete', { taskName: 'Fetch' })).toEqual({ deleted: 2 });
    expect((await call('runs.list', {})).items.map((r) => r.taskName)).toEqual(['Kept']);
    expect(await call('runs.deletedTasks', {})).toEqual({ tasks: [] });
    expect(await call('runs.delete', { taskName: 'Fetch' })).toEqual({ deleted: 0 });
  });

  it('refuses to delete by the name of a task that exists, pointing to its id', async () => {
    const { task } = await makeTask();
    await call('tasks.run', { id: task.id });
    await expectError(
      call('runs.delete', { taskName: 'Fetch' }),
      'CONFLICT',
      new RegExp(`Task "Fetch" still exists \\(id ${task.id}\\).*taskId`),
    );
    expect((await call('runs.list', {})).items).toHaveLength(1);
  });

  it('refuses an empty task name', async () => {
    await expectError(call('runs.delete', { taskName: '' }), 'VALIDATION', /taskName|not empty/);
  });
});
