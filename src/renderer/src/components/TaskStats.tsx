/**
 * A task's success rate and duration (median, 95th percentile) over the last 30 days, for the
 * task page (#/tasks/<id>): `runs.stats` for the task, one point a day, drawn with uPlot, with a
 * sentence and a table for screen readers. Refreshed as runs finish (see useRunStats).
 */
import { useMemo, type ReactElement } from 'react';
import type { RunStats } from '../../../shared/run-stats';
import { useRunStats } from '../hooks/useRunStats';
import { formatDuration } from '../util';
import { ErrorBox, Loading } from './common';
import {
  bucketLabel,
  DEFAULT_CHART_DAYS,
  describeTotals,
  formatRate,
  taskTrend,
} from './run-stats-view';
import { UPlotChart, type ChartBuild } from './UPlotChart';

/** Success rate (right axis, %) and p50/p95 durations (left axis) per day. */
export function trendChart(stats: RunStats): ChartBuild {
  const t = taskTrend(stats);
  return (_U, color) => {
    const axis = {
      stroke: color('var(--fg)'),
      grid: { stroke: color('var(--border)'), width: 1 },
      ticks: { stroke: color('var(--border)'), width: 1 },
    };
    return {
      opts: {
        scales: {
          x: { time: true },
          ms: { range: (_u, _a, max) => [0, Math.max(1, max)] },
          // A rate: always 0–100 % (uPlot would pad a flat 100 % line up to 200 %).
          '%': { range: [0, 100] },
        },
        axes: [
          axis,
          { ...axis, scale: 'ms', size: 70, values: (_u, s) => s.map((v) => formatDuration(v)) },
          {
            ...axis,
            scale: '%',
            side: 1,
            grid: { show: false },
            values: (_u, s) => s.map((v) => `${v}%`),
          },
        ],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          {
            label: 'succeeded',
            scale: '%',
            stroke: color('var(--ok)'),
            width: 2,
            spanGaps: true,
            value: (_u, v) => (v == null ? '—' : `${Math.round(v)}%`),
          },
          {
            label: 'median',
            scale: 'ms',
            stroke: color('var(--accent)'),
            width: 2,
            spanGaps: true,
            value: (_u, v) => formatDuration(v ?? undefined),
          },
          {
            label: '95th percentile',
            scale: 'ms',
            stroke: color('var(--warn)'),
            width: 1,
            dash: [4, 4],
            spanGaps: true,
            value: (_u, v) => formatDuration(v ?? undefined),
          },
        ],
      },
      data: [t.x, t.rate, t.p50, t.p95],
    };
  };
}

export function TaskStats({ taskId }: { taskId: string }): ReactElement {
  const query = useMemo(() => ({ taskId, buckets: DEFAULT_CHART_DAYS + 1 }), [taskId]);
  const { stats, error } = useRunStats(query);
  const build = useMemo(() => (stats ? trendChart(stats) : undefined), [stats]);
  const days = stats?.buckets.filter((b) => b.successRate !== undefined || b.p50 !== undefined);
  return (
    <section aria-label="Success rate and duration" data-task-id={taskId} className="task-stats">
      <h2>Success rate and duration ({DEFAULT_CHART_DAYS} days)</h2>
      {error ? <ErrorBox message={`The figures could not be computed: ${error}`} /> : null}
      {!stats && !error ? <Loading what="figures" /> : null}
      {stats ? <p className="chart-summary">{describeTotals(stats)}</p> : null}
      {stats && build && stats.totals.runs > 0 ? (
        <figure>
          <figcaption className="visually-hidden">
            Success rate and duration per day for this task
          </figcaption>
          <UPlotChart
            name="task-trend"
            label="Success rate and duration per day"
            build={build}
            height={180}
          />
          <details className="chart-table">
            <summary>
              As a table ({days?.length ?? 0} {days?.length === 1 ? 'day' : 'days'} with runs)
            </summary>
            <table aria-label="Success rate and duration per day">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Succeeded</th>
                  <th scope="col">Median</th>
                  <th scope="col">95th percentile</th>
                </tr>
              </thead>
              <tbody>
                {days?.map((b) => (
                  <tr key={b.start}>
                    <th scope="row">{bucketLabel(b.start, stats.bucketMs)}</th>
                    <td>{formatRate(b.successRate)}</td>
                    <td>{formatDuration(b.p50)}</td>
                    <td>{formatDuration(b.p95)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
      ) : null}
    </section>
  );
}
