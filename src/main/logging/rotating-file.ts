/**
 * The desktop app's log file: pino's file destination (`pino.destination`, synchronous, so a line
 * is on disk when the call returns and nothing is lost when the app quits), turned over by size.
 * When a line would take the file past `maxBytes`, `app.log` becomes `app.log.1` (`.1` becomes
 * `.2`, …, the oldest of `keep` dropped) and a fresh `app.log` is opened. A file that cannot be
 * opened or written (a read-only folder, a full disk) drops lines; it never throws into the app.
 */
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { destination, type DestinationStream } from 'pino';
import type { LogDestination } from './logger';

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;

export interface RotatingFileOptions {
  file: string;
  /** Size past which the file is turned over; default 5 MiB. */
  maxBytes?: number;
  /** How many turned-over files are kept (`.1` … `.keep`); default 3. */
  keep?: number;
}

type SonicBoomLike = DestinationStream & { reopen(): void; flushSync(): void; end(): void };

export class RotatingFile implements LogDestination {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private size = 0;
  /** Undefined when the file could not be opened: every line is dropped then. */
  private readonly stream: SonicBoomLike | undefined;

  constructor(options: RotatingFileOptions) {
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.keep = Math.max(1, options.keep ?? DEFAULT_LOG_KEEP);
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      this.size = sizeOf(this.file);
      const stream = destination({ dest: this.file, sync: true, mode: 0o600 });
      // A failed write is dropped (see above), never an unhandled 'error' event.
      stream.on('error', () => undefined);
      this.stream = stream as unknown as SonicBoomLike;
    } catch {
      this.stream = undefined;
    }
  }

  /** False when the file could not be opened (a read-only or missing folder). */
  get writable(): boolean {
    return this.stream !== undefined;
  }

  write(line: string): void {
    if (!this.stream) return;
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate(this.stream);
      this.stream.write(line);
      this.size += bytes;
    } catch {
      // dropped: see the file's comment
    }
  }

  /** Closes the file (the app is quitting). */
  close(): void {
    try {
      this.stream?.flushSync();
      this.stream?.end();
    } catch {
      // already closed or never opened
    }
  }

  private rotate(stream: SonicBoomLike): void {
    stream.flushSync();
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--)
      renameIfPresent(`${this.file}.${n}`, `${this.file}.${n + 1}`);
    renameIfPresent(this.file, `${this.file}.1`);
    stream.reopen();
    this.size = 0;
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
