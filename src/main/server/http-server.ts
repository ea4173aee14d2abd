/**
 * The headless transport: `POST /api/<method>` over the core, Server-Sent Events for core events,
 * and the built renderer as static files. Thin by design: decode, check access, call the core,
 * encode the result or error. This file owns the listening socket and its lifecycle; where a
 * request goes is request-router.ts, its body request-body.ts, the event stream event-streams.ts,
 * the token and Host/Origin checks access-guard.ts, `/metrics` metrics.ts, `/api/ready` ready.ts
 * and `/api/openapi.json` openapi.ts.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { App } from '../app';
import { systemClock, type Clock } from '../core/clock';
import { AccessGuard } from './access-guard';
import { EventStreams } from './event-streams';
import { ServiceMetrics } from './metrics';
import { MetricsAccess } from './metrics-access';
import { createReadinessProbe } from './ready';
import { RefusalLog, type RefusalLine } from './refusal-log';
import { createRequestRouter } from './request-router';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A request whose headers and body have not all arrived within this long is cut (408). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface HttpServerOptions {
  app: App;
  /** The bearer token every `/api` request must carry. */
  token: string;
  /** A second bearer token that opens `/metrics` only (for a Prometheus server). */
  metricsToken?: string;
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
  /** How long `/api/ready` waits for the store's answer (default 2 s). */
  readyTimeoutMs?: number;
  /** Where unexpected errors are logged; default `console.error`. */
  log?: (message: string, error?: unknown) => void;
  /**
   * Where access refusals (401, 403) are logged, at most one line per client and status a
   * minute (refusal-log.ts); default none.
   */
  refusals?: (line: RefusalLine) => void;
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

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Why the server could not listen, saying what to do. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  return new Error(
    error.code === 'EADDRINUSE'
      ? `HTTP: port ${port} on ${host} is already in use; stop the other program or pick another port with --port`
      : error.code === 'EACCES'
        ? `HTTP: not allowed to listen on ${host}:${port}; pick a port above 1023 with --port`
        : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
          ? `HTTP: cannot listen on host "${host}": no such local address; use 127.0.0.1, a local IP or 0.0.0.0 with --host`
          : `HTTP: cannot listen on ${host}:${port}: ${error.message}`,
  );
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { app, token } = options;
  const host = options.host ?? DEFAULT_HOST;
  const access = new AccessGuard(token, {
    boundHost: host,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  const requestedPort = options.port ?? DEFAULT_PORT;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? requestTimeout, requestTimeout);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const streams = new EventStreams({
    events: app.events,
    clock,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    log,
  });
  const metricsAccess = new MetricsAccess(access, options.metricsToken);
  const metrics = new ServiceMetrics({ app, clock });
  const readiness = createReadinessProbe({
    app,
    clock,
    ...(options.readyTimeoutMs === undefined ? {} : { timeoutMs: options.readyTimeoutMs }),
  });

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
    createRequestRouter({
      app,
      access,
      streams,
      metrics,
      metricsAccess,
      readiness,
      bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      staticDir: resolve(options.staticDir ?? 'out/renderer'),
      log,
      refusals: new RefusalLog(clock, options.refusals ?? ((): void => undefined)),
      isAccepting: () => accepting,
      port: () => port,
    }),
  );
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
          reject(listenError(error, host, requestedPort));
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
      metrics.close();
      if (server.listening) server.close();
      streams.endAll();
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
