/**
 * Small parts of the run log (run-log.ts): append batches, sorted-key search, the encoding of
 * appended lines, synchronous writes, the bookkeeping after an append, and string copies that keep
 * no file text alive.
 */
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import type { Entry } from './segment';

/** One segment's records in a batch: lines to append and the entries they belong to. */
export interface Pending {
  lines: string[];
  entries: Entry[];
}

/** Records queued for one append round, by segment (`S`: the run log's segment). */
export interface Batch<S> {
  lines: Map<S, Pending>;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function newBatch<S>(): Batch<S> {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed batch is reported to its callers; never an unhandled rejection on its own.
  done.catch(() => undefined);
  return { lines: new Map(), done, resolve, reject };
}

/** Index of the first key >= `key` in an ascending array. */
export function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Appends up to this size are written synchronously (see writeBatch). */
export const SYNC_WRITE_MAX_BYTES = 8 * 1024;

/** One segment's lines as encoded for an append. */
export interface EncodedLines {
  bytes: Buffer;
  /** UTF-8 bytes of each line, its newline not counted. */
  lengths: number[];
  /** UTF-16 code units of all the lines. */
  chars: number;
}

/**
 * The lines, each followed by a newline, encoded as UTF-8 straight into one buffer. Joining them
 * and encoding the text instead cost 3–4 points of a core more in the scheduler bench (10,000
 * runs a second recorded in the json store: 20.2–23.9 % against 16.4–21.0 %, goal ≤ 25 %), about
 * 2 µs more a line in rounds of 100. A buffer reused from round to round measured no better.
 */
export function encodeLines(lines: readonly string[]): EncodedLines {
  let bound = 0;
  for (const line of lines) bound += line.length * 3 + 1; // UTF-8: at most 3 bytes per unit
  const buffer = Buffer.allocUnsafe(bound);
  const lengths = new Array<number>(lines.length);
  let used = 0;
  let chars = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    lengths[i] = buffer.write(line, used);
    chars += line.length;
    used += lengths[i]!;
    buffer[used++] = 0x0a;
  }
  return { bytes: buffer.subarray(0, used), lengths, chars };
}

/** writeSync until every byte is written (a regular file normally takes it all at once). */
export function writeAllSync(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Writes all of `data`: a write may take only part of it (a disk filling up takes what fits,
 * then refuses the rest), and the records' places in the file assume all of it is there.
 */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten === 0) throw Object.assign(new Error('nothing was written'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

/**
 * After an append: the entries whose latest line is the one just written keep only its place in
 * the file (see Entry). `lengths` are the lines' byte lengths as written.
 */
export function dropWrittenLines(
  start: number,
  lines: string[],
  entries: Entry[],
  lengths: number[],
): void {
  let offset = start;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const length = lengths[i]!;
    const entry = entries[i]!;
    // A later update may have replaced the line already; that one is dropped when written.
    if (entry.line === line) {
      entry.line = undefined;
      entry.offset = offset;
      entry.length = length;
    }
    offset += length + 1;
  }
}

/**
 * A copy of `text` that shares no memory with a larger string. The fields of an entry read from a
 * file are slices of the whole file's text: one of them kept in a summary or an id map would keep
 * that text (megabytes) alive after its segment left memory.
 */
export function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

export function conflict(id: string): AppError {
  return new AppError(
    'CONFLICT',
    `JsonStore: run ${id} is already recorded; record a new run with a new id`,
  );
}
