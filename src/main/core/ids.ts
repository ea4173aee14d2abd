import { randomFillSync } from 'node:crypto';

/**
 * Sortable opaque ids: 12 hex digits of milliseconds, 3 of a per-millisecond counter, 8 random. Ids created later
 * sort later, which keeps run pages stable when two runs start in the same millisecond.
 */
export type IdGenerator = () => string;

/** Random bytes are drawn 4 KiB at a time: one `randomBytes(4)` call per id costs microseconds. */
const POOL_BYTES = 4096;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  let last = -1;
  let counter = 0;
  let prefix = '';
  const pool = Buffer.allocUnsafe(POOL_BYTES);
  let used = POOL_BYTES;
  return () => {
    const ms = now();
    if (ms === last) {
      counter++;
    } else {
      counter = 0;
      last = ms;
      prefix = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
    }
    if (used === POOL_BYTES) {
      randomFillSync(pool);
      used = 0;
    }
    const seq = counter & 0xfff;
    const id =
      prefix +
      HEX[seq >> 8]![1]! +
      HEX[seq & 0xff]! +
      HEX[pool[used]!]! +
      HEX[pool[used + 1]!]! +
      HEX[pool[used + 2]!]! +
      HEX[pool[used + 3]!]!;
    used += 4;
    return id;
  };
}

/** 12 hex digits of milliseconds, 3 of the counter, 8 random (see createIdGenerator). */
const CORE_ID = /^[0-9a-f]{23}$/;

/**
 * When an id of this generator was made (ms since 1970), read from its first 12 hex digits;
 * undefined for ids made elsewhere (imported records may have any id).
 */
export function idTimeMs(id: string): number | undefined {
  return CORE_ID.test(id) ? parseInt(id.slice(0, 12), 16) : undefined;
}
