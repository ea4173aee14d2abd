/** Time zones: the list the picker offers, and formatting with a user-given zone that never throws. */

/** The zone of this machine (the browser's, which is the service's when it runs locally). */
export function systemZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** True when `Intl` accepts `zone` as a time zone. */
export function isValidZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `zone` when `Intl` accepts it, else `fallback` (the system zone unless given). */
export function safeZone(zone: string | undefined, fallback: string = systemZone()): string {
  return zone && isValidZone(zone) ? zone : isValidZone(fallback) ? fallback : 'UTC';
}

let supported: string[] | undefined;

/**
 * Every zone the picker offers: the system zone first, then `Intl.supportedValuesOf('timeZone')`
 * with UTC, plus `extra` (e.g. an entry's stored zone) when valid.
 */
export function zoneList(extra: readonly string[] = []): string[] {
  if (!supported) {
    let all: string[] = [];
    try {
      all = Intl.supportedValuesOf('timeZone');
    } catch {
      all = [];
    }
    supported = [...new Set(['UTC', ...all])].sort();
  }
  const first = systemZone();
  const more = extra.filter((z) => z && isValidZone(z) && !supported!.includes(z));
  return [first, ...[...new Set([...supported, ...more])].sort().filter((z) => z !== first)];
}

/** The UTC offset of `zone` at `ms`, e.g. "UTC+01:00" or "UTC+00:00"; "" when unknown. */
export function zoneOffset(zone: string, ms: number = Date.now()): string {
  try {
    const name =
      new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
        .formatToParts(new Date(ms))
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    return name === 'GMT' ? 'UTC+00:00' : name.replace(/^GMT/, 'UTC');
  } catch {
    return '';
  }
}

/** `iso` as local date and time in `zone` with the zone's short name; never throws. */
export function formatInZone(iso: string, zone: string | undefined): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return d.toLocaleString(undefined, { timeZone: safeZone(zone), timeZoneName: 'short' });
  } catch {
    return d.toISOString();
  }
}

/** The field message for a typed zone that is not in the picker's list (empty is allowed). */
export function zoneChoiceError(zone: string, extra: readonly string[] = []): string | undefined {
  if (!zone.trim() || zoneList(extra).includes(zone)) return undefined;
  return 'pick a zone from the list (type part of its name, e.g. Berlin or Europe/Berlin)';
}

/**
 * The one rule for a cron entry saved without a zone, as the core applies it (schedules.save):
 * the default zone from Settings, else the zone of the machine running the service
 * (`system.info`'s `timezone`, which is not the browser's when the service runs elsewhere).
 * Stated in the schedule form and, for the default zone itself, in Settings.
 */
export function emptyZoneRule(
  settings: { defaultTimezone?: string | undefined } | undefined,
  info: { timezone?: string } | undefined,
  where: 'entry' | 'settings' = 'entry',
): string {
  const service = info?.timezone ? `the service's zone (${info.timezone})` : "the service's zone";
  if (where === 'settings') return `Empty: ${service}.`;
  return settings?.defaultTimezone
    ? `Empty: the default zone from Settings (${settings.defaultTimezone}), saved with the entry.`
    : `Empty: the default zone from Settings, or ${service} while that is empty; saved with the entry.`;
}
