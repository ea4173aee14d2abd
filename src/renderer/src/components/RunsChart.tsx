/** Plain-SVG charts over the loaded runs: runs per time bucket by status, and mean duration per task. */
import type { ReactElement } from 'react';
import type { Run, RunStatus } from '../../../shared/domain';
import { formatDuration } from '../util';

const COLORS: Record<RunStatus, string> = {
  succeeded: 'var(--ok)',
  failed: 'var(--bad)',
  'timed-out': 'var(--warn)',
  interrupted: 'var(--warn)',
  skipped: 'var(--muted)',
  running: 'var(--accent)',
};
const ORDER: RunStatus[] = [
  'succeeded',
  'failed',
  'timed-out',
  'interrupted',
  'skipped',
  'running',
];

export function bucketRuns(
  runs: Run[],
  buckets: number,
): { start: number; width: number; counts: Record<string, number>[] } {
  const times = runs.map((r) => Date.parse(r.startedAt));
  const min = Math.min(...times);
  const max = Math.max(...times) + 1;
  const width = Math.max(1, (max - min) / buckets);
  const counts = Array.from({ length: buckets }, () => ({}) as Record<string, number>);
  runs.forEach((r, i) => {
    const b = Math.min(buckets - 1, Math.floor((times[i]! - min) / width));
    counts[b]![r.status] = (counts[b]![r.status] ?? 0) + 1;
  });
  return { start: min, width, counts };
}

export function RunsChart({ runs }: { runs: Run[] }): ReactElement | null {
  if (runs.length === 0) return null;
  const W = 600;
  const H = 120;
  const { start, width, counts } = bucketRuns(runs, 30);
  const peak = Math.max(1, ...counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0)));
  const bw = W / counts.length;
  const perTask = new Map<string, { sum: number; n: number }>();
  for (const r of runs) {
    if (r.durationMs === undefined) continue;
    const name = r.taskName || `${r.configName} (test)`;
    const t = perTask.get(name) ?? { sum: 0, n: 0 };
    t.sum += r.durationMs;
    t.n += 1;
    perTask.set(name, t);
  }
  const durations = [...perTask.entries()]
    .map(([name, t]) => ({ name, mean: t.sum / t.n }))
    .sort((a, b) => b.mean - a.mean)
    .slice(0, 10);
  const maxDur = Math.max(1, ...durations.map((d) => d.mean));
  return (
    <div className="charts">
      <figure>
        <figcaption>Runs over time by status (loaded runs)</figcaption>
        <svg
          role="img"
          aria-label="Runs over time by status"
          viewBox={`0 0 ${W} ${H + 20}`}
          width="100%"
        >
          {counts.map((c, i) => {
            let y = H;
            return ORDER.filter((s) => c[s]).map((s) => {
              const h = ((c[s] ?? 0) / peak) * H;
              y -= h;
              return (
                <rect
                  key={`${i}-${s}`}
                  x={i * bw + 1}
                  y={y}
                  width={bw - 2}
                  height={h}
                  fill={COLORS[s]}
                >
                  <title>{`${new Date(start + i * width).toLocaleString()}: ${c[s]} ${s}`}</title>
                </rect>
              );
            });
          })}
          <text x={0} y={H + 15} fontSize="10" fill="currentColor">
            {new Date(start).toLocaleString()}
          </text>
          <text x={W} y={H + 15} fontSize="10" textAnchor="end" fill="currentColor">
            {new Date(start + width * counts.length).toLocaleString()}
          </text>
        </svg>
      </figure>
      {durations.length ? (
        <figure>
          <figcaption>Mean duration per task</figcaption>
          <svg
            role="img"
            aria-label="Mean duration per task"
            viewBox={`0 0 ${W} ${durations.length * 22}`}
            width="100%"
          >
            {durations.map((d, i) => (
              <g key={d.name} transform={`translate(0 ${i * 22})`}>
                <text x={0} y={14} fontSize="11" fill="currentColor">
                  {d.name.slice(0, 24)}
                </text>
                <rect
                  x={180}
                  y={3}
                  height={14}
                  width={Math.max(1, (d.mean / maxDur) * (W - 280))}
                  fill="var(--accent)"
                />
                <text x={W} y={14} fontSize="11" textAnchor="end" fill="currentColor">
                  {formatDuration(d.mean)}
                </text>
              </g>
            ))}
          </svg>
        </figure>
      ) : null}
    </div>
  );
}
