/**
 * The app bench/scheduler.ts measures, in one of its wirings, with a probe on the fire path
 * (`onFire`: one sample per enqueued fire, catch-up fires noted), and the entries it saves
 * through the core as `schedules.save` over HTTP does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/main/app';
import { composeApp, headlessSecrets, sealStoredSecrets } from '../../src/main/compose';
import type { Executor } from '../../src/main/executors/types';
import { Scheduler, type SchedulerRunner } from '../../src/main/scheduler/scheduler';
import { JsonStore } from '../../src/main/store/json/json-store';
import type { Run, ScheduleEntryInput } from '../../src/shared/domain';
import { Samples } from './scheduler-figures';

/** The api executor of every wiring: answers at once, so the figures are scheduling and recording. */
export const noop: Executor<'api'> = {
  type: 'api',
  execute: () => Promise.resolve({ result: { summary: 'no-op' } }),
};

/**
 * - product: composeApp as the service builds it (json store, encrypting store, executor wrappers).
 * - bare: what this bench wired before issue #19: createApp over a JsonStore without the
 *   encrypting store, the no-op executor unwrapped.
 * - engine: bare, and the runner replaced by one that records nothing (each run "finishes" at
 *   once), to show what the engine alone costs; the store still gets the entries' state writes.
 */
export type Wiring = 'product' | 'bare' | 'engine';
export type Layout = 'aligned' | 'spread';

export interface Probe {
  app: App;
  wiring: Wiring;
  /** Fire path: one sample per enqueued fire. */
  enqueued: Samples;
  /** Catch-up fires (a missed window's one fire): [entry index, time enqueued]. */
  catchUps: Array<[number, number]>;
  /** Entry id → its index in the bench (a Map lookup per fire counts in the CPU figure). */
  index: Map<string, number>;
  cleanup: () => Promise<void>;
}

/** A fresh app in `wiring` on a temp data dir, its fires sampled. */
export async function startProbe(wiring: Wiring, concurrency?: number): Promise<Probe> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ts-bench-scheduler-'));
  const probe: Omit<Probe, 'app'> & Partial<Probe> = {
    wiring,
    enqueued: new Samples(),
    catchUps: [],
    index: new Map(),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
  const onFire = (id: string, slot: number, kind: 'schedule' | 'catch-up'): void => {
    const at = Date.now();
    const i = probe.index.get(id) ?? -1;
    probe.enqueued.add(i, slot, at);
    if (kind === 'catch-up') probe.catchUps.push([i, at]);
  };
  let app: App;
  if (wiring === 'product') {
    const settings = { store: 'json', dataDir } as const;
    const secrets = await headlessSecrets(settings, {});
    app = composeApp({
      ...settings,
      ...(secrets ? { secrets } : {}),
      probes: { executors: { api: noop }, onFire },
    });
  } else {
    const recordNothing: SchedulerRunner = {
      start: (_request, onSettled) => {
        const done = Promise.resolve({} as Run);
        queueMicrotask(() => onSettled?.({} as Run, undefined));
        return { started: done, finished: done };
      },
      recordUnstarted: () => Promise.resolve({} as Run),
    };
    app = createApp({
      store: new JsonStore({ dataDir }),
      executors: { api: noop },
      createScheduler: (deps) =>
        new Scheduler({
          ...deps,
          ...(wiring === 'engine' ? { runner: recordNothing } : {}),
          onFire,
        }),
    });
  }
  probe.app = app;
  await app.start();
  await sealStoredSecrets(app); // as the service does after start (nothing to seal here)
  if (concurrency !== undefined) {
    const settings = await app.core.call('settings.get', {});
    await app.core.call('settings.save', { settings: { ...settings, concurrency } });
  }
  return probe as Probe;
}

export async function stopProbe(probe: Probe): Promise<void> {
  await probe.app.stop();
  await probe.cleanup();
  // Collect this scenario's garbage now, not as a long pause inside the next one's window.
  globalThis.gc?.();
  globalThis.gc?.();
}

export interface Entries {
  /**
   * The first slot of the measured window: two slots after the entries' first one and after the
   * last save (JIT warm-up, the first state write). Every entry fires once a second, at
   * `from + offsets[i] + k·1000`.
   */
  from: number;
  /** Entry index → its slots' offset in the second (ms). */
  offsets: Float64Array;
  /** Entry id → the same offset. */
  byId: Map<string, number>;
}

/**
 * Saves `n` entries through the core (as `schedules.save` over HTTP does). An entry saved after
 * its first slot fires from the next one on; the window starts after the last save anyway.
 */
export async function addEntries(
  probe: Probe,
  n: number,
  kind: 'frequency' | 'cron',
  layout: Layout,
): Promise<Entries> {
  const { app } = probe;
  const config = await app.core.call('configs.save', {
    config: {
      name: 'noop',
      type: 'api',
      params: {
        url: 'http://127.0.0.1:9/',
        auth: { kind: 'bearer', token: 'bench-token-0123456789abcdef' },
      },
    },
  });
  const task = await app.core.call('tasks.save', {
    task: { name: 'noop', type: 'api', operation: 'read', configId: config.id },
  });
  // Frequency entries fire one interval after startAt, cron ones on every whole second.
  const startAt = Math.ceil(Date.now() / 1000) * 1000 + (kind === 'frequency' ? 2000 : 0);
  const offsets = new Float64Array(n);
  const byId = new Map<string, number>();
  const inputs: ScheduleEntryInput[] = [];
  for (let i = 0; i < n; i++) {
    offsets[i] = kind === 'frequency' && layout === 'spread' ? Math.floor((i * 1000) / n) : 0;
    inputs.push({
      taskId: task.id,
      kind,
      ...(kind === 'frequency'
        ? { everySeconds: 1, startAt: new Date(startAt + offsets[i]!).toISOString() }
        : { cron: '* * * * * *', timezone: 'UTC' }),
      overlap: 'skip',
      missed: 'run-once',
    });
  }
  // In chunks, so the catalog writes of one chunk are shared.
  const began = Date.now();
  for (let from = 0; from < n; from += 200) {
    const saved = await Promise.all(
      inputs.slice(from, from + 200).map((entry) => app.core.call('schedules.save', { entry })),
    );
    saved.forEach((entry, j) => {
      probe.index.set(entry.id, from + j);
      byId.set(entry.id, offsets[from + j]!);
    });
  }
  if (process.env.BENCH_DEBUG === '1')
    console.log(`saved ${n} entries in ${Date.now() - began} ms`);
  const from = startAt + Math.max(3000, Math.ceil((Date.now() + 2000 - startAt) / 1000) * 1000);
  return { from, offsets, byId };
}
