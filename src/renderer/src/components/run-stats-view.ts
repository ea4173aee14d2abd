/**
 * What the charts show, derived from a `runs.stats` answer with no drawing (testable in jsdom):
 * the period a chart covers, the series of runs per status (stacked), the durations per task,
 * one task's success rate and durations over time, and the sentences and tables that say the
 * same for screen readers. RunsChart.tsx and TaskStats.tsx draw these with uPlot.
 */
import { RUN_STATUSES, type RunStatus } from '../../../shared/domain';
import { RUN_STATS_MAX_DAYS, type RunStats } from '../../../shared/run-stats';
import { formatDuration } from '../util';

const DAY = 86_400_000;
/** The period of a chart with no start: the last 30 days. */
export const DEFAULT_CHART_DAYS = 30;

/** CSS colour variables per status; a status without one gets the next of FALLBACK. */
const STATUS_VARS: Partial<Record<string, string>> = {
  succeeded: '--ok',
  failed: '--bad',
  'timed-out': '--warn',
  interrupted: '--warn',
  skipped: '--muted',
  running: '--accent',
};
const FALLBACK = ['#8250df', '#bf3989', '#0a7c86', '#953800'];

/** The colour variable (or colour) of a status. */
export function statusColorVar(status: string): string {
  const known = STATUS_VARS[status];
  if (known) return `var(${known})`;
  const i = RUN_STATUSES.indexOf(status as RunStatus);
  return FALLBACK[Math.max(0, i) % FALLBACK.length]!;
}

/**
 * The period a chart asks for: the filter's, else the last `days` days up to now; never longer than
 * runs.stats allows (the newest RUN_STATS_MAX_DAYS days are kept). Undefined when it is empty.
 */
export function chartPeriod(
  from: string | undefined,
  to: string | undefined,
  nowMs: number,
  /** Without `from`: this many days before the end (default DEFAULT_CHART_DAYS). */
  days = DEFAULT_CHART_DAYS,
): { from: string; to: string; clipped: boolean } | undefined {
  const toMs = to ? Date.parse(to) : nowMs;
  let fromMs = from ? Date.parse(from) : toMs - days * DAY;
  if (!(fromMs < toMs)) return undefined;
  const clipped = toMs - fromMs > RUN_STATS_MAX_DAYS * DAY;
  if (clipped) fromMs = toMs - RUN_STATS_MAX_DAYS * DAY;
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), clipped };
}

export interface StatusSeries {
  status: RunStatus;
  /** Runs of this status per bucket. */
  counts: number[];
  /** The stack's top edge for this status: the counts of the statuses below it plus its own. */
  stacked: number[];
}

/** Bucket starts in seconds (uPlot's time unit) and, bottom first, the statuses with runs. */
export function statusSeries(stats: RunStats): { x: number[]; series: StatusSeries[] } {
  const x = stats.buckets.map((b) => Date.parse(b.start) / 1000);
  const series: StatusSeries[] = [];
  const below = stats.buckets.map(() => 0);
  for (const status of RUN_STATUSES) {
    if (!stats.totals.counts[status]) continue;
    const counts = stats.buckets.map((b) => b.counts[status] ?? 0);
    const stacked = counts.map((c, i) => (below[i]! += c));
    series.push({ status, counts, stacked });
  }
  return { x, series };
}

const percent = (rate: number | undefined): string =>
  rate === undefined ? '—' : `${Math.round(rate * 100)}%`;

/** One sentence on the whole period (the charts' text alternative starts with it). */
export function describeTotals(stats: RunStats): string {
  const { totals } = stats;
  if (totals.runs === 0) return 'No runs in this period.';
  const parts = RUN_STATUSES.filter((s) => totals.counts[s]).map(
    (s) => `${totals.counts[s].toLocaleString()} ${s}`,
  );
  const rate = totals.successRate === undefined ? '' : `; ${percent(totals.successRate)} succeeded`;
  const durations =
    totals.p50 === undefined
      ? ''
      : `; duration median ${formatDuration(totals.p50)}, 95th percentile ${formatDuration(totals.p95)}, longest ${formatDuration(totals.max)}`;
  return `${totals.runs.toLocaleString()} run${totals.runs === 1 ? '' : 's'} of ${totals.tasks.toLocaleString()} task${totals.tasks === 1 ? '' : 's'}: ${parts.join(', ')}${rate}${durations}.`;
}

// Made once: a formatter with options is costly to create, and a table has a label per bucket.
let dayFormat: Intl.DateTimeFormat | undefined;
let minuteFormat: Intl.DateTimeFormat | undefined;

/** The label of a bucket in tables: its start, to the minute (or the day for day buckets). */
export function bucketLabel(startIso: string, bucketMs: number): string {
  const d = new Date(startIso);
  if (bucketMs >= DAY) {
    // What `toLocaleDateString()` gives.
    dayFormat ??= new Intl.DateTimeFormat(undefined, {
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    return dayFormat.format(d);
  }
  minuteFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });
  return minuteFormat.format(d);
}

/** Rows of the table of runs per bucket: only buckets with runs, and only statuses with runs. */
export function bucketRows(stats: RunStats): { label: string; cells: string[] }[] {
  const statuses = RUN_STATUSES.filter((s) => stats.totals.counts[s]);
  return stats.buckets
    .filter((b) => statuses.some((s) => b.counts[s]))
    .map((b) => ({
      label: bucketLabel(b.start, stats.bucketMs),
      cells: statuses.map((s) => String(b.counts[s] ?? 0)),
    }));
}

/** The statuses the tables have columns for. */
export function tableStatuses(stats: RunStats): RunStatus[] {
  return RUN_STATUSES.filter((s) => stats.totals.counts[s]);
}

/** Durations per task (the busiest first), for the percentile chart and its table. */
export function durationRows(stats: RunStats): {
  name: string;
  runs: number;
  successRate: string;
  p50?: number;
  p95?: number;
  max?: number;
}[] {
  return stats.tasks.map((t) => ({
    name: t.taskName || t.taskId || 'Configuration tests',
    runs: t.runs,
    successRate: percent(t.successRate),
    ...(t.p50 === undefined ? {} : { p50: t.p50, p95: t.p95!, max: t.max! }),
  }));
}

/** One task over time: success rate (0–100, null without a verdict) and p50/p95 per bucket. */
export function taskTrend(stats: RunStats): {
  x: number[];
  rate: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
} {
  return {
    x: stats.buckets.map((b) => Date.parse(b.start) / 1000),
    rate: stats.buckets.map((b) => (b.successRate === undefined ? null : b.successRate * 100)),
    p50: stats.buckets.map((b) => b.p50 ?? null),
    p95: stats.buckets.map((b) => b.p95 ?? null),
  };
}

export { percent as formatRate };
