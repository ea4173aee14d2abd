/** The fire path's performance design, tested for behaviour: write placement, the fire hook. */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { Scheduler } from '../../../src/main/scheduler/scheduler';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { ScheduleState } from '../../../src/main/store/types';
import type { ScheduleEntry } from '../../../src/shared/domain';
import { FakeClock } from '../../support/fake-clock';
import { ControlledExecutor, startHarness, type Harness } from './harness';

let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('coalesced state writes', () => {
  it('never start just before a due fire; they follow that fire instead', async () => {
    const writes: Array<{ at: number; fires: number }> = [];
    const live: { scheduler?: Scheduler; clock?: FakeClock } = {};
    class TimingStore extends MemoryStore {
      override async saveScheduleState(states: ScheduleState[]): Promise<void> {
        writes.push({ at: live.clock!.now(), fires: live.scheduler!.status().fires });
        return super.saveScheduleState(states);
      }
    }
    h = await startHarness({ store: new TimingStore() });
    live.scheduler = h.scheduler;
    live.clock = h.clock;
    // Two entries 950 ms apart: a write timed one second after the second one's fire would
    // land 50 ms before (or exactly at) the first one's next fire.
    const first = await h.save({ everySeconds: 1 });
    await h.clock.advance(950);
    const second = await h.save({ everySeconds: 1 });
    const anchors = [first, second].map((e) => Date.parse(e.anchorAt!));
    expect(anchors[1]! - anchors[0]!).toBe(950);
    writes.length = 0;
    await h.clock.advance(10_000);

    const slotsUpTo = (at: number): number => {
      let n = 0;
      for (const anchor of anchors) n += Math.max(0, Math.floor((at - anchor) / 1000));
      return n;
    };
    expect(writes.length).toBeGreaterThanOrEqual(9);
    expect(writes.length).toBeLessThanOrEqual(11);
    for (const write of writes) {
      // Every slot due by then has fired before the write started…
      expect(write.fires).toBe(slotsUpTo(write.at));
      // …and no slot is due in the next 100 ms.
      expect(slotsUpTo(write.at + 99)).toBe(slotsUpTo(write.at));
    }
  });

  it('still happen when fires are so dense that one is always due within 100 ms', async () => {
    let writes = 0;
    class CountingStore extends MemoryStore {
      override async saveScheduleState(states: ScheduleState[]): Promise<void> {
        writes++;
        return super.saveScheduleState(states);
      }
    }
    h = await startHarness({ store: new CountingStore() });
    for (let i = 0; i < 20; i++) {
      await h.save({ everySeconds: 1 });
      await h.clock.advance(50);
    }
    writes = 0;
    await h.clock.advance(10_000);
    expect((await h.runs()).length).toBeGreaterThanOrEqual(200);
    // At most half an interval late: more than one write every 1.5 s.
    expect(writes).toBeGreaterThanOrEqual(6);
    expect(writes).toBeLessThanOrEqual(11);
  });

  it('store the latest lastRunAt and nextRunAt when the engine stops', async () => {
    const store = new MemoryStore();
    h = await startHarness({ store });
    const entry = await h.save({ everySeconds: 5 });
    await h.clock.advance(12_000);
    await h.scheduler.stop();
    const stored = await store.getSchedule(entry.id);
    expect(stored?.lastRunAt).toBe(new Date(Date.parse(entry.anchorAt!) + 10_000).toISOString());
    expect(stored?.nextRunAt).toBe(new Date(Date.parse(entry.anchorAt!) + 15_000).toISOString());
  });
});

describe('the fire hook', () => {
  it('reports each fire with its slot before the runner records it', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const store = new MemoryStore();
    const reported: Array<{ id: string; slot: string; kind: string; runsBefore: number }> = [];
    let runsRecorded = 0;
    const app = createApp({
      store,
      clock,
      executors: { api: new ControlledExecutor() },
      createScheduler: (deps) =>
        new Scheduler({
          ...deps,
          onFire: (id, slot, kind) =>
            reported.push({
              id,
              slot: new Date(slot).toISOString(),
              kind,
              runsBefore: runsRecorded,
            }),
        }),
    });
    app.events.subscribe((event) => {
      if (event.name === 'run.finished') runsRecorded++;
    });
    await app.start();
    try {
      const config = await app.core.call('configs.save', {
        config: { name: 'Echo', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
      });
      const task = await app.core.call('tasks.save', {
        task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id },
      });
      const entry = await app.core.call('schedules.save', {
        entry: { taskId: task.id, kind: 'frequency', everySeconds: 2 },
      });
      await clock.advance(6_000);
      const runs = (await app.core.call('runs.list', {})).items.reverse();
      expect(reported.map((r) => r.slot)).toEqual(runs.map((r) => r.scheduledFor));
      expect(reported.every((r) => r.id === entry.id && r.kind === 'schedule')).toBe(true);
      // Reported on the fire path: the previous fire's run was recorded, this one's not yet.
      expect(reported.map((r) => r.runsBefore)).toEqual([0, 1, 2]);
    } finally {
      await app.stop();
    }
  });
});

describe('an entry whose stored schedule is unusable', () => {
  it('is logged once, never fires, and other entries keep firing', async () => {
    h = await startHarness();
    const good = await h.save({ everySeconds: 1 });
    const now = new Date(h.clock.now()).toISOString();
    // Written behind the core's back (saves are validated, so only edited data looks like this).
    const bad: ScheduleEntry = {
      id: 'broken-entry',
      taskId: h.taskId,
      kind: 'cron',
      cron: '61 * * * *',
      timezone: 'UTC',
      enabled: true,
      overlap: 'skip',
      missed: 'run-once',
      createdAt: now,
      updatedAt: now,
    };
    await h.store.putSchedule(bad);
    h.scheduler.entryChanged(bad);
    await h.clock.advance(3_000);
    const runs = await h.runs();
    expect(runs.map((r) => r.trigger.scheduleId)).toEqual([good.id, good.id, good.id]);
    const complaints = h.logged.error.filter((m) => m.includes('broken-entry'));
    expect(complaints).toHaveLength(1);
    expect(complaints[0]).toContain('unusable schedule');
  });
});
