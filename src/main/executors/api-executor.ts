/**
 * The `api` executor: read = request a URL (GET by default, any method); write = send data to a
 * URL (POST by default; PUT, PATCH and DELETE allowed) as JSON, form or text. Placeholders
 * (placeholders.ts, docs/chains.md) fill the url (url mode: values in the path and query are
 * percent-encoded), header and query values (text mode), and the body: a JSON or form body in
 * json mode (`"{{input.body.items}}"` sends the array), a text body in text mode. A status
 * outside the task's success statuses (default 2xx) is a failure that keeps the response in the
 * run's result.
 */
import type { ApiParams, RunResult } from '../../shared/domain';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  HttpClient,
  headerProblem,
  selectHeaders,
  statusMatches,
  type HttpResponse,
} from './http-client';
import { decodeBody, formatBytes } from './http-content';
import { PlaceholderFiller } from './placeholders';
import type { SelfGuard } from './self-guard';
import type { ExecutionOutcome, ExecutionRequest, Executor } from './types';
import { jsonSyntaxProblem } from '../../shared/errors';
import { TaskError } from './types';

const WHERE = 'ApiExecutor';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiExecutorOptions {
  /** Where `{{env.NAME}}` values come from (only names a configuration's allowEnv lists). */
  env?: NodeJS.ProcessEnv;
  /** Refuses URLs that reach the service this runs in (see self-guard.ts). */
  self?: SelfGuard;
}

interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function invalid(message: string): TaskError {
  return new TaskError('INVALID_CONFIG', `${message}`);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/**
 * Builds the request from the params, placeholders filled by `fill` (made for this run:
 * `PlaceholderFiller.of`); every problem is an INVALID_CONFIG TaskError (INPUT_TRUNCATED for a
 * cut parent result).
 */
export function prepareApiRequest(
  params: ApiParams,
  operation: 'read' | 'write',
  fill: PlaceholderFiller,
): PreparedRequest {
  const method = params.method ?? (operation === 'read' ? 'GET' : 'POST');
  if (operation === 'write' && !WRITE_METHODS.has(method)) {
    throw invalid(
      `a write task sends data, so ${method} does not fit; use POST, PUT, PATCH or DELETE, or make it a read task`,
    );
  }
  let url: URL;
  const rawUrl = fill.url(params.url, 'url');
  try {
    url = new URL(rawUrl);
  } catch {
    throw invalid(`url "${rawUrl}" is not a valid URL; write it like https://example.com/path`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`url "${rawUrl}" is not http(s); only http:// and https:// URLs are supported`);
  }
  if (url.username || url.password) {
    throw invalid(
      'url holds a user name or password; move them to params.auth (basic) so they are kept secret',
    );
  }
  for (const [key, value] of Object.entries(fill.map(params.query, 'query'))) {
    url.searchParams.append(key, value);
  }
  const headers = fill.map(params.headers, 'headers');
  for (const [name, value] of Object.entries(headers)) {
    const problem = headerProblem(name, value);
    if (problem) throw invalid(problem);
  }
  if (params.auth && !hasHeader(headers, 'authorization')) {
    headers['Authorization'] =
      params.auth.kind === 'bearer'
        ? `Bearer ${params.auth.token}`
        : `Basic ${Buffer.from(`${params.auth.username}:${params.auth.password}`, 'utf8').toString('base64')}`;
  }
  if (!hasHeader(headers, 'user-agent')) headers['User-Agent'] = 'TaskScheduler';

  let body: Buffer | undefined;
  if (params.body !== undefined && params.body !== null) {
    const bodyType = params.bodyType ?? 'json';
    const filled =
      bodyType === 'text' && typeof params.body === 'string'
        ? fill.text(params.body, 'body')
        : fill.json(params.body, 'body');
    let contentType: string;
    if (bodyType === 'json') {
      if (typeof filled === 'string') {
        try {
          JSON.parse(filled);
        } catch (error) {
          throw invalid(
            `body is a string but not valid JSON (${jsonSyntaxProblem(error)}); fix it or set bodyType to "text"`,
          );
        }
        body = Buffer.from(filled, 'utf8');
      } else {
        body = Buffer.from(JSON.stringify(filled), 'utf8');
      }
      contentType = 'application/json';
    } else if (bodyType === 'form') {
      body = Buffer.from(formEncode(filled), 'utf8');
      contentType = 'application/x-www-form-urlencoded';
    } else {
      if (typeof filled === 'object') {
        throw invalid('bodyType "text" needs a string body; use bodyType "json" for objects');
      }
      body = Buffer.from(String(filled), 'utf8');
      contentType = 'text/plain; charset=utf-8';
    }
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = contentType;
  }
  return { method, url: url.href, headers, ...(body ? { body } : {}) };
}

function formEncode(body: unknown): string {
  if (typeof body === 'string') return body; // already encoded by the user
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('bodyType "form" needs an object of fields (or an encoded string)');
  }
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== null && typeof item === 'object') {
        throw invalid(
          `form field "${key}" holds an object; form fields take strings, numbers or booleans (use bodyType "json" for nested data)`,
        );
      }
      form.append(key, item === null || item === undefined ? '' : String(item));
    }
  }
  return form.toString();
}

/** The run result for a response (success or not). */
export function apiResult(response: HttpResponse): RunResult {
  const decoded = decodeBody(response.body, response.headers['content-type']);
  return {
    summary: `${response.method} ${response.url} → ${response.status} ${response.statusText}, ${formatBytes(response.body.length)} in ${Math.round(response.timing.totalMs)} ms`,
    statusCode: response.status,
    statusText: response.statusText,
    headers: selectHeaders(response.headers),
    url: response.url,
    method: response.method,
    ...(response.redirects > 0 ? { redirects: response.redirects } : {}),
    body: decoded.body,
    ...(decoded.bodyEncoding ? { bodyEncoding: decoded.bodyEncoding } : {}),
    ...(decoded.bodyNote ? { bodyNote: decoded.bodyNote } : {}),
    bytes: response.body.length,
    timing: response.timing,
  };
}

export class ApiExecutor implements Executor<'api'> {
  readonly type = 'api' as const;
  private readonly client = new HttpClient();
  private readonly env: NodeJS.ProcessEnv;
  private readonly self: SelfGuard | undefined;

  constructor(options: ApiExecutorOptions = {}) {
    this.env = options.env ?? process.env;
    this.self = options.self;
  }

  async execute(request: ExecutionRequest<'api'>): Promise<ExecutionOutcome> {
    // Read, not spread: the runner's request has getters (signal, template).
    const { task, operation, config, signal, limits } = request;
    const params = config.params;
    const fill = PlaceholderFiller.of(WHERE, request, params, this.env);
    const prepared = prepareApiRequest(params, operation, fill);
    await this.self?.checkUrl(prepared.url, `url`);
    const response = await this.client.request({
      ...prepared,
      timeoutMs: params.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: params.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      signal,
      where: WHERE,
      connectionsPerHost: limits?.connectionsPerHost,
    });
    // A redirect may lead back to the service: its answer is not recorded.
    if (response.redirects > 0) {
      await this.self?.checkUrl(response.url, `${prepared.url} redirected to`);
    }
    const result = apiResult(response);
    const accepted = task?.successStatuses;
    if (!statusMatches(response.status, accepted)) {
      throw new TaskError(
        'HTTP_STATUS',
        `${response.method} ${response.url} answered ${response.status} ${response.statusText}; success statuses are ${(accepted?.length ? accepted : ['2xx']).join(', ')} (change the task's successStatuses to accept others)`,
        result,
      );
    }
    return { result };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
