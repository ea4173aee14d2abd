/** Events pushed to every UI (IPC in Electron, Server-Sent Events in the browser). */
import type { Run, ScheduleEntry } from './domain';

/** What a `store.changed` event says changed; clients refetch that list. */
export const STORE_CHANGE_KINDS = [
  'tasks',
  'configs',
  'runs',
  'schedules',
  'settings',
  'alerts',
] as const;
export type StoreChangeKind = (typeof STORE_CHANGE_KINDS)[number];

export interface EventMap {
  'run.started': { run: Run };
  'run.finished': { run: Run };
  /** An entry was created, edited, fired or deleted (`entry` absent when deleted). */
  'schedule.changed': { id: string; entry?: ScheduleEntry };
  /** Something else in the catalog changed; clients refetch what `kind` names. */
  'store.changed': { kind: StoreChangeKind };
}
export type EventName = keyof EventMap;

// A record over EventName: adding an event to EventMap without listing it here fails to compile.
const EVENT_NAME_SET: Record<EventName, true> = {
  'run.started': true,
  'run.finished': true,
  'schedule.changed': true,
  'store.changed': true,
};
export const EVENT_NAMES = Object.keys(EVENT_NAME_SET) as EventName[];

/** One event; without a type argument the union of all, narrowed by `name`. */
export type AppEvent<E extends EventName = EventName> = {
  [K in E]: { name: K; data: EventMap[K] };
}[E];
