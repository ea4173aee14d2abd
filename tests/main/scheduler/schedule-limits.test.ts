/**
 * Issue #12: intervals and times are bounded so that every stored time is a valid ISO time
 * (four-digit years, 1970–9999), as VALIDATION naming the field.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextFireAfter, previewTimes } from '../../../src/main/scheduler/schedule-math';
import { scheduleEntrySchema, type ScheduleEntryInput } from '../../../src/shared/domain';
import { MAX_EVERY_SECONDS, MAX_SCHEDULE_TIME_MS } from '../../../src/shared/limits';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function expectRefused(entry: Partial<ScheduleEntryInput>, message: RegExp): Promise<void> {
  await expect(h.save(entry)).rejects.toMatchObject({
    code: 'VALIDATION',
    message: expect.stringMatching(message),
  });
  const preview = { kind: 'frequency' as const, everySeconds: 10, ...entry };
  delete (preview as { taskId?: string }).taskId;
  await expect(h.call('schedules.preview', preview)).rejects.toMatchObject({ code: 'VALIDATION' });
  expect(await h.call('schedules.list', {})).toEqual([]);
}

const FOUR_DIGIT_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('schedule intervals and times', () => {
  it.each([2 ** 53, 2 ** 53 - 1])(
    'refuses everySeconds of %d with VALIDATION instead of 500',
    (n) =>
      expectRefused(
        { everySeconds: n },
        /entry\.everySeconds: must be at most 315360000 \(10 years\)/,
      ),
  );

  it('refuses everySeconds of 10^12, which would be stored with a six-digit year', () =>
    expectRefused({ everySeconds: 1e12 }, /entry\.everySeconds: must be at most 315360000/));

  it('accepts 10 years, with a valid nextRunAt', async () => {
    const entry = await h.save({ everySeconds: MAX_EVERY_SECONDS });
    expect(entry.nextRunAt).toBe('2035-12-30T00:00:00.000Z');
    expect(scheduleEntrySchema.safeParse(entry).success).toBe(true);
  });

  it.each([
    ['startAt', '9999-12-31T23:00:00-05:00'],
    ['endAt', '9999-12-31T23:00:00-05:00'],
    ['startAt', '1969-12-31T23:59:59Z'],
    ['startAt', '0000-01-01T00:00:00Z'],
  ])('refuses %s %s, outside 1970–9999 in UTC', (field, time) =>
    expectRefused(
      { [field]: time },
      new RegExp(`entry\\.${field}: must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z`),
    ),
  );

  it('stores an entry whose next fire would pass year 9999 as finished, with no nextRunAt', async () => {
    const entry = await h.save({ startAt: '9999-12-31T00:00:00Z', everySeconds: 86_400 });
    expect(entry.startAt).toBe('9999-12-31T00:00:00.000Z');
    expect(entry.nextRunAt).toBeUndefined();
    expect(scheduleEntrySchema.safeParse(entry).success).toBe(true);
    const { times } = await h.call('schedules.preview', {
      kind: 'frequency',
      everySeconds: 86_400,
      startAt: '9999-12-31T00:00:00Z',
    });
    expect(times).toEqual([]);
  });

  it('previews up to the last fire before year 10000 and no further', async () => {
    const { times } = await h.call('schedules.preview', {
      kind: 'frequency',
      everySeconds: 3600,
      startAt: '9999-12-31T20:00:00Z',
      count: 10,
    });
    expect(times).toEqual([
      '9999-12-31T21:00:00.000Z',
      '9999-12-31T22:00:00.000Z',
      '9999-12-31T23:00:00.000Z',
    ]);
    for (const time of times) expect(time).toMatch(FOUR_DIGIT_ISO);
  });

  it('refuses a cron entry whose only fires lie after year 9999 as never firing', () =>
    expectRefused(
      {
        kind: 'cron',
        everySeconds: undefined,
        cron: '0 0 1 1 *',
        timezone: 'UTC',
        startAt: '9999-06-01T00:00:00Z',
      },
      /never fires/,
    ));
});

describe('fire-time math at the end of time', () => {
  it('finishes entries stored before the limits instead of computing an invalid time', () => {
    const anchorAt = '2026-01-01T00:00:00.000Z';
    for (const everySeconds of [1e12, 2 ** 53, Number.MAX_VALUE]) {
      expect(
        nextFireAfter({ kind: 'frequency', everySeconds, anchorAt }, Date.parse(anchorAt)),
      ).toBeUndefined();
    }
    expect(
      nextFireAfter({ kind: 'frequency', everySeconds: 10, anchorAt: 'not a time' }, 0),
    ).toBeUndefined();
    const last = previewTimes(
      { kind: 'frequency', everySeconds: 1, startAt: '9999-12-31T23:59:57.000Z' },
      Date.parse('9999-12-31T23:59:57.000Z'),
      10,
    );
    expect(last.at(-1)).toBeLessThanOrEqual(MAX_SCHEDULE_TIME_MS);
    expect(last).toHaveLength(2);
  });
});
