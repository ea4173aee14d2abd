// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Executor } from '../../src/main/executors/types';
import { handleEvent } from '../../src/renderer/src/hooks/useEvents';
import { matchesFilter, useRuns } from '../../src/renderer/src/stores/runs';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { useUi } from '../../src/renderer/src/stores/ui';
import { run as runFixture } from '../support/fixtures';
import { startCoreClient, until, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

/** An api executor that finishes when the test says so, to observe `running` → result. */
function gatedExecutor(): { executor: Executor<'api'>; release: (ok: boolean) => void } {
  let release: (ok: boolean) => void = () => undefined;
  const gate = new Promise<boolean>((resolve) => (release = resolve));
  return {
    release: (ok) => release(ok),
    executor: {
      type: 'api',
      async execute() {
        if (!(await gate)) throw new Error('target answered 500');
        return { result: { summary: 'HTTP 200', data: { hello: 'world' } } };
      },
    },
  };
}

describe('renderer stores over the real core', () => {
  let core: CoreClient;
  let gated: ReturnType<typeof gatedExecutor>;
  let unsubscribe: () => void;

  beforeEach(async () => {
    resetStores();
    gated = gatedExecutor();
    core = await startCoreClient({ api: gated.executor });
    unsubscribe = core.client.subscribe(handleEvent);
  });
  afterEach(async () => {
    unsubscribe();
    gated.release(true);
    await core.close();
  });

  async function makeTask(): Promise<string> {
    const config = await useConfigs
      .getState()
      .save({ name: 'echo', type: 'api', params: { url: 'http://127.0.0.1:9/echo' } });
    const task = await useTasks
      .getState()
      .save({ name: 'ping', type: 'api', operation: 'read', configId: config.id });
    return task.id;
  }

  it('shows a run going from running to succeeded through events alone', async () => {
    const id = await makeTask();
    const started = await useTasks.getState().run(id);
    expect(useTasks.getState().lastRun[id]?.status).toBe('running');
    expect(useRuns.getState().running[started.id]).toBeDefined();
    gated.release(true);
    await until(() => useTasks.getState().lastRun[id]?.status === 'succeeded', 'the run to finish');
    expect(useTasks.getState().lastRun[id]?.result?.summary).toBe('HTTP 200');
    expect(useRuns.getState().running[started.id]).toBeUndefined();
  });

  it('raises an error toast linking to the run when a run fails', async () => {
    const id = await makeTask();
    const started = await useTasks.getState().run(id);
    gated.release(false);
    await until(() => useUi.getState().toasts.length > 0, 'a toast');
    const toast = useUi.getState().toasts[0]!;
    expect(toast.kind).toBe('error');
    expect(toast.message).toContain('ping failed');
    expect(toast.href).toBe(`#/history/${started.id}`);
  });

  it('keeps the schedule list live from schedule.changed events', async () => {
    const id = await makeTask();
    await useSchedules.getState().load();
    expect(useSchedules.getState().items).toHaveLength(0);
    // Saved behind the store's back: only the event tells the UI.
    const saved = await core.app.core.call('schedules.save', {
      entry: { taskId: id, kind: 'frequency', everySeconds: 30 },
    });
    await until(() => useSchedules.getState().items.length === 1, 'the entry to appear');
    expect(useSchedules.getState().items[0]?.id).toBe(saved.id);
    await core.app.core.call('schedules.delete', { id: saved.id });
    await until(() => useSchedules.getState().items.length === 0, 'the entry to go');
  });

  it('reloads tasks when another client changes them', async () => {
    await makeTask();
    await useTasks.getState().load();
    const config = useConfigs.getState().items[0]!;
    await core.app.core.call('tasks.save', {
      task: { name: 'other', type: 'api', operation: 'read', configId: config.id },
    });
    await until(() => useTasks.getState().items.length === 2, 'the new task to appear');
  });

  it('deletes all tasks of a type and their schedule entries but keeps runs', async () => {
    const id = await makeTask();
    gated.release(true);
    await core.app.core.call('tasks.run', { id, wait: true });
    await useSchedules.getState().save({ taskId: id, kind: 'frequency', everySeconds: 60 });
    expect(await useTasks.getState().removeType('api')).toBe(1);
    expect(useTasks.getState().items).toHaveLength(0);
    expect(await core.app.core.call('schedules.list', {})).toHaveLength(0);
    expect((await core.app.core.call('runs.list', {})).items).toHaveLength(1);
  });

  it('pages history with the cursor and never duplicates a run', async () => {
    for (let i = 0; i < 450; i++) {
      await core.app.store.insertRun(
        runFixture(
          `r${String(i).padStart(4, '0')}`,
          new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        ),
      );
    }
    await useRuns.getState().load();
    // A small first page, then full pages.
    expect(useRuns.getState().items).toHaveLength(40);
    await useRuns.getState().loadMore();
    expect(useRuns.getState().items).toHaveLength(240);
    await useRuns.getState().loadMore();
    await useRuns.getState().loadMore();
    const ids = useRuns.getState().items.map((r) => r.id);
    expect(ids).toHaveLength(450);
    expect(new Set(ids).size).toBe(450);
    expect(ids[0]).toBe('r0449');
    expect(useRuns.getState().nextCursor).toBeUndefined();
  });

  it('filters runs by status on the server and drops a stale answer', async () => {
    await core.app.store.insertRun(runFixture('a', '2026-01-01T00:00:00.000Z'));
    await core.app.store.insertRun(
      runFixture('b', '2026-01-01T00:01:00.000Z', { status: 'failed' }),
    );
    const first = useRuns.getState().setFilter({ status: 'succeeded' });
    await useRuns.getState().setFilter({ status: 'failed' });
    await first;
    expect(useRuns.getState().items.map((r) => r.id)).toEqual(['b']);
  });

  it('matches live runs against the history filter', () => {
    const r = runFixture('x', '2026-01-02T00:00:00.000Z', { type: 'db' });
    expect(matchesFilter(r, { type: 'db', from: '2026-01-01T00:00:00.000Z' })).toBe(true);
    expect(matchesFilter(r, { type: 'api' })).toBe(false);
    expect(matchesFilter(r, { to: '2026-01-02T00:00:00.000Z' })).toBe(false);
  });
});
