/**
 * The core service: implements every method of the contract (src/shared/contract.ts) over a
 * Store, the TaskRunner and the scheduler. Transports validate params with the same schemas and
 * call `call(method, params)`; nothing here knows about Electron or HTTP.
 */
import {
  REDACTED,
  settingsSchema,
  type Configuration,
  type Run,
  type ScheduleEntry,
  type Settings,
  type Task,
} from '../../shared/domain';
import {
  parseParams,
  type Api,
  type MethodName,
  type MethodResult,
  type ParsedParams,
  type SystemInfo,
} from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { redactConfig, restoreSecrets } from '../../shared/secrets';
import {
  nextFireAfter,
  previewTimes,
  isValidTimezone,
  specOf,
  systemTimezone,
  validateSpec,
} from '../scheduler/schedule-math';
import { shown } from '../../shared/cron-syntax';
import { exportStoreToFile, importDump, prepareImport } from '../store/transfer';
import type { Store } from '../store/types';
import { toIso, type Clock } from './clock';
import { checkConfigParams, checkOperation } from './config-rules';
import type { EventBus } from './event-bus';
import type { IdGenerator } from './ids';
import { LatestRuns } from './latest-runs';
import type { SchedulerPort } from './scheduler-port';
import type { TaskRunner } from './task-runner';

export interface TaskSchedulerOptions {
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

type Handlers = { [M in MethodName]: (params: ParsedParams<M>) => Promise<MethodResult<M>> };

const normalizeTime = (iso: string): string => toIso(Date.parse(iso));

export class TaskScheduler {
  private scheduler: SchedulerPort | undefined;
  private settings: Settings = settingsSchema.parse({});
  private readonly handlers: Handlers;
  private readonly latestRuns: LatestRuns;

  constructor(private readonly options: TaskSchedulerOptions) {
    this.handlers = this.createHandlers();
    this.latestRuns = new LatestRuns(options.store, options.events);
  }

  /** The scheduler is attached after construction because it calls back into the runner. */
  attachScheduler(scheduler: SchedulerPort): void {
    this.scheduler = scheduler;
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
    return handler(parsed);
  }

  /** Every method as a typed function, for in-process callers and tests. */
  api(): Api {
    return new Proxy({} as Api, {
      get: (_target, name) => (params: unknown) => this.call(name as MethodName, params),
    });
  }

  // ------------------------------------------------------------------ helpers

  private now(): string {
    return toIso(this.options.clock.now());
  }

  private async requireTask(id: string, where: string): Promise<Task> {
    const task = await this.options.store.getTask(id);
    if (!task)
      throw new AppError(
        'NOT_FOUND',
        `${where}: no task with id "${id}"; list tasks with tasks.list`,
      );
    return task;
  }

  private async requireConfig(id: string, where: string): Promise<Configuration> {
    const config = await this.options.store.getConfig(id);
    if (!config) {
      throw new AppError(
        'NOT_FOUND',
        `${where}: no configuration with id "${id}"; list them with configs.list`,
      );
    }
    return config;
  }

  private async requireEntry(id: string, where: string): Promise<ScheduleEntry> {
    const entry = await this.options.store.getSchedule(id);
    if (!entry) {
      throw new AppError(
        'NOT_FOUND',
        `${where}: no schedule entry with id "${id}"; list them with schedules.list`,
      );
    }
    return entry;
  }

  /** Configuration ids in use, with who uses them. */
  private async configUsers(): Promise<Map<string, string[]>> {
    const users = new Map<string, string[]>();
    const add = (id: string, who: string): void => {
      users.set(id, [...(users.get(id) ?? []), who]);
    };
    for (const task of await this.options.store.listTasks())
      add(task.configId, `task "${task.name}"`);
    for (const entry of await this.options.store.listSchedules()) {
      if (entry.configId) add(entry.configId, `schedule entry ${entry.id}`);
    }
    return users;
  }

  private async deleteEntries(ids: string[]): Promise<number> {
    const deleted = await this.options.store.deleteSchedules(ids);
    for (const id of ids) {
      this.scheduler?.entryRemoved(id);
      this.options.events.emit('schedule.changed', { id });
    }
    return deleted;
  }

  private changed(kind: 'tasks' | 'configs' | 'runs' | 'schedules' | 'settings'): void {
    this.options.events.emit('store.changed', { kind });
  }

  private async startRun(
    task: Task,
    configId: string | undefined,
    wait: boolean,
    where: string,
  ): Promise<Run> {
    const config = await this.requireConfig(configId ?? task.configId, where);
    if (config.type !== task.type) {
      throw new AppError(
        'VALIDATION',
        `${where}: configuration "${config.name}" is for ${config.type} tasks, but task "${task.name}" is a ${task.type} task; pick a ${task.type} configuration`,
      );
    }
    checkOperation(config, task.operation, where);
    const started = this.options.runner.start({
      task,
      config,
      operation: task.operation,
      trigger: { kind: 'manual' },
    });
    return wait ? started.finished : started.started;
  }

  // ------------------------------------------------------------------ methods

  private createHandlers(): Handlers {
    const { store, events } = this.options;
    return {
      'tasks.list': async ({ type, ranFrom, ranTo }) => {
        if (ranFrom && ranTo && Date.parse(ranFrom) >= Date.parse(ranTo)) {
          throw new AppError(
            'VALIDATION',
            `tasks.list: ranFrom (${ranFrom}) must be before ranTo (${ranTo})`,
          );
        }
        let tasks = await store.listTasks();
        if (type) tasks = tasks.filter((t) => t.type === type);
        if (ranFrom || ranTo) {
          const ran = await store.taskIdsWithRuns(
            ranFrom && normalizeTime(ranFrom),
            ranTo && normalizeTime(ranTo),
          );
          tasks = tasks.filter((t) => ran.has(t.id));
        }
        return tasks.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      },

      'tasks.get': ({ id }) => this.requireTask(id, 'tasks.get'),

      'tasks.save': async ({ task: input }) => {
        const existing = input.id ? await this.requireTask(input.id, 'tasks.save') : undefined;
        const config = await store.getConfig(input.configId);
        if (!config) {
          throw new AppError(
            'VALIDATION',
            `tasks.save: task.configId: no configuration with id "${input.configId}"; create it first or pick one from configs.list`,
          );
        }
        if (config.type !== input.type) {
          throw new AppError(
            'VALIDATION',
            `tasks.save: task.configId: configuration "${config.name}" is for ${config.type} tasks, not ${input.type}; pick a ${input.type} configuration`,
          );
        }
        checkOperation(config, input.operation, 'tasks.save: task.configId');
        if (existing && existing.type !== input.type) {
          const overrides = (await store.listSchedules()).filter(
            (e) => e.taskId === existing.id && e.configId !== undefined,
          );
          if (overrides.length > 0) {
            throw new AppError(
              'VALIDATION',
              `tasks.save: task.type: ${overrides.length} schedule entr${overrides.length === 1 ? 'y overrides' : 'ies override'} this task's configuration with a ${existing.type} configuration; change or delete them first`,
            );
          }
        }
        const now = this.now();
        const task: Task = {
          ...input,
          id: existing?.id ?? this.options.ids(),
          name: input.name,
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        } as Task;
        await store.putTask(task);
        this.changed('tasks');
        return task;
      },

      'tasks.run': async ({ id, configId, wait }) => {
        const task = await this.requireTask(id, 'tasks.run');
        return this.startRun(task, configId, wait ?? true, 'tasks.run');
      },

      'tasks.delete': async (which) => {
        let ids: string[];
        if ('id' in which) {
          await this.requireTask(which.id, 'tasks.delete');
          ids = [which.id];
        } else {
          ids = (await store.listTasks()).filter((t) => t.type === which.type).map((t) => t.id);
        }
        if (ids.length === 0) return { deleted: 0 };
        // Cascade: a task's schedule entries go with it; its runs stay as history.
        const doomed = new Set(ids);
        const entries = (await store.listSchedules()).filter((e) => doomed.has(e.taskId));
        await this.deleteEntries(entries.map((e) => e.id));
        const deleted = await store.deleteTasks(ids);
        this.changed('tasks');
        return { deleted };
      },

      'runs.list': async ({ taskId, type, status, from, to, limit, cursor }) => {
        if (from && to && Date.parse(from) >= Date.parse(to)) {
          throw new AppError('VALIDATION', `runs.list: from (${from}) must be before to (${to})`);
        }
        return store.listRuns({
          ...(taskId ? { taskId } : {}),
          ...(type ? { type } : {}),
          ...(status ? { status } : {}),
          ...(from ? { from: normalizeTime(from) } : {}),
          ...(to ? { to: normalizeTime(to) } : {}),
          ...(cursor ? { cursor } : {}),
          limit: limit ?? 100,
        });
      },

      'runs.get': async ({ id }) => {
        const run = await store.getRun(id);
        if (!run)
          throw new AppError(
            'NOT_FOUND',
            `runs.get: no run with id "${id}"; it may have been deleted or expired by retention`,
          );
        return run;
      },

      'runs.latest': ({ taskIds }) => this.latestRuns.get(taskIds),

      'runs.delete': async (which) => {
        if ('from' in which) {
          if (Date.parse(which.from) >= Date.parse(which.to)) {
            throw new AppError(
              'VALIDATION',
              `runs.delete: from (${which.from}) must be before to (${which.to})`,
            );
          }
          const deleted = await store.deleteRuns({
            from: normalizeTime(which.from),
            to: normalizeTime(which.to),
          });
          this.changed('runs');
          return { deleted };
        }
        const deleted = await store.deleteRuns(which);
        this.changed('runs');
        return { deleted };
      },

      'configs.list': async ({ type, unused }) => {
        let configs = await store.listConfigs();
        if (type) configs = configs.filter((c) => c.type === type);
        if (unused) {
          const users = await this.configUsers();
          configs = configs.filter((c) => !users.has(c.id));
        }
        return configs
          .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
          .map(redactConfig);
      },

      'configs.get': async ({ id, reveal }) => {
        const config = await this.requireConfig(id, 'configs.get');
        return reveal ? config : redactConfig(config);
      },

      'configs.save': async ({ config: input }) => {
        const existing = input.id ? await this.requireConfig(input.id, 'configs.save') : undefined;
        const restored = restoreSecrets(input, existing);
        if (JSON.stringify(restored.params).includes(REDACTED)) {
          throw new AppError(
            'VALIDATION',
            `configs.save: config.params holds the redaction marker "${REDACTED}" where no secret is stored; type the secret itself`,
          );
        }
        checkConfigParams(restored, 'configs.save: config');
        if (existing && existing.type !== restored.type) {
          const users = (await this.configUsers()).get(existing.id);
          if (users) {
            throw new AppError(
              'CONFLICT',
              `configs.save: configuration "${existing.name}" is used by ${users.join(', ')}; its type cannot change from ${existing.type} to ${restored.type}`,
            );
          }
        }
        const now = this.now();
        const config = {
          ...restored,
          id: existing?.id ?? this.options.ids(),
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        } as Configuration;
        await store.putConfig(config);
        this.changed('configs');
        return redactConfig(config);
      },

      'configs.delete': async ({ id }) => {
        const config = await this.requireConfig(id, 'configs.delete');
        const users = (await this.configUsers()).get(id);
        if (users) {
          throw new AppError(
            'CONFLICT',
            `configs.delete: configuration "${config.name}" is used by ${users.join(', ')}; point them at another configuration or delete them first`,
          );
        }
        const deleted = await store.deleteConfigs([id]);
        this.changed('configs');
        return { deleted };
      },

      'configs.deleteUnused': async () => {
        const users = await this.configUsers();
        const unused = (await store.listConfigs()).filter((c) => !users.has(c.id)).map((c) => c.id);
        const deleted = unused.length ? await store.deleteConfigs(unused) : 0;
        if (deleted) this.changed('configs');
        return { deleted };
      },

      'configs.test': async ({ config: input, operation }) => {
        const existing = input.id ? await this.requireConfig(input.id, 'configs.test') : undefined;
        const restored = restoreSecrets(input, existing);
        if (JSON.stringify(restored.params).includes(REDACTED)) {
          throw new AppError(
            'VALIDATION',
            `configs.test: config.params holds the redaction marker "${REDACTED}"; type the secret itself`,
          );
        }
        checkConfigParams(restored, 'configs.test: config');
        const now = this.now();
        const config = {
          ...restored,
          id: restored.id ?? '',
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        } as Configuration;
        checkOperation(config, operation, 'configs.test');
        return this.options.runner.start({
          task: undefined,
          config,
          operation,
          trigger: { kind: 'test' },
        }).finished;
      },

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

      'schedules.get': ({ id }) => this.requireEntry(id, 'schedules.get'),

      'schedules.save': async ({ entry: input }) => {
        const existing = input.id ? await this.requireEntry(input.id, 'schedules.save') : undefined;
        const task = await store.getTask(input.taskId);
        if (!task) {
          throw new AppError(
            'VALIDATION',
            `schedules.save: entry.taskId: no task with id "${input.taskId}"; create the task first`,
          );
        }
        if (input.configId) {
          const config = await store.getConfig(input.configId);
          if (!config) {
            throw new AppError(
              'VALIDATION',
              `schedules.save: entry.configId: no configuration with id "${input.configId}"`,
            );
          }
          if (config.type !== task.type) {
            throw new AppError(
              'VALIDATION',
              `schedules.save: entry.configId: configuration "${config.name}" is for ${config.type} tasks, but task "${task.name}" is a ${task.type} task`,
            );
          }
          checkOperation(config, task.operation, 'schedules.save: entry.configId');
        }
        const nowMs = this.options.clock.now();
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
          this.settings.defaultTimezone,
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
          id: existing?.id ?? this.options.ids(),
          taskId: input.taskId,
          ...(input.configId ? { configId: input.configId } : {}),
          ...(input.name ? { name: input.name } : {}),
          kind: spec.kind,
          ...(spec.everySeconds !== undefined ? { everySeconds: spec.everySeconds } : {}),
          ...(spec.cron !== undefined ? { cron: spec.cron } : {}),
          ...(spec.timezone !== undefined && spec.kind === 'cron'
            ? { timezone: spec.timezone }
            : {}),
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
        this.scheduler?.entryChanged(entry);
        events.emit('schedule.changed', { id: entry.id, entry });
        return entry;
      },

      'schedules.delete': async (which) => {
        if ('id' in which) {
          await this.requireEntry(which.id, 'schedules.delete');
          return { deleted: await this.deleteEntries([which.id]) };
        }
        const ids = (await store.listSchedules()).map((e) => e.id);
        return { deleted: ids.length ? await this.deleteEntries(ids) : 0 };
      },

      'schedules.preview': async ({ count, from, ...input }) => {
        // `from` (default now) stands for the moment of saving: anchor and first time listed.
        const fromMs = from !== undefined ? Date.parse(from) : this.options.clock.now();
        const spec = validateSpec(
          {
            ...input,
            ...(input.startAt ? { startAt: normalizeTime(input.startAt) } : {}),
            ...(input.endAt ? { endAt: normalizeTime(input.endAt) } : {}),
            anchorAt: toIso(fromMs),
          },
          fromMs,
          this.settings.defaultTimezone,
        );
        return { times: previewTimes(spec, fromMs, count ?? 10).map(toIso) };
      },

      'settings.get': async () => this.settings,

      'settings.save': async ({ settings }) => {
        if (settings.defaultTimezone && !isValidTimezone(settings.defaultTimezone)) {
          const message = `defaultTimezone ${shown(settings.defaultTimezone)} is unknown; use an IANA name such as "Europe/Berlin" or "UTC", or leave it empty for the system zone`;
          throw new AppError('VALIDATION', `settings.save: settings.${message}`, {
            issues: [{ path: ['settings', 'defaultTimezone'], message }],
          });
        }
        await store.putSettings(settings);
        this.settings = settings;
        this.changed('settings');
        return settings;
      },

      'system.info': async (): Promise<SystemInfo> => ({
        version: this.options.version,
        store: store.kind,
        ...(this.options.dataDir ? { dataDir: this.options.dataDir } : {}),
        ...(store.location ? { location: store.location } : {}),
        instanceId: this.options.instanceId,
        timezone: systemTimezone(),
        scheduler: {
          running: this.scheduler?.status().running ?? false,
          entries: this.scheduler?.status().entries ?? 0,
          activeRuns: this.options.runner.activeCount,
          queuedRuns: this.options.runner.queuedCount,
          oldestQueuedMs: this.options.runner.oldestQueuedMs,
          concurrency: this.settings.concurrency,
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
          now: () => this.options.clock.now(),
          includeSecrets: includeSecrets ?? false,
        }),

      'system.import': async ({ file }) => {
        const { dump, secrets, notes } = await prepareImport(store, file);
        const counts = await importDump(store, dump);
        // Imported entries and settings apply at once, as if saved one by one.
        this.settings = (await store.getSettings()) ?? this.settings;
        for (const { id } of dump.schedules) {
          const entry = await store.getSchedule(id);
          if (entry) this.scheduler?.entryChanged(entry);
        }
        for (const kind of ['configs', 'tasks', 'schedules', 'settings', 'runs'] as const) {
          this.changed(kind);
        }
        return { file, counts, secrets, notes };
      },
    };
  }
}
