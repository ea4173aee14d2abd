/**
 * Local files of the `file` executor: the path a location means (absolute or `~/`, never
 * relative), file-system errors as task errors that name the path and what to do, reading in
 * chunks up to a cap, and writing atomically (a synced temp file renamed or linked into place;
 * `append` goes straight to the file).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FileParams } from '../../shared/domain';
import { decodeContent, encodeContent } from './file-content';
import { formatBytes } from './http-content';
import type { SelfGuard } from './self-guard';
import type { ExecutionOutcome, ExecutionRequest } from './types';
import { TaskError } from './types';

/** Default cap on what a read loads (local file or download). */
export const DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** INVALID_CONFIG with the executor's name in front. */
export function invalidFileParams(message: string): TaskError {
  return new TaskError('INVALID_CONFIG', `${message}`);
}

/** Turns `location` into an absolute local path, or throws INVALID_CONFIG saying why not. */
export function resolveLocalPath(location: string, homeDir: string = os.homedir()): string {
  if (location.includes('\0')) {
    throw invalidFileParams('location contains a NUL byte, which no file name can hold; remove it');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw invalidFileParams(
      `location "${location}" is a URL that is not http(s); give an absolute path or an http:// or https:// URL`,
    );
  }
  if (location === '~' || location.startsWith('~/') || location.startsWith('~\\')) {
    return path.resolve(homeDir, location.slice(2));
  }
  if (!path.isAbsolute(location)) {
    throw invalidFileParams(
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
        `cannot ${action} "${target}": it does not exist${hint ? `; ${hint}` : '; check the path'}`,
      );
    case 'EACCES':
    case 'EPERM':
      return new TaskError(
        'PERMISSION',
        `cannot ${action} "${target}": permission denied (${code}); give the user running Task Scheduler access or pick another location`,
      );
    case 'EROFS':
      return new TaskError(
        'PERMISSION',
        `cannot ${action} "${target}": the file system is read-only; pick another location`,
      );
    case 'ENOTDIR':
      return new TaskError(
        'NOT_A_DIRECTORY',
        `cannot ${action} "${target}": a part of the path is a file, not a folder; fix the path`,
      );
    case 'EISDIR':
      return new TaskError(
        'IS_A_DIRECTORY',
        `cannot ${action} "${target}": it is a folder, not a file; give the path of a file inside it`,
      );
    case 'EEXIST':
      return new TaskError(
        'EXISTS',
        `cannot ${action} "${target}": it already exists; writeMode "create" never replaces a file (use "overwrite" to replace it)`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new TaskError(
        'NO_SPACE',
        `cannot ${action} "${target}": no space left on the device; free some space`,
      );
    case 'ENAMETOOLONG':
      return invalidFileParams(`cannot ${action} "${target}": the path is too long; shorten it`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TaskError('IO', `cannot ${action} "${target}": ${message}`);
}

export function checkAborted(signal: AbortSignal, location: string): void {
  if (signal.aborted) throw new TaskError('CANCELLED', `work on "${location}" was cancelled`);
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
        `"${file}" is ${stat.size} bytes, more than the ${maxBytes}-byte limit; raise params.maxBytes or read a smaller file`,
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
          `"${file}" grew past the ${maxBytes}-byte limit while being read; raise params.maxBytes`,
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

/** Reads and writes files on this machine for file tasks. */
export class LocalFiles {
  private readonly homeDir: string;
  private readonly self: SelfGuard | undefined;

  constructor(homeDir: string, self: SelfGuard | undefined) {
    this.homeDir = homeDir;
    this.self = self;
  }

  /** Reads the file and decodes it by format. */
  async read(
    { signal, resultMaxBytes }: ExecutionRequest<'file'>,
    params: FileParams,
  ): Promise<ExecutionOutcome> {
    const file = resolveLocalPath(params.location, this.homeDir);
    await this.self?.checkPath(file, `location`);
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

  /** Writes `content` to the file in the configured mode. */
  async write({ signal }: ExecutionRequest<'file'>, params: FileParams): Promise<ExecutionOutcome> {
    const file = resolveLocalPath(params.location, this.homeDir);
    await this.self?.checkPath(file, `location`);
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
}
