/** The fire path's performance design, tested for behaviour: write placement, the fire hook. */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { Scheduler } from '../../../src/main/scheduler/scheduler';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { ScheduleState } from '../../../src/main/store/types';
import type { Configuration, ScheduleEntry } from '../../../src/shared/domain';
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

  it('come further apart with thousands of entries firing: 0.5 ms per entry written', async () => {
    const writes: Array<{ at: number; size: number }> = [];
    const live: { clock?: FakeClock } = {};
    class TimingStore extends MemoryStore {
      override async saveScheduleState(states: ScheduleState[]): Promise<void> {
        writes.push({ at: live.clock!.now(), size: states.length });
        return super.saveScheduleState(states);
      }
    }
    h = await startHarness({ store: new TimingStore() });
    live.clock = h.clock;
    // 4,000 entries every second whose task is gone: each fire is logged once and records no
    // run, so only the engine's own work (and its state writes) is left.
    const now = new Date(h.clock.now()).toISOString();
    for (let i = 0; i < 4000; i++) {
      const entry: ScheduleEntry = {
        id: `many-${i}`,
        taskId: 'gone',
        kind: 'frequency',
        everySeconds: 1,
        anchorAt: now,
        enabled: true,
        overlap: 'skip',
        missed: 'run-once',
        createdAt: now,
        updatedAt: now,
      };
      await h.store.putSchedule(entry);
      h.scheduler.entryChanged(entry);
    }
    await h.clock.advance(5_000);
    writes.length = 0;
    await h.clock.advance(20_000);
    expect(writes.every((w) => w.size === 4000)).toBe(true);
    const gaps = writes.slice(1).map((w, i) => w.at - writes[i]!.at);
    // 4,000 × 0.5 ms = 2 s apart (a write waits for room after a tick: up to half that more).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3000);
    expect(writes.length).toBeGreaterThanOrEqual(7);
    expect(h.scheduler.status().fires).toBeGreaterThanOrEqual(4000 * 24);
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

describe('ticks', () => {
  it('fire entries due a few milliseconds apart together, each at most the coalescing gap late', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const fired: Array<{ slot: number; at: number }> = [];
    const app = createApp({
      store: new MemoryStore(),
      clock,
      executors: { api: new ControlledExecutor() },
      createScheduler: (deps) =>
        new Scheduler({
          ...deps,
          coalesceMs: 10,
          onFire: (_id, slot) => fired.push({ slot, at: clock.now() }),
        }),
    });
    await app.start();
    try {
      const config = await app.core.call('configs.save', {
        config: { name: 'Echo', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
      });
      const task = await app.core.call('tasks.save', {
        task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id },
      });
      // Anchored 0, 3, 7, 12 and 500 ms into a second, as entries saved at scattered moments.
      const base = Date.parse('2026-01-01T00:00:01.000Z');
      for (const offset of [0, 3, 7, 12, 500]) {
        await app.core.call('schedules.save', {
          entry: {
            taskId: task.id,
            kind: 'frequency',
            everySeconds: 1,
            startAt: new Date(base + offset).toISOString(),
          },
        });
      }
      await clock.advance(4_600); // three slots of each entry
      const first = fired.filter((f) => f.slot >= base + 1000 && f.slot < base + 2000);
      expect(first.map((f) => f.slot - base - 1000)).toEqual([0, 3, 7, 12, 500]);
      // A tick at 0; the next 10 ms later takes 3 and 7; 12 waits for the one at 20; 500 is on time.
      expect(first.map((f) => f.at - base - 1000)).toEqual([0, 10, 10, 20, 500]);
      expect(fired.length).toBe(15);
      for (const f of fired) expect(f.at - f.slot).toBeLessThanOrEqual(10);
    } finally {
      await app.stop();
    }
  });
});

describe('the gap between ticks', () => {
  /** `n` entries every second, anchored evenly over a second, whose task is gone (no runs). */
  async function spreadEntries(n: number): Promise<Array<{ slot: number; at: number }>> {
    const fired: Array<{ slot: number; at: number }> = [];
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const store = new MemoryStore();
    let scheduler: Scheduler | undefined;
    const app = createApp({
      store,
      clock,
      executors: { api: new ControlledExecutor() },
      createScheduler: (deps) =>
        (scheduler = new Scheduler({
          ...deps,
          logger: { warn: () => undefined, error: () => undefined },
          onFire: (_id, slot) => fired.push({ slot, at: clock.now() }),
        })),
    });
    await app.start();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < n; i++) {
      const at = new Date(base + Math.floor((i * 1000) / n)).toISOString();
      const entry: ScheduleEntry = {
        id: `spread-${i}`,
        taskId: 'gone',
        kind: 'frequency',
        everySeconds: 1,
        anchorAt: at,
        enabled: true,
        overlap: 'skip',
        missed: 'run-once',
        createdAt: at,
        updatedAt: at,
      };
      await store.putSchedule(entry);
      scheduler!.entryChanged(entry);
    }
    await clock.advance(6_000);
    await app.stop();
    return fired;
  }

  const lateness = (fired: Array<{ slot: number; at: number }>): number =>
    Math.max(...fired.map((f) => f.at - f.slot));
  const ticksIn = (fired: Array<{ slot: number; at: number }>, second: number): number =>
    new Set(fired.filter((f) => Math.floor(f.at / 1000) === second).map((f) => f.at)).size;

  it('is nothing for a few entries: each fires at its slot to the millisecond', async () => {
    const fired = await spreadEntries(20);
    expect(fired.length).toBeGreaterThanOrEqual(20 * 5);
    expect(lateness(fired)).toBe(0);
  });

  it('grows with the fire rate: 4,000 fires a second share ticks 20 ms apart, none later', async () => {
    const fired = await spreadEntries(4000);
    const second = Math.floor(Date.parse('2026-01-01T00:00:05.000Z') / 1000);
    expect(fired.filter((f) => Math.floor(f.slot / 1000) === second)).toHaveLength(4000);
    // 4 × 5 ms = 20 ms: about 50 ticks a second instead of one per distinct millisecond.
    expect(ticksIn(fired, second)).toBeLessThanOrEqual(51);
    expect(lateness(fired)).toBeLessThanOrEqual(20);
  });
});

describe('fires of successive batches', () => {
  it('share one configuration object while it is unchanged, and get the edited one from the next fire on', async () => {
    h = await startHarness();
    h.executor.hold = true;
    const entry = await h.save({ everySeconds: 1 });
    const nextConfig = async (): Promise<Configuration> => {
      await h!.clock.advanceTo(
        new Date(Date.parse(entry.anchorAt!) + ++fires * 1000).toISOString(),
      );
      expect(h!.executor.pending).toHaveLength(1);
      const { config } = h!.executor.pending[0]!.request;
      h!.executor.release();
      return config;
    };
    let fires = 0;
    const first = await nextConfig();
    const second = await nextConfig();
    expect(second).toBe(first);
    const stored = await h.call('configs.get', { id: h.configId });
    if (stored.type !== 'api') throw new Error('the harness configuration is an api one');
    await h.call('configs.save', {
      config: { ...stored, params: { ...stored.params, url: 'http://127.0.0.1:9/edited' } },
    });
    const third = await nextConfig();
    expect(third).not.toBe(first);
    expect(third.params).toEqual({ url: 'http://127.0.0.1:9/edited' });
    expect(await nextConfig()).toBe(third);
    const runs = await h.runs();
    // Each run records the parameters it ran with.
    expect(runs.map((r) => r.config.url)).toEqual([
      'http://127.0.0.1:9/echo',
      'http://127.0.0.1:9/echo',
      'http://127.0.0.1:9/edited',
      'http://127.0.0.1:9/edited',
    ]);
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
