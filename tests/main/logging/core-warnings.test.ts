/**
 * The core's own warnings go through the entry point's logger (composeApp / createApp `warn`),
 * never straight to the console: the MongoDB store's skipped documents (record-gate.ts), a
 * throwing event listener (event-bus.ts), a throwing run hook (task-runner.ts, run-parts.ts).
 * The first is checked on the built service's stderr, one JSON line per warning.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/main/app';
import { EventBus } from '../../../src/main/core/event-bus';
import type { RunRequest } from '../../../src/main/core/task-runner';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { mongoTestTarget } from '../../support/mongo-target';
import { killStarted, serveCli } from '../../support/serve-process';

afterEach(() => {
  killStarted();
  vi.restoreAllMocks();
});

/** The `msg` of the JSON lines at level 40 (warn) in a process's stderr. */
function warnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 40)
    .map((line) => line.msg);
}

describe('the core’s warnings in the log', () => {
  it('the built service on MongoDB logs a skipped document as a JSON warning line', async () => {
    const target = await mongoTestTarget();
    const dir = await mkdtemp(join(tmpdir(), 'serve-mongo-log-'));
    const client = new MongoClient(target.uri);
    try {
      await client
        .db(target.database)
        .collection<{ _id: string; name: string }>('configs')
        .insertOne({ _id: 'broken', name: 'x' });
      const uri = `${target.uri.replace(/\/+$/, '')}/${target.database}`;
      const proc = serveCli(
        '--port',
        '0',
        '--data-dir',
        dir,
        '--token',
        't',
        '--store',
        'mongodb',
        '--mongo-uri',
        uri,
      );
      await proc.line(/listening on (http:\/\/\S+)\n/);
      const logged = warnings(proc.err());
      expect(logged.some((m) => m.startsWith('MongoStore: ') && m.includes('broken'))).toBe(true);
    } finally {
      killStarted();
      await client.close();
      await target.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an event listener that throws is reported through the app’s warn, not the console', async () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    const lines: string[] = [];
    const app = createApp({ store: new MemoryStore(), executors: {}, warn: (m) => lines.push(m) });
    await app.start();
    try {
      app.events.subscribe(() => {
        throw new Error('listener bug');
      });
      await app.core.call('alerts.save', {
        alert: {
          name: 'Hook',
          channel: { kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
          rule: { on: ['failed'] },
        },
      });
      expect(
        lines.some((l) =>
          l.startsWith('EventBus: a listener for store.changed threw: listener bug'),
        ),
      ).toBe(true);
      expect(console).not.toHaveBeenCalled();
    } finally {
      await app.stop();
    }
  });

  it('an EventBus without a logger still reports to the console', () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    const bus = new EventBus();
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.emit('store.changed', { kind: 'alerts' });
    expect(console).toHaveBeenCalledWith(
      expect.stringMatching(/^EventBus: a listener for store\.changed threw: boom/),
    );
  });

  it('a run hook that throws is reported through the runner’s log', async () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    const lines: string[] = [];
    const app = createApp({
      store: new MemoryStore(),
      executors: {
        api: { type: 'api', execute: async () => ({ result: { summary: 'ok' } }) },
      },
      warn: (m) => lines.push(m),
    });
    await app.start();
    try {
      const config = await app.core.call('configs.save', {
        config: { name: 'c', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
      });
      const task = await app.core.call('tasks.save', {
        task: { name: 't', type: 'api', operation: 'read', configId: config.id },
      });
      const request: RunRequest = {
        task,
        config: (await app.store.getConfig(config.id))!,
        operation: 'read',
        trigger: { kind: 'manual' },
      };
      const started = app.runner.start(request, () => {
        throw new Error('settled bug');
      });
      await started.finished;
      expect(lines).toContain('TaskRunner: an onSettled callback threw: settled bug');
      expect(console).not.toHaveBeenCalled();
    } finally {
      await app.stop();
    }
  });
});
