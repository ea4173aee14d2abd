/**
 * `system.*`: what runs where (`info`: version, store, scheduler and queue, data problems),
 * acknowledging a problem, and moving the whole store to and from a file (`export`, `import`) or
 * as data (`exportData`, `importData`: the browser's download and upload), through the same code.
 */
import type { SystemInfo, TransferSummary } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { AlertDispatcher } from '../../alerts/alert-dispatcher';
import { systemTimezone } from '../../scheduler/schedule-math';
import {
  exportStoreData,
  exportStoreToFile,
  importDump,
  prepareDump,
  prepareImport,
  type PreparedImport,
} from '../../store/transfer';
import type { AreaHandlers, CoreContext } from './context';

/** A file name for a download: `task-scheduler-export-2026-05-01.json`. */
function exportFileName(iso: string): string {
  return `task-scheduler-export-${iso.slice(0, 10)}.json`;
}

export function systemHandlers(
  core: CoreContext,
  alerts: Pick<AlertDispatcher, 'alertChanged'>,
): AreaHandlers<'system'> {
  const { store, runner } = core.options;

  /** Stores a prepared dump; imported entries and settings apply at once, as if saved one by one. */
  const apply = async (prepared: PreparedImport, file: string): Promise<TransferSummary> => {
    const { dump, secrets, notes } = prepared;
    const counts = await importDump(store, dump);
    core.applySettings((await store.getSettings()) ?? core.currentSettings);
    for (const { id } of dump.schedules) {
      const entry = await store.getSchedule(id);
      if (entry) core.scheduler?.entryChanged(entry);
    }
    // Imported alerts apply to the next run at once (not after the dispatcher's 5 s cache).
    for (const { id } of dump.alerts ?? []) alerts.alertChanged(id);
    for (const kind of ['configs', 'tasks', 'schedules', 'settings', 'runs', 'alerts'] as const) {
      core.changed(kind);
    }
    return { file, counts, secrets, notes };
  };
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
          `no problem "${id}" is reported; it may have been fixed already (system.info lists the problems)`,
        );
      }
      if (!problem.acknowledgeable || !store.acknowledgeProblem) {
        throw new AppError(
          'VALIDATION',
          `problem "${id}" goes away only when the data is fixed: ${problem.message}`,
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

    'system.import': async ({ file }) => apply(await prepareImport(store, file), file),

    'system.exportData': async ({ includeSecrets, runs }) => {
      const exported = await exportStoreData(store, {
        now: () => core.options.clock.now(),
        includeSecrets: includeSecrets ?? false,
        ...(runs === undefined ? {} : { runs }),
      });
      return { ...exported, fileName: exportFileName(exported.dump.exportedAt) };
    },

    'system.importData': async ({ dump, fileName }) => {
      const name = fileName ?? 'the uploaded export';
      return apply(await prepareDump(store, dump, name), name);
    },
  };
}
