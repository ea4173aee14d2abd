/** A scheduler test harness: an App on fake time with an api executor each test controls. */
import { createApp, type App } from '../../../src/main/app';
import type { ExecutionRequest, Executor } from '../../../src/main/executors/types';
import { Scheduler } from '../../../src/main/scheduler/scheduler';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Store } from '../../../src/main/store/types';
import type { MethodName, MethodParams, MethodResult } from '../../../src/shared/contract';
import type { Run, ScheduleEntryInput } from '../../../src/shared/domain';
import { FakeClock } from '../../support/fake-clock';

interface Pending {
  request: ExecutionRequest<'api'>;
  finish: () => void;
}

/** Finishes at once, or (when `hold` is set) when the test calls `release`. */
export class ControlledExecutor implements Executor<'api'> {
  readonly type = 'api' as const;
  hold = false;
  calls = 0;
  readonly pending: Pending[] = [];

  execute(request: ExecutionRequest<'api'>): Promise<{ result: { summary: string } }> {
    this.calls++;
    if (!this.hold) return Promise.resolve({ result: { summary: 'ok' } });
    return new Promise((resolve) => {
      this.pending.push({ request, finish: () => resolve({ result: { summary: 'ok' } }) });
    });
  }

  /** Lets the oldest `n` held executions finish. */
  release(n = this.pending.length): void {
    for (const p of this.pending.splice(0, n)) p.finish();
  }
}

export interface Logged {
  warn: string[];
  error: string[];
}

export interface Harness {
  app: App;
  clock: FakeClock;
  executor: ControlledExecutor;
  store: Store;
  scheduler: Scheduler;
  logged: Logged;
  taskId: string;
  configId: string;
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
  /** Saves an entry for the harness task (every 10 s unless overridden). */
  save(entry?: Partial<ScheduleEntryInput>): Promise<MethodResult<'schedules.save'>>;
  /** Every run, oldest first. */
  runs(): Promise<Run[]>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  store?: Store;
  clock?: FakeClock;
  start?: string;
  /** Skip creating the config and task (e.g. a restarted app over the same store). */
  existing?: { taskId: string; configId: string };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? new FakeClock(options.start ?? '2026-01-01T00:00:00.000Z');
  const store = options.store ?? new MemoryStore();
  const executor = new ControlledExecutor();
  const logged: Logged = { warn: [], error: [] };
  const logger = {
    warn: (...args: unknown[]) => logged.warn.push(args.map(String).join(' ')),
    error: (...args: unknown[]) => logged.error.push(args.map(String).join(' ')),
  };
  let scheduler: Scheduler | undefined;
  const app = createApp({
    store,
    executors: { api: executor },
    clock,
    createScheduler: (deps) => (scheduler = new Scheduler({ ...deps, logger })),
  });
  await app.start();
  const call = <M extends MethodName>(
    method: M,
    params: MethodParams<M>,
  ): Promise<MethodResult<M>> => app.core.call(method, params);
  let ids = options.existing;
  if (!ids) {
    const config = await call('configs.save', {
      config: { name: 'Echo', type: 'api', params: { url: 'http://127.0.0.1:9/echo' } },
    });
    const task = await call('tasks.save', {
      task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id },
    });
    ids = { taskId: task.id, configId: config.id };
  }
  const { taskId, configId } = ids;
  return {
    app,
    clock,
    executor,
    store,
    scheduler: scheduler!,
    logged,
    taskId,
    configId,
    call,
    save: (entry = {}) =>
      call('schedules.save', {
        entry: { taskId, kind: 'frequency', everySeconds: 10, ...entry } as ScheduleEntryInput,
      }),
    runs: async () => (await call('runs.list', { limit: 1000 })).items.reverse(),
    stop: async () => {
      executor.release();
      await app.stop();
    },
  };
}

/** `2026-01-01T00:00:00.000Z` plus `seconds`, as ISO. */
export function t(seconds: number, base = '2026-01-01T00:00:00.000Z'): string {
  return new Date(Date.parse(base) + seconds * 1000).toISOString();
}
