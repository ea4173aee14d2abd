/** Events pushed to every UI (IPC in Electron, Server-Sent Events in the browser). */
import type { Run, ScheduleEntry } from './domain';

export interface EventMap {
  'run.started': { run: Run };
  'run.finished': { run: Run };
  /** An entry was created, edited, fired or deleted (`entry` absent when deleted). */
  'schedule.changed': { id: string; entry?: ScheduleEntry };
  /** Something else in the catalog changed; clients refetch what `kind` names. */
  'store.changed': { kind: 'tasks' | 'configs' | 'runs' | 'schedules' | 'settings' };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: EventName[] = [
  'run.started',
  'run.finished',
  'schedule.changed',
  'store.changed',
];
export interface AppEvent<E extends EventName = EventName> {
  name: E;
  data: EventMap[E];
}
