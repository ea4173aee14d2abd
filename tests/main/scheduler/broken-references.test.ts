/** The scheduler when the data behind an entry changed outside the core (another process). */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness';

let h: Harness;

afterEach(async () => {
  await h?.stop();
});

describe('vanished and broken references', () => {
  it('record nothing and log once when the task vanished behind the core', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    await h.store.deleteTasks([h.taskId]); // e.g. another process edited the data
    await h.clock.advance(30_000);
    expect(await h.runs()).toHaveLength(0);
    expect(h.logged.warn.filter((m) => m.includes('no longer exists'))).toHaveLength(1);
  });

  it('record a failed run when the configuration no longer fits the task', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    const config = await h.store.getConfig(h.configId);
    await h.store.putConfig({
      ...config!,
      type: 'file',
      params: { location: '/tmp/x' },
    } as never);
    await h.clock.advance(10_000);
    const runs = await h.runs();
    expect(runs.map((r) => [r.status, r.error?.code])).toEqual([['failed', 'INVALID_CONFIG']]);
    expect(h.executor.calls).toBe(0);
  });

  it('record why the configuration no longer fits: another type, or no action for the operation', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    const config = await h.store.getConfig(h.configId);
    await h.store.putConfig({ ...config!, type: 'file', params: { location: '/tmp/x' } } as never);
    await h.clock.advance(10_000);
    const task = await h.store.getTask(h.taskId);
    await h.store.putTask({ ...task!, type: 'file', operation: 'write' } as never);
    await h.clock.advance(10_000);
    const runs = await h.runs();
    expect(runs.map((r) => [r.status, r.error?.message])).toEqual([
      [
        'failed',
        'configuration "Echo" is for file tasks, but task "Fetch" is a api task; point the entry or task at a api configuration',
      ],
      ['failed', 'configuration "Echo" has no content to write; add params.content'],
    ]);
    expect(h.executor.calls).toBe(0);
  });
});
