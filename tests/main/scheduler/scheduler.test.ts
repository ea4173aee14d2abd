import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schedulerControls } from '../../../src/main/electron/scheduler-controls';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { ScheduleState } from '../../../src/main/store/types';
import type { ScheduleEntry } from '../../../src/shared/domain';
import { FakeClock } from '../../support/fake-clock';
import { startHarness, t, type Harness } from './harness';

let h: Harness;
const others: Harness[] = [];

afterEach(async () => {
  for (const other of others.splice(0)) await other.stop();
  await h?.stop();
});

const slots = (runs: { scheduledFor?: string }[]): (string | undefined)[] =>
  runs.map((r) => r.scheduledFor);

describe('frequency entries', () => {
  it('fire at anchor + k·N exactly, without drift, even when runs take time', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10, overlap: 'allow' });
    h.executor.hold = true;
    for (let i = 0; i < 10; i++) {
      await h.clock.advance(10_000);
      h.executor.release(); // each run takes the rest of its interval
    }
    await h.clock.advance(0);
    const runs = await h.runs();
    expect(slots(runs)).toEqual(Array.from({ length: 10 }, (_, i) => t(10 * (i + 1))));
    expect(runs.every((r) => r.startedAt === r.scheduledFor)).toBe(true);
    expect(runs.every((r) => r.trigger.kind === 'schedule' && r.status === 'succeeded')).toBe(true);
  });

  it('first fire one interval after the moment the entry was saved', async () => {
    h = await startHarness();
    await h.clock.advance(3_500);
    const entry = await h.save({ everySeconds: 60 });
    expect(entry.anchorAt).toBe(t(3.5));
    expect(entry.nextRunAt).toBe(t(63.5));
    await h.clock.advance(63_499 - 3_500);
    expect(await h.runs()).toHaveLength(0);
    await h.clock.advance(1);
    expect(slots(await h.runs())).toEqual([t(63.5)]);
  });

  it('respect startAt and stop at endAt', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10, startAt: t(100), endAt: t(135) });
    await h.clock.advance(300_000);
    expect(slots(await h.runs())).toEqual([t(110), t(120), t(130)]);
    expect(h.scheduler.status().entries).toBe(0);
  });
});

describe('cron entries', () => {
  it('fire at the local time of their zone in several zones', async () => {
    h = await startHarness();
    for (const timezone of ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC']) {
      await h.save({
        kind: 'cron',
        everySeconds: undefined,
        cron: '0 9 * * *',
        timezone,
        name: timezone,
      });
    }
    await h.clock.advance(25 * 3600_000);
    const runs = await h.runs();
    expect(slots(runs)).toEqual([
      '2026-01-01T08:00:00.000Z', // 09:00 CET
      '2026-01-01T09:00:00.000Z', // 09:00 UTC
      '2026-01-01T14:00:00.000Z', // 09:00 EST
      '2026-01-02T00:00:00.000Z', // 09:00 JST
    ]);
  });

  it('store the system zone explicitly when none is given', async () => {
    h = await startHarness();
    const entry = await h.save({ kind: 'cron', everySeconds: undefined, cron: '*/5 * * * *' });
    expect(entry.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('fire every second with a 6-field expression', async () => {
    h = await startHarness();
    await h.save({ kind: 'cron', everySeconds: undefined, cron: '* * * * * *', timezone: 'UTC' });
    await h.clock.advance(5_000);
    expect(slots(await h.runs())).toEqual([t(1), t(2), t(3), t(4), t(5)]);
  });

  it('follow the documented daylight-saving rules in Europe/Berlin', async () => {
    h = await startHarness({ start: '2026-03-28T12:00:00.000Z' });
    await h.save({
      kind: 'cron',
      everySeconds: undefined,
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
    });
    await h.clock.advance(48 * 3600_000);
    // 02:30 does not exist on 2026-03-29: the run happens at 03:00 CEST (first time after the gap).
    expect(slots(await h.runs())).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });
});

describe('edits and deletes', () => {
  it('apply at once: a new interval, disable, re-enable and delete', async () => {
    h = await startHarness();
    const entry = await h.save({ everySeconds: 60 });
    await h.clock.advance(60_000);
    expect(await h.runs()).toHaveLength(1);

    await h.clock.advance(5_000);
    const edited = await h.save({ id: entry.id, everySeconds: 10 });
    expect(edited.nextRunAt).toBe(t(75));
    await h.clock.advance(10_000);
    expect(slots(await h.runs())).toEqual([t(60), t(75)]);

    await h.save({ id: entry.id, everySeconds: 10, enabled: false });
    await h.clock.advance(60_000);
    expect(await h.runs()).toHaveLength(2);
    expect((await h.call('schedules.get', { id: entry.id })).nextRunAt).toBeUndefined();

    await h.save({ id: entry.id, everySeconds: 10, enabled: true });
    await h.clock.advance(10_000);
    expect(slots(await h.runs())).toEqual([t(60), t(75), t(145)]);

    await h.call('schedules.delete', { id: entry.id });
    await h.clock.advance(60_000);
    expect(await h.runs()).toHaveLength(3);
    expect(await h.call('schedules.list', {})).toEqual([]);
    expect(h.scheduler.status().entries).toBe(0);
  });

  it('drop a fire whose entry was deleted in the same instant', async () => {
    h = await startHarness();
    const entry = await h.save({ everySeconds: 10 });
    await h.clock.advance(9_999);
    const deleted = h.call('schedules.delete', { id: entry.id });
    await h.clock.advance(1);
    await deleted;
    await h.clock.advance(30_000);
    expect(await h.runs()).toHaveLength(0);
  });

  it('deleting the task removes its entries from the scheduler', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    await h.call('tasks.delete', { id: h.taskId });
    await h.clock.advance(60_000);
    expect(await h.runs()).toHaveLength(0);
    expect(h.scheduler.status().entries).toBe(0);
    expect(await h.store.listSchedules()).toEqual([]);
  });
});

describe('overlap', () => {
  it('skip records a skipped run while the previous run is active', async () => {
    h = await startHarness();
    h.executor.hold = true;
    const entry = await h.save({ everySeconds: 10, overlap: 'skip' });
    await h.clock.advance(20_000);
    let runs = await h.runs();
    expect(runs.map((r) => r.status)).toEqual(['running', 'skipped']);
    expect(runs[1]).toMatchObject({
      trigger: { kind: 'schedule', scheduleId: entry.id },
      scheduledFor: t(20),
      error: { code: 'OVERLAP' },
    });
    h.executor.release();
    await h.clock.advance(10_000);
    runs = await h.runs();
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'skipped', 'running']);
    expect(h.executor.calls).toBe(2);
  });

  it('queue keeps at most one waiting fire and starts it when the active run finishes', async () => {
    h = await startHarness();
    h.executor.hold = true;
    await h.save({ everySeconds: 10, overlap: 'queue' });
    await h.clock.advance(30_000); // 10 runs, 20 waits, 30 is one too many
    let runs = await h.runs();
    expect(runs.map((r) => [r.scheduledFor, r.status])).toEqual([
      [t(10), 'running'],
      [t(30), 'skipped'],
    ]);
    h.executor.release();
    await h.clock.advance(0);
    runs = await h.runs();
    expect(runs.map((r) => [r.scheduledFor, r.status])).toEqual([
      [t(10), 'succeeded'],
      [t(30), 'skipped'],
      [t(20), 'running'],
    ]);
    expect(h.executor.calls).toBe(2);
  });

  it('allow starts another copy while one is running', async () => {
    h = await startHarness();
    h.executor.hold = true;
    await h.save({ everySeconds: 10, overlap: 'allow' });
    await h.clock.advance(30_000);
    const runs = await h.runs();
    expect(runs.map((r) => r.status)).toEqual(['running', 'running', 'running']);
    expect(h.executor.pending).toHaveLength(3);
  });

  it('is judged per entry: two entries of one task do not block each other', async () => {
    h = await startHarness();
    h.executor.hold = true;
    await h.save({ everySeconds: 10, overlap: 'skip' });
    await h.save({ everySeconds: 10, overlap: 'skip' });
    await h.clock.advance(10_000);
    expect((await h.runs()).map((r) => r.status)).toEqual(['running', 'running']);
  });
});

describe('the global concurrency limit', () => {
  it('holds scheduled runs beyond the limit until a slot frees', async () => {
    h = await startHarness();
    const settings = await h.call('settings.get', {});
    await h.call('settings.save', { settings: { ...settings, concurrency: 2 } });
    h.executor.hold = true;
    for (let i = 0; i < 5; i++) await h.save({ everySeconds: 10 });
    await h.clock.advance(10_000);
    expect(h.executor.pending).toHaveLength(2);
    expect(h.app.runner.queuedCount).toBe(3);
    h.executor.release(2);
    await h.clock.advance(0);
    expect(h.executor.pending).toHaveLength(2);
    h.executor.release(2);
    await h.clock.advance(0);
    expect(h.executor.pending).toHaveLength(1);
    h.executor.release();
    await h.clock.advance(0);
    const runs = await h.runs();
    expect(runs).toHaveLength(5);
    expect(runs.every((r) => r.status === 'succeeded' && r.scheduledFor === t(10))).toBe(true);
  });
});

describe('pausing (the tray\'s "pause all for 1 hour")', () => {
  it('passes over the slots due while paused, records nothing for them, and fires again without a catch-up', async () => {
    h = await startHarness();
    const entry = await h.save({ everySeconds: 10 });
    await h.clock.advance(10_000);
    h.scheduler.pauseUntil(Date.parse(t(70)));
    expect(h.scheduler.status().pausedUntil).toBe(Date.parse(t(70)));
    await h.clock.advance(55_000); // t(65)
    expect((await h.runs()).map((r) => r.scheduledFor)).toEqual([t(10)]);
    await h.scheduler.flush();
    const [listed] = await h.call('schedules.list', {});
    expect(listed).toMatchObject({ id: entry.id, lastRunAt: t(10), nextRunAt: t(70) });

    await h.clock.advance(15_000); // t(80): the pause ended at t(70), which fires on time
    expect(h.scheduler.status().pausedUntil).toBeUndefined();
    const runs = await h.runs();
    expect(runs.map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
      ['schedule', t(10)],
      ['schedule', t(70)],
      ['schedule', t(80)],
    ]);
  });

  it('resumes early on request, and a restart ends a pause', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    h.scheduler.pauseUntil(Date.parse(t(3600)));
    await h.clock.advance(25_000);
    expect(await h.runs()).toEqual([]);
    h.scheduler.resume();
    await h.clock.advance(5_000);
    expect((await h.runs()).map((r) => r.scheduledFor)).toEqual([t(30)]);

    h.scheduler.pauseUntil(Date.parse(t(3600)));
    await h.scheduler.stop();
    await h.scheduler.start();
    expect(h.scheduler.status().pausedUntil).toBeUndefined();
    await h.clock.advance(10_000);
    expect((await h.runs()).map((r) => r.scheduledFor)).toEqual([t(30), t(40)]);
  });

  it('is what the desktop controls use when the engine offers it (no stop and start)', async () => {
    h = await startHarness();
    await h.save({ everySeconds: 10 });
    const controls = schedulerControls(h.scheduler, h.clock, () => undefined);
    controls.pauseUntil(Date.parse(t(30)));
    expect(h.scheduler.status()).toMatchObject({ running: true, pausedUntil: Date.parse(t(30)) });
    await h.clock.advance(40_000);
    expect(controls.pausedUntil()).toBeUndefined();
    expect((await h.runs()).map((r) => [r.trigger.kind, r.scheduledFor])).toEqual([
      ['schedule', t(30)],
      ['schedule', t(40)],
    ]);
  });
});

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
