/**
 * `system.*`: what runs where (`info`: version, store, scheduler and queue, data problems),
 * acknowledging a problem, and moving the whole store to and from a file (`export`, `import`).
 */
import type { SystemInfo } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { systemTimezone } from '../../scheduler/schedule-math';
import { exportStoreToFile, importDump, prepareImport } from '../../store/transfer';
import type { AreaHandlers, CoreContext } from './context';

export function systemHandlers(core: CoreContext): AreaHandlers<'system'> {
  const { store, runner } = core.options;
  return {
    'system.info': async (): Promise<SystemInfo> => ({
      version: core.options.version,
      store: store.kind,
      ...(core.options.dataDir ? { dataDir: core.options.dataDir } : {}),
      ...(store.location ? { location: store.location } : {}),
      instanceId: core.options.instanceId,
      timezone: systemTimezone(),
      scheduler: {
        running: core.scheduler?.status().running ?? false,
        entries: core.scheduler?.status().entries ?? 0,
        activeRuns: runner.activeCount,
        queuedRuns: runner.queuedCount,
        oldestQueuedMs: runner.oldestQueuedMs,
        concurrency: core.currentSettings.concurrency,
      },
      problems: store.problems?.() ?? [],
    }),

    'system.acknowledge': async ({ id }) => {
      const problem = (store.problems?.() ?? []).find((p) => p.id === id);
      if (!problem) {
        throw new AppError(
          'NOT_FOUND',
          `system.acknowledge: id: no problem "${id}" is reported; system.info lists them`,
        );
      }
      if (!problem.acknowledgeable || !store.acknowledgeProblem) {
        throw new AppError(
          'VALIDATION',
          `system.acknowledge: id: problem "${id}" goes away only when the data is fixed: ${problem.message}`,
        );
      }
      await store.acknowledgeProblem(id);
      return { problems: store.problems?.() ?? [] };
    },

    'system.export': ({ file, includeSecrets }) =>
      exportStoreToFile(store, file, {
        now: () => core.options.clock.now(),
        includeSecrets: includeSecrets ?? false,
      }),

    'system.import': async ({ file }) => {
      const { dump, secrets, notes } = await prepareImport(store, file);
      const counts = await importDump(store, dump);
      // Imported entries and settings apply at once, as if saved one by one.
      core.applySettings((await store.getSettings()) ?? core.currentSettings);
      for (const { id } of dump.schedules) {
        const entry = await store.getSchedule(id);
        if (entry) core.scheduler?.entryChanged(entry);
      }
      for (const kind of ['configs', 'tasks', 'schedules', 'settings', 'runs'] as const) {
        core.changed(kind);
      }
      return { file, counts, secrets, notes };
    },
  };
}
