/**
 * Issue #13: cron expressions read with Vixie cron / cronie semantics. The golden corpus
 * (cron-golden.ts) is the reference; these tests check every case against the engine's math.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cronerPlan } from '../../../src/main/scheduler/cron-dialect';
import { CRON_NICKNAMES } from '../../../src/shared/cron-syntax';
import {
  lastFireAtOrBefore,
  previewTimes,
  validateSpec,
  type ScheduleSpec,
} from '../../../src/main/scheduler/schedule-math';
import { CRON_GOLDEN } from './cron-golden';
import { startHarness, type Harness } from './harness';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const cron = (expression: string, timezone: string): ScheduleSpec =>
  validateSpec({ kind: 'cron', cron: expression, timezone }, NOW);

function refusal(expression: string): string {
  try {
    validateSpec({ kind: 'cron', cron: expression, timezone: 'UTC' }, NOW);
  } catch (error) {
    expect(error).toMatchObject({ code: 'VALIDATION' });
    return (error as Error).message;
  }
  throw new Error(`"${expression}" was accepted`);
}

describe('the golden cron corpus (cronie semantics)', () => {
  it.each(CRON_GOLDEN.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const spec = cron(c.cron, c.timezone);
    const times = previewTimes(spec, Date.parse(c.from), c.expected.length);
    expect(times.map(iso)).toEqual(c.expected);
  });

  it('finds every golden fire time as the latest slot at or before it, and none in between', () => {
    for (const c of CRON_GOLDEN) {
      const spec = cron(c.cron, c.timezone);
      const times = c.expected.map(Date.parse);
      times.forEach((time, i) => {
        expect(lastFireAtOrBefore(spec, time), `${c.cron} in ${c.timezone} at ${iso(time)}`).toBe(
          time,
        );
        if (i > 0) {
          expect(
            lastFireAtOrBefore(spec, time - 1),
            `${c.cron} in ${c.timezone} before ${iso(time)}`,
          ).toBe(times[i - 1]);
        }
      });
    }
  });
});

describe('cron nicknames', () => {
  it('accepts every nickname in any case and stores it in lower case', () => {
    for (const name of Object.keys(CRON_NICKNAMES)) {
      expect(cron(name.toUpperCase(), 'UTC').cron).toBe(name);
      expect(previewTimes(cron(name, 'UTC'), NOW, 3)).toEqual(
        previewTimes(cron(CRON_NICKNAMES[name]!, 'UTC'), NOW, 3),
      );
    }
    expect(CRON_NICKNAMES).toEqual({
      '@hourly': '0 * * * *',
      '@daily': '0 0 * * *',
      '@midnight': '0 0 * * *',
      '@weekly': '0 0 * * 0',
      '@monthly': '0 0 1 * *',
      '@yearly': '0 0 1 1 *',
      '@annually': '0 0 1 1 *',
    });
  });

  it('refuses @reboot saying why it has no meaning here', () => {
    expect(refusal('@reboot')).toMatch(
      /cron "@reboot" is invalid: @reboot is not supported: the scheduler is always running/,
    );
    expect(refusal('@Reboot')).toMatch(/@reboot is not supported/);
  });

  it('refuses an unknown nickname listing the known ones', () => {
    expect(refusal('@fortnightly')).toMatch(
      /cron "@fortnightly" is invalid: unknown nickname; use one of @hourly, @daily/,
    );
    expect(refusal('@daily 5')).toMatch(/unknown nickname/);
  });
});

describe('how an expression is classified', () => {
  it('treats minute and hour fields that do not start with * as a fixed-time job', () => {
    for (const expression of ['30 2 * * *', '30 1,13 * * *', '0 1-2 * * *', '0-30/10 2 * * *']) {
      expect(cronerPlan(expression).fixedTime, expression).toBe(true);
    }
    for (const expression of ['*/30 1 * * *', '15 * * * *', '0 */2 * * *', '? 3 * * *']) {
      expect(cronerPlan(expression).fixedTime, expression).toBe(false);
    }
  });

  it('spells out stepped time fields of a fixed-time job so croner treats it as fixed-time', () => {
    expect(cronerPlan('0-30/10 2 * * *').pattern).toBe('0,10,20,30 2 * * *');
    expect(cronerPlan('*/20 5,*/12 3 * * *').pattern).toBe('0,20,40 0,5,12,24,36,48 3 * * *');
    expect(cronerPlan('30 2,14 * * *').pattern).toBe('30 2,14 * * *');
  });

  it('combines the day fields with AND when either starts with * and with OR otherwise', () => {
    expect(cronerPlan('0 0 */2 * 1').domAndDow).toBe(true);
    expect(cronerPlan('0 0 1 * */6').domAndDow).toBe(true);
    expect(cronerPlan('0 0 * * 1').domAndDow).toBe(true);
    expect(cronerPlan('0 0 1,15 * 1').domAndDow).toBe(false);
    expect(cronerPlan('0 0 1-7 * MON').domAndDow).toBe(false);
  });
});

describe('schedules.preview from a given time', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('lists the fire times after from instead of after now', async () => {
    h = await startHarness();
    const { times } = await h.call('schedules.preview', {
      kind: 'cron',
      cron: '30 1,13 * * *',
      timezone: 'America/New_York',
      from: '2027-11-06T08:00:00-04:00',
      count: 3,
    });
    expect(times).toEqual([
      '2027-11-06T17:30:00.000Z',
      '2027-11-07T05:30:00.000Z',
      '2027-11-07T18:30:00.000Z',
    ]);
    const past = await h.call('schedules.preview', {
      kind: 'frequency',
      everySeconds: 60,
      from: '1999-12-31T23:59:00Z',
      count: 2,
    });
    expect(past.times).toEqual(['2000-01-01T00:00:00.000Z', '2000-01-01T00:01:00.000Z']);
  });

  it('refuses a from outside 1970–9999 naming the field', async () => {
    h = await startHarness();
    for (const from of ['1969-12-31T23:59:59Z', '9999-12-31T23:00:00-05:00', 'tomorrow']) {
      await expect(
        h.call('schedules.preview', { kind: 'cron', cron: '0 0 * * *', from }),
      ).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/^from: must be/),
      });
    }
  });
});
