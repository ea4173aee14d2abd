/**
 * Presets for the cron field: the schedules people set up most, each a small form that writes
 * a plain 5-field expression (so what is saved is what a cron user reads).
 */
export type CronPreset =
  | { kind: 'every-minutes'; minutes: number }
  | { kind: 'hourly'; minute: number }
  | { kind: 'daily'; time: string }
  | { kind: 'weekdays'; time: string }
  | { kind: 'weekly'; weekday: number; time: string }
  | { kind: 'monthly'; day: number; time: string };

export type CronPresetKind = CronPreset['kind'];

export const PRESET_LABELS: Record<CronPresetKind, string> = {
  'every-minutes': 'Every N minutes',
  hourly: 'Hourly, at a minute',
  daily: 'Daily, at a time',
  weekdays: 'Weekdays (Mon–Fri), at a time',
  weekly: 'Weekly, on a day at a time',
  monthly: 'Monthly, on a day at a time',
};

export const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

/** The preset's defaults when it is picked. */
export function defaultPreset(kind: CronPresetKind): CronPreset {
  switch (kind) {
    case 'every-minutes':
      return { kind, minutes: 15 };
    case 'hourly':
      return { kind, minute: 0 };
    case 'daily':
    case 'weekdays':
      return { kind, time: '09:00' };
    case 'weekly':
      return { kind, weekday: 1, time: '09:00' };
    case 'monthly':
      return { kind, day: 1, time: '09:00' };
  }
}

function hourMinute(time: string): [number, number] | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!match) return undefined;
  const h = Number(match[1]);
  const m = Number(match[2]);
  return h <= 23 && m <= 59 ? [h, m] : undefined;
}

const whole = (n: number, min: number, max: number): boolean =>
  Number.isInteger(n) && n >= min && n <= max;

/** The expression for a preset, or a sentence saying which value is out of range. */
export function presetExpression(preset: CronPreset): { cron: string } | { error: string } {
  if (preset.kind === 'every-minutes') {
    // */N restarts at the top of every hour: only divisors of 60 give an even interval.
    if (!whole(preset.minutes, 1, 60)) return { error: 'minutes must be a whole number 1-60' };
    if (60 % preset.minutes !== 0) {
      return {
        error: `every ${preset.minutes} minutes does not divide the hour evenly (cron restarts at :00); use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60, or an every-N-seconds entry`,
      };
    }
    return { cron: preset.minutes === 60 ? '0 * * * *' : `*/${preset.minutes} * * * *` };
  }
  if (preset.kind === 'hourly') {
    if (!whole(preset.minute, 0, 59)) return { error: 'the minute must be a whole number 0-59' };
    return { cron: `${preset.minute} * * * *` };
  }
  const hm = hourMinute(preset.time);
  if (!hm) return { error: 'enter a time such as 09:00' };
  const [h, m] = hm;
  switch (preset.kind) {
    case 'daily':
      return { cron: `${m} ${h} * * *` };
    case 'weekdays':
      return { cron: `${m} ${h} * * 1-5` };
    case 'weekly':
      if (!whole(preset.weekday, 0, 6)) return { error: 'pick a day of the week' };
      return { cron: `${m} ${h} * * ${preset.weekday}` };
    case 'monthly':
      if (!whole(preset.day, 1, 31)) return { error: 'the day must be a whole number 1-31' };
      return { cron: `${m} ${h} ${preset.day} * *` };
  }
}
