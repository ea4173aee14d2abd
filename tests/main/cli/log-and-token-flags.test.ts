/**
 * The `serve` flags of the logger and the kept token: `--log-level` / TASK_SCHEDULER_LOG_LEVEL
 * and `--new-token`, as parsed and as `--help` lists them.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/main/cli/flags';
import { USAGE } from '../../../src/main/cli/main';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';
import { logLevelFromEnv } from '../../../src/main/logging/logger';

const parse = (
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): ReturnType<typeof parseServeSettings> => parseServeSettings(argv, env, '/data');

describe('the log level and token flags of serve', () => {
  it('read the level from --log-level, else TASK_SCHEDULER_LOG_LEVEL, in any case', () => {
    expect(parse(['--log-level', 'debug']).logLevel).toBe('debug');
    expect(parse([], { TASK_SCHEDULER_LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(parse(['--log-level=trace'], { TASK_SCHEDULER_LOG_LEVEL: 'error' }).logLevel).toBe(
      'trace',
    );
    expect(parse([]).logLevel).toBeUndefined();
  });

  it('give the desktop app and the process logger the level of TASK_SCHEDULER_LOG_LEVEL, else info', () => {
    expect(logLevelFromEnv({ TASK_SCHEDULER_LOG_LEVEL: ' Debug ' })).toBe('debug');
    expect(logLevelFromEnv({ TASK_SCHEDULER_LOG_LEVEL: 'chatty' })).toBe('info');
    expect(logLevelFromEnv({})).toBe('info');
  });

  it('refuse a level that is not one, naming the levels', () => {
    expect(() => parse(['--log-level', 'loud'])).toThrow(UsageError);
    expect(() => parse([], { TASK_SCHEDULER_LOG_LEVEL: 'verbose' })).toThrow(
      'serve: TASK_SCHEDULER_LOG_LEVEL "verbose" is not a log level; use one of trace, debug, info, warn, error, fatal, silent',
    );
  });

  it('take --new-token as a switch, and refuse it beside a given token', () => {
    expect(parse(['--new-token']).newToken).toBe(true);
    expect(parse([]).newToken).toBeUndefined();
    expect(() => parse(['--new-token=yes'])).toThrow('--new-token takes no value');
    expect(() => parse(['--new-token'], { TASK_SCHEDULER_TOKEN: 'abc' })).toThrow(
      'serve: --new-token makes a token and TASK_SCHEDULER_TOKEN gives one; use one of them',
    );
  });

  it('are listed in --help with their variable and default', () => {
    expect(USAGE).toMatch(
      /--log-level LEVEL +trace \| debug \| info \| warn \| error \| fatal \| silent +TASK_SCHEDULER_LOG_LEVEL \(info\)/,
    );
    expect(USAGE).toMatch(/--new-token +replace the token kept in the data dir with a new one/);
  });
});
