/**
 * `npm run serve` as users and supervisors run it: npm → shell → plain `node` running the built
 * service. Signals to npm, and SIGKILL to its process group, leave nothing running or listening.
 * Linux process tools (/proc, process groups) are used to look at what runs.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVE_FLAGS } from '../../../src/main/cli/serve-flags';
import { TRANSFER_FLAGS } from '../../../src/main/cli/transfer';
import { groupMembers, killStarted, npmServe, ROOT } from '../../support/serve-process';

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

const dirs: string[] = [];
afterEach(async () => {
  killStarted();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Resolves true once nothing accepts connections on the port (bounded), false if it still does. */
async function nothingListens(port: number, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const refused = await new Promise<boolean>((res) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        res(false);
      });
      socket.once('error', () => res(true));
    });
    if (refused || Date.now() > deadline) return refused;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('npm run serve', () => {
  it('prints the version with --version and exits 0', async () => {
    const run = npmServe(['--version']);
    expect(await run.exited).toBe(0);
    expect(run.out().trim()).toBe(`task-scheduler ${VERSION}`);
  });

  it('lists every command and every flag with --help', async () => {
    const run = npmServe(['--help']);
    expect(await run.exited).toBe(0);
    for (const command of ['serve', 'export', 'import']) {
      expect(run.out()).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    for (const flag of [...SERVE_FLAGS, ...TRANSFER_FLAGS.export, ...TRANSFER_FLAGS.import]) {
      expect(run.out()).toContain(`--${flag.name}`);
    }
    expect(run.out()).toContain('--version');
    expect(run.out()).toMatch(/Exit codes: 0 .*, 1 .*, 2 /);
  });

  it('runs the built service under plain node, and stops it when npm gets SIGTERM', async () => {
    const run = npmServe(['--port', '0', '--store', 'memory']);
    const [, port] = await run.line(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
    const node = [...groupMembers(run.child.pid!).values()].filter((cmd) =>
      cmd.some((arg) => arg.endsWith('bin/task-scheduler.mjs')),
    );
    expect(node).toHaveLength(1);
    // Plain node on the launcher, which imports out/server/index.js: no tsx, no second service.
    expect(node[0]!.join(' ')).not.toMatch(/tsx|--import|--loader/);
    expect(node[0]!.slice(1, 2)).toEqual(['bin/task-scheduler.mjs']);

    process.kill(run.child.pid!, 'SIGTERM');
    await run.exited;
    expect(await nothingListens(Number(port))).toBe(true);
    await expect.poll(() => groupMembers(run.child.pid!).size, { timeout: 5_000 }).toBe(0);
    expect(run.out()).toContain('Task Scheduler stopped.');
  });

  it('stops once, letting a running task finish, on a terminal Ctrl+C (SIGINT to the whole group)', async () => {
    let requests = 0;
    const slow = createServer((_req, res) => {
      requests++;
      setTimeout(() => res.writeHead(200).end('{"slow":true}'), 1_000);
    });
    await new Promise<void>((res) => slow.listen(0, '127.0.0.1', res));
    try {
      const run = npmServe(['--port', '0', '--store', 'memory', '--token', 'tok']);
      const [, url] = await run.line(/listening on (http:\/\/\S+\/)\n/);
      const call = async (
        method: string,
        params: unknown,
      ): Promise<{ result: { id: string; status?: string } }> =>
        (
          await fetch(`${url}api/${method}`, {
            method: 'POST',
            headers: { Authorization: 'Bearer tok', 'Content-Type': 'application/json' },
            body: JSON.stringify(params),
          })
        ).json() as Promise<{ result: { id: string; status?: string } }>;
      const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
      const config = await call('configs.save', {
        config: { name: 'Slow', type: 'api', params: { url: slowUrl } },
      });
      const task = await call('tasks.save', {
        task: { name: 'Slow', type: 'api', operation: 'read', configId: config.result.id },
      });
      const running = call('tasks.run', { id: task.result.id });
      await expect.poll(() => requests, { timeout: 5_000 }).toBe(1);

      process.kill(-run.child.pid!, 'SIGINT');
      expect((await running).result.status).toBe('succeeded');
      await run.exited;
      await expect.poll(() => groupMembers(run.child.pid!).size, { timeout: 5_000 }).toBe(0);
      expect(run.out().match(/stopping \(running tasks get the grace period/g)).toHaveLength(1);
      expect(run.out()).not.toMatch(/again; exiting now/);
      expect(run.out()).toContain('Task Scheduler stopped.');
    } finally {
      slow.closeAllConnections();
      await new Promise((res) => slow.close(res));
    }
  });

  it('leaves nothing listening or locked when its process group is killed with SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'npm-serve-'));
    dirs.push(dataDir);
    const run = npmServe(['--port', '0', '--data-dir', dataDir, '--token', 'tok']);
    const [, port] = await run.line(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);

    process.kill(-run.child.pid!, 'SIGKILL');
    await run.exited;
    expect(await nothingListens(Number(port))).toBe(true);
    await expect.poll(() => groupMembers(run.child.pid!).size, { timeout: 5_000 }).toBe(0);

    // The data dir's lock names a dead process: the next start takes it over.
    const again = npmServe(['--port', '0', '--data-dir', dataDir, '--token', 'tok']);
    await again.line(/listening on http:\/\/127\.0\.0\.1:\d+\//);
    process.kill(again.child.pid!, 'SIGTERM');
    await again.exited;
  });
});
