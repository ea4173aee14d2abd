/**
 * `runs.stats` over the run log: every segment (hour) of the period, one at a time in the run
 * log's serial queue so that writes interleave. Each finished hour becomes an aggregate
 * (hour-stats.ts: counts per status, task and type, sorted durations; about 25 bytes a run plus
 * 34 a (task, hour) pair) kept while its summary's file size and run count stay the same, bounded
 * by STATS_CACHE_BYTES (least recently used first); the run log also drops the changed ones after
 * deletions and retention (`forgetChanged`). Buckets of whole hours merge aggregates; only hours
 * cut by the period or by buckets narrower than an hour, and the hour being written to, are
 * counted run by run. A segment in the segment cache is read from memory; any other from its
 * file without entering that cache, so a query over a year does not push out the hours the
 * History screen shows.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../../../shared/domain';
import type { RunStats } from '../../../shared/run-stats';
import { RunStatsBuilder, type RunStatsQuery } from '../run-stats';
import {
  aggregateHour,
  HourMerger,
  StatsNames,
  type HourAggregate,
  type StatsFields,
} from './hour-stats';
import type { RunLookup } from './run-lookup';
import type { RunSummaries } from './run-summaries';
import type { SegmentCache } from './segment-cache';
import type { Segment } from './segment-types';
import { segmentFileName, segmentStart } from './segment';

/**
 * Bytes of aggregates kept between queries: 1,000,000 runs over 30 days take about 25 MB with a
 * few tasks an hour, about 50 MB with 1,000 tasks each running every hour (the bench).
 */
export const STATS_CACHE_BYTES = 96 * 1024 * 1024;

type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

/** The stats fields of a whole record. */
function fieldsOf(run: Run): StatsFields {
  return {
    id: run.id,
    startedAt: run.startedAt,
    taskId: run.taskId,
    type: run.type,
    status: run.status,
    taskName: run.taskName,
    configName: run.configName,
    durationMs: typeof run.durationMs === 'number' ? run.durationMs : undefined,
    test: run.trigger?.kind === 'test',
  };
}

/** The stats fields of one record line (JSON.parse: faster than any scan written in JS). */
function fieldsOfLine(line: string): StatsFields | undefined {
  try {
    const run = JSON.parse(line) as Run;
    if (run && typeof run.id === 'string' && typeof run.startedAt === 'string') {
      return fieldsOf(run);
    }
  } catch {
    // a torn or damaged line: the run log reports it when it reads the segment
  }
  return undefined;
}

/** The latest record of each run in a segment file's text (an update appends a new record). */
function runsOfText(text: string): StatsFields[] {
  const byId = new Map<string, StatsFields>();
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    if (end > at) {
      const fields = fieldsOfLine(text.slice(at, end));
      if (fields) byId.set(fields.id, fields);
    }
    at = end + 1;
  }
  return [...byId.values()];
}

export class JsonRunStats {
  private readonly kept = new Map<string, HourAggregate>();
  private keptBytes = 0;
  private readonly names = new StatsNames();

  constructor(
    private readonly dir: string,
    private readonly cache: SegmentCache,
    private readonly summaries: RunSummaries,
    private readonly lookup: RunLookup,
    private readonly keysIn: (from: string, to: string) => string[],
    maxBytes: number | undefined,
  ) {
    this.maxBytes = maxBytes ?? STATS_CACHE_BYTES;
  }

  private readonly maxBytes: number;

  async stats(query: RunStatsQuery, serial: Serial): Promise<RunStats> {
    const builder = new RunStatsBuilder(query);
    const merger = new HourMerger(builder, query, this.names);
    const keys = await serial(async () => this.keysIn(query.from, query.to));
    for (const key of keys) {
      const aggregate = await serial(() => this.aggregateOf(key));
      if (aggregate) merger.add(aggregate, Date.parse(segmentStart(key)));
    }
    return merger.result();
  }

  /** The segment's aggregate: a kept one while its summary is unchanged, else made now. */
  private async aggregateOf(key: string): Promise<HourAggregate | undefined> {
    const segment = this.cache.cached(key);
    const summary = this.summaries.get(key);
    const hourMs = Date.parse(segmentStart(key));
    if (segment && (segment.live || segment.pending > 0)) {
      // Being written to: read from memory, never kept.
      return aggregateHour(this.fromMemory(segment), this.names, -1, -1, hourMs);
    }
    const kept = this.kept.get(key);
    if (kept && summary && kept.size === summary.size && kept.runs === summary.runs) {
      this.kept.delete(key);
      this.kept.set(key, kept); // most recently used last
      return kept;
    }
    let runs: StatsFields[];
    if (segment) {
      runs = this.fromMemory(segment);
    } else {
      const text = await fs
        .readFile(join(this.dir, segmentFileName(key)), 'utf8')
        .catch(() => undefined); // missing or unreadable: reported by the run log when read
      if (text === undefined) return undefined;
      runs = runsOfText(text);
    }
    const aggregate = summary
      ? aggregateHour(runs, this.names, summary.size, summary.runs, hourMs)
      : aggregateHour(runs, this.names, -1, -1, hourMs);
    if (summary) this.keep(key, aggregate);
    return aggregate;
  }

  /** The runs of a segment in the segment cache (records in memory or read back by place). */
  private fromMemory(segment: Segment): StatsFields[] {
    const runs: StatsFields[] = [];
    for (const entry of segment.entries.values()) {
      const run = this.lookup.materialize(segment, entry);
      if (run) runs.push(fieldsOf(run));
    }
    return runs;
  }

  private keep(key: string, aggregate: HourAggregate): void {
    this.drop(key);
    this.kept.set(key, aggregate);
    this.keptBytes += aggregate.bytes;
    for (const k of this.kept.keys()) {
      if (this.keptBytes <= this.maxBytes) break;
      this.drop(k);
    }
  }

  private drop(key: string): void {
    const old = this.kept.get(key);
    if (!old) return;
    this.kept.delete(key);
    this.keptBytes -= old.bytes;
  }

  /** Drops the aggregates of segments removed or rewritten (after deletions and retention). */
  forgetChanged(): void {
    for (const [key, kept] of this.kept) {
      const summary = this.summaries.get(key);
      if (!summary || summary.size !== kept.size || summary.runs !== kept.runs) this.drop(key);
    }
  }

  /** For tests: the aggregates kept and their estimated bytes. */
  get keptCounts(): { hours: number; bytes: number } {
    return { hours: this.kept.size, bytes: this.keptBytes };
  }

  /** Forgets every kept aggregate (the store closes). */
  clear(): void {
    this.kept.clear();
    this.keptBytes = 0;
  }
}
