/**
 * Wires one running instance: store → runner → core → scheduler, and their lifecycle. Both entry
 * points (the Electron app and the headless service) build their App here.
 */
import { randomUUID } from 'node:crypto';
import type { Settings } from '../shared/domain';
import { AlertDispatcher, type AlertDispatcherOptions } from './alerts/alert-dispatcher';
import { AppCore } from './core/app-core';
import { ChainDispatch } from './core/chain-dispatch';
import { systemClock, toIso, type Clock } from './core/clock';
import { EventBus } from './core/event-bus';
import { createIdGenerator } from './core/ids';
import type { SchedulerPort } from './core/scheduler-port';
import { TaskRunner } from './core/task-runner';
import type { ExecutorRegistry } from './executors/types';
import type { SchedulerDeps } from './scheduler/deps';
import type { Store } from './store/types';
import { messageOf } from '../shared/errors';

export interface AppOptions {
  store: Store;
  executors: ExecutorRegistry;
  /** Builds the scheduler engine; omitted, entries are stored but nothing fires. */
  createScheduler?: (deps: SchedulerDeps) => SchedulerPort;
  clock?: Clock;
  instanceId?: string;
  version?: string;
  dataDir?: string;
  /**
   * Alert delivery tuning (senders, retry waits, the UI's address for `{{link}}`) and the desktop
   * app's notifier (the `desktop` channel; the headless service has none).
   */
  alerts?: Pick<
    AlertDispatcherOptions,
    'senders' | 'retryDelaysMs' | 'timeoutMs' | 'linkBase' | 'desktop'
  >;
  /**
   * Where the app's own warnings go (retention, alert deliveries, a throwing event listener or
   * run hook); default `console.error`.
   */
  warn?: (message: string) => void;
}

export interface App {
  readonly core: AppCore;
  readonly events: EventBus;
  readonly runner: TaskRunner;
  readonly store: Store;
  readonly scheduler: SchedulerPort | undefined;
  /** Sends alerts about the runs this instance ran (docs/alerts.md). */
  readonly alerts: AlertDispatcher;
  /** True once `start()` opened the store, until `stop()` begins closing it (`/api/ready`). */
  readonly storeOpen: boolean;
  /** Opens the store, marks orphaned runs interrupted, applies retention, starts scheduling. */
  start(): Promise<void>;
  /** Stops scheduling, lets running tasks finish within the grace period, closes everything. */
  stop(): Promise<void>;
}

export const APP_VERSION = '0.1.0';
const RETENTION_EVERY_MS = 60 * 60_000;

/** A console's `warn` / `error` that write one line to `warn` (an error as its message). */
function consoleOf(warn: (message: string) => void): Pick<Console, 'warn' | 'error'> {
  const line = (...parts: unknown[]): void =>
    warn(parts.map((p) => (typeof p === 'string' ? p : messageOf(p))).join(' '));
  return { warn: line, error: line };
}

export function createApp(options: AppOptions): App {
  const clock = options.clock ?? systemClock;
  const instanceId = options.instanceId ?? randomUUID();
  const warn = options.warn ?? ((message: string): void => console.error(message));
  const events = new EventBus(warn);
  const ids = createIdGenerator(() => clock.now());
  const { store } = options;
  let core: AppCore | undefined = undefined;
  const settings = (): Settings => core!.currentSettings;
  const runner = new TaskRunner({
    store,
    executors: options.executors,
    clock,
    ids,
    events,
    instanceId,
    concurrency: () => settings().concurrency,
    resultMaxBytes: () => settings().resultMaxBytes,
    limits: settings,
    log: warn,
    ended: (request, run) => {
      chains.runEnded(request, run);
      alerts.runEnded(run);
    },
  });
  // Runs that end start the tasks that run after them, on this instance.
  const chains = new ChainDispatch({ store, runner, events, clock });
  // Alerts about the runs this instance ran (its own bus): never awaited on the run path.
  const linkBase = options.alerts?.linkBase ?? process.env.TASK_SCHEDULER_PUBLIC_URL;
  const alerts = new AlertDispatcher({
    store,
    events,
    clock,
    ids,
    log: warn,
    ...options.alerts,
    ...(linkBase ? { linkBase } : {}),
  });
  core = new AppCore({
    alerts,
    store,
    runner,
    clock,
    ids,
    events,
    instanceId,
    version: options.version ?? APP_VERSION,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  // A store shared by several instances arbitrates every fire: only the claim's winner runs it.
  const claim = store.claim?.bind(store);
  const scheduler = options.createScheduler?.({
    store,
    ...(claim ? { claim } : {}),
    runner,
    clock,
    events,
    instanceId,
    settings,
    logger: consoleOf(warn),
  });
  if (scheduler) core.attachScheduler(scheduler);

  let retentionTimer: ReturnType<Clock['setTimeout']> | undefined;
  let unwatchSchedules: (() => void) | undefined;
  let stopped = false;
  let storeOpen = false;
  const applyRetention = async (): Promise<void> => {
    try {
      const dropped = await store.applyRetention(settings().retention, clock.now());
      if (dropped > 0) events.emit('store.changed', { kind: 'runs' });
    } catch (error) {
      warn(
        `App: applying the retention policy failed; will try again in an hour: ${messageOf(error)}`,
      );
    }
    if (!stopped)
      retentionTimer = clock.setTimeout(() => void applyRetention(), RETENTION_EVERY_MS);
  };

  return {
    core,
    events,
    runner,
    store,
    scheduler,
    alerts,
    get storeOpen() {
      return storeOpen;
    },
    async start() {
      await store.open();
      storeOpen = !stopped;
      await core.init();
      alerts.start();
      // Runs a crash left `running` never finished: say so instead of leaving them hanging.
      const now = clock.now();
      for (const run of await store.listRunningRuns()) {
        await store.updateRun({
          ...run,
          status: 'interrupted',
          finishedAt: toIso(Math.max(now, Date.parse(run.startedAt))),
          durationMs: Math.max(0, now - Date.parse(run.startedAt)),
          error: {
            code: 'INTERRUPTED',
            message: 'The app stopped while this run was in progress (crash, kill or power loss)',
          },
        });
      }
      await applyRetention();
      await scheduler?.start();
      // Entries edited on other instances sharing the store apply here too, within seconds.
      if (scheduler && store.watchSchedules) {
        unwatchSchedules = await store.watchSchedules({
          changed: (entry) => {
            scheduler.entryChanged(entry);
            events.emit('schedule.changed', { id: entry.id, entry });
          },
          removed: (id) => {
            scheduler.entryRemoved(id);
            events.emit('schedule.changed', { id });
          },
        });
      }
    },
    async stop() {
      stopped = true;
      if (retentionTimer !== undefined) clock.clearTimeout(retentionTimer);
      unwatchSchedules?.();
      await scheduler?.stop();
      const chainsStopped = chains.stop();
      await runner.shutdown(settings().shutdownGraceMs);
      await chainsStopped;
      await alerts.stop();
      await Promise.all(Object.values(options.executors).map((executor) => executor?.close?.()));
      storeOpen = false;
      await store.close();
    },
  };
}
