import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { ScheduleState } from '../../../src/main/store/types';
import type { ScheduleEntry } from '../../../src/shared/domain';
import { startHarness, t, type Harness } from './harness';
import { stopHarnessesAfterEach } from './support/scheduler-tests';

let h: Harness;
stopHarnessesAfterEach(() => h);

describe('entry state', () => {
  it('shows nextRunAt and lastRunAt at most about a second stale', async () => {
    h = await startHarness();
    const entry = await h.save({ everySeconds: 10 });
    await h.clock.advance(10_000);
    await h.clock.advance(1_000);
    const [listed] = await h.call('schedules.list', {});
    expect(listed).toMatchObject({ id: entry.id, lastRunAt: t(10), nextRunAt: t(20) });
  });

  it('coalesces state writes into one batch a second', async () => {
    class CountingStore extends MemoryStore {
      singles = 0;
      batches = 0;
      override async putSchedule(entry: ScheduleEntry): Promise<void> {
        this.singles++;
        return super.putSchedule(entry);
      }
      override async saveScheduleState(states: ScheduleState[]): Promise<void> {
        this.batches++;
        return super.saveScheduleState(states);
      }
    }
    const store = new CountingStore();
    h = await startHarness({ store });
    for (let i = 0; i < 100; i++) await h.save({ everySeconds: 1 });
    await h.clock.advance(0);
    const singles = store.singles;
    const batches = store.batches;
    await h.clock.advance(10_000);
    expect(await h.runs()).toHaveLength(1000);
    expect(store.singles).toBe(singles);
    expect(store.batches - batches).toBeLessThanOrEqual(11);
    expect(store.batches - batches).toBeGreaterThanOrEqual(9);
  });

  it('flushes state at stop', async () => {
    h = await startHarness();
    const entry = await h.save({ everySeconds: 10 });
    await h.clock.advance(10_000);
    await h.app.stop();
    await h.store.open();
    expect(await h.store.getSchedule(entry.id)).toMatchObject({
      lastRunAt: t(10),
      nextRunAt: t(20),
    });
  });

  it('emits schedule.changed for fired entries, coalesced with the state write', async () => {
    h = await startHarness();
    const changed: string[] = [];
    h.app.events.subscribe((e) => {
      if (e.name === 'schedule.changed') changed.push((e.data as { id: string }).id);
    });
    const entry = await h.save({ everySeconds: 1 });
    changed.length = 0;
    await h.clock.advance(5_000);
    expect(changed.length).toBeGreaterThanOrEqual(4);
    expect(changed.length).toBeLessThanOrEqual(6);
    expect(new Set(changed)).toEqual(new Set([entry.id]));
  });
});

describe('stop', () => {
  it('stops firing at once', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    await h.clock.advance(10_000);
    await h.scheduler.stop();
    await h.clock.advance(60_000);
    expect(await h.runs()).toHaveLength(1);
    expect(h.scheduler.status().running).toBe(false);
  });
});
