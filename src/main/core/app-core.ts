/**
 * The core service: every method of the contract (src/shared/contract.ts) over a Store, the
 * TaskRunner and the scheduler. Transports call `call(method, params)`, which validates params
 * with the contract's schema before a handler runs; nothing here knows about Electron or HTTP.
 * The handlers live by area in ./handlers/; this class builds their table and holds what they
 * share (the settings in force, lookups, who uses a configuration, change events).
 */
import {
  parseParams,
  type Api,
  type ConfigUsage,
  type MethodName,
  type MethodResult,
  type ParsedParams,
} from '../../shared/contract';
import {
  settingsSchema,
  type Configuration,
  type ScheduleEntry,
  type Settings,
  type Task,
} from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { AlertDispatcher } from '../alerts/alert-dispatcher';
import { toIso } from './clock';
import { alertHandlers } from './handlers/alerts';
import { configHandlers } from './handlers/configs';
import type {
  AppCoreOptions as CoreOptions,
  ChangedKind,
  CoreContext,
  Handlers,
} from './handlers/context';
import { runStatsHandlers } from './handlers/run-stats';
import { runHandlers } from './handlers/runs';
import { scheduleHandlers } from './handlers/schedules';
import { settingsHandlers } from './handlers/settings';
import { systemHandlers } from './handlers/system';
import { taskHandlers } from './handlers/tasks';
import { LatestRuns } from './latest-runs';
import type { SchedulerPort } from './scheduler-port';

export interface AppCoreOptions extends CoreOptions {
  /** Alert delivery (wired and started in src/main/app.ts); without it alerts are stored, never sent. */
  alerts?: AlertDispatcher;
}

/** The record, or `NOT_FOUND` with this message (`where`, the method, for logs). */
function found<T>(record: T | undefined, message: string, where: string): T {
  if (!record) {
    const error = new AppError('NOT_FOUND', message);
    error.where = where;
    throw error;
  }
  return record;
}

export class AppCore implements CoreContext {
  private attached: SchedulerPort | undefined;
  private settings: Settings = settingsSchema.parse({});
  private readonly handlers: Handlers;

  constructor(readonly options: AppCoreOptions) {
    const latestRuns = new LatestRuns(options.store, options.events);
    const alerts = options.alerts ?? new AlertDispatcher(options);
    this.handlers = {
      ...taskHandlers(this),
      ...runHandlers(this, latestRuns),
      ...runStatsHandlers(this),
      ...configHandlers(this),
      ...scheduleHandlers(this),
      ...settingsHandlers(this),
      ...systemHandlers(this, alerts),
      ...alertHandlers(this, alerts),
    };
  }

  /** The scheduler is attached after construction because it calls back into the runner. */
  attachScheduler(scheduler: SchedulerPort): void {
    this.attached = scheduler;
  }

  get scheduler(): SchedulerPort | undefined {
    return this.attached;
  }

  get currentSettings(): Settings {
    return this.settings;
  }

  /** Loads settings; call once after the store opened and before serving. */
  async init(): Promise<void> {
    this.settings = (await this.options.store.getSettings()) ?? settingsSchema.parse({});
  }

  /** Validates params against the shared schema and runs the method. */
  async call<M extends MethodName>(method: M, params: unknown): Promise<MethodResult<M>> {
    const parsed = parseParams(method, params);
    const handler = this.handlers[method] as (p: ParsedParams<M>) => Promise<MethodResult<M>>;
    try {
      return await handler(parsed);
    } catch (error) {
      // The method is for logs (`where`); users read the message without it.
      if (error instanceof AppError) error.where ??= method;
      throw error;
    }
  }

  /** Every method as a typed function, for in-process callers and tests. */
  api(): Api {
    return new Proxy({} as Api, {
      get: (_target, name) => (params: unknown) => this.call(name as MethodName, params),
    });
  }

  // ------------------------------------------------------------ shared by the handlers

  applySettings(settings: Settings): void {
    this.settings = settings;
  }

  now(): string {
    return toIso(this.options.clock.now());
  }

  async requireTask(id: string, where: string): Promise<Task> {
    return found(
      await this.options.store.getTask(id),
      `no task with id "${id}"; it may have been deleted (tasks.list lists the tasks)`,
      where,
    );
  }

  async requireConfig(id: string, where: string): Promise<Configuration> {
    return found(
      await this.options.store.getConfig(id),
      `no configuration with id "${id}"; it may have been deleted (configs.list lists the configurations)`,
      where,
    );
  }

  async requireEntry(id: string, where: string): Promise<ScheduleEntry> {
    return found(
      await this.options.store.getSchedule(id),
      `no schedule entry with id "${id}"; it may have been deleted (schedules.list lists the entries)`,
      where,
    );
  }

  async configUsage(): Promise<Map<string, ConfigUsage>> {
    const usage = new Map<string, ConfigUsage>();
    const of = (id: string): ConfigUsage => {
      let users = usage.get(id);
      if (!users) usage.set(id, (users = { tasks: [], entries: [] }));
      return users;
    };
    for (const task of await this.options.store.listTasks()) {
      of(task.configId).tasks.push({ id: task.id, name: task.name });
    }
    for (const entry of await this.options.store.listSchedules()) {
      if (entry.configId) of(entry.configId).entries.push({ id: entry.id, taskId: entry.taskId });
    }
    return usage;
  }

  async deleteEntries(ids: string[]): Promise<number> {
    const deleted = await this.options.store.deleteSchedules(ids);
    for (const id of ids) {
      this.attached?.entryRemoved(id);
      this.options.events.emit('schedule.changed', { id });
    }
    return deleted;
  }

  changed(kind: ChangedKind): void {
    this.options.events.emit('store.changed', { kind });
  }
}
