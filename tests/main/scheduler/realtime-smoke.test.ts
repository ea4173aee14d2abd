/**
 * Real time, real HTTP: entries firing every second (frequency and cron, memory and json stores)
 * record at least 3 runs each within 3.5 s, counted from the run.finished events as they arrive;
 * no polling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { Scheduler } from '../../../src/main/scheduler/scheduler';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Run } from '../../../src/shared/domain';
import { startHttpTarget } from '../../support/http-target';
import { killStarted, serveCli } from '../../support/serve-process';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  killStarted();
});

/**
 * Counts `run.finished` events per task until every task has `want` or `ms` passed (the deadline
 * is the goal being tested, not a wait for state); `subscribe` feeds each event's name and run
 * task id, and returns its unsubscribe.
 */
function countFinished(
  subscribe: (onEvent: (name: string, taskId: string | undefined) => void) => () => void,
  taskIds: string[],
  want: number,
  ms: number,
): Promise<Map<string, number>> {
  return new Promise((resolve) => {
    const seen = new Map(taskIds.map((id) => [id, 0]));
    const done = (): void => {
      clearTimeout(deadline);
      unsubscribe();
      resolve(seen);
    };
    const deadline = setTimeout(done, Math.max(0, ms));
    const unsubscribe = subscribe((name, taskId) => {
      if (name !== 'run.finished' || taskId === undefined || !seen.has(taskId)) return;
      seen.set(taskId, seen.get(taskId)! + 1);
      if ([...seen.values()].every((n) => n >= want)) done();
    });
  });
}

/** The events of the service's Server-Sent Events stream, as they arrive. */
function sseEvents(
  url: string,
  onEvent: (name: string, taskId: string | undefined) => void,
): () => void {
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(url, { signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const name = /^event: (.+)$/m.exec(message)?.[1];
        const data = /^data: (.+)$/m.exec(message)?.[1];
        const run = data ? (JSON.parse(data) as { run?: Run }).run : undefined;
        if (name) onEvent(name, run?.taskId);
      }
    }
  })().catch(() => undefined); // aborted when the test is done
  return () => controller.abort();
}

describe('real-time smoke test', () => {
  it.each(['memory', 'json'] as const)(
    'the headless service (%s store) records at least 3 runs of an every-second frequency entry and of a cron entry in 3.5 s',
    async (store) => {
      const target = await startHttpTarget();
      cleanups.push(() => target.close());
      const dataDir = await mkdtemp(join(tmpdir(), 'ts-smoke-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const service = serveCli(
        '--port',
        '0',
        '--store',
        store,
        '--data-dir',
        dataDir,
        '--token',
        'T',
      );
      cleanups.push(async () => {
        // A clean stop before the data dir goes (killStarted is the safety net).
        if (service.child.exitCode === null) service.child.kill('SIGTERM');
        await service.exited;
      });
      const base = (await service.line(/listening on (http:\/\/[^\s/]+)\//))[1]!;
      const api = async <T>(method: string, params: unknown): Promise<T> => {
        const response = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { authorization: 'Bearer T', 'content-type': 'application/json' },
          body: JSON.stringify(params),
        });
        const body = (await response.json()) as { result: T; error?: unknown };
        if (!response.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
        return body.result;
      };
      const info = await api<{ store: string }>('system.info', {});
      expect(info.store).toBe(store);
      const config = await api<{ id: string }>('configs.save', {
        config: { name: 'Echo', type: 'api', params: { url: `${target.url}/echo` } },
      });
      const [every, cron] = await Promise.all(
        ['Every second', 'Cron every second'].map((name) =>
          api<{ id: string }>('tasks.save', {
            task: { name, type: 'api', operation: 'read', configId: config.id },
          }),
        ),
      );
      const finished = countFinished(
        (onEvent) => sseEvents(`${base}/api/events?token=T`, onEvent),
        [every!.id, cron!.id],
        3,
        3_500,
      );
      await api('schedules.save', {
        entry: { taskId: every!.id, kind: 'frequency', everySeconds: 1 },
      });
      await api('schedules.save', {
        entry: { taskId: cron!.id, kind: 'cron', cron: '* * * * * *', timezone: 'UTC' },
      });
      const counts = await finished;
      expect(counts.get(every!.id)).toBeGreaterThanOrEqual(3);
      expect(counts.get(cron!.id)).toBeGreaterThanOrEqual(3);
      for (const task of [every!, cron!]) {
        const runs = (await api<{ items: Run[] }>('runs.list', { taskId: task.id })).items;
        expect(runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(3);
        expect(runs.every((r) => r.trigger.kind === 'schedule')).toBe(true);
      }
    },
  );

  it('an app on the real clock records at least 3 runs of an every-second entry in 3.5 s', async () => {
    const target = await startHttpTarget();
    cleanups.push(() => target.close());
    const app = createApp({
      store: new MemoryStore(),
      executors: { api: new ApiExecutor() },
      createScheduler: (deps) => new Scheduler(deps),
    });
    await app.start();
    cleanups.push(() => app.stop());
    const config = await app.core.call('configs.save', {
      config: { name: 'Echo', type: 'api', params: { url: `${target.url}/echo` } },
    });
    const task = await app.core.call('tasks.save', {
      task: { name: 'Ping', type: 'api', operation: 'read', configId: config.id },
    });
    const finished = countFinished(
      (onEvent) =>
        app.events.subscribe((event) =>
          onEvent(event.name, (event.data as { run?: Run }).run?.taskId),
        ),
      [task.id],
      3,
      3_500,
    );
    await app.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 1 },
    });
    expect((await finished).get(task.id)).toBeGreaterThanOrEqual(3);
    const runs = (await app.core.call('runs.list', { taskId: task.id })).items;
    expect(runs.every((r) => r.trigger.kind === 'schedule')).toBe(true);
    expect(target.requests.length).toBeGreaterThanOrEqual(3);
  });
});
