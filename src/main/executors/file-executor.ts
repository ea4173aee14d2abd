/**
 * The `file` executor: read = get a file from a local path or an http(s) URL and decode it
 * (text, json, csv, binary); write = create a file in a directory (atomically, except `append`)
 * or send it to a URL (raw body or multipart upload). `{{name}}` placeholders fill location,
 * headers (URLs) and content (writes), with the same engine and rules as the api executor.
 *
 * Local paths must be absolute or start with `~/`: the app (an Electron app or a service) has no
 * meaningful working directory, so a relative path would land somewhere the user did not mean.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FileParams, Operation, RunResult } from '../../shared/domain';
import { contentTypeOf, decodeContent, encodeContent } from './file-content';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  HttpClient,
  headerProblem,
  selectHeaders,
  statusMatches,
} from './http-client';
import { decodeBody, formatBytes, multipartBody } from './http-content';
import { fillDeep, fillMap, fillTemplate, type PlaceholderScope } from './placeholders';
import type { SelfGuard } from './self-guard';
import type { ExecutionOutcome, ExecutionRequest, Executor } from './types';
import { TaskError } from './types';

export { encodeContent, escapesFormulas } from './file-content';

const WHERE = 'FileExecutor';
/** Default cap on what a read loads (local file or download). */
export const DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export interface FileExecutorOptions {
  /** What `~/` means (defaults to the user's home directory). */
  homeDir?: string;
  /** Where `{{env.NAME}}` values come from (only names a configuration's allowEnv lists). */
  env?: NodeJS.ProcessEnv;
  /** Refuses the data directory and the service's own URL (see self-guard.ts). */
  self?: SelfGuard;
}

function invalid(message: string): TaskError {
  return new TaskError('INVALID_CONFIG', `${WHERE}: ${message}`);
}

function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** Turns `location` into an absolute local path, or throws INVALID_CONFIG saying why not. */
export function resolveLocalPath(location: string, homeDir: string = os.homedir()): string {
  if (location.includes('\0')) {
    throw invalid('location contains a NUL byte, which no file name can hold; remove it');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw invalid(
      `location "${location}" is a URL that is not http(s); give an absolute path or an http:// or https:// URL`,
    );
  }
  if (location === '~' || location.startsWith('~/') || location.startsWith('~\\')) {
    return path.resolve(homeDir, location.slice(2));
  }
  if (!path.isAbsolute(location)) {
    throw invalid(
      `location "${location}" is a relative path; give an absolute path (or one starting with ~/) because the app has no meaningful working directory`,
    );
  }
  return path.resolve(location);
}

/** Maps a file-system error to a TaskError whose message names the path and what to do. */
export function fsError(error: unknown, action: string, target: string, hint = ''): TaskError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new TaskError(
        'NOT_FOUND',
        `${WHERE}: cannot ${action} "${target}": it does not exist${hint ? `; ${hint}` : '; check the path'}`,
      );
    case 'EACCES':
    case 'EPERM':
      return new TaskError(
        'PERMISSION',
        `${WHERE}: cannot ${action} "${target}": permission denied (${code}); give the user running Task Scheduler access or pick another location`,
      );
    case 'EROFS':
      return new TaskError(
        'PERMISSION',
        `${WHERE}: cannot ${action} "${target}": the file system is read-only; pick another location`,
      );
    case 'ENOTDIR':
      return new TaskError(
        'NOT_A_DIRECTORY',
        `${WHERE}: cannot ${action} "${target}": a part of the path is a file, not a folder; fix the path`,
      );
    case 'EISDIR':
      return new TaskError(
        'IS_A_DIRECTORY',
        `${WHERE}: cannot ${action} "${target}": it is a folder, not a file; give the path of a file inside it`,
      );
    case 'EEXIST':
      return new TaskError(
        'EXISTS',
        `${WHERE}: cannot ${action} "${target}": it already exists; writeMode "create" never replaces a file (use "overwrite" to replace it)`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new TaskError(
        'NO_SPACE',
        `${WHERE}: cannot ${action} "${target}": no space left on the device; free some space`,
      );
    case 'ENAMETOOLONG':
      return invalid(`cannot ${action} "${target}": the path is too long; shorten it`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TaskError('IO', `${WHERE}: cannot ${action} "${target}": ${message}`);
}

function checkAborted(signal: AbortSignal, location: string): void {
  if (signal.aborted)
    throw new TaskError('CANCELLED', `${WHERE}: work on "${location}" was cancelled`);
}

/** Reads a whole local file up to `maxBytes`, in chunks so a cancel stops it promptly. */
async function readLocal(file: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw fsError(error, 'read', file);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw fsError({ code: 'EISDIR' }, 'read', file);
    if (stat.size > maxBytes) {
      throw new TaskError(
        'TOO_LARGE',
        `${WHERE}: "${file}" is ${stat.size} bytes, more than the ${maxBytes}-byte limit; raise params.maxBytes or read a smaller file`,
      );
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      checkAborted(signal, file);
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) {
        throw new TaskError(
          'TOO_LARGE',
          `${WHERE}: "${file}" grew past the ${maxBytes}-byte limit while being read; raise params.maxBytes`,
        );
      }
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof TaskError) throw error;
    throw fsError(error, 'read', file);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename durable; some platforms cannot open a directory, which is fine.
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** Writes `bytes` to `file` per mode; overwrite/create go through a synced temp file. */
async function writeLocal(
  file: string,
  bytes: Buffer,
  mode: 'overwrite' | 'append' | 'create',
  createDirs: boolean,
  signal: AbortSignal,
): Promise<void> {
  const dir = path.dirname(file);
  if (createDirs) {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (error) {
      throw fsError(error, 'create the folder', dir);
    }
  } else {
    try {
      const stat = await fs.stat(dir);
      if (!stat.isDirectory()) throw fsError({ code: 'ENOTDIR' }, 'write', file);
    } catch (error) {
      if (error instanceof TaskError) throw error;
      throw fsError(
        error,
        'write into the folder',
        dir,
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'create it or set createDirs to true'
          : '',
      );
    }
  }
  checkAborted(signal, file);

  if (mode === 'append') {
    // Appends go straight to the file (not atomic: a crash can leave part of this write).
    let handle: FileHandle | undefined;
    try {
      handle = await fs.open(file, 'a');
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      throw fsError(error, 'append to', file);
    } finally {
      await handle?.close().catch(() => undefined);
    }
    return;
  }

  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let tempCreated = false;
  try {
    let existingMode: number | undefined;
    if (mode === 'overwrite') {
      try {
        const stat = await fs.stat(file);
        if (stat.isDirectory()) throw fsError({ code: 'EISDIR' }, 'overwrite', file);
        existingMode = stat.mode & 0o7777;
      } catch (error) {
        if (error instanceof TaskError) throw error;
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(error, 'write', file);
      }
    }
    let handle: FileHandle;
    try {
      handle = await fs.open(
        temp,
        fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
        existingMode ?? 0o666,
      );
      tempCreated = true;
    } catch (error) {
      throw fsError(error, 'write', file);
    }
    try {
      await handle.writeFile(bytes);
      await handle.sync();
      // The umask may have dropped bits the replaced file had.
      if (existingMode !== undefined) await handle.chmod(existingMode);
    } catch (error) {
      throw fsError(error, 'write', file);
    } finally {
      await handle.close().catch(() => undefined);
    }
    checkAborted(signal, file);
    if (mode === 'overwrite') {
      try {
        await fs.rename(temp, file);
        tempCreated = false;
      } catch (error) {
        throw fsError(error, 'write', file);
      }
    } else {
      // Exclusive create: link() fails with EEXIST instead of replacing, atomically.
      try {
        await fs.link(temp, file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
          throw fsError(error, 'create', file);
        }
        // No hard links on this file system: an exclusive open is the next best thing.
        try {
          await fs.writeFile(file, bytes, { flag: 'wx' });
        } catch (inner) {
          throw fsError(inner, 'create', file);
        }
      }
      await fs.unlink(temp).catch(() => undefined);
      tempCreated = false;
    }
    await fsyncDir(dir);
  } finally {
    if (tempCreated) await fs.unlink(temp).catch(() => undefined);
  }
}

/**
 * The params with placeholders filled in what this operation uses: location always, headers when
 * they are sent (URL locations), content for writes. Done before any path/URL check, so a filled
 * location is checked exactly like a typed one. Problems are INVALID_CONFIG naming the field.
 */
function fillParams(params: FileParams, operation: Operation, env: NodeJS.ProcessEnv): FileParams {
  const scope: PlaceholderScope = {
    ...(params.variables ? { variables: params.variables } : {}),
    ...(params.allowEnv ? { allowEnv: params.allowEnv } : {}),
    env,
  };
  const location = fillTemplate(params.location, scope, `${WHERE}: location`);
  const filled: FileParams = { ...params, location };
  if (params.headers && isUrl(location)) {
    filled.headers = fillMap(params.headers, scope, `${WHERE}: headers`);
    for (const [name, value] of Object.entries(filled.headers)) {
      const problem = headerProblem(name, value);
      if (problem) throw invalid(problem);
    }
  }
  if (operation === 'write' && params.content !== undefined) {
    // Strings are filled for every format; inside json/csv values, every string recursively.
    filled.content = fillDeep(params.content, scope, `${WHERE}: content`);
  }
  return filled;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class FileExecutor implements Executor<'file'> {
  readonly type = 'file' as const;
  private readonly client = new HttpClient();
  private readonly homeDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly self: SelfGuard | undefined;

  constructor(options: FileExecutorOptions = {}) {
    this.homeDir = options.homeDir ?? os.homedir();
    this.env = options.env ?? process.env;
    this.self = options.self;
  }

  async execute(request: ExecutionRequest<'file'>): Promise<ExecutionOutcome> {
    // The filled params travel beside the request: the runner's request has a live `signal`
    // getter, so it is not copied.
    const { operation, signal } = request;
    const params = fillParams(request.config.params, operation, this.env);
    const location = params.location;
    if (location.includes('\0')) {
      throw invalid('location contains a NUL byte, which no file name can hold; remove it');
    }
    checkAborted(signal, location);
    if (operation === 'read') {
      return isUrl(location) ? this.readUrl(request, params) : this.readFile(request, params);
    }
    return isUrl(location) ? this.upload(request, params) : this.writeFile(request, params);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async readFile(
    { signal, resultMaxBytes }: ExecutionRequest<'file'>,
    params: FileParams,
  ): Promise<ExecutionOutcome> {
    const file = resolveLocalPath(params.location, this.homeDir);
    await this.self?.checkPath(file, `${WHERE}: location`);
    const buffer = await readLocal(file, params.maxBytes ?? DEFAULT_FILE_MAX_BYTES, signal);
    const result = decodeContent(
      buffer,
      params.format ?? 'text',
      params.encoding ?? 'utf8',
      params,
      file,
      resultMaxBytes,
    );
    return { result };
  }

  private async readUrl(
    { task, signal, resultMaxBytes, limits }: ExecutionRequest<'file'>,
    params: FileParams,
  ): Promise<ExecutionOutcome> {
    await this.self?.checkUrl(params.location, `${WHERE}: location`);
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
      await this.self?.checkUrl(response.url, `${WHERE}: ${params.location} redirected to`);
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
        `${WHERE}: GET ${response.url} answered ${response.status} ${response.statusText}; the file could not be downloaded`,
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

  private async writeFile(
    { signal }: ExecutionRequest<'file'>,
    params: FileParams,
  ): Promise<ExecutionOutcome> {
    const file = resolveLocalPath(params.location, this.homeDir);
    await this.self?.checkPath(file, `${WHERE}: location`);
    const bytes = encodeContent(params);
    const mode = params.writeMode ?? 'overwrite';
    await writeLocal(file, bytes, mode, params.createDirs === true, signal);
    const verb = mode === 'append' ? 'Appended' : mode === 'create' ? 'Created' : 'Wrote';
    return {
      result: {
        summary: `${verb} ${formatBytes(bytes.length)} ${mode === 'append' ? 'to' : 'at'} ${file}`,
        location: file,
        bytes: bytes.length,
        mode,
        format: params.format ?? 'text',
      },
    };
  }

  private async upload(
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
    await this.self?.checkUrl(params.location, `${WHERE}: location`);
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
      await this.self?.checkUrl(response.url, `${WHERE}: ${params.location} redirected to`);
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
        `${WHERE}: ${method} ${response.url} answered ${response.status} ${response.statusText}; the upload was not accepted`,
        result,
      );
    }
    return { result };
  }
}
