/**
 * The per-host connection limit (settings.connectionsPerHost): a burst of api or file-upload runs
 * to one server opens at most that many sockets; the requests beyond them wait for a connection.
 * A slow server on 127.0.0.1 counts the sockets open at once. Also: the HTTP client's proxy from the
 * environment, which it decides once when no proxy variable is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import type { ConnectionLimits, ExecutionOutcome } from '../../../src/main/executors/types';
import { DEFAULT_CONNECTIONS_PER_HOST, type Configuration } from '../../../src/shared/domain';

const T0 = '2026-01-01T00:00:00.000Z';

interface SlowServer {
  url: string;
  /** Sockets open now / at most at once / in all. */
  open: () => number;
  peak: () => number;
  opened: () => number;
  /** Requests received so far. */
  received: () => number;
  /** Answers every held request, and every later one at once. */
  release: () => void;
  close: () => Promise<void>;
}

const servers: SlowServer[] = [];
const executors: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function slowServer(): Promise<SlowServer> {
  let open = 0;
  let peak = 0;
  let opened = 0;
  let received = 0;
  let released = false;
  const held: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    received++;
    const answer = (): void => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    // Read the whole request (uploads) before answering.
    req.resume();
    req.on('end', () => (released ? answer() : held.push(answer)));
  });
  server.on('connection', (socket) => {
    open++;
    opened++;
    peak = Math.max(peak, open);
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const slow: SlowServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => open,
    peak: () => peak,
    opened: () => opened,
    received: () => received,
    release: () => {
      released = true;
      for (const answer of held.splice(0)) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(slow);
  return slow;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function apiRun(
  executor: ApiExecutor,
  url: string,
  limits: ConnectionLimits | undefined,
): Promise<ExecutionOutcome> {
  const config: Configuration = {
    id: 'c1',
    name: 'slow',
    type: 'api',
    params: { url },
    createdAt: T0,
    updatedAt: T0,
  };
  return executor.execute({
    task: undefined,
    operation: 'read',
    config,
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
    limits,
  });
}

function uploadRun(
  executor: FileExecutor,
  url: string,
  limits: ConnectionLimits,
): Promise<ExecutionOutcome> {
  return executor.execute({
    task: undefined,
    operation: 'write',
    config: {
      id: 'c2',
      name: 'upload',
      type: 'file',
      params: { location: `${url}/upload`, content: 'a line of text\n' },
      createdAt: T0,
      updatedAt: T0,
    },
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
    limits,
  });
}

function newApiExecutor(): ApiExecutor {
  const executor = new ApiExecutor();
  executors.push(executor);
  return executor;
}

describe('connections per host', () => {
  it('keeps a burst of api runs to one slow server within the limit, every run answered', async () => {
    const server = await slowServer();
    const executor = newApiExecutor();
    const limits = { connectionsPerHost: 3, dbPoolSize: 5 };
    const runs = Array.from({ length: 12 }, (_, i) =>
      apiRun(executor, `${server.url}/item/${i}`, limits),
    );
    await until(() => server.received() === 3, 'three requests arrive');
    expect(server.open()).toBe(3);
    server.release();
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((o) => o.result.statusCode)).toEqual(Array(12).fill(200));
    expect(server.peak()).toBe(3);
    // Kept alive and reused: no socket beyond the first three.
    expect(server.opened()).toBe(3);
  });

  it('applies the default limit when the runner names none', async () => {
    const server = await slowServer();
    const executor = newApiExecutor();
    const runs = Array.from({ length: DEFAULT_CONNECTIONS_PER_HOST + 8 }, () =>
      apiRun(executor, `${server.url}/x`, undefined),
    );
    await until(
      () => server.received() === DEFAULT_CONNECTIONS_PER_HOST,
      'the default number of requests arrive',
    );
    server.release();
    await Promise.all(runs);
    expect(server.peak()).toBe(DEFAULT_CONNECTIONS_PER_HOST);
  });

  it('counts the limit per host, not across hosts', async () => {
    const [a, b] = [await slowServer(), await slowServer()];
    const executor = newApiExecutor();
    const limits = { connectionsPerHost: 2, dbPoolSize: 5 };
    const runs = [a, b].flatMap((server) =>
      Array.from({ length: 5 }, () => apiRun(executor, `${server.url}/x`, limits)),
    );
    await until(() => a.received() === 2 && b.received() === 2, 'two requests reach each');
    a.release();
    b.release();
    await Promise.all(runs);
    expect([a.peak(), b.peak()]).toEqual([2, 2]);
  });

  it('follows a changed limit for the connections it opens next', async () => {
    const server = await slowServer();
    const executor = newApiExecutor();
    server.release();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        apiRun(executor, `${server.url}/x`, { connectionsPerHost: 1, dbPoolSize: 5 }),
      ),
    );
    expect(server.peak()).toBe(1);
    await Promise.all(
      Array.from({ length: 12 }, () =>
        apiRun(executor, `${server.url}/x`, { connectionsPerHost: 4, dbPoolSize: 5 }),
      ),
    );
    expect(server.peak()).toBe(4);
  });

  it('keeps file uploads to one slow server within the limit', async () => {
    const server = await slowServer();
    const executor = new FileExecutor();
    executors.push(executor);
    const limits = { connectionsPerHost: 2, dbPoolSize: 5 };
    const runs = Array.from({ length: 6 }, () => uploadRun(executor, server.url, limits));
    await until(() => server.received() === 2, 'two uploads arrive');
    expect(server.open()).toBe(2);
    server.release();
    const outcomes = await Promise.all(runs);
    expect(outcomes).toHaveLength(6);
    expect(server.peak()).toBe(2);
  });
});

describe('proxies from the environment', () => {
  it('sends requests through HTTP_PROXY when it is set, and directly when no proxy variable is', async () => {
    const proxied: string[] = [];
    const proxy = http.createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('via proxy');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const direct = await slowServer();
    direct.release();
    const saved = process.env.HTTP_PROXY;
    try {
      process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const viaProxy = newApiExecutor();
      const outcome = await apiRun(viaProxy, 'http://orders.invalid/today', undefined);
      expect(outcome.result.body).toBe('via proxy');
      expect(proxied).toEqual(['GET http://orders.invalid/today']);
      delete process.env.HTTP_PROXY;
      const plain = newApiExecutor();
      expect((await apiRun(plain, `${direct.url}/x`, undefined)).result.body).toBe('ok');
      expect(proxied).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
