/**
 * The `file` executor: read = get a file from a local path or an http(s) URL and decode it
 * (text, json, csv, binary); write = create a file in a directory (atomically, except `append`)
 * or send it to a URL (raw body or multipart upload). Placeholders (placeholders.ts,
 * docs/chains.md) fill the location (a URL in url mode, a local path in text mode), the headers
 * of a URL (text mode) and the content of a write (json mode for json and csv, so
 * `"{{input.body.items}}"` writes the array or the rows; text mode for text and binary).
 * Local files are file-local.ts, URLs file-remote.ts, bytes ↔ values by format file-content.ts.
 *
 * Local paths must be absolute or start with `~/`: the app (an Electron app or a service) has no
 * meaningful working directory, so a relative path would land somewhere the user did not mean.
 */
import os from 'node:os';
import type { FileParams, Operation } from '../../shared/domain';
import { checkAborted, invalidFileParams, LocalFiles } from './file-local';
import { RemoteFiles } from './file-remote';
import { headerProblem } from './http-client';
import { PlaceholderFiller } from './placeholders';
import type { SelfGuard } from './self-guard';
import type { ExecutionOutcome, ExecutionRequest, Executor } from './types';

export { encodeContent, escapesFormulas } from './file-content';
export { DEFAULT_FILE_MAX_BYTES, fsError, resolveLocalPath } from './file-local';

const WHERE = 'FileExecutor';

export interface FileExecutorOptions {
  /** What `~/` means (defaults to the user's home directory). */
  homeDir?: string;
  /** Where `{{env.NAME}}` values come from (only names a configuration's allowEnv lists). */
  env?: NodeJS.ProcessEnv;
  /** Refuses the data directory and the service's own URL (see self-guard.ts). */
  self?: SelfGuard;
}

function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * The params with placeholders filled in what this operation uses: location always, headers when
 * they are sent (URL locations), content for writes. Done before any path/URL check, so a filled
 * location is checked exactly like a typed one. Problems are INVALID_CONFIG naming the field.
 */
function fillParams(params: FileParams, operation: Operation, fill: PlaceholderFiller): FileParams {
  // A location is a URL when it starts as one, typed or filled (`{{base}}/x.json`); a URL is
  // filled again in url mode (the same text before its path, its path and query encoded).
  let location = isUrl(params.location)
    ? fill.url(params.location, 'location')
    : fill.text(params.location, 'location');
  if (isUrl(location) && !isUrl(params.location)) location = fill.url(params.location, 'location');
  const filled: FileParams = { ...params, location };
  if (params.headers && isUrl(location)) {
    filled.headers = fill.map(params.headers, 'headers');
    for (const [name, value] of Object.entries(filled.headers)) {
      const problem = headerProblem(name, value);
      if (problem) throw invalidFileParams(problem);
    }
  }
  if (operation === 'write' && params.content !== undefined) {
    const format = params.format ?? 'text';
    filled.content =
      typeof params.content === 'string' && (format === 'text' || format === 'binary')
        ? fill.text(params.content, 'content')
        : fill.json(params.content, 'content');
  }
  return filled;
}

export class FileExecutor implements Executor<'file'> {
  readonly type = 'file' as const;
  private readonly env: NodeJS.ProcessEnv;
  private readonly local: LocalFiles;
  private readonly remote: RemoteFiles;

  constructor(options: FileExecutorOptions = {}) {
    this.env = options.env ?? process.env;
    this.local = new LocalFiles(options.homeDir ?? os.homedir(), options.self);
    this.remote = new RemoteFiles(options.self);
  }

  async execute(request: ExecutionRequest<'file'>): Promise<ExecutionOutcome> {
    // The filled params travel beside the request: the runner's request has a live `signal`
    // getter, so it is not copied.
    const { operation, signal } = request;
    const typed = request.config.params;
    const fill = PlaceholderFiller.of(WHERE, request, typed, this.env);
    const params = fillParams(typed, operation, fill);
    const location = params.location;
    if (location.includes('\0')) {
      throw invalidFileParams(
        'location contains a NUL byte, which no file name can hold; remove it',
      );
    }
    checkAborted(signal, location);
    if (operation === 'read') {
      return isUrl(location) ? this.remote.read(request, params) : this.local.read(request, params);
    }
    return isUrl(location)
      ? this.remote.upload(request, params)
      : this.local.write(request, params);
  }

  async close(): Promise<void> {
    this.remote.close();
  }
}
