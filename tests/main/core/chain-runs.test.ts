/**
 * Chained runs through the core: which ends start which tasks, what a chained run receives, and
 * that it obeys its task's overlap policy, retries and the depth limit.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { TaskError, type ExecutionRequest } from '../../../src/main/executors/types';
import type { MethodParams } from '../../../src/shared/contract';
import type { Run, Task } from '../../../src/shared/domain';
import { CHAIN_MAX_DEPTH } from '../../../src/shared/limits';
import { apiConfigInput, app, call, executor, finishedRuns, useCoreApp } from './support/core-app';

useCoreApp();

let configId: string;
beforeEach(async () => {
  configId = (await call('configs.save', { config: apiConfigInput() })).id;
});

type TaskFields = Partial<MethodParams<'tasks.save'>['task']>;
type When = 'succeeded' | 'failed' | 'finished';

const saveTask = (name: string, fields: TaskFields = {}): Promise<Task> =>
  call('tasks.save', { task: { name, type: 'api', operation: 'read', configId, ...fields } });

const after = (task: Task, when: When = 'succeeded'): TaskFields => ({
  runAfter: [{ taskId: task.id, when }],
});

const childrenOf = async (run: Run): Promise<string[]> =>
  (await call('runs.list', { parentRunId: run.id })).items.map((r) => r.taskName).sort();

/** A promise and its resolve function. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Each task's executor behaviour by task name; the rest answer `{ summary: name }`. */
function behave(
  byName: Record<
    string,
    (request: ExecutionRequest<'api'>) => Promise<{ result: Record<string, unknown> }>
  >,
): void {
  executor.behaviour = (request) => {
    const name = request.task?.name ?? '';
    return byName[name]?.(request) ?? Promise.resolve({ result: { summary: name } });
  };
}

/**
 * Makes the runs of task `name` wait until `release()`; `started` resolves once `count` of them
 * are running at once.
 */
function holdRuns(name: string, count = 1): { started: Promise<void>; release: () => void } {
  const hold = gate();
  const started = gate();
  let running = 0;
  behave({
    [name]: async () => {
      if (++running === count) started.open();
      await hold.promise;
      return { result: { summary: 'slow' } };
    },
  });
  return { started: started.promise, release: hold.open };
}

describe('a task that runs after another', () => {
  it('runs once per run of it, recorded as chained from that run, with the run as its input', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', after(a));
    behave({ A: async () => ({ result: { summary: 'A', body: { items: [1, 2, 3] } } }) });
    const parent = await call('tasks.run', { id: a.id });
    const [child] = await finishedRuns(b.id, 1);
    expect(child).toMatchObject({
      status: 'succeeded',
      trigger: { kind: 'chain', parentRunId: parent.id, parentTaskId: a.id },
    });
    expect(executor.calls.find((r) => r.task?.id === b.id)!.template).toEqual({
      now: child!.startedAt,
      run: { id: child!.id, scheduledFor: child!.startedAt },
      task: { id: b.id, name: 'B' },
      parent: { id: parent.id, scheduledFor: parent.startedAt },
      input: { result: parent.result, truncated: false },
    });
    expect(await childrenOf(parent)).toEqual(['B']);

    const again = await call('tasks.run', { id: a.id });
    const children = await finishedRuns(b.id, 2);
    expect(children.map((r) => r.trigger.parentRunId)).toEqual([parent.id, again.id]);
    expect((await call('runs.list', { taskId: b.id })).items).toHaveLength(2);
  });

  it('runs after the ends its when names: failed (timed out too), succeeded, or finished', async () => {
    const a = await saveTask('A', { timeoutMs: 50 });
    await saveTask('On failure', after(a, 'failed'));
    await saveTask('On success', after(a, 'succeeded'));
    const always = await saveTask('Always', after(a, 'finished'));
    let outcome: 'fail' | 'hang' | 'pass' = 'fail';
    behave({
      A: () =>
        outcome === 'pass'
          ? Promise.resolve({ result: { summary: 'ok' } })
          : outcome === 'fail'
            ? Promise.reject(new TaskError('HTTP_STATUS', 'HTTP 500'))
            : new Promise(() => undefined),
    });
    const failed = await call('tasks.run', { id: a.id });
    await finishedRuns(always.id, 1);
    outcome = 'hang';
    const timedOut = await call('tasks.run', { id: a.id });
    await finishedRuns(always.id, 2);
    outcome = 'pass';
    const passed = await call('tasks.run', { id: a.id });
    await finishedRuns(always.id, 3);
    expect([failed.status, timedOut.status, passed.status]).toEqual([
      'failed',
      'timed-out',
      'succeeded',
    ]);
    expect(await childrenOf(failed)).toEqual(['Always', 'On failure']);
    expect(await childrenOf(timedOut)).toEqual(['Always', 'On failure']);
    expect(await childrenOf(passed)).toEqual(['Always', 'On success']);
  });

  it('continues down the chain, each run the parent of the next', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', after(a));
    const c = await saveTask('C', after(b));
    const first = await call('tasks.run', { id: a.id });
    const [middle] = await finishedRuns(b.id, 1);
    const [last] = await finishedRuns(c.id, 1);
    expect(middle!.trigger).toEqual({ kind: 'chain', parentRunId: first.id, parentTaskId: a.id });
    expect(last!.trigger).toEqual({ kind: 'chain', parentRunId: middle!.id, parentTaskId: b.id });
  });

  it('retries as its task says, the retries naming the same parent, and its own children follow the last attempt', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', { ...after(a), retry: { attempts: 3, backoffMs: 0, factor: 1 } });
    const c = await saveTask('C', after(b, 'finished'));
    let failures = 1;
    behave({
      B: () =>
        failures-- > 0
          ? Promise.reject(new TaskError('CONNECTION', 'refused'))
          : Promise.resolve({ result: { summary: 'ok' } }),
    });
    const parent = await call('tasks.run', { id: a.id });
    const attempts = await finishedRuns(b.id, 2);
    expect(attempts.map((r) => [r.status, r.attempt, r.trigger])).toEqual([
      ['failed', 1, { kind: 'chain', parentRunId: parent.id, parentTaskId: a.id }],
      ['succeeded', 2, { kind: 'retry', parentRunId: parent.id, parentTaskId: a.id }],
    ]);
    expect(await childrenOf(parent)).toEqual(['B', 'B']);
    const [grandchild] = await finishedRuns(c.id, 1);
    expect(grandchild!.trigger.parentRunId).toBe(attempts[1]!.id);
  });

  it('is skipped while its previous chained run still runs (chainOverlap skip, the default)', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', after(a));
    const held = holdRuns('B');
    const first = await call('tasks.run', { id: a.id });
    await held.started;
    const second = await call('tasks.run', { id: a.id });
    const [skipped] = await finishedRuns(b.id, 1);
    expect(skipped).toMatchObject({
      status: 'skipped',
      trigger: { kind: 'chain', parentRunId: second.id },
      error: { code: 'OVERLAP', message: expect.stringContaining('chainOverlap "skip"') },
    });
    held.release();
    const [, ran] = await finishedRuns(b.id, 2);
    expect(ran).toMatchObject({ status: 'succeeded', trigger: { parentRunId: first.id } });
  });

  it('waits for its previous chained run with chainOverlap queue, keeping one waiting', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', { ...after(a), chainOverlap: 'queue' });
    const held = holdRuns('B');
    const parents = [await call('tasks.run', { id: a.id })];
    await held.started;
    parents.push(await call('tasks.run', { id: a.id }), await call('tasks.run', { id: a.id }));
    const [skipped] = await finishedRuns(b.id, 1);
    expect(skipped).toMatchObject({ status: 'skipped', trigger: { parentRunId: parents[2]!.id } });
    held.release();
    const ended = await finishedRuns(b.id, 3);
    expect(ended.slice(1).map((r) => [r.status, r.trigger.parentRunId])).toEqual([
      ['succeeded', parents[0]!.id],
      ['succeeded', parents[1]!.id],
    ]);
  });

  it('runs beside its previous chained run with chainOverlap allow', async () => {
    const a = await saveTask('A');
    const b = await saveTask('B', { ...after(a), chainOverlap: 'allow' });
    const held = holdRuns('B', 2);
    await call('tasks.run', { id: a.id });
    await call('tasks.run', { id: a.id });
    await held.started;
    held.release();
    const ended = await finishedRuns(b.id, 2);
    expect(ended.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it(`stops a chain that loops at runtime after ${CHAIN_MAX_DEPTH} links, recording why`, async () => {
    // A cycle the save rules refuse, written to the store directly (as two instances saving
    // A → B and B → A at the same moment could leave it).
    const a = await saveTask('A');
    const b = await saveTask('B', after(a));
    await app.store.putTask({ ...a, ...after(b) } as Task);
    app.events.emit('store.changed', { kind: 'tasks' });
    await call('tasks.run', { id: a.id });
    const half = CHAIN_MAX_DEPTH / 2;
    const runsOfB = await finishedRuns(b.id, half + 1);
    expect(runsOfB.slice(0, half).every((r) => r.status === 'succeeded')).toBe(true);
    expect(runsOfB[half]).toMatchObject({
      status: 'skipped',
      error: {
        code: 'CHAIN_DEPTH',
        message: expect.stringContaining(`link ${CHAIN_MAX_DEPTH + 1} of a chain`),
      },
    });
    expect(await finishedRuns(a.id, half + 1)).toHaveLength(half + 1);
  });
});
