/**
 * `runs.stats` on MongoDB: one range scan of the `runs_time` index (or `runs_task_time` with a
 * task) with a projection of the seven fields the figures need, fed to the shared builder
 * (src/main/store/run-stats.ts), which keeps the percentiles exact. Documents cross the wire at
 * about 100 bytes each (docs/benchmarks.md, "runs.stats"); a read that fails midway is retried
 * whole by the connection.
 */
import type { Filter } from 'mongodb';
import type { TaskType } from '../../../shared/domain';
import type { RunStats } from '../../../shared/run-stats';
import { RunStatsBuilder, type RunStatsQuery } from '../run-stats';
import type { MongoConnection } from './mongo-connection';
import { COLLECTIONS, type Doc } from './mongo-docs';

const PROJECTION = {
  _id: 0,
  startedAt: 1,
  status: 1,
  durationMs: 1,
  taskId: 1,
  taskName: 1,
  configName: 1,
  type: 1,
} as const;

export function mongoRunStats(
  connection: MongoConnection,
  query: RunStatsQuery,
): Promise<RunStats> {
  const filter: Filter<Doc> = { startedAt: { $gte: query.from, $lt: query.to } };
  if (query.taskId !== undefined) filter.taskId = query.taskId;
  if (query.type !== undefined) filter.type = query.type;
  if (!query.includeTests) filter['trigger.kind'] = { $ne: 'test' };
  return connection.read('compute run stats', async () => {
    const builder = new RunStatsBuilder(query);
    const cursor = connection
      .col(COLLECTIONS.runs)
      .find(filter, { projection: PROJECTION, batchSize: 10_000 });
    for await (const doc of cursor) {
      if (typeof doc.startedAt !== 'string' || typeof doc.status !== 'string') continue;
      const taskId = typeof doc.taskId === 'string' ? doc.taskId : '';
      const taskName = typeof doc.taskName === 'string' ? doc.taskName : '';
      builder.add(
        Date.parse(doc.startedAt),
        doc.status,
        typeof doc.durationMs === 'number' ? doc.durationMs : undefined,
        taskId,
        taskName || `${String(doc.configName)} (test)`,
        doc.type as TaskType,
      );
    }
    return builder.result();
  });
}
