import { useConfigs } from '../../../src/renderer/src/stores/configs';
import { useRuns } from '../../../src/renderer/src/stores/runs';
import { useSchedules } from '../../../src/renderer/src/stores/schedules';
import { useSettings } from '../../../src/renderer/src/stores/settings';
import { useTasks } from '../../../src/renderer/src/stores/tasks';
import { useUi } from '../../../src/renderer/src/stores/ui';

const initial = [useConfigs, useRuns, useSchedules, useSettings, useTasks, useUi].map(
  (store) => [store, store.getState()] as const,
);

/** Puts every zustand store back to its first state (stores are module singletons). */
export function resetStores(): void {
  for (const [store, state] of initial)
    (store.setState as (s: unknown, replace: boolean) => void)(state, true);
}
