/**
 * A disk that fills up while a run executes (a real tmpfs): the run's outcome is not lost and its
 * record does not stay `running`; it is written as soon as there is room again.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../../src/main/app';
import { composeApp } from '../../../src/main/compose';
import { canMountTmpfs, tinyDisk, type TinyDisk } from '../../support/faults';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a run whose end cannot be recorded for lack of disk space', () => {
  it.skipIf(!canMountTmpfs)(
    'keeps its outcome, answers it to the caller, and records it once space is back — needs mount as root',
    async () => {
      const disk: TinyDisk = await tinyDisk('512k');
      cleanups.push(() => disk.unmount());
      // The target fills the disk while the run is in flight, then answers 16 KiB (so the
      // final record needs fresh pages, not the slack of the last one).
      const body = JSON.stringify({ items: 'x'.repeat(16 * 1024) });
      const target = http.createServer((_req, res) => {
        disk.fill();
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
      await new Promise<void>((res) => target.listen(0, '127.0.0.1', res));
      cleanups.push(() => new Promise((res) => target.close(res)));

      const app: App = composeApp({ store: 'json', dataDir: `${disk.dir}/data`, schedule: false });
      await app.start();
      cleanups.push(() => app.stop());
      cleanups.push(() => disk.free());
      const config = await app.core.call('configs.save', {
        config: {
          name: 'Fill',
          type: 'api',
          params: { url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/` },
        },
      });
      const task = await app.core.call('tasks.save', {
        task: { name: 'Fill', type: 'api', operation: 'read', configId: config.id },
      });
      const finished: string[] = [];
      app.events.subscribe((event) => {
        if (event.name === 'run.finished') finished.push(event.name);
      });

      const run = await app.core.call('tasks.run', { id: task.id });
      expect(run.status).toBe('succeeded');
      expect(finished).toHaveLength(1);
      expect((await app.core.call('runs.get', { id: run.id })).status).toBe('running');

      await disk.free();
      await expect
        .poll(async () => (await app.core.call('runs.get', { id: run.id })).status, {
          timeout: 10_000,
        })
        .toBe('succeeded');
    },
  );
});
