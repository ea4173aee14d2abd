import { describe, expect, it } from 'vitest';
import { schedulerControls } from '../../../src/main/electron/scheduler-controls';
import { startHarness, t, type Harness } from './harness';
import { stopHarnessesAfterEach } from './support/scheduler-tests';

let h: Harness;
stopHarnessesAfterEach(() => h);

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
