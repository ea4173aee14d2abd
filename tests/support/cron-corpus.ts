import fc from 'fast-check';

/**
 * Cron expressions for checking that the schedule form's helper and the service agree: valid
 * ones (every form docs/scheduling.md lists), malformed ones (one per rule, each naming its
 * field), and well-formed ones that never fire.
 */
export const VALID_CRON = [
  '* * * * *',
  '0 9 * * 1-5',
  '*/15 * * * *',
  '0 */2 * * *',
  '30 2 * * 0',
  '0 0 1 * *',
  '0 0 L * *',
  '0 0 LW * *',
  '0 0 15W * *',
  '0 0 1,15,L * *',
  '0 0 * * 5#3',
  '0 0 * * FRI#L',
  '0 0 * * 5L',
  '0 12 * JAN,FEB MON-FRI',
  '0 0 * * SAT-SUN',
  '0 0 ? * 1',
  '0-30/10 8-18 * * *',
  '*/10 * * * * *',
  '0 0 0 * * *',
  '0 0 */2 * 1',
  '0 0 1 * 1',
  '0 0 29 2 *',
  '0 0 * * 7',
  '  0   9 * *\t1-5 ',
  '@hourly',
  '@daily',
  '@midnight',
  '@weekly',
  '@monthly',
  '@yearly',
  '@annually',
  '@DAILY',
];

/** Malformed, with the field the message must name (undefined: the whole expression). */
export const MALFORMED_CRON: Array<[string, string | undefined]> = [
  ['61 * * * *', 'minute'],
  ['0 24 * * *', 'hour'],
  ['0 0 0 * *', 'day-of-month'],
  ['0 0 32 * *', 'day-of-month'],
  ['0 0 * 13 *', 'month'],
  ['0 0 * * 8', 'day-of-week'],
  ['5-1 * * * *', 'minute'],
  ['*/0 * * * *', 'minute'],
  ['*/61 * * * *', 'minute'],
  ['5/10 * * * *', 'minute'],
  ['a * * * *', 'minute'],
  ['0 0 * JANUARY *', 'month'],
  ['0 0 * * FRI-MON', 'day-of-week'],
  ['1,,2 * * * *', 'minute'],
  ['0 0 * * 5#6', 'day-of-week'],
  ['0 0 * * L', 'day-of-week'],
  ['0 0 L-3 * *', 'day-of-month'],
  ['0 0 W * *', 'day-of-month'],
  ['61 * * * * *', 'second'],
  ['* * * *', undefined],
  ['0 0 0 1 1 * 2026', undefined],
  ['0\u00a09 * * *', undefined],
  ['0 9 * * 1\u20135', undefined],
  ['@reboot', undefined],
  ['@fortnightly', undefined],
  ['2026-01-01T10:00:00Z', undefined],
  ['every day at noon', undefined],
  [`0 0 * * ${'9'.repeat(3000)}`, 'day-of-week'],
  [['1,'.repeat(2000) + '99', '*', '*', '*', '*'].join(' '), 'minute'],
];

/** Well formed, but no date ever matches. */
export const NEVER_FIRES_CRON = ['0 0 31 2 *', '0 0 30 2 *', '0 0 31 4,6,9,11 *'];

/**
 * A 5- or 6-field expression with one field made of random tokens (values in and out of range,
 * names, L, W, #, steps, dashes, commas), the others valid: every field's rules meet often (a
 * whole random expression is almost never valid).
 */
export function oneRandomField(maxTokens = 4): fc.Arbitrary<string> {
  const token = fc.constantFrom(
    '*',
    '?',
    '0',
    '1',
    '5',
    '7',
    '12',
    '23',
    '24',
    '31',
    '32',
    '59',
    '60',
    '61',
    'L',
    'W',
    'LW',
    '15W',
    'JAN',
    'dec',
    'MON',
    'fri',
    'SUN',
    '#',
    '#3',
    '/',
    '/0',
    '/2',
    '/15',
    '/61',
    '-',
    ',',
    'x',
  );
  const field = fc.array(token, { minLength: 1, maxLength: maxTokens }).map((t) => t.join(''));
  return fc.tuple(fc.boolean(), fc.nat(5), field).map(([seconds, at, text]) => {
    const fields = seconds ? ['0', '0', '0', '*', '*', '*'] : ['0', '0', '*', '*', '*'];
    fields[at % fields.length] = text;
    return fields.join(' ');
  });
}
