import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/main/app';
import { createHttpServer, type HttpServer } from '../../src/main/server/http-server';
import { MemoryStore } from '../../src/main/store/memory/memory-store';
import { createBridgeTransport } from '../../src/renderer/src/api/bridge-transport';
import { createClient, type Client } from '../../src/renderer/src/api/client';
import { createHttpTransport, parseEventData } from '../../src/renderer/src/api/http-transport';
import type { Bridge } from '../../src/shared/bridge';
import { AppError } from '../../src/shared/errors';

describe('the typed client over HTTP against the real service', () => {
  let app: App;
  let server: HttpServer;
  let client: Client;
  let token: string | undefined;
  let unauthorized = 0;

  beforeEach(async () => {
    app = createApp({ store: new MemoryStore(), executors: {} });
    await app.start();
    server = createHttpServer({ app, token: 'test-token-0123456789abcdef', port: 0 });
    const { url } = await server.listen();
    token = 'test-token-0123456789abcdef';
    unauthorized = 0;
    client = createClient(
      createHttpTransport({
        baseUrl: url.replace(/\/$/, ''),
        getToken: () => token,
        onUnauthorized: () => (unauthorized += 1),
      }),
    );
  });
  afterEach(async () => {
    await server.close({ forceAfterMs: 100 });
    await app.stop();
  });

  it('returns results of contract methods', async () => {
    const saved = await client.api['configs.save']({
      config: { name: 'c', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    expect(saved.id).toBeTruthy();
    expect((await client.api['configs.list']({})).map((c) => c.name)).toEqual(['c']);
  });

  it('turns a validation error body into an AppError with the field issues', async () => {
    const error = await client.api['configs.save']({
      config: { name: '', type: 'api', params: { url: 'http://x/' } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    expect((error as AppError).details).toMatchObject({
      issues: [{ path: ['config', 'name'], message: 'must not be empty' }],
    });
  });

  it('reports a wrong token as UNAUTHORIZED and tells the UI to ask again', async () => {
    token = 'wrong';
    const error = await client.api['tasks.list']({}).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('UNAUTHORIZED');
    expect(unauthorized).toBe(1);
  });

  it('reports an unreachable service as UNAVAILABLE with what to do', async () => {
    const offline = createClient(
      createHttpTransport({ baseUrl: 'http://127.0.0.1:9', getToken: () => 't' }),
    );
    const error = await offline.api['tasks.list']({}).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('UNAVAILABLE');
    expect((error as AppError).message).toMatch(/check that it is running/);
  });
});

describe('event parsing', () => {
  it('reads the service framing (event name line + payload)', () => {
    expect(parseEventData('store.changed', '{"kind":"tasks"}')).toEqual({
      name: 'store.changed',
      data: { kind: 'tasks' },
    });
  });
  it('also reads a {name, data} envelope on the default message event', () => {
    expect(parseEventData('message', '{"name":"schedule.changed","data":{"id":"e1"}}')).toEqual({
      name: 'schedule.changed',
      data: { id: 'e1' },
    });
  });
  it('ignores heartbeats and unknown events', () => {
    expect(parseEventData('message', 'not json')).toBeUndefined();
    expect(parseEventData('ping', '{}')).toBeUndefined();
  });
});

describe('the bridge transport', () => {
  it('unwraps envelopes into results and AppErrors', async () => {
    const listeners: ((e: unknown) => void)[] = [];
    const bridge = {
      methods: new Proxy(
        {},
        {
          get: (_t, name) => async (params: { id?: string }) =>
            name === 'tasks.get' && params.id === 'missing'
              ? {
                  ok: false,
                  error: { code: 'NOT_FOUND', message: 'tasks.get: no task with id "missing"' },
                }
              : { ok: true, result: [] },
        },
      ),
      onEvent: (cb: (e: unknown) => void) => {
        listeners.push(cb);
        return () => undefined;
      },
    } as unknown as Bridge;
    const client = createClient(createBridgeTransport(bridge));
    expect(await client.api['tasks.list']({})).toEqual([]);
    const error = await client.api['tasks.get']({ id: 'missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NOT_FOUND');
    const states: string[] = [];
    const seen: unknown[] = [];
    client.subscribe(
      (e) => seen.push(e),
      (s) => states.push(s),
    );
    listeners[0]!({ name: 'store.changed', data: { kind: 'runs' } });
    expect(states).toEqual(['open']);
    expect(seen).toEqual([{ name: 'store.changed', data: { kind: 'runs' } }]);
  });
});
