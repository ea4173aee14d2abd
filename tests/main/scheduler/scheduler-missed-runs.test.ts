import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { FakeClock } from '../../support/fake-clock';
import { startHarness, t, type Harness } from './harness';
import { slots, stopHarnessesAfterEach } from './support/scheduler-tests';

let h: Harness;
const others: Harness[] = [];
stopHarnessesAfterEach(() => h, others);

describe('missed runs', () => {
  it('record one catch-up run after a 10-minute sleep, noticed within 30 s', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 60 });
    await h.clock.advance(60_000);
    h.clock.jump(10 * 60_000); // asleep: wall time moves, monotonic time does not
    await h.clock.advance(30_000);
    const runs = await h.runs();
    expect(runs.map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
      ['schedule', t(60)],
      ['catch-up', t(660)],
    ]);
    expect(h.scheduler.status().clockJumps).toBe(1);
    await h.clock.advance(60_000);
    expect((await h.runs()).slice(2).map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
      ['schedule', t(720)],
    ]);
  });

  it('apply at once on wake()', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 60 });
    h.clock.jump(10 * 60_000);
    h.scheduler.wake();
    await h.clock.advance(0);
    expect((await h.runs()).map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
      ['catch-up', t(600)],
    ]);
  });

  it('record nothing but move nextRunAt with missed: skip', async () => {
    h = await startHarness();
    const entry = await h.save({ everySeconds: 60, missed: 'skip' });
    h.clock.jump(10 * 60_000);
    h.scheduler.wake();
    await h.clock.advance(1_000);
    expect(await h.runs()).toHaveLength(0);
    expect((await h.call('schedules.get', { id: entry.id })).nextRunAt).toBe(t(660));
  });

  it('fire each entry at most once for a stalled event loop', async () => {
    h = await startHarness();
    for (let i = 0; i < 20; i++) await h.save({ everySeconds: 1 });
    await h.clock.advance(1_000);
    h.clock.stall(3_000);
    await h.clock.runDue();
    const runs = await h.runs();
    expect(runs).toHaveLength(40);
    expect(
      runs.slice(20).every((r) => r.trigger.kind === 'catch-up' && r.scheduledFor === t(4)),
    ).toBe(true);
  });

  it('count a single slightly late slot as a normal schedule fire', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 60 });
    await h.clock.advance(59_000);
    h.clock.stall(5_000);
    await h.clock.runDue();
    expect((await h.runs()).map((r) => [r.trigger.kind, r.scheduledFor, r.startedAt])).toEqual([
      ['schedule', t(60), t(64)],
    ]);
  });

  it('never fire a slot twice when the wall clock jumps backwards', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 60 });
    await h.clock.advance(180_000);
    h.clock.jump(-120_000);
    await h.clock.advance(240_000);
    const fired = slots(await h.runs());
    expect(fired).toEqual([t(60), t(120), t(180), t(240), t(300)]);
    expect(new Set(fired).size).toBe(fired.length);
  });

  it('record one catch-up after a restart 10 minutes later (persisted lastRunAt)', async () => {
    const store = new MemoryStore();
    const clock = new FakeClock();
    h = await startHarness({ store, clock });
    const entry = await h.save({ everySeconds: 60 });
    await h.clock.advance(120_000);
    await h.stop();
    await store.open();
    expect((await store.getSchedule(entry.id))?.lastRunAt).toBe(t(120));
    await store.close();

    await clock.advance(10 * 60_000); // the app is closed
    h = await startHarness({ store, clock, existing: { taskId: h.taskId, configId: h.configId } });
    await clock.advance(0);
    const runs = await h.runs();
    expect(runs.map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
      ['schedule', t(60)],
      ['schedule', t(120)],
      ['catch-up', t(720)],
    ]);
    await clock.advance(60_000);
    expect(slots((await h.runs()).slice(3))).toEqual([t(780)]);
  });

  it('record one catch-up after a restart 10 minutes later with the json store', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ts-scheduler-'));
    try {
      const clock = new FakeClock();
      h = await startHarness({ store: new JsonStore({ dataDir, clock }), clock });
      await h.save({ everySeconds: 60 });
      await h.clock.advance(120_000);
      await h.stop();
      await clock.advance(10 * 60_000);
      h = await startHarness({
        store: new JsonStore({ dataDir, clock }),
        clock,
        existing: { taskId: h.taskId, configId: h.configId },
      });
      // Real file I/O: poll (bounded) for the catch-up instead of assuming one turn suffices.
      for (let i = 0; i < 100 && (await h.runs()).length < 3; i++) await clock.advance(0);
      expect((await h.runs()).map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
        ['schedule', t(60)],
        ['schedule', t(120)],
        ['catch-up', t(720)],
      ]);
      await h.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('mark runs left running by a crash interrupted and keep scheduling', async () => {
    const store = new MemoryStore();
    const first = await startHarness({ store });
    others.push(first);
    first.executor.hold = true;
    await first.save({ everySeconds: 60 });
    await first.clock.advance(60_000);
    expect((await first.runs()).map((r) => r.status)).toEqual(['running']);
    // Crash: the first app never stops; a new one opens the same data 5 minutes later.
    const clock = new FakeClock(t(360));
    h = await startHarness({
      store,
      clock,
      existing: { taskId: first.taskId, configId: first.configId },
    });
    await clock.advance(0);
    const runs = await h.runs();
    expect(runs.map((r) => [r.status, r.trigger.kind])).toEqual([
      ['interrupted', 'schedule'],
      ['succeeded', 'catch-up'],
    ]);
    expect(runs[0]!.error?.code).toBe('INTERRUPTED');
  });
});
