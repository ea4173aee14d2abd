/**
 * Where each request goes: `/api/health` (any Host), `/api/events` (the event stream),
 * `POST /api/<method>` (the core's `call`), anything else the built renderer. Refusals are
 * answered here as `{ error }` with their status; an unexpected error is a 500 and is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMethodName, unknownMethod } from '../../shared/contract';
import { AppError, HTTP_STATUS, type ErrorData } from '../../shared/errors';
import type { App } from '../app';
import type { AccessGuard } from './access-guard';
import type { EventStreams } from './event-streams';
import { HttpError, SECURITY_HEADERS, sendJson, sendText } from './http-responses';
import {
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
  bodyLimit: number;
  /** The built renderer (absolute). */
  staticDir: string;
  log: (message: string, error?: unknown) => void;
  /** False once the server stops accepting: requests get 503, answers close the connection. */
  isAccepting: () => boolean;
  /** The port the server listens on (for the Host and Origin checks). */
  port: () => number;
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

    // Probes may use any Host (e.g. a container's IP); the answer reveals nothing.
    if (path === '/api/health') {
      if (method !== 'GET' && method !== 'HEAD') {
        throw new HttpError(405, 'VALIDATION', `HTTP: /api/health takes GET, not ${method}`, {
          Allow: 'GET, HEAD',
        });
      }
      answer(res, 200, { ok: true });
      return;
    }

    access.checkHostAndOrigin(req, options.port());

    if (path === '/api' || path.startsWith('/api/')) {
      const name = path.slice('/api/'.length);
      if (name === 'events') {
        access.authorize(req, url, true);
        if (method !== 'GET') {
          throw new HttpError(405, 'VALIDATION', `HTTP: /api/events takes GET, not ${method}`, {
            Allow: 'GET',
          });
        }
        streams.open(req, res);
        return;
      }
      await callMethod(req, res, url, name, progress);
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
  }

  /** `POST /api/<name>`: the JSON body is the params of the core's method `name`. */
  async function callMethod(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    name: string,
    progress: RequestProgress,
  ): Promise<void> {
    access.authorize(req, url, false);
    const method = req.method ?? 'GET';
    if (method !== 'POST') {
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
    const body = await readBody(req, bodyLimit);
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
