/**
 * `runs.stats`: counts per time bucket and status and duration percentiles over every run of a
 * period, computed by the store (src/main/store/run-stats.ts) rather than from loaded pages.
 */
import type { FieldIssue } from '../../../shared/errors';
import { AppError } from '../../../shared/errors';
import { RUN_STATS_DEFAULT_BUCKETS, RUN_STATS_MAX_DAYS } from '../../../shared/run-stats';
import type { CoreContext, Handlers } from './context';
import { normalizeTime } from './context';

const DAY = 86_400_000;

function invalid(message: string, path: string[]): AppError {
  const error = new AppError('VALIDATION', message, {
    issues: [{ path, message } satisfies FieldIssue],
  });
  error.where = 'runs.stats';
  return error;
}

export function runStatsHandlers(core: CoreContext): Pick<Handlers, 'runs.stats'> {
  const { store } = core.options;
  return {
    'runs.stats': async ({ from, to, taskId, type, includeTests, buckets }) => {
      const fromMs = Date.parse(from);
      const toMs = Date.parse(to);
      if (fromMs >= toMs) {
        throw invalid(
          `The period ends (${to}) before it starts (${from}); pick a "to" after the "from".`,
          ['to'],
        );
      }
      if (toMs - fromMs > RUN_STATS_MAX_DAYS * DAY) {
        const days = Math.ceil((toMs - fromMs) / DAY);
        throw invalid(
          `The period spans ${days} days; charts cover at most ${RUN_STATS_MAX_DAYS} days, so move "from" closer to "to".`,
          ['from'],
        );
      }
      const stats = await store.runStats({
        from: normalizeTime(from),
        to: normalizeTime(to),
        ...(taskId ? { taskId } : {}),
        ...(type ? { type } : {}),
        includeTests: includeTests ?? false,
        buckets: buckets ?? RUN_STATS_DEFAULT_BUCKETS,
      });
      // Tasks show under their current names (runs keep the name they ran under).
      await Promise.all(
        stats.tasks.map(async (t) => {
          const task = t.taskId ? await store.getTask(t.taskId) : undefined;
          if (task) t.taskName = task.name;
        }),
      );
      return stats;
    },
  };
}
