/**
 * The golden corpus of cron fire times: the reference for how this project reads a cron
 * expression, which is Vixie cron / cronie semantics (docs/scheduling.md, issue #13). Every
 * expected time was computed by hand from the rules below, not by running the code:
 *
 * - **Day fields**: day-of-month and day-of-week are combined with AND when either field starts
 *   with `*`, with OR only when both are restricted without a leading `*`.
 * - **Fixed-time jobs** (minute and hour fields both not starting with `*`; single values, lists
 *   and ranges alike): a time in a DST gap runs once, at the first valid time after the gap; a
 *   time that happens twice runs only at its first occurrence.
 * - **Interval jobs** (minute or hour field starts with `*`): times in the gap are skipped, and
 *   both copies of a repeated hour run.
 * - Nicknames stand for their 5-field expressions.
 *
 * Each case lists the first fire times strictly after `from`, in UTC, with the local time beside.
 * The 2027 transitions used: New York 03-14 (02:00 EST → 03:00 EDT) and 11-07 (02:00 EDT → 01:00
 * EST); Berlin 03-28 (02:00 CET → 03:00 CEST) and 10-31 (03:00 CEST → 02:00 CET); Lord Howe
 * 04-04 (02:00 +11 → 01:30 +10:30) and 10-03 (02:00 +10:30 → 02:30 +11); Chatham 04-04 (03:45
 * +13:45 → 02:45 +12:45) and 09-26 (02:45 +12:45 → 03:45 +13:45).
 */
export interface GoldenCase {
  /** What the case shows, as a sentence. */
  name: string;
  cron: string;
  timezone: string;
  from: string;
  expected: string[];
}

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const LORD_HOWE = 'Australia/Lord_Howe';
const CHATHAM = 'Pacific/Chatham';

export const CRON_GOLDEN: GoldenCase[] = [
  // ------------------------------------------------------------------ New York
  {
    name: 'New York fall back: a list of hours runs the repeated 01:30 once, at the first copy',
    cron: '30 1,13 * * *',
    timezone: NY,
    from: '2027-11-06T12:00:00.000Z',
    expected: [
      '2027-11-06T17:30:00.000Z', // 11-06 13:30 EDT
      '2027-11-07T05:30:00.000Z', // 11-07 01:30 EDT (not again at 01:30 EST, 06:30Z)
      '2027-11-07T18:30:00.000Z', // 11-07 13:30 EST
      '2027-11-08T06:30:00.000Z', // 11-08 01:30 EST
    ],
  },
  {
    name: 'New York spring forward: a list of hours runs 02:30 at 03:00 EDT',
    cron: '30 2,14 * * *',
    timezone: NY,
    from: '2027-03-13T12:00:00.000Z',
    expected: [
      '2027-03-13T19:30:00.000Z', // 03-13 14:30 EST
      '2027-03-14T07:00:00.000Z', // 03-14 02:30 does not exist: 03:00 EDT
      '2027-03-14T18:30:00.000Z', // 03-14 14:30 EDT
      '2027-03-15T06:30:00.000Z', // 03-15 02:30 EDT
    ],
  },
  {
    name: 'New York fall back: a range of hours runs the repeated 01:00 once',
    cron: '0 1-2 * * *',
    timezone: NY,
    from: '2027-11-07T04:00:00.000Z', // 00:00 EDT
    expected: [
      '2027-11-07T05:00:00.000Z', // 01:00 EDT (not again at 01:00 EST, 06:00Z)
      '2027-11-07T07:00:00.000Z', // 02:00 EST
      '2027-11-08T06:00:00.000Z', // 11-08 01:00 EST
    ],
  },
  {
    name: 'New York spring forward: a single fixed time in the gap runs at 03:00 EDT',
    cron: '30 2 * * *',
    timezone: NY,
    from: '2027-03-13T12:00:00.000Z',
    expected: [
      '2027-03-14T07:00:00.000Z', // 03-14 03:00 EDT
      '2027-03-15T06:30:00.000Z', // 03-15 02:30 EDT
    ],
  },
  {
    name: 'New York fall back: a minute step is an interval job and runs in both copies of 01:00',
    cron: '*/30 1 * * *',
    timezone: NY,
    from: '2027-11-07T04:00:00.000Z', // 00:00 EDT
    expected: [
      '2027-11-07T05:00:00.000Z', // 01:00 EDT
      '2027-11-07T05:30:00.000Z', // 01:30 EDT
      '2027-11-07T06:00:00.000Z', // 01:00 EST
      '2027-11-07T06:30:00.000Z', // 01:30 EST
      '2027-11-08T06:00:00.000Z', // 11-08 01:00 EST
    ],
  },
  {
    name: 'New York spring forward: an hour wildcard is an interval job and skips the gap',
    cron: '15 * * * *',
    timezone: NY,
    from: '2027-03-14T05:00:00.000Z', // 00:00 EST
    expected: [
      '2027-03-14T05:15:00.000Z', // 00:15 EST
      '2027-03-14T06:15:00.000Z', // 01:15 EST; 02:15 does not exist and is skipped
      '2027-03-14T07:15:00.000Z', // 03:15 EDT
    ],
  },
  // ------------------------------------------------------------------ Berlin
  {
    name: 'Berlin spring forward: a list of hours runs 02:30 at 03:00 CEST',
    cron: '30 2,14 * * *',
    timezone: BERLIN,
    from: '2027-03-27T12:00:00.000Z',
    expected: [
      '2027-03-27T13:30:00.000Z', // 03-27 14:30 CET
      '2027-03-28T01:00:00.000Z', // 03-28 02:30 does not exist: 03:00 CEST
      '2027-03-28T12:30:00.000Z', // 03-28 14:30 CEST
      '2027-03-29T00:30:00.000Z', // 03-29 02:30 CEST
    ],
  },
  {
    name: 'Berlin fall back: a list of hours runs the repeated 02:30 once, at the first copy',
    cron: '30 2,14 * * *',
    timezone: BERLIN,
    from: '2027-10-30T12:00:00.000Z',
    expected: [
      '2027-10-30T12:30:00.000Z', // 10-30 14:30 CEST
      '2027-10-31T00:30:00.000Z', // 10-31 02:30 CEST (not again at 02:30 CET, 01:30Z)
      '2027-10-31T13:30:00.000Z', // 10-31 14:30 CET
      '2027-11-01T01:30:00.000Z', // 11-01 02:30 CET
    ],
  },
  {
    name: 'Berlin spring forward: several fixed times in the gap run once together at 03:00',
    cron: '0,30 2-3 * * *',
    timezone: BERLIN,
    from: '2027-03-28T00:00:00.000Z', // 01:00 CET
    expected: [
      '2027-03-28T01:00:00.000Z', // 02:00, 02:30 (gap) and 03:00: one run at 03:00 CEST
      '2027-03-28T01:30:00.000Z', // 03:30 CEST
      '2027-03-29T00:00:00.000Z', // 03-29 02:00 CEST
    ],
  },
  {
    name: 'Berlin spring forward: an interval job in the gap hour does not run that day',
    cron: '*/30 2 * * *',
    timezone: BERLIN,
    from: '2027-03-27T12:00:00.000Z',
    expected: [
      '2027-03-29T00:00:00.000Z', // 03-29 02:00 CEST (03-28 02:00 and 02:30 skipped)
      '2027-03-29T00:30:00.000Z', // 03-29 02:30 CEST
    ],
  },
  // ------------------------------------------------------------------ Lord Howe (30-minute DST)
  {
    name: 'Lord Howe spring forward: a list of hours runs 02:15 at 02:30, the end of the half-hour gap',
    cron: '15 2,14 * * *',
    timezone: LORD_HOWE,
    from: '2027-10-02T00:00:00.000Z', // 10-02 10:30 +10:30
    expected: [
      '2027-10-02T03:45:00.000Z', // 10-02 14:15 +10:30
      '2027-10-02T15:30:00.000Z', // 10-03 02:15 does not exist: 02:30 +11
      '2027-10-03T03:15:00.000Z', // 10-03 14:15 +11
      '2027-10-03T15:15:00.000Z', // 10-04 02:15 +11
    ],
  },
  {
    name: 'Lord Howe fall back: a list of hours runs the repeated 01:45 once, at the first copy',
    cron: '45 1,13 * * *',
    timezone: LORD_HOWE,
    from: '2027-04-03T00:00:00.000Z', // 04-03 11:00 +11
    expected: [
      '2027-04-03T02:45:00.000Z', // 04-03 13:45 +11
      '2027-04-03T14:45:00.000Z', // 04-04 01:45 +11 (not again at 01:45 +10:30, 15:15Z)
      '2027-04-04T03:15:00.000Z', // 04-04 13:45 +10:30
      '2027-04-04T15:15:00.000Z', // 04-05 01:45 +10:30
    ],
  },
  {
    name: 'Lord Howe fall back: an interval job runs both copies of the repeated half hour',
    cron: '*/20 1 * * *',
    timezone: LORD_HOWE,
    from: '2027-04-03T14:00:00.000Z', // 04-04 01:00 +11
    expected: [
      '2027-04-03T14:20:00.000Z', // 01:20 +11 (happens once: only 01:30–02:00 repeats)
      '2027-04-03T14:40:00.000Z', // 01:40 +11
      '2027-04-03T15:10:00.000Z', // 01:40 +10:30
      '2027-04-04T14:30:00.000Z', // 04-05 01:00 +10:30
    ],
  },
  // ------------------------------------------------------------------ Chatham (UTC+12:45/13:45)
  {
    name: 'Chatham spring forward: a list of hours runs 03:00 at 03:45, the end of the gap',
    cron: '0 3,15 * * *',
    timezone: CHATHAM,
    from: '2027-09-25T00:00:00.000Z', // 09-25 12:45 +12:45
    expected: [
      '2027-09-25T02:15:00.000Z', // 09-25 15:00 +12:45
      '2027-09-25T14:00:00.000Z', // 09-26 03:00 does not exist: 03:45 +13:45
      '2027-09-26T01:15:00.000Z', // 09-26 15:00 +13:45
      '2027-09-26T13:15:00.000Z', // 09-27 03:00 +13:45
    ],
  },
  {
    name: 'Chatham fall back: a list of hours runs the repeated 03:00 once, at the first copy',
    cron: '0 3,15 * * *',
    timezone: CHATHAM,
    from: '2027-04-03T00:00:00.000Z', // 04-03 13:45 +13:45
    expected: [
      '2027-04-03T01:15:00.000Z', // 04-03 15:00 +13:45
      '2027-04-03T13:15:00.000Z', // 04-04 03:00 +13:45 (not again at 03:00 +12:45, 14:15Z)
      '2027-04-04T02:15:00.000Z', // 04-04 15:00 +12:45
      '2027-04-04T14:15:00.000Z', // 04-05 03:00 +12:45
    ],
  },
  {
    name: 'Chatham spring forward: an hourly interval job skips the gap',
    cron: '0 * * * *',
    timezone: CHATHAM,
    from: '2027-09-25T13:00:00.000Z', // 09-26 01:45 +12:45
    expected: [
      '2027-09-25T13:15:00.000Z', // 02:00 +12:45; 03:00 does not exist and is skipped
      '2027-09-25T14:15:00.000Z', // 04:00 +13:45
    ],
  },
  // ------------------------------------------------------------------ day fields (UTC)
  {
    name: 'a day-of-month step with a weekday fires on odd days that are Mondays (AND)',
    cron: '0 0 */2 * 1',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z', // a Friday
    expected: [
      '2027-01-11T00:00:00.000Z', // Mondays 01-04 and 01-18 are even days
      '2027-01-25T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
      '2027-02-15T00:00:00.000Z',
    ],
  },
  {
    name: 'a weekday step with a day of month fires on the 1st when it is a Saturday or Sunday (AND)',
    cron: '0 0 1 * */6',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: [
      '2027-05-01T00:00:00.000Z', // a Saturday
      '2027-08-01T00:00:00.000Z', // a Sunday
      '2028-01-01T00:00:00.000Z', // a Saturday
    ],
  },
  {
    name: 'a day of month and a weekday both restricted fire on either (OR)',
    cron: '0 0 1,15 * 1',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: [
      '2027-01-04T00:00:00.000Z', // Monday
      '2027-01-11T00:00:00.000Z', // Monday
      '2027-01-15T00:00:00.000Z', // the 15th, a Friday
      '2027-01-18T00:00:00.000Z', // Monday
      '2027-01-25T00:00:00.000Z', // Monday
      '2027-02-01T00:00:00.000Z', // the 1st and a Monday: once
    ],
  },
  {
    name: 'a day-of-month range and a weekday fire on days 1–7 or any Monday (OR)',
    cron: '0 0 1-7 * 1',
    timezone: 'UTC',
    from: '2027-01-05T00:00:00.000Z',
    expected: [
      '2027-01-06T00:00:00.000Z',
      '2027-01-07T00:00:00.000Z',
      '2027-01-11T00:00:00.000Z', // Monday
      '2027-01-18T00:00:00.000Z', // Monday
    ],
  },
  {
    name: 'a question mark in the day of month is a wildcard: Mondays only',
    cron: '0 0 ? * 1',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: ['2027-01-04T00:00:00.000Z', '2027-01-11T00:00:00.000Z'],
  },
  // ------------------------------------------------------------------ nicknames (UTC)
  {
    name: '@hourly fires at minute 0 of every hour',
    cron: '@hourly',
    timezone: 'UTC',
    from: '2027-01-01T00:30:00.000Z',
    expected: ['2027-01-01T01:00:00.000Z', '2027-01-01T02:00:00.000Z'],
  },
  {
    name: '@midnight fires at 00:00 every day',
    cron: '@midnight',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: ['2027-01-02T00:00:00.000Z', '2027-01-03T00:00:00.000Z'],
  },
  {
    name: '@weekly fires on Sundays at 00:00',
    cron: '@weekly',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: ['2027-01-03T00:00:00.000Z', '2027-01-10T00:00:00.000Z'],
  },
  {
    name: '@monthly fires on the 1st at 00:00',
    cron: '@monthly',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: ['2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
  },
  {
    name: '@yearly fires on January 1st at 00:00',
    cron: '@yearly',
    timezone: 'UTC',
    from: '2027-01-01T00:00:00.000Z',
    expected: ['2028-01-01T00:00:00.000Z', '2029-01-01T00:00:00.000Z'],
  },
  {
    name: 'a nickname follows the zone and the fixed-time rule: @daily in New York',
    cron: '@DAILY',
    timezone: NY,
    from: '2027-03-13T12:00:00.000Z',
    expected: [
      '2027-03-14T05:00:00.000Z', // 03-14 00:00 EST
      '2027-03-15T04:00:00.000Z', // 03-15 00:00 EDT
    ],
  },
];
