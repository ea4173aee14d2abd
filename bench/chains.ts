/**
 * What a chain costs (issue #15): `node --import tsx bench/chains.ts` (or
 * `npm run bench -- chains`).
 *
 * The app is wired as the headless product wires it (`composeApp`: the json store in a temp dir,
 * the real runner and executor wrappers, no scheduler); only the api executor inside its wrapper
 * is a no-op (ComposeProbes), so the figures are the core's own work: recording runs and, for
 * the chain, finding and starting the next task.
 *
 * One round:
 * - by hand: `tasks.run` (waiting for the end) of three unchained tasks, one after another, as a
 *   client running them in order would;
 * - chained: `tasks.run` of the first of three tasks chained A → B → C (`runAfter`, when
 *   `succeeded`), until C's run has ended (its `run.finished` event).
 * Rounds alternate between the two (BENCH_ROUNDS, default 2,000, after 200 of warm-up), so drift
 * on a shared machine hits both alike. Overhead per link = (chained − by hand) / 2 links, per
 * round; the goal is at most 2 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { composeApp } from '../src/main/compose';
import type { App } from '../src/main/app';
import type { Task } from '../src/shared/domain';
import { percentile } from './support/scheduler-figures';
import { noop } from './support/scheduler-probe';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const WARM_UP = 200;
const GOAL_MS_PER_LINK = 2;

async function saveTasks(app: App, prefix: string, chained: boolean): Promise<Task[]> {
  const config = await app.core.call('configs.save', {
    config: { name: `${prefix} config`, type: 'api', params: { url: 'http://127.0.0.1:9/' } },
  });
  const tasks: Task[] = [];
  for (const name of ['A', 'B', 'C']) {
    const parent = tasks.at(-1);
    tasks.push(
      await app.core.call('tasks.save', {
        task: {
          name: `${prefix} ${name}`,
          type: 'api',
          operation: 'read',
          configId: config.id,
          ...(chained && parent ? { runAfter: [{ taskId: parent.id, when: 'succeeded' }] } : {}),
        },
      }),
    );
  }
  return tasks;
}

/** Resolves when a run of `taskId` has ended. */
function ended(app: App, taskId: string): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = app.events.subscribe((event) => {
      if (event.name === 'run.finished' && event.data.run.taskId === taskId) {
        unsubscribe();
        resolve();
      }
    });
  });
}

async function byHand(app: App, tasks: Task[]): Promise<number> {
  const t0 = performance.now();
  for (const task of tasks) await app.core.call('tasks.run', { id: task.id });
  return performance.now() - t0;
}

async function chained(app: App, tasks: Task[]): Promise<number> {
  const t0 = performance.now();
  const last = ended(app, tasks[2]!.id);
  await app.core.call('tasks.run', { id: tasks[0]!.id, wait: false });
  await last;
  return performance.now() - t0;
}

const row = (label: string, values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return [
    label.padEnd(26),
    ...[mean, percentile(sorted, 50), percentile(sorted, 95)].map((v) => v.toFixed(3).padStart(9)),
  ].join('');
};

const dataDir = await mkdtemp(join(tmpdir(), 'ts-bench-chains-'));
const app = composeApp({
  store: 'json',
  dataDir,
  schedule: false,
  probes: { executors: { api: noop } },
});
try {
  await app.start();
  const hand = await saveTasks(app, 'hand', false);
  const chain = await saveTasks(app, 'chain', true);
  const handMs: number[] = [];
  const chainMs: number[] = [];
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    const first = round % 2 === 0;
    const a = first ? await byHand(app, hand) : await chained(app, chain);
    const b = first ? await chained(app, chain) : await byHand(app, hand);
    if (round < WARM_UP) continue;
    handMs.push(first ? a : b);
    chainMs.push(first ? b : a);
  }
  const perLink = chainMs.map((ms, i) => (ms - handMs[i]!) / 2);
  console.log(
    `A chain of 3 tasks against the same 3 tasks run by hand, ${ROUNDS} rounds (json store, no-op executor)`,
  );
  console.log(''.padEnd(26), '  mean ms', '   p50 ms', '   p95 ms');
  console.log(row('by hand, 3 runs', handMs));
  console.log(row('chained, 3 runs', chainMs));
  console.log(row('overhead per link', perLink));
  const mean = perLink.reduce((sum, v) => sum + v, 0) / perLink.length;
  console.log(
    `goal: at most ${GOAL_MS_PER_LINK} ms per link: ${mean <= GOAL_MS_PER_LINK ? 'met' : 'MISSED'} (mean ${mean.toFixed(3)} ms)`,
  );
} finally {
  await app.stop();
  await rm(dataDir, { recursive: true, force: true });
}
