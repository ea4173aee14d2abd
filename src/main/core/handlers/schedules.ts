/**
 * `schedules.*`: list (soonest first), get, save (validated spec, anchor, next fire time, applied
 * to the scheduler at once), delete, and preview the fire times of an unsaved entry.
 */
import { checkCompatible } from '../../../shared/compatibility';
import type { ScheduleEntry } from '../../../shared/domain';
import { invalidField } from '../../../shared/errors';
import { nextFireAfter, previewTimes, specOf, validateSpec } from '../../scheduler/schedule-math';
import { toIso } from '../clock';
import { checkOperation } from '../config-rules';
import { normalizeTime, type AreaHandlers, type CoreContext } from './context';

export function scheduleHandlers(core: CoreContext): AreaHandlers<'schedules'> {
  const { store, clock, events } = core.options;
  return {
    'schedules.list': async ({ taskId, enabled }) => {
      let entries = await store.listSchedules();
      if (taskId) entries = entries.filter((e) => e.taskId === taskId);
      if (enabled !== undefined) entries = entries.filter((e) => e.enabled === enabled);
      return entries.sort(
        (a, b) =>
          (a.nextRunAt ?? '\uffff').localeCompare(b.nextRunAt ?? '\uffff') ||
          a.id.localeCompare(b.id),
      );
    },

    'schedules.get': ({ id }) => core.requireEntry(id, 'schedules.get'),

    'schedules.save': async ({ entry: input }) => {
      const existing = input.id ? await core.requireEntry(input.id, 'schedules.save') : undefined;
      const task = await store.getTask(input.taskId);
      if (!task) {
        throw invalidField(
          'entry.taskId',
          `no task with id "${input.taskId}"; create the task first`,
        );
      }
      if (input.configId) {
        const config = await store.getConfig(input.configId);
        if (!config) {
          throw invalidField(
            'entry.configId',
            `no configuration with id "${input.configId}"; pick another configuration`,
          );
        }
        checkCompatible(task, config, { where: 'entry.configId', checkOperation });
      }
      const nowMs = clock.now();
      const now = toIso(nowMs);
      const spec = validateSpec(
        {
          kind: input.kind,
          ...(input.everySeconds !== undefined ? { everySeconds: input.everySeconds } : {}),
          ...(input.cron !== undefined ? { cron: input.cron } : {}),
          ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
          ...(input.startAt !== undefined ? { startAt: normalizeTime(input.startAt) } : {}),
          ...(input.endAt !== undefined ? { endAt: normalizeTime(input.endAt) } : {}),
        },
        nowMs,
        core.currentSettings.defaultTimezone,
        ['entry'],
      );
      const enabled = input.enabled ?? true;
      // A frequency entry is anchored when saved or enabled, unless its spec and state are unchanged.
      const keepAnchor =
        existing?.anchorAt !== undefined &&
        existing.enabled === enabled &&
        existing.kind === spec.kind &&
        existing.everySeconds === spec.everySeconds;
      const entry: ScheduleEntry = {
        id: existing?.id ?? core.options.ids(),
        taskId: input.taskId,
        ...(input.configId ? { configId: input.configId } : {}),
        ...(input.name ? { name: input.name } : {}),
        kind: spec.kind,
        ...(spec.everySeconds !== undefined ? { everySeconds: spec.everySeconds } : {}),
        ...(spec.cron !== undefined ? { cron: spec.cron } : {}),
        ...(spec.timezone !== undefined && spec.kind === 'cron' ? { timezone: spec.timezone } : {}),
        enabled,
        ...(spec.startAt ? { startAt: spec.startAt } : {}),
        ...(spec.endAt ? { endAt: spec.endAt } : {}),
        overlap: input.overlap ?? 'skip',
        missed: input.missed ?? 'run-once',
        ...(spec.kind === 'frequency' ? { anchorAt: keepAnchor ? existing.anchorAt : now } : {}),
        ...(existing?.lastRunAt ? { lastRunAt: existing.lastRunAt } : {}),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      const next = enabled ? nextFireAfter(specOf(entry), nowMs) : undefined;
      if (next !== undefined) entry.nextRunAt = toIso(next);
      await store.putSchedule(entry);
      core.scheduler?.entryChanged(entry);
      events.emit('schedule.changed', { id: entry.id, entry });
      return entry;
    },

    'schedules.delete': async (which) => {
      if ('id' in which) {
        await core.requireEntry(which.id, 'schedules.delete');
        return { deleted: await core.deleteEntries([which.id]) };
      }
      const ids = (await store.listSchedules()).map((e) => e.id);
      return { deleted: ids.length ? await core.deleteEntries(ids) : 0 };
    },

    'schedules.preview': async ({ count, from, ...input }) => {
      // `from` (default now) stands for the moment of saving: anchor and first time listed.
      const fromMs = from !== undefined ? Date.parse(from) : clock.now();
      const spec = validateSpec(
        {
          ...input,
          ...(input.startAt ? { startAt: normalizeTime(input.startAt) } : {}),
          ...(input.endAt ? { endAt: normalizeTime(input.endAt) } : {}),
          anchorAt: toIso(fromMs),
        },
        fromMs,
        core.currentSettings.defaultTimezone,
      );
      return { times: previewTimes(spec, fromMs, count ?? 10).map(toIso) };
    },
  };
}
