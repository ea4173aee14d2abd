/**
 * Values frozen all the way down, registered so that serializers may cache their text: the
 * runner's redacted configuration snapshot is shared by every run of a batch, and re-serializing
 * it for each of thousands of run records a second is most of a record's cost.
 */
const frozen = new WeakSet<object>();

/** Freezes `value` and everything in it, and registers it as never changing again. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || frozen.has(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  Object.freeze(value);
  frozen.add(value);
  return value;
}

/** True for a value `deepFreeze` returned: its content can never change. */
export function isDeepFrozen(value: object): boolean {
  return frozen.has(value);
}
