/**
 * What every handler module gets from the core (src/main/core/app-core.ts): the parts it was
 * built with, the settings in force and the helpers several areas share.
 */
import type { ConfigUsage, MethodName, MethodResult, ParsedParams } from '../../../shared/contract';
import type { Configuration, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import type { Store } from '../../store/types';
import { toIso, type Clock } from '../clock';
import type { EventBus } from '../event-bus';
import type { IdGenerator } from '../ids';
import type { SchedulerPort } from '../scheduler-port';
import type { TaskRunner } from '../task-runner';

export interface AppCoreOptions {
  store: Store;
  runner: TaskRunner;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  version: string;
  instanceId: string;
  /** Where the data lives, for `system.info`. */
  dataDir?: string;
}

/** The kinds of data a `store.changed` event names. */
export type ChangedKind = 'tasks' | 'configs' | 'runs' | 'schedules' | 'settings' | 'alerts';

export interface CoreContext {
  readonly options: AppCoreOptions;
  /** The scheduler engine, once attached (none: entries are stored but nothing fires). */
  readonly scheduler: SchedulerPort | undefined;
  readonly currentSettings: Settings;
  /** Puts settings in force (they are already stored). */
  applySettings(settings: Settings): void;
  /** The clock's time as ISO. */
  now(): string;
  /** The task, or `NOT_FOUND` naming `where`. */
  requireTask(id: string, where: string): Promise<Task>;
  /** The configuration (secrets in clear), or `NOT_FOUND` naming `where`. */
  requireConfig(id: string, where: string): Promise<Configuration>;
  /** The schedule entry, or `NOT_FOUND` naming `where`. */
  requireEntry(id: string, where: string): Promise<ScheduleEntry>;
  /** Who uses each configuration in use (a configuration nothing uses has no key). */
  configUsage(): Promise<Map<string, ConfigUsage>>;
  /** Deletes schedule entries; the scheduler forgets them and UIs are told. */
  deleteEntries(ids: string[]): Promise<number>;
  /** Tells UIs that this kind of data changed (`store.changed`). */
  changed(kind: ChangedKind): void;
}

type Handler<M extends MethodName> = (params: ParsedParams<M>) => Promise<MethodResult<M>>;

/** The handlers of the methods named `${area}.…`. */
export type AreaHandlers<Area extends string> = {
  [M in MethodName as M extends `${Area}.${string}` ? M : never]: Handler<M>;
};

/** Every method's handler: the core's table. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** An ISO time as the stores keep it (UTC, milliseconds). */
export const normalizeTime = (iso: string): string => toIso(Date.parse(iso));
