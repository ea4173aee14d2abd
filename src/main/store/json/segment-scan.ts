/**
 * A filtered read of one segment file that is not in memory: a page of runs with a rare status,
 * task or type ("skipped", one task among a thousand) spans dozens of hourly segments, more than
 * the segment cache holds, so each such query parsed every line of every one of them again
 * (about 4 ms a segment of 1,400 runs; docs/benchmarks.md, "History filter changes"). This finds
 * the lines whose head holds the filter's text with `indexOf` and reads only those.
 *
 * Hand-written (no library does this): it relies on the segment's own line format, records
 * head-first (`serializeRun`), one a line, the last line of an id winning.
 */
import { compareRuns } from '../run-query';
import type { RunQuery } from '../types';
import { readEntry, type Entry } from './segment';
import type { SegmentCache } from './segment-cache';
import type { Segment } from './segment-types';

/** More candidate lines than this in one segment: the filter is not rare, read it whole. */
export const SCAN_CANDIDATES = 256;

/**
 * The text every matching record's head holds, or undefined when the query filters on no head
 * field. The head is `{"id":…,"startedAt":…,"taskId":…,"type":…,"status":…`: type and status
 * together are one run of text.
 */
export function headNeedle(
  query: Pick<RunQuery, 'taskId' | 'type' | 'status'>,
): string | undefined {
  if (query.type !== undefined && query.status !== undefined) {
    return `"type":${JSON.stringify(query.type)},"status":${JSON.stringify(query.status)}`;
  }
  if (query.taskId !== undefined) return `"taskId":${JSON.stringify(query.taskId)},"type":`;
  if (query.status !== undefined) return `"status":${JSON.stringify(query.status)}`;
  if (query.type !== undefined) return `"type":${JSON.stringify(query.type)},"status":`;
  return undefined;
}

const NL = 0x0a;
const LINE_HEAD = Buffer.from('{"id":"');
const NEXT_HEAD = Buffer.from('\n{"id":"');

/** How many times `pattern` occurs in `buffer`. */
function occurrences(buffer: Buffer, pattern: number | Buffer): number {
  const step = typeof pattern === 'number' ? 1 : pattern.length;
  let n = 0;
  for (let at = buffer.indexOf(pattern); at !== -1; at = buffer.indexOf(pattern, at + step)) n++;
  return n;
}

/**
 * The entries of `file` (a whole segment file's bytes) whose last record holds `needle`, oldest
 * first; undefined when this read cannot be trusted to find them all and the caller must parse
 * the file whole: a line not in the head-first shape (written by hand or by an old version: its
 * fields may be in any order), an empty line, or more than SCAN_CANDIDATES candidates. The
 * entries may include runs that hold the needle only elsewhere in their record (a response body):
 * the caller filters them on their fields as it does every entry. A torn last line (no newline)
 * and lines with NUL bytes are skipped, as `parseSegment` skips them. Works on the bytes: only
 * the candidate lines are decoded (decoding the whole file cost as much as the rest).
 */
export function scanSegment(file: Buffer, needle: string): Entry[] | undefined {
  if (file.length === 0) return [];
  // The lines holding the needle, each once (a filter that is not rare gives up here, cheaply).
  const pattern = Buffer.from(needle);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let at = file.indexOf(pattern); at !== -1;) {
    const end = file.indexOf(NL, at);
    if (end === -1) break;
    if (starts.length === SCAN_CANDIDATES) return undefined;
    starts.push(file.lastIndexOf(NL, at) + 1);
    ends.push(end);
    at = file.indexOf(pattern, end + 1);
  }
  // Every complete line starts with the head: the first, and one after each newline but the last.
  const lines = occurrences(file, NL);
  const lastNl = file.lastIndexOf(NL);
  const tailHead = lastNl + 1 < file.length && file.indexOf(LINE_HEAD, lastNl + 1) === lastNl + 1;
  if (lines > 0 && file.indexOf(LINE_HEAD) !== 0) return undefined;
  if (occurrences(file, NEXT_HEAD) - (tailHead ? 1 : 0) !== Math.max(0, lines - 1)) {
    return undefined;
  }
  const kept: Entry[] = [];
  for (let i = 0; i < starts.length; i++) {
    const line = file.toString('utf8', starts[i], ends[i]);
    const entry = line.includes('\0') ? undefined : readEntry(line);
    if (!entry) continue;
    // `{"id":"<id as written>"`: how a later line of the same run starts.
    const close = line.indexOf('"', LINE_HEAD.length);
    if (line.slice(LINE_HEAD.length, close).includes('\\')) return undefined;
    // A later line of the same run (it was running, then finished) is the one that counts.
    const later = file.indexOf(`\n${line.slice(0, close + 1)},`, ends[i]);
    if (later === -1 || later >= lastNl) kept.push(entry);
  }
  return kept.sort(compareRuns);
}

/**
 * For a query: the runs of segment `key` whose record head holds `needle`, oldest first, read
 * from its file without caching it. The whole segment, as `load` gives it, when there is no
 * needle, when it is in memory or being read, or when its file cannot be scanned (then it is
 * parsed from the bytes already read, and cached).
 */
export async function selectSegment(
  cache: SegmentCache,
  key: string,
  needle: string | undefined,
): Promise<{ segment: Segment; sorted: Entry[] }> {
  const cached = cache.cached(key);
  if (needle === undefined || cached || cache.isLoading(key) || !cache.hasKey(key)) {
    const segment = cached ?? (await cache.load(key));
    return { segment, sorted: cache.sorted(segment) };
  }
  const bytes = await cache.readFile(key);
  const found = scanSegment(bytes, needle);
  if (found) return { segment: cache.partial(key, found), sorted: found };
  const segment = cache.cached(key) ?? cache.fromBuffer(key, bytes);
  return { segment, sorted: cache.sorted(segment) };
}
