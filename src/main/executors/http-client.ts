/**
 * HTTP plumbing shared by the api executor and file-over-URL: one transport per executor
 * (http-transport.ts: keep-alive agents with at most `connectionsPerHost` open connections per
 * origin, node:http directly or axios when a proxy is configured), manual redirects (at most 5,
 * http/https checked on every hop, credentials dropped when the origin changes), a streamed body
 * with a byte cap, checked framing and strict Content-Encoding decoding (response-body.ts), our own
 * timer for timeouts, and classification of failures into `TaskError` codes. */
import { DEFAULT_CONNECTIONS_PER_HOST } from '../../shared/domain';
import { ACCEPT_ENCODING } from './content-encoding';
import { HttpTransport } from './http-transport';
import { readBody } from './response-body';
import { TaskError } from './types';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const MAX_REDIRECTS = 5;

/** Response headers kept in a run's result; the rest are dropped to keep records small. */
export const KEPT_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-disposition',
  'location',
  'etag',
  'last-modified',
  'cache-control',
  'expires',
  'date',
  'retry-after',
  'x-request-id',
  'x-correlation-id',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
] as const;

/** Headers that carry credentials: never forwarded to another origin on a redirect. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding']);

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal;
  /** Module name (`ApiExecutor`), for logs only: messages carry no module prefix (issue #17). */
  where: string;
  /** Open connections per origin (settings.connectionsPerHost); default the client's. */
  connectionsPerHost?: number | undefined;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** All response headers, lower-case names, repeated values joined with ", ". */
  headers: Record<string, string>;
  /** The URL that answered, after redirects. */
  url: string;
  /** The method of the last hop (a 303 turns POST into GET). */
  method: string;
  body: Buffer;
  redirects: number;
  timing: { totalMs: number; ttfbMs: number };
}

/** Sends requests with redirects, timeouts and bodies handled; `destroy()` closes its sockets. */
export class HttpClient {
  private readonly transport: HttpTransport;

  constructor(options: { connectionsPerHost?: number } = {}) {
    this.transport = new HttpTransport(options.connectionsPerHost ?? DEFAULT_CONNECTIONS_PER_HOST);
  }

  destroy(): void {
    this.transport.destroy();
  }

  /** Sends a request, following redirects; resolves for every HTTP status. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    this.transport.limit(req.connectionsPerHost);
    const started = performance.now();
    // One controller for our timer and the caller's signal (AbortSignal.any costs more per call).
    const controller = new AbortController();
    const signal = controller.signal;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    const forward = (): void => controller.abort(req.signal.reason);
    if (req.signal.aborted) forward();
    else req.signal.addEventListener('abort', forward, { once: true });
    let phase: 'connect' | 'body' = 'connect';
    let url = checkUrl(req.url);
    let method = req.method.toUpperCase();
    let headers = { ...req.headers };
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept-encoding')) {
      headers['Accept-Encoding'] = ACCEPT_ENCODING; // only codings readBody decodes
    }
    let body = req.body;
    try {
      for (let hop = 0; ; hop++) {
        phase = 'connect';
        const response = await this.transport.send({ url, method, headers, body, signal });
        const ttfbMs = performance.now() - started;
        const status = response.status;
        const location = response.headers['location'] as string | undefined;
        if (status >= 300 && status < 400 && status !== 304 && location) {
          response.body.resume(); // drain so the socket goes back to the pool
          if (hop >= MAX_REDIRECTS) {
            throw new TaskError(
              'TOO_MANY_REDIRECTS',
              `more than ${MAX_REDIRECTS} redirects starting at ${req.url} (last: ${url.href} → ${location}); point the task at the final URL or fix the redirect loop`,
            );
          }
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            throw new TaskError(
              'BAD_REDIRECT',
              `${url.href} redirected to an invalid URL "${location}"`,
            );
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') {
            throw new TaskError(
              'BAD_REDIRECT',
              `${url.href} redirected to "${next.href}", which is not http(s); only http:// and https:// are followed`,
            );
          }
          if (next.origin !== url.origin) {
            headers = dropHeaders(headers, CREDENTIAL_HEADERS);
          }
          // 303 always, and 301/302 after a POST, continue as GET without a body (as browsers do).
          if (
            (status === 303 && method !== 'HEAD') ||
            ((status === 301 || status === 302) && method === 'POST')
          ) {
            method = 'GET';
            body = undefined;
            headers = dropHeaders(headers, BODY_HEADERS);
          }
          url = next;
          continue;
        }
        phase = 'body';
        const responseHeaders = flattenHeaders(response.headers);
        const buffer = await readBody(response.body, {
          where: req.where,
          url: url.href,
          method,
          maxBytes: req.maxBytes,
          signal,
          status,
          statusText: response.statusText,
          headers: responseHeaders,
          keptHeaders: selectHeaders(responseHeaders),
        });
        return {
          status,
          statusText: response.statusText,
          headers: responseHeaders,
          url: url.href,
          method,
          body: buffer,
          redirects: hop,
          timing: { totalMs: round(performance.now() - started), ttfbMs: round(ttfbMs) },
        };
      }
    } catch (error) {
      if (error instanceof TaskError) throw error;
      if (timedOut && !req.signal.aborted) {
        throw new TaskError(
          'TIMEOUT',
          phase === 'connect'
            ? `${method} ${url.href} did not answer within ${req.timeoutMs} ms; raise params.timeoutMs or check the server`
            : `${method} ${url.href} did not finish sending its body within ${req.timeoutMs} ms; raise params.timeoutMs or check the server`,
        );
      }
      if (req.signal.aborted) {
        throw new TaskError('CANCELLED', `${method} ${url.href} was cancelled`);
      }
      throw classifyNetworkError(error, url, method);
    } finally {
      clearTimeout(timer);
      req.signal.removeEventListener('abort', forward);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function checkUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TaskError(
      'INVALID_CONFIG',
      `"${raw}" is not a valid URL; write it like https://example.com/path`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TaskError(
      'INVALID_CONFIG',
      `"${raw}" is not http(s); only http:// and https:// URLs are supported`,
    );
  }
  return url;
}

function dropHeaders(headers: Record<string, string>, names: Set<string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())),
  );
}

/**
 * Why a request header cannot be sent as written (a line break or NUL in its value, or a name
 * that is no HTTP token), or undefined when it can. Values may come from placeholders, so this is
 * checked after filling them.
 */
export function headerProblem(name: string, value: string): string | undefined {
  if (/[\r\n\0]/.test(value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    return `header "${name}" has a name or value a request cannot carry (line breaks, NUL or spaces in the name); fix it`;
  }
  return undefined;
}

export function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** The headers worth keeping in a run record. */
export function selectHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_RESPONSE_HEADERS) {
    if (headers[name] !== undefined) out[name] = headers[name];
  }
  return out;
}

/** The system error code of a failed request, wherever axios put it. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('ERR_') && code !== 'ECONNABORTED') {
      return code;
    }
    if (typeof code === 'string' && code.startsWith('ERR_TLS')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH|ERR_CERT)/;

/** Maps a network failure to a TaskError with a message naming the host and what to do. */
export function classifyNetworkError(error: unknown, url: URL, method: string): TaskError {
  const code = errorCode(error);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostPort = `${url.hostname}:${port}`;
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return new TaskError(
        'DNS',
        `cannot resolve host "${url.hostname}" (${code}); check the host name in the URL and the network/DNS settings`,
      );
    case 'ECONNREFUSED':
      return new TaskError(
        'CONNECTION',
        `connection to ${hostPort} was refused; is the server running and is the port right?`,
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return new TaskError(
        'CONNECTION',
        `${hostPort} closed the connection during ${method} ${url.href} (${code}); try again or check the server's logs`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return new TaskError(
        'CONNECTION',
        `cannot reach ${hostPort} (${code}); check the network connection and the host`,
      );
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      // The operating system gave up on the socket (e.g. connect timed out): a timeout by what happened.
      return new TaskError(
        'TIMEOUT',
        `the connection to ${hostPort} timed out (${code}); check that the host is reachable`,
      );
  }
  if (code && TLS_CODES.test(code)) {
    return new TaskError(
      'TLS',
      `TLS check of ${hostPort} failed (${code}: ${detail}); the server's certificate is not trusted for this host`,
    );
  }
  if (/socket hang up/i.test(detail)) {
    return new TaskError(
      'CONNECTION',
      `${hostPort} closed the connection during ${method} ${url.href}; try again or check the server's logs`,
    );
  }
  return new TaskError(
    'CONNECTION',
    `${method} ${url.href} failed${code ? ` (${code})` : ''}: ${detail}`,
  );
}

/** True when `status` matches one of the patterns ("2xx", "404", "400-499"); default 2xx. */
export function statusMatches(status: number, patterns: readonly string[] | undefined): boolean {
  const list = patterns && patterns.length > 0 ? patterns : ['2xx'];
  return list.some((pattern) => {
    const xx = /^([1-5])xx$/.exec(pattern);
    if (xx) return Math.floor(status / 100) === Number(xx[1]);
    const range = /^(\d{3})-(\d{3})$/.exec(pattern);
    if (range) return status >= Number(range[1]) && status <= Number(range[2]);
    return /^\d{3}$/.test(pattern) && status === Number(pattern);
  });
}
