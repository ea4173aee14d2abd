/**
 * Remote files of the `file` executor: reading = downloading an http(s) URL (through the shared
 * HttpClient, caps and timeouts included) and decoding it by format; writing = sending the
 * content to a URL as a raw body or a multipart/form-data upload. The self guard is asked before
 * each request and again after redirects.
 */
import type { FileParams, RunResult } from '../../shared/domain';
import { contentTypeOf, decodeContent, encodeContent } from './file-content';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  HttpClient,
  selectHeaders,
  statusMatches,
} from './http-client';
import { decodeBody, multipartBody } from './http-content';
import type { SelfGuard } from './self-guard';
import type { ExecutionOutcome, ExecutionRequest } from './types';
import { TaskError } from './types';

const WHERE = 'FileExecutor';

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Downloads and uploads files over http(s) for file tasks. */
export class RemoteFiles {
  private readonly client = new HttpClient();
  private readonly self: SelfGuard | undefined;

  constructor(self: SelfGuard | undefined) {
    this.self = self;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.client.destroy();
  }

  /** Downloads the URL and decodes it by format; a status outside the success list fails. */
  async read(
    { task, signal, resultMaxBytes, limits }: ExecutionRequest<'file'>,
    params: FileParams,
  ): Promise<ExecutionOutcome> {
    await this.self?.checkUrl(params.location, `location`);
    const response = await this.client.request({
      method: 'GET',
      url: params.location,
      headers: { 'User-Agent': 'TaskScheduler', ...(params.headers ?? {}) },
      timeoutMs: params.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: params.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      signal,
      where: WHERE,
      connectionsPerHost: limits?.connectionsPerHost,
    });
    if (response.redirects > 0) {
      await this.self?.checkUrl(response.url, `${params.location} redirected to`);
    }
    const http = {
      statusCode: response.status,
      statusText: response.statusText,
      headers: selectHeaders(response.headers),
      url: response.url,
    };
    if (!statusMatches(response.status, task?.successStatuses)) {
      const decoded = decodeBody(response.body, response.headers['content-type']);
      throw new TaskError(
        'HTTP_STATUS',
        `GET ${response.url} answered ${response.status} ${response.statusText}; the file could not be downloaded`,
        {
          summary: `GET ${response.url} → ${response.status} ${response.statusText}`,
          ...http,
          location: params.location,
          bytes: response.body.length,
          body: decoded.body,
        },
      );
    }
    const result = decodeContent(
      response.body,
      params.format ?? 'text',
      params.encoding ?? 'utf8',
      params,
      response.url,
      resultMaxBytes,
    );
    return { result: { ...result, ...http, location: params.location } };
  }

  /** Sends the content to the URL (raw or multipart); a status outside the success list fails. */
  async upload(
    { task, signal, limits }: ExecutionRequest<'file'>,
    params: FileParams,
  ): Promise<ExecutionOutcome> {
    const format = params.format ?? 'text';
    const content = encodeContent(params);
    const contentType = contentTypeOf(format, params.encoding ?? 'utf8');
    const headers: Record<string, string> = { 'User-Agent': 'TaskScheduler' };
    let body = content;
    const uploadAs = params.uploadAs ?? 'raw';
    if (uploadAs === 'multipart') {
      // The URL's last segment names the file when it looks like a file name (has an extension).
      const last = new URL(params.location).pathname.split('/').pop() ?? '';
      const ext = format === 'binary' ? 'bin' : format === 'text' ? 'txt' : format;
      const name = /\.[A-Za-z0-9]{1,8}$/.test(last) ? safeDecode(last) : `upload.${ext}`;
      const multipart = multipartBody('file', name, contentType, content);
      body = multipart.body;
      headers['Content-Type'] = multipart.contentType;
    } else {
      headers['Content-Type'] = contentType;
    }
    for (const [key, value] of Object.entries(params.headers ?? {})) {
      // Multipart needs our boundary; any other header may be replaced by the configuration.
      if (uploadAs === 'multipart' && key.toLowerCase() === 'content-type') continue;
      if (key.toLowerCase() === 'content-type') delete headers['Content-Type'];
      headers[key] = value;
    }
    const method = params.uploadMethod ?? 'POST';
    await this.self?.checkUrl(params.location, `location`);
    const response = await this.client.request({
      method,
      url: params.location,
      headers,
      body,
      timeoutMs: params.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: DEFAULT_MAX_RESPONSE_BYTES,
      signal,
      where: WHERE,
      connectionsPerHost: limits?.connectionsPerHost,
    });
    if (response.redirects > 0) {
      await this.self?.checkUrl(response.url, `${params.location} redirected to`);
    }
    const decoded = decodeBody(response.body, response.headers['content-type']);
    const result: RunResult = {
      summary: `${method} ${content.length} bytes (${uploadAs}) to ${response.url} → ${response.status} ${response.statusText}`,
      location: params.location,
      bytes: content.length,
      mode: uploadAs === 'multipart' ? 'multipart' : 'raw',
      statusCode: response.status,
      statusText: response.statusText,
      headers: selectHeaders(response.headers),
      url: response.url,
      body: decoded.body,
      ...(decoded.bodyEncoding ? { bodyEncoding: decoded.bodyEncoding } : {}),
    };
    if (!statusMatches(response.status, task?.successStatuses)) {
      throw new TaskError(
        'HTTP_STATUS',
        `${method} ${response.url} answered ${response.status} ${response.statusText}; the upload was not accepted`,
        result,
      );
    }
    return { result };
  }
}
