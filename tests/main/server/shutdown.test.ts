import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/main/app';
import type { Executor } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Configuration, Run, Task } from '../../../src/shared/domain';
import { call, ok, serve } from './helpers';

/** An api executor whose runs finish only when the test says so. */
function gatedExecutor(): {
  executor: Executor<'api'>;
  started: Promise<void>;
  release: () => void;
} {
  let release!: () => void;
  let markStarted!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  const started = new Promise<void>((res) => (markStarted = res));
  return {
    executor: {
      type: 'api',
      async execute() {
        markStarted();
        await gate;
        return { result: { summary: 'done' } };
      },
    },
    started,
    release,
  };
}

describe('shutting down the HTTP server', () => {
  it('answers requests in flight, refuses new connections, and then closes', async () => {
    const gated = gatedExecutor();
    const app = createApp({ store: new MemoryStore(), executors: { api: gated.executor } });
    const s = await serve({ app });
    const config = await ok<Configuration>(s.port, 'configs.save', {
      config: { name: 'Slow', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const task = await ok<Task>(s.port, 'tasks.save', {
      task: { name: 'Slow', type: 'api', operation: 'read', configId: config.id },
    });
    const inFlight = call(s.port, 'tasks.run', { id: task.id });
    await gated.started;

    s.http.stopAccepting();
    await expect(call(s.port, 'system.info')).rejects.toThrow(/ECONNREFUSED/);
    const closed = s.http.close({ forceAfterMs: 10_000 });
    gated.release();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((res.json as { result: Run }).result.status).toBe('succeeded');
    expect(res.headers.connection).toBe('close');
    await closed;
    expect(s.http.server.listening).toBe(false);
    await app.stop();
  });
});
