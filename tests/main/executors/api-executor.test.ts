import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { TaskError, type ExecutionOutcome } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { REDACTED, type ApiParams, type Run, type Task } from '../../../src/shared/domain';
import {
  BINARY_BODY,
  JSON_BODY,
  TEXT_BODY,
  startHttpTarget,
  type HttpTarget,
} from '../../support/http-target';

const T0 = '2026-01-01T00:00:00.000Z';

let target: HttpTarget;
let executor: ApiExecutor;

beforeAll(async () => {
  target = await startHttpTarget();
  executor = new ApiExecutor({ env: { API_TOKEN: 'env-token', HIDDEN: 'hidden-value' } });
});

afterAll(async () => {
  await executor.close();
  await target.close();
});

function execute(
  params: ApiParams,
  options: {
    operation?: 'read' | 'write';
    task?: Partial<Task>;
    signal?: AbortSignal;
    executor?: ApiExecutor;
  } = {},
): Promise<ExecutionOutcome> {
  const operation = options.operation ?? 'read';
  return (options.executor ?? executor).execute({
    task: {
      id: 't1',
      name: 'task',
      type: 'api',
      operation,
      configId: 'c1',
      createdAt: T0,
      updatedAt: T0,
      ...options.task,
    },
    operation,
    config: { id: 'c1', name: 'cfg', type: 'api', params, createdAt: T0, updatedAt: T0 },
    signal: options.signal ?? new AbortController().signal,
    resultMaxBytes: 64 * 1024,
  });
}

async function failure(promise: Promise<unknown>): Promise<TaskError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error('expected the execution to fail');
}

/** The parsed echo of what the target received. */
interface Echo {
  method: string;
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  json?: unknown;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ApiExecutor reading', () => {
  it('follows redirects to a JSON resource and keeps the final URL, status, selected headers and parsed body', async () => {
    const { result } = await execute({ url: `${target.url}/redirect-chain/3` });
    expect(result.statusCode).toBe(200);
    expect(result.statusText).toBe('OK');
    expect(result.url).toBe(`${target.url}/json`);
    expect(result.method).toBe('GET');
    expect(result.redirects).toBe(3);
    expect(result.body).toEqual(JSON_BODY);
    const headers = result.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['etag']).toBe('"v1"');
    expect(headers['x-request-id']).toBe('req-123');
    expect(headers['x-internal-noise']).toBeUndefined();
    expect(result.bytes).toBe(Buffer.byteLength(JSON.stringify(JSON_BODY)));
    const timing = result.timing as { totalMs: number; ttfbMs: number };
    expect(timing.totalMs).toBeGreaterThanOrEqual(timing.ttfbMs);
    expect(result.summary).toContain('200 OK');
  });

  it('returns text bodies decoded by their charset', async () => {
    const { result } = await execute({ url: `${target.url}/text` });
    expect(result.body).toBe(TEXT_BODY);
    expect(result.bytes).toBe(Buffer.byteLength(TEXT_BODY));
  });

  it('keeps binary bodies as base64 with a note', async () => {
    const { result } = await execute({ url: `${target.url}/binary` });
    expect(result.bodyEncoding).toBe('base64');
    expect(Buffer.from(result.body as string, 'base64').equals(BINARY_BODY)).toBe(true);
    expect(result.bodyNote).toContain('image/png');
  });

  it('decompresses gzip responses before parsing them', async () => {
    const { result } = await execute({ url: `${target.url}/gzip` });
    expect(result.body).toEqual(JSON_BODY);
  });

  it('sends headers, query parameters and bearer auth from the configuration', async () => {
    const { result } = await execute({
      url: `${target.url}/echo?fixed=1`,
      headers: { 'X-Custom': 'yes' },
      query: { q: 'a b&c', lang: 'de' },
      auth: { kind: 'bearer', token: 'tok-1' },
    });
    const echo = result.body as Echo;
    expect(echo.query).toEqual({ fixed: '1', q: 'a b&c', lang: 'de' });
    expect(echo.headers['x-custom']).toBe('yes');
    expect(echo.headers['authorization']).toBe('Bearer tok-1');
    expect(result.url).toContain('q=a+b%26c');
  });

  it('sends basic auth encoded as the standard requires', async () => {
    const { result } = await execute({
      url: `${target.url}/echo`,
      auth: { kind: 'basic', username: 'anna', password: 'pä:ss' },
    });
    const header = (result.body as Echo).headers['authorization']!;
    expect(header.startsWith('Basic ')).toBe(true);
    expect(Buffer.from(header.slice(6), 'base64').toString('utf8')).toBe('anna:pä:ss');
  });

  it('fills placeholders in url, headers, query and body from variables and allowed env vars', async () => {
    const { result } = await execute(
      {
        url: `${target.url}/{{path}}`,
        method: 'POST',
        headers: { Authorization: 'Bearer {{env.API_TOKEN}}', 'X-Literal': '\\{{kept}}' },
        query: { id: '{{id}}' },
        body: { nested: { list: ['{{id}}', 'x-{{path}}'] }, n: 5 },
        variables: { path: 'echo', id: '42' },
        allowEnv: ['API_TOKEN'],
      },
      { operation: 'read' },
    );
    const echo = result.body as Echo;
    expect(echo.headers['authorization']).toBe('Bearer env-token');
    expect(echo.headers['x-literal']).toBe('{{kept}}');
    expect(echo.query).toEqual({ id: '42' });
    expect(echo.json).toEqual({ nested: { list: ['42', 'x-echo'] }, n: 5 });
  });

  it('refuses an unknown placeholder or a non-allowed env var before sending anything', async () => {
    const before = target.requests.length;
    const unknown = await failure(execute({ url: `${target.url}/echo?x={{nope}}` }));
    expect(unknown.code).toBe('INVALID_CONFIG');
    expect(unknown.message).toBe(
      'ApiExecutor: url: placeholder {{nope}} has no value; add it to params.variables or allow the env var in params.allowEnv',
    );
    const hidden = await failure(
      execute({ url: `${target.url}/echo`, headers: { 'X-A': '{{env.HIDDEN}}' } }),
    );
    expect(hidden.code).toBe('INVALID_CONFIG');
    expect(hidden.message).toContain('params.allowEnv');
    expect(hidden.message).not.toContain('hidden-value');
    expect(target.requests.length).toBe(before);
  });
});

describe('ApiExecutor writing', () => {
  it('POSTs a JSON body by default for write tasks', async () => {
    const { result } = await execute(
      { url: `${target.url}/echo`, body: { name: 'Zoë', tags: ['a'] } },
      { operation: 'write' },
    );
    const echo = result.body as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.json).toEqual({ name: 'Zoë', tags: ['a'] });
  });

  it.each(['PUT', 'PATCH', 'DELETE'] as const)('sends %s with a JSON body', async (method) => {
    const { result } = await execute(
      { url: `${target.url}/echo`, method, body: { id: 7 } },
      { operation: 'write' },
    );
    expect(result.statusCode).toBe(200);
    expect((result.body as Echo).method).toBe(method);
    expect((result.body as Echo).json).toEqual({ id: 7 });
  });

  it('sends a JSON string body as it is after checking it parses', async () => {
    const { result } = await execute(
      { url: `${target.url}/echo`, body: '{"raw": {{n}}}', variables: { n: '3' } },
      { operation: 'write' },
    );
    expect((result.body as Echo).json).toEqual({ raw: 3 });
  });

  it('sends form bodies url-encoded, repeating keys for lists', async () => {
    const { result } = await execute(
      { url: `${target.url}/echo`, body: { a: 'x y', b: [1, 2], c: true }, bodyType: 'form' },
      { operation: 'write' },
    );
    const echo = result.body as Echo;
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.body).toBe('a=x+y&b=1&b=2&c=true');
  });

  it('sends text bodies as UTF-8 text', async () => {
    const { result } = await execute(
      {
        url: `${target.url}/echo`,
        body: 'hällo {{who}}',
        bodyType: 'text',
        variables: { who: 'du' },
      },
      { operation: 'write' },
    );
    const echo = result.body as Echo;
    expect(echo.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(echo.body).toBe('hällo du');
  });

  it('keeps a Content-Type header the configuration sets', async () => {
    const { result } = await execute(
      {
        url: `${target.url}/echo`,
        headers: { 'content-type': 'application/vnd.api+json' },
        body: { a: 1 },
      },
      { operation: 'write' },
    );
    expect((result.body as Echo).headers['content-type']).toBe('application/vnd.api+json');
  });

  it('turns a POST into a GET without body after a 303, and keeps it after a 307', async () => {
    const seeOther = await execute(
      { url: `${target.url}/redirect?to=/echo&status=303`, body: { a: 1 } },
      { operation: 'write' },
    );
    expect((seeOther.result.body as Echo).method).toBe('GET');
    expect((seeOther.result.body as Echo).body).toBe('');
    expect(seeOther.result.method).toBe('GET');
    const temporary = await execute(
      { url: `${target.url}/redirect?to=/echo&status=307`, body: { a: 1 } },
      { operation: 'write' },
    );
    expect((temporary.result.body as Echo).method).toBe('POST');
    expect((temporary.result.body as Echo).json).toEqual({ a: 1 });
  });

  it.each([
    [{ method: 'GET' as const, body: { a: 1 } }, 'use POST, PUT, PATCH or DELETE'],
    [{ body: '{not json' }, 'not valid JSON'],
    [{ body: { a: 1 }, bodyType: 'text' as const }, 'needs a string body'],
    [{ body: { a: { b: 1 } }, bodyType: 'form' as const }, 'holds an object'],
    [{ body: [1, 2], bodyType: 'form' as const }, 'needs an object of fields'],
  ])('refuses bad write params %j with a clear INVALID_CONFIG', async (params, message) => {
    const before = target.requests.length;
    const error = await failure(
      execute({ url: `${target.url}/echo`, ...params }, { operation: 'write' }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(message);
    expect(error.message.startsWith('ApiExecutor: ')).toBe(true);
    expect(target.requests.length).toBe(before);
  });
});

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

describe('api tasks through the core', () => {
  let app: App;
  let api: ApiExecutor;

  beforeAll(async () => {
    api = new ApiExecutor();
    app = createApp({
      store: new MemoryStore(),
      executors: { api, file: new FileExecutor() },
    });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
  });

  afterEach(() => undefined);

  async function saveConfig(params: ApiParams, name = 'api config'): Promise<string> {
    const config = await app.core.call('configs.save', { config: { name, type: 'api', params } });
    return config.id;
  }

  async function saveTask(
    configId: string,
    extra: Partial<Task> = {},
    operation: 'read' | 'write' = 'read',
  ): Promise<Task> {
    return app.core.call('tasks.save', {
      task: { name: 'api task', type: 'api', operation, configId, ...extra },
    });
  }

  async function runTask(id: string, configId?: string): Promise<Run> {
    const run = await app.core.call('tasks.run', { id, ...(configId ? { configId } : {}) });
    return app.core.call('runs.get', { id: run.id });
  }

  it('records a succeeded read with the response and never stores the bearer token', async () => {
    const configId = await saveConfig({
      url: `${target.url}/redirect?to=/echo`,
      auth: { kind: 'bearer', token: 'top-secret-token' },
      headers: { 'X-Api-Key': 'key-secret' },
    });
    const task = await saveTask(configId);
    const run = await runTask(task.id);
    expect(run.status).toBe('succeeded');
    expect(run.attempt).toBe(1);
    expect(run.result?.statusCode).toBe(200);
    expect(run.result?.url).toBe(`${target.url}/echo`);
    expect((run.result?.body as Echo).headers['authorization']).toBe('Bearer top-secret-token');
    // The echo shows the server got it; the stored snapshot must not hold it.
    expect((run.config.auth as { token: string }).token).toBe(REDACTED);
    expect((run.config.headers as Record<string, string>)['X-Api-Key']).toBe(REDACTED);
    expect(JSON.stringify(run.config)).not.toContain('top-secret-token');
    expect(JSON.stringify(run.config)).not.toContain('key-secret');
  });

  it('records a succeeded write', async () => {
    const configId = await saveConfig({ url: `${target.url}/echo`, body: { hello: 'world' } });
    const task = await saveTask(configId, {}, 'write');
    const run = await runTask(task.id);
    expect(run.status).toBe('succeeded');
    expect(run.operation).toBe('write');
    expect((run.result?.body as Echo).method).toBe('POST');
    expect((run.result?.body as Echo).json).toEqual({ hello: 'world' });
  });

  it('records a 404 as a failed run with the response kept', async () => {
    const configId = await saveConfig({ url: `${target.url}/status/404` });
    const run = await runTask((await saveTask(configId)).id);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('HTTP_STATUS');
    expect(run.error?.message).toContain('404');
    expect(run.result?.statusCode).toBe(404);
    expect(run.result?.body).toEqual({ status: 404 });
  });

  it('retries a failing task, one run per attempt', async () => {
    const configId = await saveConfig({ url: `${target.url}/status/503` });
    const task = await saveTask(configId, { retry: { attempts: 3, backoffMs: 1, factor: 1 } });
    const last = await app.core.call('tasks.run', { id: task.id });
    expect(last.attempt).toBe(3);
    const { items } = await app.core.call('runs.list', { taskId: task.id });
    const attempts = items.map((r) => [r.attempt, r.status, r.trigger.kind]).sort();
    expect(attempts).toEqual([
      [1, 'failed', 'manual'],
      [2, 'failed', 'retry'],
      [3, 'failed', 'retry'],
    ]);
    expect(items.every((r) => r.result?.statusCode === 503)).toBe(true);
  });

  it('does not retry an invalid configuration', async () => {
    const configId = await saveConfig({ url: `${target.url}/echo/{{missing}}` });
    const task = await saveTask(configId, { retry: { attempts: 3, backoffMs: 1, factor: 1 } });
    const run = await app.core.call('tasks.run', { id: task.id });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INVALID_CONFIG');
    const { items } = await app.core.call('runs.list', { taskId: task.id });
    expect(items).toHaveLength(1);
  });

  it('records a task that exceeds its timeout as timed-out', async () => {
    const configId = await saveConfig({ url: `${target.url}/slow?ms=5000` });
    const task = await saveTask(configId, { timeoutMs: 150 });
    const run = await runTask(task.id);
    expect(run.status).toBe('timed-out');
    expect(run.error?.code).toBe('TIMEOUT');
  });

  it('records the executor timeout (params.timeoutMs) as timed-out too', async () => {
    const configId = await saveConfig({ url: `${target.url}/slow?ms=5000`, timeoutMs: 150 });
    const run = await runTask((await saveTask(configId)).id);
    expect(run.status).toBe('timed-out');
    expect(run.error?.message).toContain('did not answer within 150 ms');
  });

  it('records a connection error with a clear message', async () => {
    const configId = await saveConfig({ url: 'http://unreachable.invalid/' });
    const run = await runTask((await saveTask(configId)).id);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'DNS',
      message: expect.stringContaining('unreachable.invalid') as unknown as string,
    });
  });

  it('runs with another api configuration, and refuses a configuration of another type', async () => {
    const first = await saveConfig({ url: `${target.url}/status/500` });
    const second = await saveConfig({ url: `${target.url}/json` }, 'second');
    const task = await saveTask(first);
    const run = await runTask(task.id, second);
    expect(run.status).toBe('succeeded');
    expect(run.configId).toBe(second);
    expect(run.result?.body).toEqual(JSON_BODY);
    const fileConfig = await app.core.call('configs.save', {
      config: { name: 'file', type: 'file', params: { location: '/tmp/x.txt' } },
    });
    await expect(
      app.core.call('tasks.run', { id: task.id, configId: fileConfig.id }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
