/** `settings.*`: the settings in force, and saving them (they apply at once). */
import { shown } from '../../../shared/cron-syntax';
import { AppError } from '../../../shared/errors';
import { isValidTimezone } from '../../scheduler/schedule-math';
import type { AreaHandlers, CoreContext } from './context';

export function settingsHandlers(core: CoreContext): AreaHandlers<'settings'> {
  return {
    'settings.get': async () => core.currentSettings,

    'settings.save': async ({ settings }) => {
      if (settings.defaultTimezone && !isValidTimezone(settings.defaultTimezone)) {
        const message = `defaultTimezone ${shown(settings.defaultTimezone)} is unknown; use an IANA name such as "Europe/Berlin" or "UTC", or leave it empty for the system zone`;
        throw new AppError('VALIDATION', message, {
          issues: [{ path: ['settings', 'defaultTimezone'], message }],
        });
      }
      await core.options.store.putSettings(settings);
      core.applySettings(settings);
      core.changed('settings');
      return settings;
    },
  };
}
