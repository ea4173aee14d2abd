import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { startHttpTarget } from '../../support/http-target';
import {
  execute,
  failure,
  freePort,
  target,
  useApiTarget,
  type Echo,
} from './support/api-executor';

useApiTarget();

describe('ApiExecutor failures', () => {
  it('records a 404 as a failure that keeps the response', async () => {
    const error = await failure(execute({ url: `${target.url}/status/404` }));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toContain('answered 404 Not Found');
    expect(error.message).toContain('successStatuses');
    expect(error.result?.statusCode).toBe(404);
    expect(error.result?.body).toEqual({ status: 404 });
    expect(error.result?.url).toBe(`${target.url}/status/404`);
  });

  it('records a 500 as a failure', async () => {
    const error = await failure(execute({ url: `${target.url}/status/500` }));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.result?.statusCode).toBe(500);
  });

  it('counts the statuses a task lists as success', async () => {
    for (const successStatuses of [['404'], ['4xx'], ['400-499'], ['2xx', '404']]) {
      const { result } = await execute(
        { url: `${target.url}/status/404` },
        { task: { successStatuses } },
      );
      expect(result.statusCode).toBe(404);
    }
    const error = await failure(
      execute({ url: `${target.url}/status/200` }, { task: { successStatuses: ['404'] } }),
    );
    expect(error.code).toBe('HTTP_STATUS');
  });

  it('reports an unresolvable host as a DNS error naming the host', async () => {
    const error = await failure(execute({ url: 'http://no-such-host.invalid/x' }));
    expect(error.code).toBe('DNS');
    expect(error.message).toContain('cannot resolve host "no-such-host.invalid"');
  });

  it('reports a refused connection naming host and port', async () => {
    const port = await freePort();
    const error = await failure(execute({ url: `http://127.0.0.1:${port}/x` }));
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toContain(`connection to 127.0.0.1:${port} was refused`);
  });

  it('times out a server that does not answer within timeoutMs', async () => {
    const error = await failure(execute({ url: `${target.url}/slow?ms=5000`, timeoutMs: 150 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('did not answer within 150 ms');
  });

  it('times out a body that stops arriving', async () => {
    const error = await failure(
      execute({ url: `${target.url}/slow-body?ms=5000`, timeoutMs: 200 }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('did not finish sending its body');
  });

  it('stops promptly when the signal is aborted', async () => {
    const controller = new AbortController();
    const pending = failure(
      execute({ url: `${target.url}/slow?ms=10000` }, { signal: controller.signal }),
    );
    // Abort once the server has the request, so we cancel a request in flight.
    for (let i = 0; i < 500 && !target.requests.some((r) => r.url === '/slow?ms=10000'); i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const startedAbort = performance.now();
    controller.abort(new Error('stop'));
    const error = await pending;
    expect(error.code).toBe('CANCELLED');
    expect(performance.now() - startedAbort).toBeLessThan(2000);
  });

  it('stops reading a response past maxResponseBytes', async () => {
    const streamed = await failure(
      execute({
        url: `${target.url}/huge?bytes=${5 * 1024 * 1024}`,
        maxResponseBytes: 1024 * 1024,
      }),
    );
    expect(streamed.code).toBe('TOO_LARGE');
    expect(streamed.message).toContain('1048576-byte limit');
    expect(streamed.result?.statusCode).toBe(200);
    const declared = await failure(
      execute({
        url: `${target.url}/huge?bytes=${5 * 1024 * 1024}&length=1`,
        maxResponseBytes: 1024 * 1024,
      }),
    );
    expect(declared.code).toBe('TOO_LARGE');
    expect(declared.result?.bytes).toBe(5 * 1024 * 1024);
  });

  it('caps responses at 10 MB by default', async () => {
    const error = await failure(execute({ url: `${target.url}/huge?bytes=${11 * 1024 * 1024}` }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain(`${10 * 1024 * 1024}-byte limit`);
  });

  it('follows five redirects but not six, and stops a redirect loop', async () => {
    const five = await execute({ url: `${target.url}/redirect-chain/5` });
    expect(five.result.statusCode).toBe(200);
    const six = await failure(execute({ url: `${target.url}/redirect-chain/6` }));
    expect(six.code).toBe('TOO_MANY_REDIRECTS');
    const loop = await failure(execute({ url: `${target.url}/redirect-loop` }));
    expect(loop.code).toBe('TOO_MANY_REDIRECTS');
    expect(loop.message).toContain('more than 5 redirects');
  });

  it('refuses a redirect to a scheme other than http(s)', async () => {
    const error = await failure(
      execute({ url: `${target.url}/redirect?to=${encodeURIComponent('file:///etc/passwd')}` }),
    );
    expect(error.code).toBe('BAD_REDIRECT');
    expect(error.message).toContain('not http(s)');
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const other = await startHttpTarget();
    try {
      const { result } = await execute({
        url: `${target.url}/redirect?to=${encodeURIComponent(`${other.url}/echo`)}`,
        headers: { Cookie: 'a=b', 'X-Keep': '1' },
        auth: { kind: 'bearer', token: 'tok-secret' },
      });
      const echo = result.body as Echo;
      expect(result.url).toBe(`${other.url}/echo`);
      expect(echo.headers['authorization']).toBeUndefined();
      expect(echo.headers['cookie']).toBeUndefined();
      expect(echo.headers['x-keep']).toBe('1');
    } finally {
      await other.close();
    }
  });

  it.each([
    ['ftp://example.com/x', 'not http(s)'],
    ['http://', 'not a valid URL'],
    ['http://user:pw@127.0.0.1/x', 'move them to params.auth'],
  ])('refuses the url %s as INVALID_CONFIG', async (url, message) => {
    const error = await failure(execute({ url }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(message);
  });

  it('refuses a header value with a line break', async () => {
    const error = await failure(
      execute({ url: `${target.url}/echo`, headers: { 'X-A': 'a\r\nInjected: yes' } }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('never leaves an unhandled rejection behind failing requests', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const port = await freePort();
      const attempts = [
        execute({ url: `${target.url}/status/500` }),
        execute({ url: `http://127.0.0.1:${port}/` }),
        execute({ url: 'http://x.invalid/' }),
        execute({ url: `${target.url}/slow?ms=3000`, timeoutMs: 50 }),
        execute({ url: `${target.url}/huge?bytes=3000000`, maxResponseBytes: 1000 }),
        execute({ url: `${target.url}/redirect-loop` }),
      ];
      const settled = await Promise.allSettled(attempts);
      expect(settled.every((s) => s.status === 'rejected')).toBe(true);
      // Let any stray rejection surface before checking.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('ApiExecutor sockets', () => {
  it('reuses keep-alive connections and closes them all on close()', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const own = new ApiExecutor();
    try {
      for (let i = 0; i < 5; i++)
        await execute({ url: `http://127.0.0.1:${port}/` }, { executor: own });
      expect(connections).toBe(1);
      const open = (): Promise<number> =>
        new Promise((resolve, reject) =>
          server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
        );
      expect(await open()).toBe(1);
      await own.close();
      let remaining = await open();
      for (let i = 0; i < 200 && remaining > 0; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        remaining = await open();
      }
      expect(remaining).toBe(0);
    } finally {
      await own.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
