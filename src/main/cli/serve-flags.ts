/**
 * The `serve` command's flags and `TASK_SCHEDULER_*` environment variables. Flags win over the
 * environment; anything wrong is a `UsageError` (the CLI exits with code 2).
 */
import { DEFAULT_LOG_LEVEL, isLogLevel, LOG_LEVEL_ENV, LOG_LEVELS } from '../logging/logger';
import { DEFAULT_HOST, DEFAULT_PORT } from '../server/http-server';
import type { ServeSettings } from '../server/serve';
import { parseFlags, readFlag, UsageError, type FlagSpec } from './flags';
import { readStoreSettings, STORE_FLAGS } from './store-flags';

const FLAG = {
  port: {
    name: 'port',
    value: 'N',
    env: 'TASK_SCHEDULER_PORT',
    default: String(DEFAULT_PORT),
    example: '8787',
    help: 'port to listen on, 0 = any free port',
  },
  host: {
    name: 'host',
    value: 'H',
    env: 'TASK_SCHEDULER_HOST',
    default: DEFAULT_HOST,
    example: '127.0.0.1',
    help: 'address to bind',
  },
  token: {
    name: 'token',
    value: 'T',
    env: 'TASK_SCHEDULER_TOKEN',
    default: 'a random one',
    example: 'my-secret-token',
    help: 'access token (not printed when you give it)',
  },
  metricsToken: {
    name: 'metrics-token',
    value: 'T',
    env: 'TASK_SCHEDULER_METRICS_TOKEN',
    example: 'my-metrics-token',
    help: 'a second token that opens GET /metrics only',
  },
  newToken: {
    name: 'new-token',
    help: 'replace the token kept in the data dir with a new one',
  },
  allowedHosts: {
    name: 'allowed-hosts',
    value: 'a,b',
    env: 'TASK_SCHEDULER_ALLOWED_HOSTS',
    example: 'scheduler.lan,192.168.1.10',
    help: 'extra Host names to answer (name or name:port)',
  },
  logLevel: {
    name: 'log-level',
    value: 'LEVEL',
    env: LOG_LEVEL_ENV,
    default: DEFAULT_LOG_LEVEL,
    example: 'debug',
    help: LOG_LEVELS.join(' | '),
  },
  help: { name: 'help', short: 'h', help: 'show this help' },
} as const satisfies Record<string, FlagSpec>;

export const SERVE_FLAGS: readonly FlagSpec[] = [
  FLAG.port,
  FLAG.host,
  ...STORE_FLAGS,
  FLAG.token,
  FLAG.metricsToken,
  FLAG.newToken,
  FLAG.allowedHosts,
  FLAG.logLevel,
  FLAG.help,
];

export function parseServeSettings(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultDataDir: string,
): ServeSettings {
  const given = parseFlags('serve', argv, SERVE_FLAGS);

  let port = DEFAULT_PORT;
  const portValue = readFlag(given, FLAG.port, env);
  if (portValue) {
    const text = portValue.value.trim();
    if (!/^\d+$/.test(text) || Number(text) > 65535) {
      throw new UsageError(
        `serve: ${portValue.source} "${portValue.value}" is not a port; use a whole number from 0 to 65535 (0 picks a free port)`,
      );
    }
    port = Number(text);
  }

  const hostValue = readFlag(given, FLAG.host, env);
  const host = hostValue?.value.trim() ?? DEFAULT_HOST;
  if (host === '' || /[\s/]/.test(host)) {
    throw new UsageError(
      `serve: ${hostValue?.source ?? '--host'} "${hostValue?.value}" is not a host; use e.g. 127.0.0.1, ::1 or 0.0.0.0`,
    );
  }

  const storeSettings = readStoreSettings('serve', given, env, defaultDataDir);

  const tokenValue = readFlag(given, FLAG.token, env);
  if (tokenValue && !/^[\x21-\x7e]+$/.test(tokenValue.value)) {
    throw new UsageError(
      `serve: ${tokenValue.source} must be printable ASCII without spaces (it travels in an HTTP header)`,
    );
  }

  const metricsTokenValue = readFlag(given, FLAG.metricsToken, env);
  if (metricsTokenValue && !/^[\x21-\x7e]+$/.test(metricsTokenValue.value)) {
    throw new UsageError(
      `serve: ${metricsTokenValue.source} must be printable ASCII without spaces (it travels in an HTTP header)`,
    );
  }

  const newToken = given.has(FLAG.newToken.name);
  if (newToken && tokenValue) {
    throw new UsageError(
      `serve: --new-token makes a token and ${tokenValue.source} gives one; use one of them`,
    );
  }

  const levelValue = readFlag(given, FLAG.logLevel, env);
  const logLevel = levelValue?.value.trim().toLowerCase() ?? DEFAULT_LOG_LEVEL;
  if (!isLogLevel(logLevel)) {
    throw new UsageError(
      `serve: ${levelValue?.source} "${levelValue?.value}" is not a log level; use one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  const hostsValue = readFlag(given, FLAG.allowedHosts, env);
  const allowedHosts = (hostsValue?.value ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  for (const entry of allowedHosts) {
    if (/[\s/?#@\\]/.test(entry)) {
      throw new UsageError(
        `serve: --allowed-hosts entry "${entry}" is not a host name; use name or name:port, comma-separated`,
      );
    }
  }

  return {
    host,
    port,
    ...storeSettings,
    ...(tokenValue ? { token: tokenValue.value, tokenSource: tokenValue.source } : {}),
    ...(metricsTokenValue ? { metricsToken: metricsTokenValue.value } : {}),
    ...(newToken ? { newToken } : {}),
    allowedHosts,
    ...(levelValue ? { logLevel } : {}),
    help: given.has('help'),
  };
}
