/**
 * Which configuration fields are secrets, how they are redacted, and how a redacted value sent
 * back to `configs.save` keeps the stored secret. Pure functions shared by core and UI.
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

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase());
}

const URI_PASSWORD = /^(mongodb(?:\+srv)?:\/\/[^:/@]*:)([^@]*)(@)/;

/** `mongodb://user:secret@host` → `mongodb://user:••••••@host`. */
export function redactUri(uri: string): string {
  return uri.replace(
    URI_PASSWORD,
    (_m, head: string, _pw: string, at: string) => `${head}${REDACTED}${at}`,
  );
}

function uriPassword(uri: string): string | undefined {
  return URI_PASSWORD.exec(uri)?.[2];
}

function mapHeaders(
  headers: Record<string, string> | undefined,
  fn: (name: string, value: string) => string,
): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, fn(k, v)]));
}

/** A copy of the params with every secret replaced by `REDACTED`. */
export function redactParams<C extends Pick<Configuration, 'type' | 'params'>>(
  config: C,
): C['params'] {
  switch (config.type) {
    case 'api': {
      const p = config.params as Extract<Configuration, { type: 'api' }>['params'];
      const auth =
        p.auth?.kind === 'bearer'
          ? { ...p.auth, token: REDACTED }
          : p.auth?.kind === 'basic'
            ? { ...p.auth, password: REDACTED }
            : undefined;
      return {
        ...p,
        ...(auth ? { auth } : {}),
        ...(p.headers
          ? { headers: mapHeaders(p.headers, (k, v) => (isSensitiveHeader(k) ? REDACTED : v)) }
          : {}),
      };
    }
    case 'db': {
      const p = config.params as Extract<Configuration, { type: 'db' }>['params'];
      return { ...p, uri: redactUri(p.uri) };
    }
    case 'file': {
      const p = config.params as Extract<Configuration, { type: 'file' }>['params'];
      return p.headers
        ? { ...p, headers: mapHeaders(p.headers, (k, v) => (isSensitiveHeader(k) ? REDACTED : v)) }
        : p;
    }
    default:
      return config.params;
  }
}

export function redactConfig<C extends Configuration>(config: C): C {
  return { ...config, params: redactParams(config) } as C;
}

/**
 * Where the incoming params still hold `REDACTED` (the editor sent back what it was shown), the
 * stored secret is kept. A redacted value with no stored secret to keep is left as is; the caller
 * rejects it.
 */
export function restoreSecrets(
  incoming: ConfigurationInput,
  stored: Configuration | undefined,
): ConfigurationInput {
  if (!stored || stored.type !== incoming.type) return incoming;
  switch (incoming.type) {
    case 'api': {
      const p = { ...incoming.params };
      const s = (stored as Extract<Configuration, { type: 'api' }>).params;
      if (p.auth?.kind === 'bearer' && p.auth.token === REDACTED && s.auth?.kind === 'bearer') {
        p.auth = { ...p.auth, token: s.auth.token };
      }
      if (p.auth?.kind === 'basic' && p.auth.password === REDACTED && s.auth?.kind === 'basic') {
        p.auth = { ...p.auth, password: s.auth.password };
      }
      p.headers = mapHeaders(p.headers, (k, v) =>
        v === REDACTED && s.headers?.[k] !== undefined ? s.headers[k]! : v,
      );
      if (p.headers === undefined) delete p.headers;
      return { ...incoming, params: p };
    }
    case 'db': {
      const s = (stored as Extract<Configuration, { type: 'db' }>).params;
      const storedPassword = uriPassword(s.uri);
      if (uriPassword(incoming.params.uri) === REDACTED && storedPassword !== undefined) {
        const uri = incoming.params.uri.replace(
          URI_PASSWORD,
          (_m, head: string, _pw: string, at: string) => `${head}${storedPassword}${at}`,
        );
        return { ...incoming, params: { ...incoming.params, uri } };
      }
      return incoming;
    }
    case 'file': {
      const s = (stored as Extract<Configuration, { type: 'file' }>).params;
      const headers = mapHeaders(incoming.params.headers, (k, v) =>
        v === REDACTED && s.headers?.[k] !== undefined ? s.headers[k]! : v,
      );
      return headers ? { ...incoming, params: { ...incoming.params, headers } } : incoming;
    }
  }
}

/** True when any secret field still holds the redaction marker. */
export function containsRedacted(config: Pick<Configuration, 'type' | 'params'>): boolean {
  return JSON.stringify(config.params).includes(REDACTED);
}
