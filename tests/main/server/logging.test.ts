/**
 * The built service's log (issue #18): JSON lines on stderr when it is not a terminal, the level
 * from `--log-level` / `TASK_SCHEDULER_LOG_LEVEL`, one line per failed run, and no secret of any
 * configuration on any line, even at `trace`, while runs fail against a local HTTP endpoint that
 * refuses them (and echoes what it was sent), closed ports and a MariaDB refusing the password.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/shared/domain';
import { MYSQL_URI } from '../executors/db/db-support';
import { killStarted, postJson, SERVE, startProcess, type Proc } from '../../support/serve-process';

const TOKEN = 'logging-test-token';
let refusing: Server;
let refusingUrl: string;
let closedPort: number;
const dirs: string[] = [];

beforeAll(async () => {
  // Answers 401 with everything it was sent (headers and URL) in its body.
  refusing = createServer((req, res) => {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  await new Promise<void>((res) => refusing.listen(0, '127.0.0.1', res));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
  const probe = createNetServer();
  await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((res) => probe.close(res));
});

afterAll(async () => {
  await new Promise((res) => refusing.close(res));
});

afterEach(async () => {
  killStarted();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Service {
  proc: Proc;
  base: string;
  /** Resolves once stderr holds `count` lines matching `pattern`. */
  logged: (pattern: RegExp, count?: number) => Promise<string[]>;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'serve-logging-'));
  dirs.push(dir);
  return dir;
}

async function serve(args: string[], env: Record<string, string> = {}): Promise<Service> {
  const dataDir = await tempDir();
  const proc = startProcess(
    process.execPath,
    [SERVE, '--port', '0', '--data-dir', dataDir, '--token', TOKEN, ...args],
    { env },
  );
  const [, base] = await proc.line(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
  const logged = (pattern: RegExp, count = 1): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const lines = proc
          .err()
          .split('\n')
          .filter((line) => pattern.test(line));
        if (lines.length < count) return false;
        proc.child.stderr!.off('data', check);
        resolve(lines);
        return true;
      };
      if (check()) return;
      proc.child.stderr!.on('data', check);
      void proc.exited.then(() => reject(new Error(`exited before logging ${pattern}`)));
    });
  return { proc, base: base!, logged };
}

async function ok<T>(service: Service, method: string, params: unknown): Promise<T> {
  const answer = await postJson(service.base, TOKEN, method, params);
  expect(answer.error, `${method}: ${JSON.stringify(answer.error)}`).toBeUndefined();
  return answer.result as T;
}

/** Saves a configuration and a read task over it, runs the task and returns the run. */
async function runTask(
  service: Service,
  name: string,
  type: 'api' | 'db',
  params: unknown,
  taskFields: Record<string, unknown> = {},
): Promise<Run> {
  const config = await ok<{ id: string }>(service, 'configs.save', {
    config: { name, type, params },
  });
  const task = await ok<{ id: string }>(service, 'tasks.save', {
    task: { name, type, operation: 'read', configId: config.id, ...taskFields },
  });
  return ok<Run>(service, 'tasks.run', { id: task.id });
}

async function stopped(service: Service): Promise<string> {
  service.proc.child.kill('SIGTERM');
  expect(await service.proc.exited).toBe(0);
  return service.proc.out() + service.proc.err();
}

function parsedLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the service log', () => {
  it('writes one JSON line per failed run, and no secret of any configuration on any line at trace level', async () => {
    const secrets = {
      bearer: 'bearer-secret-a1b2c3',
      basic: 'basic-secret-d4e5f6',
      urlPassword: 'url-secret-g7h8i9',
      header: 'header-secret-j1k2',
      query: 'query-secret-l3m4',
      mysql: 'mysql-secret-n5o6',
      postgres: 'pg-secret-p7q8',
    };
    const service = await serve(['--log-level', 'trace']);
    const runs = [
      await runTask(service, 'bearer refused', 'api', {
        url: `${refusingUrl}/private`,
        auth: { kind: 'bearer', token: secrets.bearer },
      }),
      await runTask(service, 'basic refused', 'api', {
        url: `${refusingUrl}/private`,
        auth: { kind: 'basic', username: 'ada', password: secrets.basic },
      }),
      await runTask(service, 'password in the url, closed port', 'api', {
        url: `http://ada:${secrets.urlPassword}@127.0.0.1:${closedPort}/x`,
      }),
      await runTask(service, 'secret header and query refused', 'api', {
        url: `${refusingUrl}/private`,
        headers: { 'X-Private': secrets.header },
        secretHeaders: ['X-Private'],
        query: { key: secrets.query },
        secretQuery: ['key'],
      }),
      await runTask(service, 'mariadb refuses the password', 'db', {
        uri: MYSQL_URI.replace('mysql://root@', `mysql://root:${secrets.mysql}@`),
        query: { sql: 'SELECT 1' },
      }),
      await runTask(service, 'postgres on a closed port', 'db', {
        uri: `postgres://root:${secrets.postgres}@127.0.0.1:${closedPort}/test`,
        query: { sql: 'SELECT 1' },
      }),
    ];
    expect(runs.map((run) => run.status)).toEqual(Array(6).fill('failed'));
    const failures = await service.logged(/"msg":"run failed"/, runs.length);
    const output = await stopped(service);

    const lines = parsedLines(service.proc.err());
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
      expect(Date.parse(line.time as string)).not.toBeNaN();
    }
    const failed = failures.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failed.map((line) => line.runId).sort()).toEqual(runs.map((run) => run.id).sort());
    expect(failed.every((line) => line.level === 40 && line.status === 'failed')).toBe(true);
    // Names are kept as written ("bearer refused" is not mistaken for a credential).
    expect(failed.map((line) => line.task).sort()).toEqual(runs.map((run) => run.taskName).sort());
    expect(failed.map((line) => line.task)).toContain('bearer refused');

    const basicEncoded = Buffer.from(`ada:${secrets.basic}`).toString('base64');
    for (const secret of [...Object.values(secrets), basicEncoded]) {
      expect(output, secret).not.toContain(secret);
    }
  });

  it('writes no password of a MongoDB URI when the store cannot be reached at start', async () => {
    const proc = startProcess(process.execPath, [
      SERVE,
      ...['--port', '0', '--token', TOKEN, '--log-level', 'trace', '--data-dir', await tempDir()],
      '--store',
      'mongodb',
      ...['--mongo-uri', `mongodb://ada:mongo-secret-r9s0@127.0.0.1:${closedPort}/db`],
    ]);
    expect(await proc.exited).toBe(1);
    const [line] = parsedLines(proc.err());
    expect(line!.msg).toMatch(
      /could not start: MongoStore: cannot reach MongoDB at mongodb:\/\/ada:/,
    );
    expect(proc.out() + proc.err()).not.toContain('mongo-secret-r9s0');
  });

  it('takes its level from TASK_SCHEDULER_LOG_LEVEL, and --log-level over it', async () => {
    const quiet = await serve([], { TASK_SCHEDULER_LOG_LEVEL: 'warn' });
    const url = `${refusingUrl}/private`;
    await runTask(quiet, 'accepted while quiet', 'api', { url }, { successStatuses: ['401'] });
    await stopped(quiet);
    expect(quiet.proc.err()).toBe('');

    const chatty = await serve(['--log-level', 'debug'], { TASK_SCHEDULER_LOG_LEVEL: 'error' });
    const run = await runTask(
      chatty,
      'accepted while chatty',
      'api',
      { url },
      { successStatuses: ['401'] },
    );
    const [line] = await chatty.logged(/"msg":"run succeeded"/);
    await stopped(chatty);
    expect(JSON.parse(line!)).toMatchObject({
      level: 20,
      name: 'service',
      component: 'runs',
      runId: run.id,
      task: 'accepted while chatty',
      status: 'succeeded',
      durationMs: expect.any(Number),
    });
  });

  it('writes one warn line per client and refusal a minute, without the tokens it was sent', async () => {
    const service = await serve([]);
    const port = new URL(service.base).port;
    const refusedWith = (headers: Record<string, string>, path = '/api/tasks.list') =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path, headers, setHost: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    const host = { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json' };
    // Wrong tokens, a missing one, one in the event stream's query: four 401s from one client.
    expect(await refusedWith({ ...host, Authorization: 'Bearer wrong-token-one' })).toBe(401);
    expect(await refusedWith({ ...host, Authorization: 'Bearer wrong-token-two' })).toBe(401);
    expect(await refusedWith(host)).toBe(401);
    expect(await refusedWith(host, '/api/events?token=wrong-query-token')).toBe(401);
    // A foreign Host (DNS rebinding): a 403, its own line.
    expect(await refusedWith({ Host: 'evil.example:80' })).toBe(403);
    const [forbidden] = await service.logged(/HTTP: refused .* with 403/);
    const refusals = parsedLines(service.proc.err()).filter((l) =>
      String(l.msg).startsWith('HTTP: refused'),
    );
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({
      level: 40,
      component: 'http',
      status: 401,
      code: 'UNAUTHORIZED',
      method: 'POST',
      path: '/api/tasks.list',
      remote: '127.0.0.1',
      msg: 'HTTP: refused POST /api/tasks.list from 127.0.0.1 with 401: wrong access token',
    });
    expect(JSON.parse(forbidden!)).toMatchObject({ status: 403, path: '/api/tasks.list' });
    const log = await stopped(service);
    for (const secret of ['wrong-token-one', 'wrong-token-two', 'wrong-query-token']) {
      expect(log).not.toContain(secret);
    }
  });

  it('writes the start failure as an error line, without a stack trace', async () => {
    const blocker = createNetServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const { port } = blocker.address() as { port: number };
    try {
      const proc = startProcess(process.execPath, [
        SERVE,
        ...['--port', String(port), '--store', 'memory', '--token', TOKEN],
      ]);
      expect(await proc.exited).toBe(1);
      const [line] = parsedLines(proc.err());
      expect(line).toMatchObject({ level: 50, name: 'service' });
      expect(line!.msg).toMatch(/^Task Scheduler could not start: HTTP: port \d+ on 127\.0\.0\.1/);
      expect(proc.err()).not.toMatch(/\bat .*\.js:\d+/);
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  });
});
