/**
 * Db connection strings (issue #16): which engine a uri's scheme picks (`dbEngineOf`) and what it
 * names (`dbUriParts`: host, port, user, password, database, or SQLite's file), or a sentence
 * saying what is wrong. Parsed by hand, not with URL, so a password holding `@` or `:` is taken
 * whole (the last `@` before the host ends it) whatever the driver. Pure TS.
 */

export const DB_ENGINES = ['mongodb', 'postgres', 'mysql', 'sqlite', 'redis'] as const;
export type DbEngine = (typeof DB_ENGINES)[number];
export type SqlEngine = Exclude<DbEngine, 'mongodb' | 'redis'>;

/** The engine's name as people write it, for messages and the form. */
export const DB_ENGINE_LABELS: Readonly<Record<DbEngine, string>> = {
  mongodb: 'MongoDB',
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  sqlite: 'SQLite',
  redis: 'Redis',
};

const SCHEMES: Readonly<Record<string, DbEngine>> = {
  mongodb: 'mongodb',
  'mongodb+srv': 'mongodb',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  redis: 'redis',
  rediss: 'redis',
};

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  postgres: 5432,
  mysql: 3306,
  redis: 6379,
};

export const SCHEME_LIST = 'mongodb://, postgres://, mysql://, mariadb://, sqlite: or redis://';

/** What a uri names: the engine and where it is, never its password in `host`. */
/** A server's uri: where it is and who connects, never the password in `host`. */
export interface DbServerUri {
  engine: Exclude<DbEngine, 'sqlite'>;
  /** `host:port` (several for MongoDB), for messages. */
  host: string;
  hostname: string;
  port: number | undefined;
  user: string | undefined;
  password: string | undefined;
  /** The path after the host, decoded (`/shop` → `shop`); empty when none. */
  database: string;
  tls: boolean;
  problem?: undefined;
}

/** A SQLite uri: the file path, or `:memory:`. */
export interface DbFileUri {
  engine: 'sqlite';
  host: string;
  file: string;
  memory: boolean;
  problem?: undefined;
}

/** What a uri names, or a sentence saying what is wrong with it. */
export type DbUriParts = DbServerUri | DbFileUri | { problem: string; engine?: undefined };

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function sqliteParts(rest: string): DbUriParts {
  if (rest === ':memory:')
    return { engine: 'sqlite', host: ':memory:', file: ':memory:', memory: true };
  let path = rest;
  if (path.startsWith('//')) {
    path = path.slice(2);
    if (!path.startsWith('/')) {
      return {
        problem: `a sqlite uri names a file, not a host: write sqlite:///absolute/path/to/file.db (three slashes) or sqlite::memory:`,
      };
    }
  }
  const decoded = decode(path);
  if (decoded === undefined) {
    return { problem: 'the sqlite path holds a malformed %-escape; write % as %25' };
  }
  // sqlite:///C:/data/x.db names a Windows drive.
  const file = /^\/[A-Za-z]:[\\/]/.test(decoded) ? decoded.slice(1) : decoded;
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(file)) {
    return {
      problem: `the sqlite path "${file}" is relative; give an absolute path (sqlite:///home/me/data.db) or sqlite::memory:`,
    };
  }
  return { engine: 'sqlite', host: file, file, memory: false };
}

/** Parsed uris (every run parses its configuration's uri). */
const parsed = new Map<string, DbUriParts>();
const PARSED_MAX = 256;

/** Engine, host, port, credentials and database of a db uri, or a sentence saying what is wrong. */
export function dbUriParts(uri: string): DbUriParts {
  let parts = parsed.get(uri);
  if (parts === undefined) {
    parts = parseDbUri(uri);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(uri, parts);
  }
  return parts;
}

function parseDbUri(uri: string): DbUriParts {
  const text = uri.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  const engine = scheme === undefined ? undefined : SCHEMES[scheme];
  if (engine === undefined) {
    return {
      problem:
        scheme === undefined
          ? `is not a connection string; start it with ${SCHEME_LIST}`
          : `uses the scheme "${scheme}:", which no db engine has; start it with ${SCHEME_LIST}`,
    };
  }
  const rest = text.slice(scheme!.length + 1);
  if (engine === 'sqlite') return sqliteParts(rest);
  if (!rest.startsWith('//')) {
    return { problem: `needs a host: write ${scheme}://host/… (two slashes after "${scheme}:")` };
  }
  // The authority ends at the first / ? #; its last @ ends the credentials (a password may hold @).
  const authority = /^[^/?#]*/.exec(rest.slice(2))![0];
  const path = rest.slice(2 + authority.length);
  const at = authority.lastIndexOf('@');
  const credentials = at >= 0 ? authority.slice(0, at) : undefined;
  const hosts = at >= 0 ? authority.slice(at + 1) : authority;
  if (hosts === '') {
    return { problem: `has no host; write ${scheme}://host:port/… (for this machine: 127.0.0.1)` };
  }
  let user: string | undefined;
  let password: string | undefined;
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    user = decode(colon >= 0 ? credentials.slice(0, colon) : credentials);
    password = colon >= 0 ? decode(credentials.slice(colon + 1)) : undefined;
    if (user === undefined || (colon >= 0 && password === undefined)) {
      return { problem: 'the user or password holds a malformed %-escape; write % as %25' };
    }
    if (user === '') user = undefined;
  }
  const query = /\?([^#]*)/.exec(path)?.[1] ?? '';
  if (/(^|&)(password|pass|pwd)=/i.test(query)) {
    return {
      problem: `holds a password in its query, where it would be shown in clear; write it before the host: ${scheme}://user:password@host/…`,
    };
  }
  if (engine === 'mysql' && query !== '') {
    return {
      problem: `has options after "?", which the MySQL engine does not read; remove them (TLS goes in params.tls)`,
    };
  }
  const pathname = /^[^?#]*/.exec(path)![0].replace(/^\//, '');
  const database = decode(pathname) ?? pathname;
  const tls = scheme === 'rediss' || (engine === 'mongodb' && scheme === 'mongodb+srv');
  if (engine === 'mongodb') {
    return { engine, host: hosts, hostname: hosts, port: undefined, user, password, database, tls };
  }
  const hostPort = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d*))?$/.exec(hosts);
  if (!hostPort) {
    return { problem: `has a malformed host "${hosts}"; write host or host:port (one host)` };
  }
  const hostname = hostPort[1]!;
  const port = hostPort[2] ? Number(hostPort[2]) : DEFAULT_PORTS[engine];
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { problem: `has the port "${hostPort[2] ?? ''}"; a port is a number from 1 to 65535` };
  }
  if (engine === 'redis' && database !== '' && !/^\d{1,5}$/.test(database)) {
    return {
      problem: `names the database "${database}"; a Redis database is a number: redis://host:6379/0`,
    };
  }
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    engine,
    host: `${hostname}:${port}`,
    hostname: bare,
    port,
    user,
    password,
    database,
    tls,
  };
}

export type EngineOf =
  { engine: DbEngine; problem?: undefined } | { engine?: undefined; problem: string };

/** Which engine a uri is for, or a sentence saying why none is (unknown scheme, no host…). */
export function dbEngineOf(uri: string): EngineOf {
  const parts = dbUriParts(uri);
  return parts.problem !== undefined ? { problem: parts.problem } : { engine: parts.engine };
}
