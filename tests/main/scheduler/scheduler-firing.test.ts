import { describe, expect, it } from 'vitest';
import { startHarness, t, type Harness } from './harness';
import { slots, stopHarnessesAfterEach } from './support/scheduler-tests';

let h: Harness;
stopHarnessesAfterEach(() => h);

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
