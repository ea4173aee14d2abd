import { randomBytes } from 'node:crypto';

/**
 * Sortable opaque ids: 12 hex digits of milliseconds, 3 of a per-millisecond counter, 8 random. Ids created later
 * sort later, which keeps run pages stable when two runs start in the same millisecond.
 */
export type IdGenerator = () => string;

export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  let last = 0;
  let counter = 0;
  return () => {
    const ms = now();
    counter = ms === last ? counter + 1 : 0;
    last = ms;
    const time = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
    const seq = (counter & 0xfff).toString(16).padStart(3, '0');
    return `${time}${seq}${randomBytes(4).toString('hex')}`;
  };
}
