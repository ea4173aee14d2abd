/**
 * The one logger of the service, the commands and the desktop main process, built on `pino`.
 * Each entry point creates one (`createLogger`) and hands it down; nothing reaches for a global.
 *
 * - Levels `trace` < `debug` < `info` < `warn` < `error` < `fatal` (and `silent`); every line has
 *   an ISO timestamp, the level and the process id.
 * - Lines go to stderr (stdout keeps the service's own start lines, which scripts read): one JSON
 *   object a line when stderr is not a terminal, one readable line on a terminal (`pretty.ts`).
 * - Every message and field passes `scrub.ts` first: no secret reaches a line.
 * - pino is loaded with the first enabled line (src/main/lazy-package.ts): imported at start,
 *   bundled or not, it loads worker_threads, assert and its own modules, ~5 MB of the idle
 *   service's RSS (goal ≤ 60 MB, docs/benchmarks.md), and an idle service writes no line.
 */
import type * as Pino from 'pino';
import type { Logger as PinoLogger } from 'pino';
import { lazyPackage } from '../lazy-package';
import { prettyLine } from './pretty';
import { scrubText, scrubValue } from './scrub';

const pinoPackage = lazyPackage<typeof Pino>('pino');

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
/** The environment variable every entry point reads the level from (`--log-level` wins). */
export const LOG_LEVEL_ENV = 'TASK_SCHEDULER_LOG_LEVEL';

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** The level `TASK_SCHEDULER_LOG_LEVEL` names (any case), else the default. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const value = env[LOG_LEVEL_ENV]?.trim().toLowerCase() ?? '';
  return isLogLevel(value) ? value : DEFAULT_LOG_LEVEL;
}

/** Extra values of one line (`task`, `runId`, `error`…); scrubbed before they are written. */
export type LogFields = Record<string, unknown>;

type LineLevel = Exclude<LogLevel, 'silent'>;
const RANK: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

export interface Logger {
  readonly level: LogLevel;
  isEnabled(level: LineLevel): boolean;
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  fatal(message: string, fields?: LogFields): void;
  /** A logger whose every line carries `bindings` too (`{ component: 'http' }`). */
  child(bindings: LogFields): Logger;
}

/** Where whole lines go; each `write` gets one line ending in `\n`. */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Default: process.stderr. */
  output?: LogDestination & { isTTY?: boolean };
  /** Readable lines instead of JSON on `output`; default: when `output` is a terminal. */
  pretty?: boolean;
  /** Also every line, as JSON, here (the desktop app's rotating file). */
  file?: LogDestination;
  /** `name` on every line (`service`, `desktop`). */
  name?: string;
}

/** Builds the logger; pino's instance is made with the first enabled line. */
export function createLogger(options: LoggerOptions): Logger {
  const output = options.output ?? process.stderr;
  const pretty = options.pretty ?? output.isTTY === true;
  const file = options.file;
  const destination: LogDestination = {
    write(line) {
      file?.write(line);
      output.write(pretty ? prettyLine(line) : line);
    },
  };
  let root: PinoLogger | undefined;
  const rootLogger = (): PinoLogger => {
    if (!root) {
      const { pino, stdTimeFunctions } = pinoPackage();
      root = pino(
        {
          level: options.level,
          base: { pid: process.pid, ...(options.name ? { name: options.name } : {}) },
          timestamp: stdTimeFunctions.isoTime,
          formatters: { level: (_label, number) => ({ level: number }) },
        },
        destination,
      );
    }
    return root;
  };
  return wrap(options.level, rootLogger);
}

function wrap(level: LogLevel, pinoOf: () => PinoLogger): Logger {
  const enabled = (line: LineLevel): boolean => RANK[line] >= RANK[level];
  const write =
    (line: LineLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!enabled(line)) return;
      try {
        const safeFields = fields ? (scrubValue(fields) as LogFields) : {};
        pinoOf()[line](safeFields, scrubText(message));
      } catch {
        // Logging never stops the app: a line that cannot be written is dropped.
      }
    };
  return {
    level,
    isEnabled: enabled,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    fatal: write('fatal'),
    child(bindings) {
      let child: PinoLogger | undefined;
      return wrap(level, () => (child ??= pinoOf().child(scrubValue(bindings) as LogFields)));
    },
  };
}
