/** isoTime: toISOString with the last few seconds remembered, which must never show. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../src/main/core/iso-time';

const toIso = (ms: number): string => new Date(ms).toISOString();
/** The Date range: ±100,000,000 days around 1970. */
const MAX_MS = 8.64e15;

describe('isoTime', () => {
  it('formats every time as toISOString does, whatever was formatted before it', () => {
    const near = fc.integer({ min: -3_000, max: 3_000 });
    const time = fc.oneof(
      fc.integer({ min: -MAX_MS, max: MAX_MS }),
      fc.integer({ min: 0, max: 253_402_300_799_999 }), // years 1970–9999: the remembered ones
      fc.constantFrom(0, -1, 999, 1000, -62_167_219_200_000, 253_402_300_800_000),
      fc.double({ min: -1e13, max: 1e13, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(time, fc.array(near, { maxLength: 8 })), { minLength: 1 }),
        (runs) => {
          for (const [start, offsets] of runs) {
            for (const ms of [start, ...offsets.map((offset) => start + offset)]) {
              if (Math.abs(ms) > MAX_MS) continue;
              expect(isoTime(ms)).toBe(toIso(ms));
            }
          }
        },
      ),
      { seed: 20261201, numRuns: 500 },
    );
  });

  it('formats runs of many seconds in turn, as runs and schedule slots interleave', () => {
    const base = Date.parse('2026-12-01T10:00:59.000Z');
    for (let i = 0; i < 5_000; i++) {
      const ms = base + (i % 7) * 1000 + ((i * 37) % 1000);
      expect(isoTime(ms)).toBe(toIso(ms));
    }
  });

  it('throws for times that are not dates, as toISOString does', () => {
    for (const ms of [NaN, Infinity, MAX_MS + 1]) {
      expect(() => isoTime(ms)).toThrow(RangeError);
    }
  });
});
