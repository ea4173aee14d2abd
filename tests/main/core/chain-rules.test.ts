/** Saving chained tasks through the core: the runAfter rules, and deleting a task others follow. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { MethodParams } from '../../../src/shared/contract';
import type { Task } from '../../../src/shared/domain';
import { CHAIN_MAX_DEPTH } from '../../../src/shared/limits';
import { apiConfigInput, app, call, events, useCoreApp } from './support/core-app';

useCoreApp();

let configId: string;
beforeEach(async () => {
  configId = (await call('configs.save', { config: apiConfigInput() })).id;
});

type TaskFields = Partial<MethodParams<'tasks.save'>['task']>;

const saveTask = (name: string, fields: TaskFields = {}): Promise<Task> =>
  call('tasks.save', { task: { name, type: 'api', operation: 'read', configId, ...fields } });

const after = (
  task: Task,
  when: 'succeeded' | 'failed' | 'finished' = 'succeeded',
): TaskFields => ({
  runAfter: [{ taskId: task.id, when }],
});

/** The refusal of saving `task`: its code, message and the issues in its details. */
async function refusal(task: MethodParams<'tasks.save'>['task']): Promise<unknown> {
  return call('tasks.save', { task }).then(
    () => 'saved',
    (error: unknown) => error,
  );
}

describe('saving a task that runs after others', () => {
  it('stores runAfter, chainOverlap, allowTruncatedInput and checks as given', async () => {
    const fetch = await saveTask('Fetch');
    const save = await saveTask('Save', {
      runAfter: [{ taskId: fetch.id, when: 'finished' }],
      chainOverlap: 'queue',
      allowTruncatedInput: true,
      checks: [{ path: 'statusCode', op: 'equals', value: 200 }],
    });
    expect(await call('tasks.get', { id: save.id })).toMatchObject({
      runAfter: [{ taskId: fetch.id, when: 'finished' }],
      chainOverlap: 'queue',
      allowTruncatedInput: true,
      checks: [{ path: 'statusCode', op: 'equals', value: 200 }],
    });
  });

  it('refuses a cycle through other tasks, naming it, and stores nothing', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', after(a));
    const c = await saveTask('C', after(b, 'finished'));
    const cycle = '"A" → "B" → "C" → "A"';
    expect(await refusal({ ...a, runAfter: [{ taskId: c.id, when: 'succeeded' }] })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /^task\.runAfter\.0\.taskId: this makes a cycle: "A" → "B" → "C" → "A"; a task cannot run after a task that runs after it$/,
      ),
      details: {
        issues: [
          { path: ['task', 'runAfter', '0', 'taskId'], message: expect.stringContaining(cycle) },
        ],
      },
    });
    expect(await call('tasks.get', { id: a.id })).toEqual(a);
  });

  it('refuses a direct cycle between two tasks', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', after(a));
    expect(await refusal({ ...a, ...after(b) })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('this makes a cycle: "A" → "B" → "A"'),
    });
  });

  it('refuses itself, a missing task and a task listed twice, each by its place', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B');
    const error = await refusal({
      ...b,
      runAfter: [
        { taskId: b.id, when: 'succeeded' },
        { taskId: 'ghost', when: 'failed' },
        { taskId: a.id, when: 'succeeded' },
        { taskId: a.id, when: 'failed' },
      ],
    });
    expect(error).toMatchObject({
      code: 'VALIDATION',
      details: {
        issues: [
          { path: ['task', 'runAfter', '0', 'taskId'], message: 'a task cannot run after itself' },
          {
            path: ['task', 'runAfter', '1', 'taskId'],
            message: 'no task with id "ghost"; pick one from tasks.list',
          },
          {
            path: ['task', 'runAfter', '3', 'taskId'],
            message: 'task "A" is listed twice; list it once (when "finished" covers both ends)',
          },
        ],
      },
    });
    expect(await call('tasks.get', { id: b.id })).toEqual(b);
  });

  it('refuses an unknown when and more than 20 tasks to run after', async () => {
    const a = await saveTask('A');
    const unknownWhen = await refusal({
      name: 'B',
      type: 'api',
      operation: 'read',
      configId,
      runAfter: [{ taskId: a.id, when: 'sometimes' as 'failed' }],
    });
    expect(unknownWhen).toMatchObject({
      code: 'VALIDATION',
      details: {
        issues: [
          {
            path: ['task', 'runAfter', '0', 'when'],
            message: 'must be one of succeeded, failed, finished',
          },
        ],
      },
    });
    const many = Array.from({ length: 21 }, (_, i) => ({
      taskId: `t${i}`,
      when: 'failed' as const,
    }));
    expect(
      await refusal({ name: 'B', type: 'api', operation: 'read', configId, runAfter: many }),
    ).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('at most 20 tasks to run after'),
    });
    expect((await call('tasks.list', {})).map((t) => t.name)).toEqual(['A']);
  });

  it(`accepts a chain of ${CHAIN_MAX_DEPTH} links and refuses one link more, at either end`, async () => {
    const chain = [await saveTask('T0')];
    for (let i = 1; i <= CHAIN_MAX_DEPTH; i++)
      chain.push(await saveTask(`T${i}`, after(chain[i - 1]!)));
    const names = chain.map((t) => `"${t.name}"`).join(' → ');
    expect(
      await refusal({
        name: 'Last',
        type: 'api',
        operation: 'read',
        configId,
        ...after(chain.at(-1)!),
      }),
    ).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining(
        `the chain ${names} → "Last" would be ${CHAIN_MAX_DEPTH + 1} links long; a chain has at most ${CHAIN_MAX_DEPTH} (CHAIN_MAX_DEPTH)`,
      ),
    });
    const first = await saveTask('First');
    expect(await refusal({ ...chain[0]!, ...after(first) })).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining(`the chain "First" → ${names} would be`),
    });
    // A branch off the middle is as long as the chain it leaves.
    await expect(saveTask('Branch', after(chain[5]!))).resolves.toMatchObject({ name: 'Branch' });
  });

  it('refuses placeholders reading the parent run in the configuration of a task that runs after nothing', async () => {
    const reading = await call('configs.save', {
      config: {
        name: 'By id',
        type: 'api',
        params: { url: 'http://127.0.0.1:9/items?id={{input.body.id}}' },
      },
    });
    const a = await saveTask('A');
    expect(
      await refusal({ name: 'B', type: 'api', operation: 'read', configId: reading.id }),
    ).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /^task\.configId: configuration "By id", params\.url: \{\{input\.body\.id\}\} reads the parent run, but the task runs after no other task; add one to "Run after", or remove the placeholder$/,
      ),
      details: { issues: [{ path: ['task', 'configId'] }] },
    });
    await expect(saveTask('B', { configId: reading.id, ...after(a) })).resolves.toMatchObject({
      configId: reading.id,
    });
  });
});

describe('deleting a task that others run after', () => {
  it('takes it out of their runAfter, says which, and tells UIs once', async () => {
    const a = await saveTask('A');
    const x = await saveTask('X');
    const b = await saveTask('B', {
      runAfter: [
        { taskId: a.id, when: 'succeeded' },
        { taskId: x.id, when: 'failed' },
      ],
    });
    const c = await saveTask('C', after(a, 'finished'));
    const seen = events.length;
    expect(await call('tasks.delete', { id: a.id })).toEqual({
      deleted: 1,
      unlinked: [
        { id: b.id, name: 'B' },
        { id: c.id, name: 'C' },
      ],
    });
    expect((await call('tasks.get', { id: b.id })).runAfter).toEqual([
      { taskId: x.id, when: 'failed' },
    ]);
    const unchained = await call('tasks.get', { id: c.id });
    expect(unchained).not.toHaveProperty('runAfter');
    expect(unchained.updatedAt >= c.updatedAt).toBe(true);
    expect(
      events.slice(seen).filter((e) => e.name === 'store.changed' && e.data.kind === 'tasks'),
    ).toHaveLength(1);
    // The task that lost its only parent saves again as an ordinary task.
    await expect(call('tasks.save', { task: unchained })).resolves.toMatchObject({ id: c.id });
  });

  it('answers without unlinked when no task ran after it', async () => {
    const a = await saveTask('A');
    expect(await call('tasks.delete', { id: a.id })).toEqual({ deleted: 1 });
    expect(await app.store.listTasks()).toEqual([]);
  });
});
