/**
 * Values frozen all the way down: the runner's redacted configuration snapshot is shared by every
 * run of a batch and by event listeners, so nothing may change it after it is made.
 */

/** Freezes `value` and everything in it (plain data: no cycles). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  Object.freeze(value);
  return value;
}
