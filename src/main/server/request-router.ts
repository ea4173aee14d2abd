/**
 * Where each request goes: `/api/health` and `/api/ready` (any Host, no token),
 * `/api/openapi.json` (no token), `/api/events` (the event stream), `POST /api/<method>` (the
 * core's `call`), `/metrics` (Prometheus), anything else the built renderer. Any other path under
 * `/api/` or `/metrics/` is a 404 in JSON, never the UI. Refusals are answered here as `{ error }`
 * with their status; an unexpected error is a 500 and is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMethodName, unknownMethod } from '../../shared/contract';
import { AppError, HTTP_STATUS, type ErrorData } from '../../shared/errors';
import type { App } from '../app';
import type { AccessGuard } from './access-guard';
import type { EventStreams } from './event-streams';
import { HttpError, SECURITY_HEADERS, sendJson, sendText } from './http-responses';
import { METRICS_CONTENT_TYPE, type ServiceMetrics } from './metrics';
import type { MetricsAccess } from './metrics-access';
import { openApiDocument } from './openapi';
import type { Readiness } from './ready';
import type { RefusalLog } from './refusal-log';
import {
  bodyLimitFor,
  declaresBody,
  parseJsonBody,
  readBody,
  refuseDeclaredNonJson,
  stopReading,
} from './request-body';
import { serveStatic } from './static-files';

export interface RequestRouterOptions {
  app: App;
  access: AccessGuard;
  streams: EventStreams;
  metrics: ServiceMetrics;
  metricsAccess: MetricsAccess;
  readiness: () => Promise<Readiness>;
  bodyLimit: number;
  /** The built renderer (absolute). */
  staticDir: string;
  log: (message: string, error?: unknown) => void;
  /** Told of each access refusal (401, 403), for the log (refusal-log.ts). */
  refusals: RefusalLog;
  /** False once the server stops accepting: requests get 503, answers close the connection. */
  isAccepting: () => boolean;
  /** The port the server listens on (for the Host and Origin checks). */
  port: () => number;
}

/** 405 unless the request is a GET or a HEAD. */
function onlyGet(path: string, method: string): void {
  if (method !== 'GET' && method !== 'HEAD') {
    throw new HttpError(405, 'VALIDATION', `HTTP: ${path} takes GET, not ${method}`, {
      Allow: 'GET, HEAD',
    });
  }
}

/** A path under `/api/` or `/metrics/` that is none of the service's. */
function notFound(path: string): HttpError {
  return new HttpError(
    404,
    'NOT_FOUND',
    `HTTP: no such path ${path}; the API is POST /api/<method> (listed in GET /api/openapi.json), metrics are GET /metrics`,
  );
}

/** How far a request got (an error after its body was read need not close the connection). */
interface RequestProgress {
  bodyRead: boolean;
}

/** The server's request listener. */
export function createRequestRouter(
  options: RequestRouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { app, access, streams, bodyLimit, staticDir, log, isAccepting } = options;
  /** The OpenAPI document as served, made on its first request. */
  let openApiText: string | undefined;

  /** A JSON answer; once the server stops accepting, it also closes the connection. */
  function answer(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    sendJson(res, status, body, { ...(isAccepting() ? {} : { Connection: 'close' }), ...headers });
  }

  function answerError(
    res: ServerResponse,
    status: number,
    error: ErrorData,
    headers: Record<string, string> = {},
  ): void {
    answer(res, status, { error }, headers);
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    progress: RequestProgress,
  ): Promise<void> {
    if (!isAccepting()) {
      throw new HttpError(503, 'UNAVAILABLE', 'HTTP: the service is shutting down; retry later', {
        Connection: 'close',
      });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    // Probes may use any Host (e.g. a container's IP); the answers reveal nothing.
    if (path === '/api/health') {
      onlyGet(path, method);
      answer(res, 200, { ok: true });
      return;
    }
    if (path === '/api/ready') {
      onlyGet(path, method);
      const readiness = await options.readiness();
      answer(res, readiness.ready ? 200 : 503, readiness);
      return;
    }

    access.checkHostAndOrigin(req, options.port());

    if (path === '/metrics' || path.startsWith('/metrics/')) {
      options.metricsAccess.authorize(req, url);
      if (path !== '/metrics') throw notFound(path);
      onlyGet(path, method);
      sendText(res, 200, METRICS_CONTENT_TYPE, await options.metrics.scrape());
      return;
    }

    if (path === '/api' || path.startsWith('/api/')) {
      const name = path.slice('/api/'.length);
      if (name === 'openapi.json') {
        onlyGet(path, method);
        openApiText ??= JSON.stringify(openApiDocument(app.core.options.version));
        sendText(res, 200, 'application/json; charset=utf-8', openApiText);
        return;
      }
      access.authorize(req, url, name === 'events');
      if (name === 'events') {
        if (method !== 'GET') {
          throw new HttpError(405, 'VALIDATION', `HTTP: /api/events takes GET, not ${method}`, {
            Allow: 'GET',
          });
        }
        streams.open(req, res);
        return;
      }
      if (name === '' || name.includes('/')) throw notFound(path);
      await callMethod(req, res, url, name, progress);
      return;
    }

    onlyGet(path, method);
    await serveStatic(req, res, staticDir, path, SECURITY_HEADERS, (status, type, body) =>
      sendText(res, status, type, body),
    );
  }

  /** `POST /api/<name>`: the JSON body is the params of the core's method `name`. */
  async function callMethod(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    name: string,
    progress: RequestProgress,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'POST') {
      if (!isMethodName(name)) throw notFound(url.pathname);
      throw new HttpError(
        405,
        'VALIDATION',
        `HTTP: ${url.pathname} takes POST with the params as a JSON body, not ${method}`,
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
    refuseDeclaredNonJson(contentType);
    const body = await readBody(req, bodyLimitFor(name, bodyLimit));
    progress.bodyRead = true;
    const params = parseJsonBody(body, contentType);
    const result = await app.core.call(name, params);
    answer(res, 200, { result: result ?? null });
  }

  /** Answers what `route` threw, when it is ours to answer; rethrows anything else. */
  function answerRefusal(
    req: IncomingMessage,
    res: ServerResponse,
    progress: RequestProgress,
    error: unknown,
  ): void {
    if (res.headersSent) throw error;
    // The body was cut short (the request timeout answered 408, or the client left).
    if (error instanceof HttpError && !req.socket.writable) return;
    if (error instanceof HttpError) {
      if (error.status === 401 || error.status === 403) {
        options.refusals.refused(req, error.status, error.code, error.message);
      }
      // Refused before its body was read (401, 403, 405…): answer at once and close, rather
      // than keep the connection open while the client trickles a body nobody reads.
      const close =
        error.extraHeaders.Connection === 'close' || (!progress.bodyRead && declaresBody(req));
      answerError(
        res,
        error.status,
        { code: error.code, message: error.message },
        { ...error.extraHeaders, ...(close ? { Connection: 'close' } : {}) },
      );
      if (close) stopReading(req, res);
      return;
    }
    if (error instanceof AppError) {
      answerError(res, HTTP_STATUS[error.code], error.toData());
      return;
    }
    throw error;
  }

  return (req, res) => {
    const progress: RequestProgress = { bodyRead: false };
    void route(req, res, progress)
      .catch((error: unknown) => answerRefusal(req, res, progress, error))
      .catch((error: unknown) => {
        log(`HTTP: unexpected error while answering ${req.method} ${req.url}:`, error);
        if (!res.headersSent) {
          answerError(res, 500, {
            code: 'INTERNAL',
            message: 'HTTP: internal error; see the server log for details',
          });
        } else {
          res.destroy();
        }
      });
  };
}
