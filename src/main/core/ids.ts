import { randomFillSync } from 'node:crypto';

/**
 * Sortable opaque ids: 12 hex digits of milliseconds, 3 of a per-millisecond counter, 8 random. Ids created later
 * sort later, which keeps run pages stable when two runs start in the same millisecond.
 */
export type IdGenerator = () => string;

export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  let last = -1;
  let counter = 0;
  let prefix = '';
  return () => {
    const ms = now();
    if (ms === last) {
      counter++;
    } else {
      counter = 0;
      last = ms;
      prefix = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
    }
    const seq = counter & 0xfff;
    return prefix + HEX[seq >> 8]![1]! + HEX[seq & 0xff]! + randomHex8();
  };
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Random bytes fetched 4 KiB at a time for randomHex8. Why (measured on the project's 2-core
 * machine, Node 20): `randomBytes(4)` per id costs about 1.7 µs, a whole id made from the pool
 * about 50 ns; every run takes an id, so at 10,000 runs a second the pool saves 1.7 % of a core,
 * against the scheduler's goal of ≤ 25 % CPU at 10,000 runs a second (docs/benchmarks.md).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolUsed = POOL_BYTES;

/** 8 random hex digits (from the pool above). */
function randomHex8(): string {
  if (poolUsed === POOL_BYTES) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const at = poolUsed;
  poolUsed += 4;
  return HEX[pool[at]!]! + HEX[pool[at + 1]!]! + HEX[pool[at + 2]!]! + HEX[pool[at + 3]!]!;
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
