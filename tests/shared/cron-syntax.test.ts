import { CronPattern } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCron } from '../../src/shared/cron-syntax';
import { oneRandomField, VALID_CRON } from '../support/cron-corpus';

const refusal = (expression: string): { message: string; field?: string } => {
  const check = checkCron(expression);
  if (check.ok) throw new Error(`${JSON.stringify(expression)} was accepted`);
  return check;
};

const cronerAccepts = (expression: string): boolean => {
  try {
    new CronPattern(expression, undefined, { mode: '5-or-6-parts' });
    return true;
  } catch {
    return false;
  }
};

describe('checkCron', () => {
  it('accepts the forms cron users type, normalizing spaces and nicknames', () => {
    for (const expression of VALID_CRON) {
      expect(checkCron(expression), expression).toMatchObject({ ok: true });
    }
    expect(checkCron(' 0\t9  * * 1-5 ')).toEqual({
      ok: true,
      expression: '0 9 * * 1-5',
      fields: ['0', '9', '*', '*', '1-5'],
    });
    expect(checkCron('@Daily')).toEqual({
      ok: true,
      expression: '@daily',
      fields: ['0', '0', '*', '*', '*'],
    });
  });

  it('names the field and reports the value as typed', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['61 * * * *', 'minute', /^minute \(field 1\) must be 0-59; got "61"$/],
      ['0 24 * * *', 'hour', /^hour \(field 2\) must be 0-23; got "24"$/],
      ['0 0 0 * *', 'day-of-month', /^day-of-month \(field 3\) must be 1-31.*; got "0"$/],
      ['0 0 32 * *', 'day-of-month', /got "32"$/],
      ['0 0 * 13 *', 'month', /^month \(field 4\) must be 1-12 or JAN-DEC; got "13"$/],
      ['0 0 * 0 *', 'month', /got "0"$/],
      ['0 0 * * 8', 'day-of-week', /^day-of-week \(field 5\) must be 0-7 .*; got "8"$/],
      ['5-1 * * * *', 'minute', /^minute \(field 1\) range "5-1" runs backwards; write .*\(1-5\)$/],
      ['*/0 * * * *', 'minute', /step "\/0" must be a whole number from 1 to 60$/],
      ['*/61 * * * *', 'minute', /step "\/61" must be a whole number from 1 to 60$/],
      ['5/10 * * * *', 'minute', /a step goes on \* or a range; write 5-59\/10 or \*\/10$/],
      ['a * * * *', 'minute', /^minute \(field 1\) "a" is not a number; names are for month/],
      ['0 0 * JANUARY *', 'month', /"JANUARY" is not a name it takes; use 1-12 or JAN-DEC$/],
      ['0 0 * * FRI-MON', 'day-of-week', /range "FRI-MON" runs backwards/],
      ['1,,2 * * * *', 'minute', /"1,,2" has an empty item/],
      ['0 0 * * 5#6', 'day-of-week', /the number after # must be 1-5/],
      ['0 0 * * L', 'day-of-week', /use 5#3 \(third Friday\) or 5L/],
      ['0 0 L-3 * *', 'day-of-month', /L and W stand alone/],
      ['0 0 LW,5 * *', 'day-of-month', /LW .* must stand alone/],
      ['0 0 1-5#2 * *', 'day-of-month', /is not a value/],
      ['0 0 * * 1-5#2', 'day-of-week', /use 5#3/],
      ['61 * * * * *', 'second', /^second \(field 1\) must be 0-59; got "61"$/],
      ['0 61 * * * *', 'minute', /^minute \(field 2\)/],
      ['1-2-3 * * * *', 'minute', /is not a range/],
    ];
    for (const [expression, field, message] of cases) {
      const problem = refusal(expression);
      expect(problem.field, expression).toBe(field);
      expect(problem.message, expression).toMatch(message);
    }
  });

  it('says "use 5 fields" only when the count is wrong', () => {
    expect(refusal('* * * *').message).toBe(
      'it has 4 fields; use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first',
    );
    expect(refusal('0 0 0 1 1 * 2026').message).toMatch(/^it has 7 fields/);
    for (const bad of ['61 * * * *', '0 0 * 13 *', 'a * * * *']) {
      expect(refusal(bad).message).not.toMatch(/use 5 fields/);
    }
  });

  it('refuses a non-breaking space or any other odd character, saying where', () => {
    expect(refusal('0\u00a09 * * *').message).toMatch(
      /^it contains a non-breaking space \(U\+00A0\) at position 2; separate fields with ordinary spaces/,
    );
    expect(refusal('0 9 * * 1\u20135').message).toMatch(
      /the character "–" \(U\+2013\) at position 10/,
    );
    expect(refusal('0 9 * *\n*').message).toMatch(/a special space or line break \(U\+000A\)/);
    expect(refusal('').message).toMatch(/it is empty/);
  });

  it('keeps every message short, however long the input', () => {
    const long = [`${'1,'.repeat(5000)}99`, '1', '1', '1', '1'].join(' ');
    expect(refusal(long).message.length).toBeLessThan(300);
    expect(refusal('x'.repeat(10_000)).message.length).toBeLessThan(300);
    expect(refusal(`0 0 * * ${'9'.repeat(5000)}`).message.length).toBeLessThan(300);
    expect(refusal(Array(5000).fill('*').join(' ')).message.length).toBeLessThan(300);
  });

  it('accepts nothing croner refuses, and refuses what croner accepts only by a stated rule', () => {
    const expression = oneRandomField();
    let accepted = 0;
    fc.assert(
      fc.property(expression, (e) => {
        const ours = checkCron(e).ok;
        const theirs = cronerAccepts(e);
        if (ours) accepted++;
        if (ours) expect(theirs, `${e}: accepted here, refused by croner`).toBe(true);
        // Stricter than croner only where croner's reading is surprising: # or L on a range.
        if (theirs && !ours)
          expect(e, `${e}: refused here, accepted by croner`).toMatch(/-\w+[#L]/i);
      }),
      { seed: 20_261_201, numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(1_000);
  });
});
