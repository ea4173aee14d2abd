/**
 * The task ids of one segment's summary, as a bitset over one table of the task ids seen in this
 * process. A summary per hour of history each holding a `Set` of its hour's task ids cost ~20 bytes
 * per id: with 1,000 tasks, ~21 KB an hour, ~15 MB for 30 days. As bits over the shared table it is
 * one bit per task (125 bytes an hour for 1,000 tasks), and `summary.json` stores the same bits
 * (base64) beside one list of the ids instead of every hour's list of strings.
 *
 * The table only grows (by the distinct task ids the history names, not by runs). Its strings are
 * copies (see ownCopy): a task id read from a segment file is a slice of the whole file's text.
 */
import { ownCopy } from './run-log-parts';

const ids: string[] = [];
const indexes = new Map<string, number>();
const EMPTY = new Uint8Array(0);

function intern(id: string): number {
  let index = indexes.get(id);
  if (index === undefined) {
    index = ids.length;
    const own = ownCopy(id);
    ids.push(own);
    indexes.set(own, index);
  }
  return index;
}

export class TaskIdSet implements Iterable<string> {
  private bits: Uint8Array = EMPTY;
  private count = 0;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    const index = indexes.get(id);
    return index !== undefined && this.hasIndex(index);
  }

  add(id: string): this {
    this.addIndex(intern(id));
    return this;
  }

  *[Symbol.iterator](): Iterator<string> {
    const { bits } = this;
    for (let byte = 0; byte < bits.length; byte++) {
      const value = bits[byte]!;
      if (value === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (value & (1 << bit)) yield ids[byte * 8 + bit]!;
    }
  }

  /** @internal The bitset (bit i: the id at index i of the process table). */
  get bytes(): Uint8Array {
    return this.bits;
  }

  private hasIndex(index: number): boolean {
    const byte = index >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (index & 7))) !== 0;
  }

  /** @internal Takes a whole bitset (decoding a file whose list matches the table). */
  setBytes(bytes: Uint8Array): void {
    this.bits = bytes;
    this.count = 0;
    for (const value of bytes) this.count += popcount(value);
  }

  /** @internal Adds by process-table index (decoding). */
  addIndex(index: number): void {
    const byte = index >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, Math.min(this.bits.length * 2, 1 << 16)));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (index & 7);
    if ((this.bits[byte]! & mask) === 0) {
      this.bits[byte]! |= mask;
      this.count++;
    }
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let v = byte; v; v &= v - 1) n++;
  return n;
}

/** The bytes without trailing zero bytes. */
function trimmed(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');

/**
 * The sets for a file: one list of the ids they hold (`tasks`) and, per set, its bits over that
 * list as base64 (trailing zero bytes left out). When the ids held are the table's first ones
 * (the usual case: one store per process), the bits are the sets' own; else they are renumbered.
 */
export function encodeTaskIdSets(sets: TaskIdSet[]): { tasks: string[]; bits: string[] } {
  let width = 0;
  for (const set of sets) width = Math.max(width, set.bytes.length);
  const union = new Uint8Array(width);
  for (const set of sets) {
    const { bytes } = set;
    for (let i = 0; i < bytes.length; i++) union[i]! |= bytes[i]!;
  }
  const fileIndex = new Int32Array(width * 8).fill(-1);
  const tasks: string[] = [];
  let identity = true;
  for (let index = 0; index < width * 8; index++) {
    if ((union[index >>> 3]! & (1 << (index & 7))) === 0) continue;
    if (tasks.length !== index) identity = false;
    fileIndex[index] = tasks.length;
    tasks.push(ids[index]!);
  }
  const bits = sets.map((set) => {
    if (identity) return base64(trimmed(set.bytes));
    const out = new Uint8Array((tasks.length + 7) >>> 3);
    const { bytes } = set;
    for (let byte = 0; byte < bytes.length; byte++) {
      const value = bytes[byte]!;
      if (value === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if ((value & (1 << bit)) === 0) continue;
        const at = fileIndex[byte * 8 + bit]!;
        out[at >>> 3]! |= 1 << (at & 7);
      }
    }
    return base64(trimmed(out));
  });
  return { tasks, bits };
}

/** Reads the file's list of ids once; returns a decoder of one set's bits over that list. */
export function taskIdSetDecoder(tasks: string[]): (bits: string) => TaskIdSet {
  const toProcess = tasks.map((id) => intern(id));
  const identity = toProcess.every((index, i) => index === i);
  const limit = (tasks.length + 7) >>> 3;
  return (bits) => {
    const set = new TaskIdSet();
    const decoded = Buffer.from(bits, 'base64');
    const bytes = decoded.subarray(0, Math.min(decoded.length, limit));
    if (identity) {
      // A copy of its own (a decoded Buffer may share a larger pool's memory).
      const own = new Uint8Array(bytes.length);
      own.set(bytes);
      if (tasks.length % 8 !== 0 && own.length === limit)
        own[limit - 1]! &= (1 << (tasks.length % 8)) - 1;
      set.setBytes(own);
      return set;
    }
    for (let byte = 0; byte < bytes.length; byte++) {
      const value = bytes[byte]!;
      if (value === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        const at = byte * 8 + bit;
        if (value & (1 << bit) && at < toProcess.length) set.addIndex(toProcess[at]!);
      }
    }
    return set;
  };
}
