/** How the embedded stores apply `Store.saveScheduleState` to the entry they hold. */
import type { ScheduleEntry } from '../../shared/domain';
import type { ScheduleState } from './types';

/** Updates the stored entry in place; a missing entry (deleted meanwhile) stays missing. */
export function applyScheduleState(stored: ScheduleEntry | undefined, state: ScheduleState): void {
  if (!stored) return;
  // ISO times in UTC compare as strings; the latest fire wins, an older write never rewinds it.
  if (state.lastRunAt !== undefined && !(stored.lastRunAt && stored.lastRunAt >= state.lastRunAt)) {
    stored.lastRunAt = state.lastRunAt;
  }
  if (state.nextRunAt !== undefined) stored.nextRunAt = state.nextRunAt;
  else delete stored.nextRunAt;
}
