import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/main/cli/flags';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';

const DEFAULT_DIR = '/home/user/.config/task-scheduler';
const parse = (
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): ReturnType<typeof parseServeSettings> => parseServeSettings(argv, env, DEFAULT_DIR);

describe('serve settings', () => {
  it('defaults to 127.0.0.1:8787, the json store and the default data dir', () => {
    expect(parse([])).toEqual({
      host: '127.0.0.1',
      port: 8787,
      store: 'json',
      dataDir: DEFAULT_DIR,
      allowedHosts: [],
      help: false,
    });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parse([
        '--port=0',
        '--host',
        '0.0.0.0',
        '--data-dir',
        'rel/dir',
        '--store',
        'mongodb',
        '--mongo-uri',
        'mongodb://127.0.0.1:27017/ts',
        '--token=abc',
        '--allowed-hosts',
        'scheduler.lan, 10.0.0.2:8787',
      ]),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      store: 'mongodb',
      dataDir: resolve('rel/dir'),
      mongoUri: 'mongodb://127.0.0.1:27017/ts',
      token: 'abc',
      tokenSource: '--token',
      allowedHosts: ['scheduler.lan', '10.0.0.2:8787'],
      help: false,
    });
  });

  it('reads TASK_SCHEDULER_* variables, and flags win over them', () => {
    const env = {
      TASK_SCHEDULER_PORT: '9000',
      TASK_SCHEDULER_HOST: '::1',
      TASK_SCHEDULER_DATA_DIR: '/data',
      TASK_SCHEDULER_STORE: 'memory',
      TASK_SCHEDULER_TOKEN: 'env-token',
      TASK_SCHEDULER_ALLOWED_HOSTS: 'a.lan',
    };
    expect(parse([], env)).toMatchObject({
      port: 9000,
      host: '::1',
      dataDir: '/data',
      store: 'memory',
      token: 'env-token',
      tokenSource: 'TASK_SCHEDULER_TOKEN',
      allowedHosts: ['a.lan'],
    });
    expect(parse(['--port', '9001', '--token', 'flag-token'], env)).toMatchObject({
      port: 9001,
      token: 'flag-token',
    });
  });

  it.each([
    [['--port', 'abc'], /--port "abc" is not a port/],
    [['--port', '70000'], /not a port; use a whole number from 0 to 65535/],
    [['--port', '-1'], /--port "-1" is not a port/],
    [['--store', 'nope'], /--store "nope" is not a store/],
    [['--store', 'mongodb'], /--store mongodb needs --mongo-uri/],
    [['--mongo-uri', 'http://x'], /must start with mongodb:\/\//],
    [['--bogus'], /unknown option "--bogus"/],
    [['--port', '1', '--port', '2'], /--port is given twice/],
    [['--port=1', '--port', '2'], /--port is given twice/],
    [['--port', '--host', 'x'], /--port needs a value, e.g. --port 8787/],
    [['--help=yes'], /--help takes no value/],
    [['stray'], /unexpected argument "stray"/],
    [['--token', 'has space'], /--token must be printable ASCII/],
    [['--host', 'a b'], /is not a host/],
    [['--data-dir', ' '], /--data-dir must not be empty/],
    [['--allowed-hosts', 'http://x'], /--allowed-hosts entry "http:\/\/x" is not a host name/],
  ])('rejects %j with a clear usage error', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(message);
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => parse([], { TASK_SCHEDULER_PORT: 'x' })).toThrow(/TASK_SCHEDULER_PORT "x"/);
  });

  it('recognizes --help', () => {
    expect(parse(['--help']).help).toBe(true);
  });
});
