/**
 * The headless transport: `POST /api/<method>` over the core, Server-Sent Events for core events,
 * and the built renderer as static files. Thin by design: decode, check access, call the core,
 * encode the result or error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { isMethodName, unknownMethod } from '../../shared/contract';
import { AppError, HTTP_STATUS, type ErrorData } from '../../shared/errors';
import type { App } from '../app';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import { bearerToken, checkToken, HostPolicy, tokenMatcher } from './auth';
import { serveStatic } from './static-files';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A request whose headers and body have not all arrived within this long is cut (408). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How long an EventSource waits before reconnecting. */
export const SSE_RETRY_MS = 3_000;
/** A client this far behind on its event stream is dropped (it reconnects and refetches). */
const SSE_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self' 'unsafe-inline'; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export interface HttpServerOptions {
  app: App;
  /** The bearer token every `/api` request must carry. */
  token: string;
  host?: string;
  /** 0 picks a free port; `listen()` reports the real one. */
  port?: number;
  bodyLimitBytes?: number;
  /** The built renderer; default `out/renderer` under the working directory. */
  staticDir?: string;
  /** Extra Host names (`name` or `name:port`) to answer, e.g. when bound to 0.0.0.0. */
  allowedHosts?: readonly string[];
  /** Extra exact origins allowed to call the API. */
  allowedOrigins?: readonly string[];
  heartbeatMs?: number;
  /**
   * Time allowed to receive a whole request, headers and body (Node's `requestTimeout`); default
   * 30 s. A client that trickles its request is cut with 408 after it.
   */
  requestTimeoutMs?: number;
  /** Time allowed to receive the headers (Node's `headersTimeout`); default and at most requestTimeoutMs. */
  headersTimeoutMs?: number;
  clock?: Clock;
  /** Where unexpected errors are logged; default `console.error`. */
  log?: (message: string, error?: unknown) => void;
}

export interface ListeningAddress {
  host: string;
  port: number;
  /** `http://host:port/` as a browser would use it. */
  url: string;
}

export interface HttpServer {
  readonly token: string;
  readonly server: Server;
  /** Open `GET /api/events` streams. */
  readonly eventStreams: number;
  listen(): Promise<ListeningAddress>;
  address(): ListeningAddress;
  /** Stops accepting connections and ends event streams; requests in flight still finish. */
  stopAccepting(): void;
  /**
   * Stops accepting (if not yet) and resolves once every connection is closed; connections still
   * open after `forceAfterMs` (default 5 s) are cut.
   */
  close(options?: { forceAfterMs?: number }): Promise<void>;
}

class HttpError extends AppError {
  constructor(
    readonly status: number,
    code: ErrorData['code'],
    message: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** True when the request announces a body (which an early answer leaves unread). */
function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Reads the body up to `limit` bytes; beyond that it stops reading and throws 413. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(
      413,
      'VALIDATION',
      `HTTP: the request body is larger than ${limit} bytes; send less data per request`,
      { Connection: 'close' },
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolvePromise(Buffer.concat(chunks, size));
    };
    // The request timeout (or the client) cut the connection before the body was complete.
    const cutShort = (): HttpError =>
      new HttpError(408, 'VALIDATION', 'HTTP: the request body did not arrive in time', {
        Connection: 'close',
      });
    const onError = (error: Error): void => {
      cleanup();
      reject(req.socket.writable ? error : cutShort());
    };
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(cutShort());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.once('close', onClose);
  });
}

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

function unsupportedType(
  contentType: string | undefined,
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(
    415,
    'VALIDATION',
    `HTTP: the request body must be JSON; send it with "Content-Type: application/json" (got ${contentType === undefined ? 'no Content-Type' : `"${contentType}"`})`,
    headers,
  );
}

/** An empty body means `{}`; anything else must be declared and be JSON. */
function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0 && contentType === undefined) return {};
  if (contentType === undefined || !JSON_TYPE.test(contentType.trim())) {
    throw unsupportedType(contentType);
  }
  if (body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AppError('VALIDATION', 'HTTP: the request body is not valid JSON: it is not UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `HTTP: the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { app, token } = options;
  checkToken(token);
  const tokenMatches = tokenMatcher(token);
  const host = options.host ?? DEFAULT_HOST;
  const requestedPort = options.port ?? DEFAULT_PORT;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const staticDir = resolve(options.staticDir ?? 'out/renderer');
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? requestTimeout, requestTimeout);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const policy = new HostPolicy({
    boundHost: host,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });

  const streams = new Set<() => void>();
  const sockets = new Set<Socket>();
  let accepting = true;
  let port = requestedPort;

  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      // How often Node looks for requests over their time (its default, 30 s, would double them).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => handleRequest(req, res),
  );
  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    void handle(req, res).catch((error: unknown) => {
      log(`HTTP: unexpected error while answering ${req.method} ${req.url}:`, error);
      if (!res.headersSent) {
        sendError(res, 500, {
          code: 'INTERNAL',
          message: 'HTTP: internal error; see the server log for details',
        });
      } else {
        res.destroy();
      }
    });
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A bad request line or header: answer 400 rather than dropping the socket silently; a
  // request not received within the request timeout: 408.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && error.code !== 'ECONNRESET' && !answering?.headersSent) {
      const status =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });

  function sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
      ...(accepting ? {} : { Connection: 'close' }),
      ...headers,
    });
    res.end(text);
  }

  function sendError(
    res: ServerResponse,
    status: number,
    error: ErrorData,
    headers: Record<string, string> = {},
  ): void {
    sendJson(res, status, { error }, headers);
  }

  function sendText(res: ServerResponse, status: number, contentType: string, body: string): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-cache',
    });
    res.end(body);
  }

  function authorize(req: IncomingMessage, url: URL, allowQueryToken: boolean): void {
    const given =
      bearerToken(req.headers.authorization) ??
      (allowQueryToken ? (url.searchParams.get('token') ?? undefined) : undefined);
    if (!tokenMatches(given)) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        `HTTP: ${given === undefined ? 'missing' : 'wrong'} access token; send "Authorization: Bearer <token>"${allowQueryToken ? ' (or ?token=<token> for the event stream)' : ''}. The token is printed by the service at start ("Access token: …") or set with --token / TASK_SCHEDULER_TOKEN`,
        { 'WWW-Authenticate': 'Bearer realm="task-scheduler"' },
      );
    }
  }

  function checkHostAndOrigin(req: IncomingMessage): void {
    if (!policy.hostAllowed(req.headers.host, port)) {
      throw new HttpError(
        403,
        'UNAUTHORIZED',
        `HTTP: requests for host "${req.headers.host ?? ''}" are refused (DNS-rebinding protection); use http://localhost:${port}/ or http://127.0.0.1:${port}/, or start the service with --allowed-hosts ${req.headers.host ? `"${req.headers.host.replace(/:\d+$/, '')}"` : '<name>'}`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !policy.originAllowed(origin, port)) {
      throw new HttpError(
        403,
        'UNAUTHORIZED',
        `HTTP: requests from origin "${origin}" are refused (cross-site protection); open the UI from this service's own address`,
      );
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let bodyRead = false;
    try {
      if (!accepting) {
        throw new HttpError(503, 'UNAVAILABLE', 'HTTP: the service is shutting down; retry later', {
          Connection: 'close',
        });
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      const method = req.method ?? 'GET';

      // Probes may use any Host (e.g. a container's IP); the answer reveals nothing.
      if (path === '/api/health') {
        if (method !== 'GET' && method !== 'HEAD') {
          throw new HttpError(405, 'VALIDATION', `HTTP: /api/health takes GET, not ${method}`, {
            Allow: 'GET, HEAD',
          });
        }
        sendJson(res, 200, { ok: true });
        return;
      }

      checkHostAndOrigin(req);

      if (path === '/api' || path.startsWith('/api/')) {
        const name = path.slice('/api/'.length);
        if (name === 'events') {
          authorize(req, url, true);
          if (method !== 'GET') {
            throw new HttpError(405, 'VALIDATION', `HTTP: /api/events takes GET, not ${method}`, {
              Allow: 'GET',
            });
          }
          openEventStream(req, res);
          return;
        }
        authorize(req, url, false);
        if (method !== 'POST') {
          throw new HttpError(
            405,
            'VALIDATION',
            `HTTP: ${path} takes POST with the params as a JSON body, not ${method}`,
            { Allow: 'POST' },
          );
        }
        if (!isMethodName(name)) {
          // Do not read a body we will not use; the connection closes after the answer.
          throw new HttpError(400, 'VALIDATION', unknownMethod(name).message, {
            Connection: 'close',
          });
        }
        const contentType = req.headers['content-type'];
        // A declared non-JSON body is refused before reading it.
        if (contentType !== undefined && !JSON_TYPE.test(contentType.trim())) {
          throw unsupportedType(contentType, { Connection: 'close' });
        }
        const body = await readBody(req, bodyLimit);
        bodyRead = true;
        const params = parseJsonBody(body, contentType);
        const result = await app.core.call(name, params);
        sendJson(res, 200, { result: result ?? null });
        return;
      }

      if (method !== 'GET' && method !== 'HEAD') {
        throw new HttpError(405, 'VALIDATION', `HTTP: ${path} takes GET, not ${method}`, {
          Allow: 'GET, HEAD',
        });
      }
      await serveStatic(req, res, staticDir, path, SECURITY_HEADERS, (status, type, body) =>
        sendText(res, status, type, body),
      );
    } catch (error) {
      if (res.headersSent) throw error;
      // The body was cut short (the request timeout answered 408, or the client left).
      if (error instanceof HttpError && !req.socket.writable) return;
      if (error instanceof HttpError) {
        // Refused before its body was read (401, 403, 405…): answer at once and close, rather
        // than keep the connection open while the client trickles a body nobody reads.
        const close = error.extraHeaders.Connection === 'close' || (!bodyRead && declaresBody(req));
        sendError(
          res,
          error.status,
          { code: error.code, message: error.message },
          { ...error.extraHeaders, ...(close ? { Connection: 'close' } : {}) },
        );
        if (close) stopReading(req, res);
        return;
      }
      if (error instanceof AppError) {
        sendError(res, HTTP_STATUS[error.code], error.toData());
        return;
      }
      throw error;
    }
  }

  /** A refused body is not read: the socket closes once the answer is out. */
  function stopReading(req: IncomingMessage, res: ServerResponse): void {
    res.on('finish', () => {
      if (!req.complete) req.socket.destroySoon();
    });
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n: connected\n\n`);
    let heartbeat: TimerHandle | undefined;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      unsubscribe();
      if (heartbeat !== undefined) clock.clearTimeout(heartbeat);
      streams.delete(end);
      res.end();
    };
    const write = (chunk: string): void => {
      if (ended) return;
      if (res.writableLength > SSE_MAX_BUFFERED_BYTES) {
        log('HTTP: an event-stream client fell too far behind; dropping it (it will reconnect)');
        end();
        req.socket.destroy();
        return;
      }
      res.write(chunk);
    };
    const unsubscribe = app.events.subscribe((event) => {
      write(`event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    const beat = (): void => {
      write(': heartbeat\n\n');
      if (!ended) heartbeat = clock.setTimeout(beat, heartbeatMs);
    };
    heartbeat = clock.setTimeout(beat, heartbeatMs);
    streams.add(end);
    res.on('close', end);
  }

  const address = (): ListeningAddress => {
    const info = server.address() as AddressInfo | null;
    const actualPort = info?.port ?? port;
    return { host, port: actualPort, url: `http://${urlHost(host)}:${actualPort}/` };
  };

  let closing: Promise<void> | undefined;

  return {
    token,
    server,
    get eventStreams() {
      return streams.size;
    },
    listen() {
      return new Promise((resolvePromise, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => {
          reject(
            new Error(
              error.code === 'EADDRINUSE'
                ? `HTTP: port ${requestedPort} on ${host} is already in use; stop the other program or pick another port with --port`
                : error.code === 'EACCES'
                  ? `HTTP: not allowed to listen on ${host}:${requestedPort}; pick a port above 1023 with --port`
                  : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
                    ? `HTTP: cannot listen on host "${host}": no such local address; use 127.0.0.1, a local IP or 0.0.0.0 with --host`
                    : `HTTP: cannot listen on ${host}:${requestedPort}: ${error.message}`,
            ),
          );
        };
        server.once('error', onError);
        server.listen(requestedPort, host, () => {
          server.off('error', onError);
          port = (server.address() as AddressInfo).port;
          resolvePromise(address());
        });
      });
    },
    address,
    stopAccepting() {
      if (!accepting) return;
      accepting = false;
      if (server.listening) server.close();
      for (const end of [...streams]) end();
      server.closeIdleConnections();
    },
    close(closeOptions) {
      this.stopAccepting();
      closing ??= new Promise<void>((resolvePromise) => {
        const forceAfterMs = closeOptions?.forceAfterMs ?? 5_000;
        const done = (): void => {
          clock.clearTimeout(force);
          resolvePromise();
        };
        const force = clock.setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, forceAfterMs);
        const check = (): void => {
          server.closeIdleConnections();
          if (sockets.size === 0) done();
        };
        // Keep-alive sockets become idle once their response is out; close them then.
        server.on('request', (_req, res: ServerResponse) => res.on('finish', check));
        for (const socket of sockets) socket.on('close', check);
        check();
      });
      return closing;
    },
  };
}
