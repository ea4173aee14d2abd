/**
 * The run log's on-disk format. Runs live in `runs/<YYYY-MM-DDTHH>.jsonl`, one file per UTC hour
 * of `startedAt`; each line is one run record (`JSON.stringify(run)`), and the last record for an
 * id wins. `runs/summary.json` caches per-segment facts (run count, task ids, running and foreign
 * ids) with the file size and mtime they describe, so opening needs no segment reads.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { compareRuns } from '../run-query';
import { writeFileAtomic } from './atomic-file';
import { ownCopy } from './run-log-parts';
import { encodeTaskIdSets, TaskIdSet, taskIdSetDecoder } from './task-id-set';

export { ownCopy };

export const RUNS_DIR = 'runs';
export const SUMMARY_FILE = 'summary.json';
export const SEGMENT_EXT = '.jsonl';
const HOUR_MS = 3_600_000;
const KEY_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;
/**
 * Core ids: 12 hex digits of milliseconds, then a counter and random hex (src/main/core/ids.ts).
 * Other ids that happen to look like this only cost a wasted look at one segment.
 */
const CORE_ID = /^[0-9a-f]{20,40}$/;

/** The segment (UTC hour, `YYYY-MM-DDTHH`) a time belongs to. */
export function segmentKeyOf(iso: string): string {
  if (ISO_Z.test(iso)) return iso.slice(0, 13);
  const ms = Date.parse(iso);
  const key = Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 13);
  if (!KEY_PATTERN.test(key)) {
    throw new AppError(
      'VALIDATION',
      `JsonStore: "${iso}" is not a time between years 0 and 9999; send an ISO 8601 time such as 2026-01-01T00:00:00.000Z`,
    );
  }
  return key;
}

/**
 * The segment of a time in ms, with the last hour remembered: every run-log write asks for the
 * key of its run's id's hour (derivedKeyOf, about three times a run), and reading a segment asks
 * once for each of its runs, all in its hour. Formatting a key costs about 0.35 µs: about 1 % of
 * a core at 10,000 runs a second, against the scheduler's goal of ≤ 25 % CPU (docs/benchmarks.md).
 */
let memoHourStart = NaN;
let memoHourKey = '';

export function segmentKeyOfMs(ms: number): string {
  if (ms >= memoHourStart && ms < memoHourStart + HOUR_MS) return memoHourKey;
  const key = new Date(ms).toISOString().slice(0, 13);
  // UTC hours are whole multiples of an hour since the epoch (JavaScript time has no leap seconds).
  memoHourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
  memoHourKey = key;
  return key;
}

export function segmentStart(key: string): string {
  return `${key}:00:00.000Z`;
}

export function segmentEnd(key: string): string {
  return new Date(Date.parse(segmentStart(key)) + HOUR_MS).toISOString();
}

export function isSegmentFile(name: string): boolean {
  return name.endsWith(SEGMENT_EXT) && KEY_PATTERN.test(name.slice(0, -SEGMENT_EXT.length));
}

export function segmentFileName(key: string): string {
  return `${key}${SEGMENT_EXT}`;
}

/** The segment a core id's own timestamp points to; undefined for other ids. */
export function derivedKeyOf(id: string): string | undefined {
  if (!CORE_ID.test(id)) return undefined;
  const ms = parseInt(id.slice(0, 12), 16);
  const key = segmentKeyOfMs(ms);
  return KEY_PATTERN.test(key) ? key : undefined;
}

/**
 * What a segment keeps in memory per run: the filter fields, and either the raw line or where the
 * line lies in the file. Lines read from a file are kept (those segments are evicted by size);
 * lines the run log appended are dropped once written, keeping their byte offset and length, so
 * a segment pinned by constant appends costs memory for its filter fields only.
 */
export interface Entry {
  id: string;
  startedAt: string;
  taskId: string;
  type: string;
  status: string;
  /** The record's JSON, or undefined when it is only in the file at `offset`. */
  line: string | undefined;
  /** Byte offset of the line in the segment file; -1 while unknown. */
  offset: number;
  /** Byte length of the line (no newline); meaningful when `offset` >= 0. */
  length: number;
}

/**
 * One run as one line. The filter fields go first, so reading a segment can pick them out of the
 * line's start (`readEntry`) instead of parsing every record in full. Records come in any key
 * order; those not already in head order are copied head-first, which costs about 0.2 µs a
 * record (0.4 % of a core at 10,000 runs a second, two records each; docs/benchmarks.md).
 */
export function serializeRun(run: Run): string {
  return JSON.stringify(headFirst(run) ? run : withHeadFirst(run));
}

const HEAD_KEYS = ['id', 'startedAt', 'taskId', 'type', 'status'];

/** True when the run's first five keys are the head's, in order (no copy needed). */
function headFirst(run: Run): boolean {
  let i = 0;
  for (const key in run) {
    if (key !== HEAD_KEYS[i]) return false;
    if (++i === HEAD_KEYS.length) return true;
  }
  return false;
}

function withHeadFirst(run: Run): Record<string, unknown> {
  // Assigning onto the head keeps their places; cheaper than a rest/spread copy.
  return Object.assign(
    {
      id: run.id,
      startedAt: run.startedAt,
      taskId: run.taskId,
      type: run.type,
      status: run.status,
    },
    run,
  );
}

const HEAD =
  /^\{"id":"((?:[^"\\]|\\.)*)","startedAt":"([^"\\]*)","taskId":"((?:[^"\\]|\\.)*)","type":"([^"\\]*)","status":"([^"\\]*)"[,}]/;

const unescape = (raw: string): string =>
  raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;

/**
 * The entry for one line, or undefined when it is no run record. Lines in `serializeRun`'s shape
 * are checked only as far as their head and closing brace; the rest is parsed (and a damaged
 * record skipped) when the run is read.
 */
export function readEntry(line: string): Entry | undefined {
  const head = HEAD.exec(line);
  if (head && line.endsWith('}')) {
    return {
      id: unescape(head[1]!),
      startedAt: head[2]!,
      taskId: unescape(head[3]!),
      type: head[4]!,
      status: head[5]!,
      line,
      offset: -1,
      length: 0,
    };
  }
  try {
    const value = JSON.parse(line) as Partial<Run> | null;
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof value.id === 'string' &&
      typeof value.startedAt === 'string'
    ) {
      return entryOf(value as Run, line);
    }
  } catch {
    // not JSON: reported by the caller
  }
  return undefined;
}

export function entryOf(run: Run, line: string): Entry {
  return {
    id: run.id,
    startedAt: run.startedAt,
    taskId: run.taskId,
    type: run.type,
    status: run.status,
    line,
    offset: -1,
    length: 0,
  };
}

/** Facts about one segment file; sets may hold more than the file (never less). */
export interface SegmentSummary {
  /** Bytes of the file these facts describe. */
  size: number;
  /** mtime of the file at `size`, once known (persisted summaries only). */
  mtimeMs?: number;
  runs: number;
  /** A bitset over the process's table of task ids (task-id-set.ts). */
  taskIds: TaskIdSet;
  types: Set<string>;
  statuses: Set<string>;
  running: Set<string>;
  /** Ids stored here whose own timestamp points at another segment (or none). */
  foreign: Set<string>;
}

/** `text` as `set` holds it already, else a copy of it (see ownCopy). */
function ownIn(set: Set<string>, text: string): string {
  return set.has(text) ? text : ownCopy(text);
}

/** The facts about these entries; the strings kept are copies (see ownCopy). */
export function summarize(key: string, entries: Iterable<Entry>, size: number): SegmentSummary {
  const summary: SegmentSummary = {
    size,
    runs: 0,
    taskIds: new TaskIdSet(),
    types: new Set(),
    statuses: new Set(),
    running: new Set(),
    foreign: new Set(),
  };
  for (const entry of entries) {
    summary.runs++;
    noteEntry(key, summary, entry, true, true);
  }
  return summary;
}

/**
 * `isNew`: the id is new to this segment (an update keeps its id, so its place is known).
 * `copy`: the entry's strings may be slices of a file's text; the summary keeps copies of them.
 */
export function noteEntry(
  key: string,
  summary: SegmentSummary,
  entry: Entry,
  isNew = true,
  copy = false,
): void {
  // Copies are made only for strings a set does not hold yet (the hot write path passes false).
  const { taskIds, types, statuses, running } = summary;
  taskIds.add(entry.taskId); // the table keeps its own copy of each id
  types.add(copy ? ownIn(types, entry.type) : entry.type);
  statuses.add(copy ? ownIn(statuses, entry.status) : entry.status);
  if (entry.status === 'running') running.add(copy ? ownIn(running, entry.id) : entry.id);
  else running.delete(entry.id);
  if (isNew && derivedKeyOf(entry.id) !== key) {
    summary.foreign.add(copy ? ownCopy(entry.id) : entry.id);
  }
}

export interface ParsedSegment {
  entries: Map<string, Entry>;
  size: number;
  /** Byte offset of an unterminated last line (a crash mid-append), cut before appending. */
  tornAt?: number;
  /** Problems found: [byte offset, what]. */
  problems: [number, string][];
}

/** Parses segment bytes; bad lines are skipped and reported, never thrown. */
export function parseSegment(buffer: Buffer): ParsedSegment {
  const entries = new Map<string, Entry>();
  const problems: [number, string][] = [];
  const text = buffer.toString('utf8');
  // Byte offsets only matter for reports; ASCII text (the usual case) has chars == bytes.
  const ascii = text.length === buffer.length;
  const byteOffset = (charPos: number): number =>
    ascii ? charPos : Buffer.byteLength(text.slice(0, charPos));
  let pos = 0;
  let tornAt: number | undefined;
  // JSON.stringify never writes a raw NUL: one means a hole (a crash or a disk fault zeroed bytes).
  const holes = text.includes('\0');
  const HOLE = 'holds NUL bytes (a hole in the file)';
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) {
      tornAt = byteOffset(pos);
      const hole = holes && text.indexOf('\0', pos) !== -1;
      problems.push([tornAt, `unterminated last line (torn write)${hole ? ` that ${HOLE}` : ''}`]);
      break;
    }
    if (nl > pos) {
      const line = text.slice(pos, nl);
      const entry = holes && line.includes('\0') ? undefined : readEntry(line);
      if (entry) {
        if (entries.has(entry.id)) entries.delete(entry.id); // Map order = order of last write
        entries.set(entry.id, entry);
      } else {
        problems.push([byteOffset(pos), holes && line.includes('\0') ? HOLE : 'not a run record']);
      }
    }
    pos = nl + 1;
  }
  return { entries, size: buffer.length, ...(tornAt === undefined ? {} : { tornAt }), problems };
}

export function sortEntries(entries: Iterable<Entry>): Entry[] {
  return [...entries].sort(compareRuns);
}

// ---------------------------------------------------------------- summary file

/**
 * One segment in `summary.json`. Version 2 (this one) stores the task ids as bits over the file's
 * `tasks` list (`taskBits`, base64); version 1 stored each segment's ids as strings (`taskIds`)
 * and is still read.
 */
interface SummaryRecord {
  size: number;
  mtimeMs: number;
  runs: number;
  taskBits?: string;
  taskIds?: string[];
  types: string[];
  statuses: string[];
  running: string[];
  foreign: string[];
}

interface SummaryFile {
  version?: number;
  tasks?: unknown;
  segments?: Record<string, SummaryRecord>;
}

export function serializeSummaries(summaries: Map<string, SegmentSummary>): string {
  const saved = [...summaries].filter(([, s]) => s.mtimeMs !== undefined);
  const { tasks, bits } = encodeTaskIdSets(saved.map(([, s]) => s.taskIds));
  const segments: Record<string, SummaryRecord> = {};
  saved.forEach(([key, s], i) => {
    segments[key] = {
      size: s.size,
      mtimeMs: s.mtimeMs!,
      runs: s.runs,
      taskBits: bits[i]!,
      types: [...s.types],
      statuses: [...s.statuses],
      running: [...s.running],
      foreign: [...s.foreign],
    };
  });
  return JSON.stringify({ version: 2, tasks, segments });
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Reads `summary.json`; anything unusable yields an empty map (segments are then re-read). */
export async function readSummaries(runsDir: string): Promise<Map<string, SegmentSummary>> {
  const result = new Map<string, SegmentSummary>();
  let value: SummaryFile;
  try {
    value = JSON.parse(await fs.readFile(join(runsDir, SUMMARY_FILE), 'utf8')) as SummaryFile;
  } catch {
    return result;
  }
  if (typeof value !== 'object' || value === null) return result;
  const { version, segments } = value;
  if ((version !== 1 && version !== 2) || typeof segments !== 'object' || segments === null) {
    return result;
  }
  if (version === 2 && !isStringArray(value.tasks)) return result;
  const decode = version === 2 ? taskIdSetDecoder(value.tasks as string[]) : undefined;
  for (const [key, r] of Object.entries(segments)) {
    const tasksOk = decode ? typeof r?.taskBits === 'string' : Array.isArray(r?.taskIds);
    if (
      !KEY_PATTERN.test(key) ||
      !tasksOk ||
      typeof r.size !== 'number' ||
      typeof r.mtimeMs !== 'number' ||
      typeof r.runs !== 'number' ||
      ![r.types, r.statuses, r.running, r.foreign].every(Array.isArray)
    ) {
      continue;
    }
    result.set(key, {
      size: r.size,
      mtimeMs: r.mtimeMs,
      runs: r.runs,
      taskIds: decode ? decode(r.taskBits!) : new TaskIdSet(r.taskIds!),
      types: new Set(r.types),
      statuses: new Set(r.statuses),
      running: new Set(r.running),
      foreign: new Set(r.foreign),
    });
  }
  return result;
}

export async function writeSummaries(
  runsDir: string,
  summaries: Map<string, SegmentSummary>,
): Promise<void> {
  await writeFileAtomic(join(runsDir, SUMMARY_FILE), serializeSummaries(summaries));
}

/**
 * Writes one whole segment file in the store's format (for imports and the bench, which need a
 * million runs faster than the public API can take them). Returns its summary, mtime included.
 */
export async function writeSegmentFile(
  runsDir: string,
  key: string,
  runs: Run[],
): Promise<SegmentSummary> {
  const entries: Entry[] = [];
  let text = '';
  for (const run of runs) {
    if (segmentKeyOf(run.startedAt) !== key) {
      throw new Error(`writeSegmentFile: run ${run.id} starts at ${run.startedAt}, not in ${key}`);
    }
    const line = serializeRun(run);
    entries.push(entryOf(run, line));
    text += `${line}\n`;
  }
  const path = join(runsDir, segmentFileName(key));
  await writeFileAtomic(path, text);
  const summary = summarize(key, entries, Buffer.byteLength(text));
  summary.mtimeMs = (await fs.stat(path)).mtimeMs;
  return summary;
}
