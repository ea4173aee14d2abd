/**
 * The charts of a period (History, Dashboard): runs over time, stacked by status, and duration
 * percentiles of the busiest tasks. The service computes them over every run of the period and
 * filters (`runs.stats`), not over the rows loaded; uPlot draws them (loaded on first use), with
 * time axes, legends and hover values. A sentence and tables say the same for screen readers.
 */
import { useMemo, type ReactElement } from 'react';
import type uPlot from 'uplot';
import type { RunStats } from '../../../shared/run-stats';
import type { TaskType } from '../../../shared/domain';
import { useRunStats, type ChartQuery } from '../hooks/useRunStats';
import { formatDuration, formatTime } from '../util';
import { ErrorBox } from './common';
import {
  bucketRows,
  describeTotals,
  durationRows,
  statusColorVar,
  statusSeries,
  tableStatuses,
} from './run-stats-view';
import { UPlotChart, type ChartBuild } from './UPlotChart';

const axis = (color: (c: string) => string): uPlot.Axis => ({
  stroke: color('var(--fg)'),
  grid: { stroke: color('var(--border)'), width: 1 },
  ticks: { stroke: color('var(--border)'), width: 1 },
});

/** Runs per bucket, stacked: the top of the stack is drawn first, each status over the one above. */
export function statusChart(stats: RunStats): ChartBuild {
  const { x, series } = statusSeries(stats);
  const top = [...series].reverse();
  // Each bar starts at its bucket's start (align 1) and is one bucket wide: the x axis runs from
  // the first bucket's start to the last one's end, so the newest bar is not cut off at the edge.
  const first = x[0] ?? Date.parse(stats.from) / 1000;
  const end = (x[x.length - 1] ?? first) + stats.bucketMs / 1000;
  return (U, color) => ({
    opts: {
      scales: {
        x: { time: true, range: () => [first, end] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: [axis(color), { ...axis(color), label: 'runs', size: 50 }],
      legend: { live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      series: [
        {
          label: 'From',
          value: (_u, v) => (v == null ? '—' : formatTime(new Date(v * 1000).toISOString())),
        },
        ...top.map((s): uPlot.Series => ({
          label: s.status,
          stroke: color(statusColorVar(s.status)),
          fill: color(statusColorVar(s.status)),
          width: 0,
          paths: U.paths.bars!({ size: [0.9, 60], align: 1 }),
          // The legend and hover show this status's own count, not the stack's height.
          value: (_u, _v, _si, i) => (i == null ? '—' : String(s.counts[i] ?? 0)),
        })),
      ],
    },
    data: [x, ...top.map((s) => s.stacked)],
  });
}

/** p50 and p95 as bars (p95 behind), the longest run as a dot, per task. */
export function durationChart(stats: RunStats): ChartBuild {
  const rows = durationRows(stats).filter((r) => r.p50 !== undefined);
  const x = rows.map((_, i) => i);
  return (U, color) => ({
    opts: {
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, rows.length - 0.5)] } },
      axes: [
        {
          ...axis(color),
          splits: () => x,
          values: (_u, splits) => splits.map((i) => rows[i]?.name.slice(0, 14) ?? ''),
          rotate: 0,
        },
        {
          ...axis(color),
          size: 70,
          values: (_u, splits) => splits.map((v) => formatDuration(v)),
        },
      ],
      legend: { live: true },
      cursor: { points: { show: true }, drag: { x: false, y: false } },
      series: [
        { label: 'Task', value: (_u, v) => (v == null ? '—' : (rows[v]?.name ?? '')) },
        {
          label: 'p95',
          fill: color('var(--accent)') + '55',
          stroke: color('var(--accent)'),
          width: 0,
          paths: U.paths.bars!({ size: [0.7, 80] }),
          value: (_u, v) => formatDuration(v ?? undefined),
        },
        {
          label: 'p50',
          fill: color('var(--accent)'),
          stroke: color('var(--accent)'),
          width: 0,
          paths: U.paths.bars!({ size: [0.35, 40] }),
          value: (_u, v) => formatDuration(v ?? undefined),
        },
        {
          label: 'longest',
          stroke: color('var(--warn)'),
          width: 0,
          paths: () => null,
          points: { show: true, size: 7, fill: color('var(--warn)') },
          value: (_u, v) => formatDuration(v ?? undefined),
        },
      ],
    },
    data: [x, rows.map((r) => r.p95!), rows.map((r) => r.p50!), rows.map((r) => r.max!)],
  });
}

function StatusTable({ stats }: { stats: RunStats }): ReactElement {
  const statuses = tableStatuses(stats);
  const rows = bucketRows(stats);
  return (
    <details className="chart-table">
      <summary>
        Runs over time as a table ({rows.length} {rows.length === 1 ? 'period' : 'periods'} with
        runs)
      </summary>
      <table aria-label="Runs over time by status">
        <thead>
          <tr>
            <th scope="col">From</th>
            {statuses.map((s) => (
              <th key={s} scope="col">
                {s}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              {r.cells.map((c, i) => (
                <td key={statuses[i]}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function DurationTable({ stats }: { stats: RunStats }): ReactElement {
  return (
    <details className="chart-table">
      <summary>Durations per task as a table</summary>
      <table aria-label="Duration percentiles per task">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Runs</th>
            <th scope="col">Succeeded</th>
            <th scope="col">Median</th>
            <th scope="col">95th percentile</th>
            <th scope="col">Longest</th>
          </tr>
        </thead>
        <tbody>
          {durationRows(stats).map((r, i) => (
            <tr key={`${i}-${r.name}`}>
              <th scope="row">{r.name}</th>
              <td>{r.runs.toLocaleString()}</td>
              <td>{r.successRate}</td>
              <td>{formatDuration(r.p50)}</td>
              <td>{formatDuration(r.p95)}</td>
              <td>{formatDuration(r.max)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** The filters charts follow (History's filter fits; its status and search are not charted). */
export interface ChartFilter {
  from?: string;
  to?: string;
  taskId?: string;
  type?: TaskType;
  includeTests?: boolean;
  /** Without `from`: the last this many days (default 30). */
  days?: number;
}

/** Most bars of the runs chart (a round width is picked: 30 days give 61 half-days). */
const CHART_BUCKETS = 100;

export function RunsChart({ filter }: { filter: ChartFilter }): ReactElement {
  const { from, to, taskId, type, includeTests, days } = filter;
  const query: ChartQuery = {
    from,
    to,
    taskId,
    type,
    includeTests,
    days,
    buckets: CHART_BUCKETS,
  };
  const { stats, error, clipped } = useRunStats(query);
  const status = useMemo(() => (stats ? statusChart(stats) : undefined), [stats]);
  const durations = useMemo(() => (stats ? durationChart(stats) : undefined), [stats]);
  if (error) return <ErrorBox message={`Charts could not be computed: ${error}`} />;
  if (!stats) return <div className="charts" aria-busy="true" />;
  const period = `${formatTime(stats.from)} – ${formatTime(stats.to)}`;
  return (
    <div className="charts" role="group" aria-label="Charts">
      <p className="chart-summary" role="status" aria-live="polite">
        {describeTotals(stats)}
        {clipped ? ' Only the newest 400 days of the period are charted.' : ''}
      </p>
      {stats.totals.runs > 0 ? (
        <>
          <figure>
            <figcaption>Runs over time by status ({period})</figcaption>
            {status ? (
              <UPlotChart
                name="runs-by-status"
                label="Runs over time by status"
                build={status}
                height={180}
              />
            ) : null}
            <StatusTable stats={stats} />
          </figure>
          {stats.tasks.some((t) => t.p50 !== undefined) ? (
            <figure>
              <figcaption>
                Duration per task: median, 95th percentile and longest (the {stats.tasks.length}{' '}
                busiest)
              </figcaption>
              {durations ? (
                <UPlotChart
                  name="durations-per-task"
                  label="Duration per task: median, 95th percentile and longest"
                  build={durations}
                  height={200}
                />
              ) : null}
              <DurationTable stats={stats} />
            </figure>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
