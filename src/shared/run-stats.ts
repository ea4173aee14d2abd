/**
 * What `runs.stats` answers (src/shared/contract.ts): run counts per time bucket and status, and
 * duration percentiles, computed by the store over the whole period asked for (docs/ui.md,
 * "Charts"). Every status of RUN_STATUSES has a count, so a status added later is counted too.
 */
import type { RunStatus, TaskType } from './domain';

/** Longest period one `runs.stats` call covers. */
export const RUN_STATS_MAX_DAYS = 400;
/** Most time buckets one call answers (`buckets`), and the default. */
export const RUN_STATS_MAX_BUCKETS = 500;
export const RUN_STATS_DEFAULT_BUCKETS = 60;
/** How many tasks `tasks` lists: those with the most runs in the period. */
export const RUN_STATS_TOP_TASKS = 20;

/**
 * Statuses left out of success rates: not finished (`running`), not attempted (`skipped`) or
 * stopped on purpose (`cancelled`). A string set, so a status not in RunStatus yet is allowed.
 */
export const UNJUDGED_STATUSES: ReadonlySet<string> = new Set(['running', 'skipped', 'cancelled']);

/** Duration figures in ms, exact (nearest rank over the runs that have a duration). */
export interface DurationFigures {
  p50?: number;
  p95?: number;
  max?: number;
}

export interface RunStatsBucket extends DurationFigures {
  /** Start of the bucket (ISO); it lasts `bucketMs`. */
  start: string;
  counts: Record<RunStatus, number>;
  /** Succeeded ÷ judged runs (see UNJUDGED_STATUSES); absent when none was judged. */
  successRate?: number;
}

export interface RunStatsTask extends DurationFigures {
  /** Empty for configuration tests (trigger `test`) that have no task. */
  taskId: string;
  taskName: string;
  type: TaskType;
  runs: number;
  succeeded: number;
  /** Runs with a verdict (not running, skipped or cancelled). */
  judged: number;
  successRate?: number;
}

export interface RunStats {
  from: string;
  to: string;
  /** Width of every bucket, in ms (a round unit: minutes, hours or days). */
  bucketMs: number;
  /** Buckets in time order; the first starts at or before `from`, the last ends at or after `to`. */
  buckets: RunStatsBucket[];
  /** The RUN_STATS_TOP_TASKS tasks with the most runs, most first. */
  tasks: RunStatsTask[];
  totals: DurationFigures & {
    runs: number;
    counts: Record<RunStatus, number>;
    successRate?: number;
    /** Tasks with runs in the period (`tasks` lists the busiest of them). */
    tasks: number;
  };
}
