import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  lastFireAtOrBefore,
  nextFireAfter,
  previewTimes,
  validateSpec,
  type ScheduleSpec,
} from '../../../src/main/scheduler/schedule-math';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const cron = (expression: string, timezone: string): ScheduleSpec =>
  validateSpec({ kind: 'cron', cron: expression, timezone }, NOW);
const preview = (spec: ScheduleSpec, from: string, count: number): string[] =>
  previewTimes(spec, Date.parse(from), count).map(iso);

function expectInvalid(spec: ScheduleSpec, message: RegExp): void {
  let caught: unknown;
  try {
    validateSpec(spec, NOW);
  } catch (error) {
    caught = error;
  }
  expect(caught).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(message) });
}

describe('validation', () => {
  it('rejects a wrong number of cron fields', () => {
    expectInvalid({ kind: 'cron', cron: '* * * *', timezone: 'UTC' }, /has 4 fields; use 5 fields/);
    expectInvalid({ kind: 'cron', cron: '0 0 0 1 1 * 2026', timezone: 'UTC' }, /has 7 fields/);
  });

  it('rejects out-of-range values naming the field', () => {
    expectInvalid(
      { kind: 'cron', cron: '61 * * * *', timezone: 'UTC' },
      /cron "61 \* \* \* \*" is invalid/,
    );
    expectInvalid({ kind: 'cron', cron: '0 25 * * *', timezone: 'UTC' }, /invalid/);
    expectInvalid({ kind: 'cron', cron: '0 0 * 13 *', timezone: 'UTC' }, /invalid/);
  });

  it('rejects a date that croner alone would accept', () => {
    expectInvalid({ kind: 'cron', cron: '2026-01-01T10:00:00Z', timezone: 'UTC' }, /has 1 field/);
    expectInvalid({ kind: 'cron', cron: 'every day at noon', timezone: 'UTC' }, /invalid/);
  });

  it('rejects an expression with no future occurrence', () => {
    expectInvalid({ kind: 'cron', cron: '0 0 31 2 *', timezone: 'UTC' }, /never fires/);
    expectInvalid(
      { kind: 'cron', cron: '0 0 1 1 *', timezone: 'UTC', endAt: '2026-06-01T00:00:00.000Z' },
      /never fires before endAt/,
    );
  });

  it('rejects an unknown time zone', () => {
    expectInvalid(
      { kind: 'cron', cron: '0 9 * * *', timezone: 'Mars/Olympus' },
      /time zone "Mars\/Olympus" is unknown/,
    );
  });

  it('rejects everySeconds below 1 or not whole', () => {
    expectInvalid({ kind: 'frequency', everySeconds: 0 }, /at least 1/);
    expectInvalid({ kind: 'frequency', everySeconds: 1.5 }, /whole number/);
    expectInvalid({ kind: 'frequency' }, /needs everySeconds/);
  });

  it('rejects endAt before startAt', () => {
    expectInvalid(
      {
        kind: 'frequency',
        everySeconds: 5,
        startAt: '2026-02-01T00:00:00.000Z',
        endAt: '2026-01-01T00:00:00.000Z',
      },
      /endAt .* must be after startAt/,
    );
  });

  it('accepts L, W, # and ranges as croner supports them', () => {
    expect(preview(cron('0 12 L * *', 'UTC'), '2026-02-01T00:00:00.000Z', 1)).toEqual([
      '2026-02-28T12:00:00.000Z',
    ]);
    expect(preview(cron('0 12 * * 1#2', 'UTC'), '2026-01-01T00:00:00.000Z', 1)).toEqual([
      '2026-01-12T12:00:00.000Z',
    ]);
    expect(preview(cron('0 12 15W * *', 'UTC'), '2026-02-01T00:00:00.000Z', 1)).toEqual([
      '2026-02-16T12:00:00.000Z',
    ]);
    expect(preview(cron('0 9-11/2 * * MON-FRI', 'UTC'), '2026-01-02T00:00:00.000Z', 3)).toEqual([
      '2026-01-02T09:00:00.000Z',
      '2026-01-02T11:00:00.000Z',
      '2026-01-05T09:00:00.000Z',
    ]);
  });
});

describe('daylight saving (golden cases)', () => {
  it('Europe/Berlin spring forward: a fixed time in the gap runs at the first time after it', () => {
    expect(preview(cron('30 2 * * *', 'Europe/Berlin'), '2026-03-27T12:00:00.000Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('Europe/Berlin fall back: a fixed time that happens twice runs once, at the first', () => {
    expect(preview(cron('30 2 * * *', 'Europe/Berlin'), '2026-10-23T12:00:00.000Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, not again at 02:30 CET
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('America/New_York spring forward and fall back', () => {
    expect(preview(cron('30 2 * * *', 'America/New_York'), '2026-03-06T12:00:00.000Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:30:00.000Z',
    ]);
    expect(preview(cron('30 1 * * *', 'America/New_York'), '2026-10-30T12:00:00.000Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT only
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('interval expressions skip the gap and run in both copies of the repeated hour', () => {
    expect(preview(cron('*/30 * * * *', 'Europe/Berlin'), '2026-03-29T00:00:00.000Z', 3)).toEqual([
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T01:30:00.000Z',
    ]);
    expect(preview(cron('*/30 * * * *', 'Europe/Berlin'), '2026-10-24T23:00:00.000Z', 6)).toEqual([
      '2026-10-24T23:30:00.000Z', // 01:30 CEST
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
    expect(
      preview(cron('*/30 * * * *', 'America/New_York'), '2026-11-01T04:00:00.000Z', 5),
    ).toEqual([
      '2026-11-01T04:30:00.000Z', // 00:30 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('frequency entries ignore zones: every hour stays 3,600 s apart through DST', () => {
    const spec: ScheduleSpec = {
      kind: 'frequency',
      everySeconds: 3600,
      anchorAt: '2026-03-29T00:00:00.000Z',
    };
    const times = previewTimes(spec, Date.parse('2026-03-29T00:00:00.000Z'), 4);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([3600_000, 3600_000, 3600_000]);
  });
});

describe('fire times', () => {
  it('finds the latest slot at or before an instant', () => {
    const every = { kind: 'frequency', everySeconds: 60, anchorAt: iso(NOW) } as const;
    expect(lastFireAtOrBefore(every, NOW + 59_999)).toBeUndefined();
    expect(lastFireAtOrBefore(every, NOW + 60_000)).toBe(NOW + 60_000);
    expect(lastFireAtOrBefore(every, NOW + 179_000)).toBe(NOW + 120_000);
    const daily = cron('0 9 * * *', 'UTC');
    expect(iso(lastFireAtOrBefore(daily, Date.parse('2026-01-05T09:00:00.000Z'))!)).toBe(
      '2026-01-05T09:00:00.000Z',
    );
    expect(iso(lastFireAtOrBefore(daily, Date.parse('2026-01-05T08:59:59.999Z'))!)).toBe(
      '2026-01-04T09:00:00.000Z',
    );
  });

  it('stops at endAt', () => {
    const spec = {
      kind: 'frequency',
      everySeconds: 10,
      anchorAt: iso(NOW),
      endAt: iso(NOW + 30_000),
    } as const;
    expect(previewTimes(spec, NOW, 10)).toEqual([NOW + 10_000, NOW + 20_000]);
    expect(nextFireAfter(spec, NOW + 20_000)).toBeUndefined();
  });
});

// ------------------------------------------------------------------ property tests

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];

interface Field {
  min: number;
  max: number;
}
const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 28 },
  { min: 1, max: 12 },
  { min: 0, max: 6 },
];

/** One field: `*`, `*\/s`, `a`, `a-b`, `a-b/s` or a list of values. */
function fieldArb(f: Field): fc.Arbitrary<string> {
  const value = fc.integer({ min: f.min, max: f.max });
  return fc.oneof(
    fc.constant('*'),
    fc.integer({ min: 2, max: Math.min(15, f.max) }).map((s) => `*/${s}`),
    value.map(String),
    fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc
      .tuple(value, value, fc.integer({ min: 2, max: 5 }))
      .map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`),
    fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((v) => v.join(',')),
  );
}

function allowed(field: string, f: Field): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    const [lo, hi] =
      range === '*'
        ? [f.min, f.max]
        : range!.includes('-')
          ? range!.split('-').map(Number)
          : [Number(range), stepText ? f.max : Number(range)];
    for (let v = lo!; v <= hi!; v += step) out.add(v);
  }
  return out;
}

function localFields(ms: number, zone: string): number[] {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)!.value;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return [
    Number(get('second')),
    Number(get('minute')),
    Number(get('hour')),
    Number(get('day')),
    Number(get('month')),
    weekday,
  ];
}

/** Whether the zone's offset changes within the day around `ms` (a DST transition day). */
function transitionNear(ms: number, zone: string): boolean {
  const offset = (t: number): string =>
    new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).format(
      new Date(t),
    );
  return offset(ms - 86_400_000) !== offset(ms + 86_400_000);
}

describe('previews (property tests)', () => {
  it('strictly increase and every time matches the expression', () => {
    const expression = fc
      .tuple(fc.boolean(), ...FIELDS.map(fieldArb))
      .map(([withSeconds, s, m, h, dom, mon, dow]) => {
        // Day-of-month and weekday combine with AND when either starts with `*` (every field
        // must match), with OR when both are restricted otherwise; keep one `*` in that case.
        const days = dom!.startsWith('*') || dow!.startsWith('*') ? [dom, dow] : [dom, '*'];
        return withSeconds
          ? [s, m, h, days[0], mon, days[1]].join(' ')
          : [m, h, days[0], mon, days[1]].join(' ');
      });
    fc.assert(
      fc.property(
        expression,
        fc.constantFrom(...ZONES),
        fc.integer({
          min: Date.parse('2026-01-01T00:00:00Z'),
          max: Date.parse('2027-12-31T00:00:00Z'),
        }),
        (expr, zone, from) => {
          const spec = cron(expr, zone);
          const times = previewTimes(spec, from, 8);
          expect(times.length).toBe(8);
          const parts = expr.split(' ');
          const fields = parts.length === 6 ? parts : ['0', ...parts];
          let previous = from;
          for (const time of times) {
            expect(time).toBeGreaterThan(previous);
            previous = time;
            // A fixed time inside a DST gap runs at the first valid time after the gap (documented).
            if (transitionNear(time, zone)) continue;
            const local = localFields(time, zone);
            fields.forEach((field, i) => {
              expect(
                allowed(field, FIELDS[i]!).has(local[i]!),
                `${expr} in ${zone} at ${iso(time)}: field ${i}`,
              ).toBe(true);
            });
          }
        },
      ),
      { seed: 20260101, numRuns: 300 },
    );
  });

  it('frequency previews are anchor + k·N', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        (every, offset) => {
          const spec: ScheduleSpec = { kind: 'frequency', everySeconds: every, anchorAt: iso(NOW) };
          const times = previewTimes(spec, NOW + offset, 5);
          for (const [i, time] of times.entries()) {
            expect((time - NOW) % (every * 1000)).toBe(0);
            expect(time).toBeGreaterThan(i === 0 ? NOW + offset : times[i - 1]!);
          }
          expect(times[0]! - (NOW + offset)).toBeLessThanOrEqual(every * 1000);
        },
      ),
      { seed: 20260101, numRuns: 300 },
    );
  });
});
