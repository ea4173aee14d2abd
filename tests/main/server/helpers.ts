/** A real App on a real loopback HTTP server, and a raw HTTP client with full header control. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createApp, type App } from '../../../src/main/app';
import {
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
} from '../../../src/main/server/http-server';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';

export const TOKEN = 'test-token-123';

export interface Served {
  app: App;
  http: HttpServer;
  port: number;
  /** `127.0.0.1:<port>` */
  hostHeader: string;
  stop(): Promise<void>;
}

export async function serve(options: Partial<HttpServerOptions> = {}): Promise<Served> {
  const app = options.app ?? createApp({ store: new MemoryStore(), executors: {} });
  await app.start();
  const http = createHttpServer({
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    ...options,
    app,
  });
  const { port } = await http.listen();
  return {
    app,
    http,
    port,
    hostHeader: `127.0.0.1:${port}`,
    async stop() {
      await http.close({ forceAfterMs: 1000 });
      await app.stop();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Omit the default Host/Authorization/Content-Type headers. */
  bare?: boolean;
}

/** One HTTP request to 127.0.0.1:port with exactly the given headers. */
export function raw(port: number, req: RawRequest): Promise<RawResponse> {
  const defaults: Record<string, string> = req.bare
    ? {}
    : {
        Host: `127.0.0.1:${port}`,
        Authorization: `Bearer ${TOKEN}`,
        ...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      };
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method ?? 'POST',
        path: req.path,
        headers: { ...defaults, ...req.headers },
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** `POST /api/<method>` with a JSON body and the right token. */
export function call(port: number, method: string, params: unknown = {}): Promise<RawResponse> {
  return raw(port, { path: `/api/${method}`, body: JSON.stringify(params) });
}

/** The `result` of a call that must succeed. */
export async function ok<T = unknown>(
  port: number,
  method: string,
  params: unknown = {},
): Promise<T> {
  const res = await call(port, method, params);
  if (res.status !== 200) {
    throw new Error(`${method} answered ${res.status}: ${res.text}`);
  }
  return (res.json as { result: T }).result;
}

export interface ErrorBody {
  error: { code: string; message: string };
}
