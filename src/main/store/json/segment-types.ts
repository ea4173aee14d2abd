/**
 * What the run log's segment cache holds and needs (segment-cache.ts): a segment in memory, the
 * cache's bounds, and the append writer's side.
 */
import type { Entry } from './segment';

/**
 * What one cached run costs besides its record text, in bytes: the entry object, its id and
 * start time strings, its slots in the segment's map and sorted array (bench/memory.ts measures
 * 210–230 bytes a run on Node 20, 64-bit).
 */
export const ENTRY_BYTES = 210;
/** Default bounds of the cache of segments (RunLogOptions `cacheRuns`, `cacheBytes`). */
export const DEFAULT_CACHE_RUNS = 30_000;
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

export interface Segment {
  key: string;
  path: string;
  entries: Map<string, Entry>;
  sorted: Entry[] | undefined;
  tornAt: number | undefined;
  /** Records queued or being appended: the segment stays cached while > 0. */
  pending: number;
  /** Characters of record text this segment keeps alive: the file's text for a segment read. */
  textChars: number;
  /** Characters of lines queued and not yet written. */
  pendingChars: number;
  /** Written to while it was the current hour (released once that hour is over). */
  live: boolean;
  /** In the cache (an operation may still hold a segment that left it). */
  cached: boolean;
  /** Read from its file: its entries' strings are slices of the file's text. */
  fromFile: boolean;
}

export interface CacheLimits {
  cacheRuns: number;
  cacheBytes: number;
}

/** What the cache needs of the append writer. */
export interface SegmentFiles {
  /** The open append handle's descriptor for `key`, if any (records are read back through it). */
  fdOf(key: string): number | undefined;
  /** The segment left memory: its append handle may close (synced first). */
  released(key: string): void;
}

export interface Found {
  segment: Segment;
  entry: Entry;
}
