import { createServer, type Server } from 'node:net';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStarted, LAUNCHER, SERVE, serveCli, start } from '../../support/serve-process';

afterEach(killStarted);

describe('the serve command', () => {
  it('listens, answers the API with the given token and exits 0 on SIGTERM', async () => {
    const proc = serveCli('--port', '0', '--store', 'memory', '--token', 't');
    const [, url] = await proc.line(/Task Scheduler listening on (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    // A token the user gave is not echoed into logs and scrollback; it says where it came from.
    await proc.line(/Access token: the one given by --token .*#token=<token>/);
    expect(proc.out()).not.toMatch(/Bearer t\b|#token=t\b/);
    const res = await fetch(`${url}api/system.info`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { store: string } }).result.store).toBe('memory');
    const denied = await fetch(`${url}api/system.info`, { method: 'POST', body: '{}' });
    expect(denied.status).toBe(401);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toContain('Task Scheduler stopped.');
  });

  it('generates and prints a token when none is given, and reads settings from the environment', async () => {
    const env = start([SERVE], {
      TASK_SCHEDULER_PORT: '0',
      TASK_SCHEDULER_STORE: 'memory',
    });
    const [, token] = await env.line(/Access token: (\S+)/);
    expect(token!.length).toBeGreaterThanOrEqual(32);
    env.child.kill('SIGINT');
    expect(await env.exited).toBe(0);
  });

  it.each([
    [['--port', 'abc'], /--port "abc" is not a port/],
    [['--store', 'nope'], /--store "nope" is not a store; use one of memory, json, mongodb/],
    [['--colour', 'red'], /unknown option "--colour"/],
    [['--port'], /--port needs a value/],
    [['export', '--file'], /--file needs a value/],
    [['copy'], /unknown command "copy"; use one of serve, export, import/],
  ])('exits 2 with a clear message for bad flags %j', async (args, message) => {
    const proc = serveCli(...args);
    expect(await proc.exited).toBe(2);
    expect(proc.err()).toMatch(message);
    expect(proc.err()).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with a message and no stack trace when it cannot start', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const { port } = blocker.address() as { port: number };
    try {
      const proc = serveCli('--port', String(port), '--store', 'memory', '--token', 't');
      expect(await proc.exited).toBe(1);
      expect(proc.err()).toMatch(
        /could not start: HTTP: port \d+ on 127\.0\.0\.1 is already in use/,
      );
      expect(proc.err()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  });

  it('passes bad-flag exit codes through the launcher', async () => {
    const proc = start([LAUNCHER, '--store', 'nope']);
    expect(await proc.exited).toBe(2);
    expect(proc.err()).toMatch(/is not a store/);
  });

  it('keeps data across a restart, encrypts secrets at rest, and refuses a second process on the same data dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'serve-json-'));
    try {
      const call = async (url: string, method: string, params: unknown): Promise<Response> =>
        fetch(`${url}api/${method}`, {
          method: 'POST',
          headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
          body: JSON.stringify(params),
        });
      const first = serveCli('--port', '0', '--data-dir', dataDir, '--token', 't');
      const [, url] = await first.line(/listening on (http:\/\/\S+)\n/);
      const saved = await call(url!, 'configs.save', {
        config: {
          name: 'Secret API',
          type: 'api',
          params: {
            url: 'http://127.0.0.1:9/',
            auth: { kind: 'bearer', token: 'do-not-store-me' },
          },
        },
      });
      expect(saved.status).toBe(200);
      const savedId = ((await saved.json()) as { result: { id: string } }).result.id;

      const second = serveCli('--port', '0', '--data-dir', dataDir, '--token', 't');
      expect(await second.exited).toBe(1);
      expect(second.err()).toMatch(/is in use by process \d+/);

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      for (const name of await readdir(dataDir, { recursive: true })) {
        const file = join(dataDir, name);
        if ((await stat(file)).isFile()) {
          expect(await readFile(file, 'utf8'), file).not.toContain('do-not-store-me');
        }
      }

      const again = serveCli('--port', '0', '--data-dir', dataDir, '--token', 't');
      const [, url2] = await again.line(/listening on (http:\/\/\S+)\n/);
      const listed = (await (await call(url2!, 'configs.list', {})).json()) as {
        result: Array<{ name: string }>;
      };
      expect(listed.result.map((c) => c.name)).toEqual(['Secret API']);
      const revealed = (await (
        await call(url2!, 'configs.get', { id: savedId, reveal: true })
      ).json()) as {
        result: { params: { auth: { token: string } } };
      };
      expect(revealed.result.params.auth.token).toBe('do-not-store-me');
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
