/**
 * Which configuration fields are secrets, how they are redacted, and how a redacted value sent
 * back to `configs.save` keeps the stored secret. Pure functions shared by core and UI.
 *
 * The secrets (docs/desktop.md, "Secrets at rest"): api `auth.token` / `auth.password`; header
 * values of the sensitive headers below and of those listed in `secretHeaders`; `query` values
 * listed in `secretQuery`; `variables` values listed in `secretVariables`; the password of a
 * `user:password@` inside an http(s) url / location or a db uri of any engine (MongoDB,
 * PostgreSQL, MySQL / MariaDB, Redis; SQLite has none). `mapSecretParams` is the one walk over
 * them: redaction, restoring, and sealing at rest (`mapSecretFields`) all use it.
 */
import { REDACTED, type Configuration, type ConfigurationInput } from './domain';

const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
]);

/** True for the headers that are always secrets (`Authorization`, `Cookie`, `X-Api-Key`…). */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase());
}

/** True when the header is a secret: a sensitive one, or listed in `secretHeaders` (any case). */
export function isSecretHeader(name: string, secretHeaders?: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return (
    SENSITIVE_HEADERS.has(lower) || (secretHeaders ?? []).some((h) => h.toLowerCase() === lower)
  );
}

/**
 * The password of `scheme://user:password@host…` (http, https, mongodb, mongodb+srv, postgres, postgresql, mysql, mariadb, redis, rediss). The last
 * `@` before the host ends it, so a password holding `@` (`p@ss`) is taken whole; the host part
 * ends at the first `/`, `?`, `#`, so an `@` in a path or query is not mistaken for it. A value
 * sealed at rest (`v1:aes:…`, base64 may hold `/`) is taken up to its `@`.
 */
const URL_PASSWORD =
  /^((?:https?|mongodb(?:\+srv)?|postgres(?:ql)?|mysql|mariadb|rediss?):\/\/[^:/?#\\]*:)(v\d+:[a-z]+:[A-Za-z0-9+/=:]*(?=@)|[^/?#\\]*)(@)/i;

/** `url` with its password (see URL_PASSWORD) replaced by `fn(password)`; unchanged without one. */
export function mapUriPassword(url: string, fn: (password: string) => string): string {
  return url.replace(
    URL_PASSWORD,
    (_m, head: string, pw: string, at: string) => `${head}${fn(pw)}${at}`,
  );
}

/** The password inside `url` (`https://user:pw@host`, `mongodb://user:pw@host`), if any. */
export function uriPassword(url: string): string | undefined {
  return URL_PASSWORD.exec(url)?.[2];
}

/** `mongodb://user:secret@host` → `mongodb://user:••••••@host` (also http(s) URLs). */
export function redactUri(uri: string): string {
  return mapUriPassword(uri, () => REDACTED);
}

/** Which names of a configuration's maps hold secrets (header names lower-case). */
export interface SecretNames {
  variables: ReadonlySet<string>;
  headers: ReadonlySet<string>;
  query: ReadonlySet<string>;
}

interface SecretLists {
  secretVariables?: readonly string[];
  secretHeaders?: readonly string[];
  secretQuery?: readonly string[];
}

/** The secret names a configuration's params list (`secretVariables`, `secretHeaders`…). */
export function secretNamesOf(params: unknown): SecretNames {
  const p = (params ?? {}) as SecretLists;
  return {
    variables: new Set(p.secretVariables ?? []),
    headers: new Set((p.secretHeaders ?? []).map((h) => h.toLowerCase())),
    query: new Set(p.secretQuery ?? []),
  };
}

function unionNames(a: SecretNames, b: SecretNames): SecretNames {
  return {
    variables: new Set([...a.variables, ...b.variables]),
    headers: new Set([...a.headers, ...b.headers]),
    query: new Set([...a.query, ...b.query]),
  };
}

/** A secret value and where it sits: `auth.token`, `headers:X-Token`, `url:password`… */
export type SecretFn = (value: string, key: string) => string;

function mapEntries(
  map: Readonly<Record<string, string>> | undefined,
  prefix: string,
  isSecret: (name: string) => boolean,
  fn: SecretFn,
): Record<string, string> | undefined {
  if (!map) return undefined;
  // fromEntries defines own keys, so a `__proto__` name stays an ordinary entry.
  return Object.fromEntries(
    Object.entries(map).map(([k, v]) => [k, isSecret(k) ? fn(v, `${prefix}:${k}`) : v]),
  );
}

type Params = Record<string, unknown> & {
  headers?: Record<string, string>;
  variables?: Record<string, string>;
  query?: Record<string, string>;
};

/** The maps shared by api and file params: headers and variables. */
function mapCommon(p: Params, names: SecretNames, fn: SecretFn): void {
  const headerSecrets = (name: string): boolean =>
    isSensitiveHeader(name) || names.headers.has(name.toLowerCase());
  if (p.headers) p.headers = mapEntries(p.headers, 'headers', headerSecrets, fn)!;
  if (p.variables) {
    p.variables = mapEntries(p.variables, 'variables', (n) => names.variables.has(n), fn)!;
  }
}

/**
 * A copy of the params with `fn` applied to every secret value (see the top of this file); `fn`
 * gets a key naming the field. `names` adds secret names to those the params list themselves.
 */
export function mapSecretParams<
  C extends Pick<Configuration | ConfigurationInput, 'type' | 'params'>,
>(config: C, fn: SecretFn, names: SecretNames = secretNamesOf(config.params)): C['params'] {
  switch (config.type) {
    case 'api': {
      const p = { ...(config.params as Extract<Configuration, { type: 'api' }>['params']) };
      if (p.auth?.kind === 'bearer') p.auth = { ...p.auth, token: fn(p.auth.token, 'auth.token') };
      else if (p.auth?.kind === 'basic') {
        p.auth = { ...p.auth, password: fn(p.auth.password, 'auth.password') };
      }
      p.url = mapUriPassword(p.url, (pw) => fn(pw, 'url:password'));
      mapCommon(p, names, fn);
      if (p.query) p.query = mapEntries(p.query, 'query', (n) => names.query.has(n), fn)!;
      return p;
    }
    case 'db': {
      const p = config.params as Extract<Configuration, { type: 'db' }>['params'];
      return { ...p, uri: mapUriPassword(p.uri, (pw) => fn(pw, 'uri:password')) };
    }
    case 'file': {
      const p = { ...(config.params as Extract<Configuration, { type: 'file' }>['params']) };
      p.location = mapUriPassword(p.location, (pw) => fn(pw, 'location:password'));
      mapCommon(p, names, fn);
      return p;
    }
    default:
      return config.params;
  }
}

/** Every secret value of the params, by the key `mapSecretParams` names it with. */
export function secretEntries(
  config: Pick<Configuration | ConfigurationInput, 'type' | 'params'>,
): Map<string, string> {
  const values = new Map<string, string>();
  mapSecretParams(config, (value, key) => {
    values.set(key, value);
    return value;
  });
  return values;
}

/** A copy of the params with every secret replaced by `REDACTED`. */
export function redactParams<C extends Pick<Configuration, 'type' | 'params'>>(
  config: C,
): C['params'] {
  return mapSecretParams(config, () => REDACTED);
}

export function redactConfig<C extends Configuration>(config: C): C {
  return { ...config, params: redactParams(config) } as C;
}

/**
 * Where the incoming params still hold `REDACTED` in a secret field (the editor sent back what it
 * was shown), the stored secret of the same field is kept. A field that was secret in the stored
 * configuration counts even when the incoming one no longer lists it (unmarking keeps the value).
 * A redacted value with no stored secret to keep is left as is; the caller rejects it.
 */
export function restoreSecrets(
  incoming: ConfigurationInput,
  stored: Configuration | undefined,
): ConfigurationInput {
  if (!stored || stored.type !== incoming.type) return incoming;
  const kept = secretEntries(stored);
  const names = unionNames(secretNamesOf(incoming.params), secretNamesOf(stored.params));
  const params = mapSecretParams(
    incoming,
    (value, key) => (value === REDACTED && kept.has(key) ? kept.get(key)! : value),
    names,
  );
  return { ...incoming, params } as ConfigurationInput;
}

/** True when any secret field still holds the redaction marker. */
export function containsRedacted(config: Pick<Configuration, 'type' | 'params'>): boolean {
  return JSON.stringify(config.params).includes(REDACTED);
}
