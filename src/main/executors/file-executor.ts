/**
 * The `file` executor: read = get a file from a local path or an http(s) URL and decode it
 * (text, json, csv, binary); write = create a file in a directory (atomically, except `append`)
 * or send it to a URL (raw body or multipart upload). `{{name}}` placeholders fill location,
 * headers (URLs) and content (writes), with the same engine and rules as the api executor.
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
import { fillDeep, fillMap, fillTemplate, type PlaceholderScope } from './placeholders';
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
      if (problem) throw invalidFileParams(problem);
    }
  }
  if (operation === 'write' && params.content !== undefined) {
    // Strings are filled for every format; inside json/csv values, every string recursively.
    filled.content = fillDeep(params.content, scope, `${WHERE}: content`);
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
    const params = fillParams(request.config.params, operation, this.env);
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
