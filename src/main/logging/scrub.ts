/**
 * What keeps secrets off log lines: every message and every field value passes through here
 * before the logger writes it. Fields whose names say they hold a secret (`password`, `token`,
 * `authorization`, `apiKey`, `cookie`, `secret`…) are replaced whole; text anywhere has the
 * password of a `scheme://user:password@host` URI, a `Bearer …` / `Basic …` credential and a
 * `token=…` / `password=…` query value replaced. Errors become `{ type, code, message }` with the
 * message scrubbed (no stack: a stack can carry a URL with its password). The mark is the one the
 * rest of the app shows for a secret (`REDACTED`).
 */
import { REDACTED } from '../../shared/domain';

/** Key names whose values are secrets whatever they hold. */
const SECRET_KEY =
  /pass(word|phrase)?|secret|token|authori[sz]ation|api[-_]?key|cookie|credential/i;

/** `scheme://user:password@` (any scheme); the password runs to the last `@` of the authority. */
const URI_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#]*)@/gi;
/**
 * `Bearer abc…`, `Basic dXNlcjpw…` as sent in an Authorization header: a credential is 8 or more
 * token characters with a digit or a sign in them (or 20 and more), so words ("basic auth") stay.
 */
const AUTH_SCHEME = /\b(Bearer|Basic)([ \t]+)([A-Za-z0-9\-._~+/=]{8,})/gi;
const CREDENTIAL_LIKE = /[\d\-._~+/=]/;
/** `token=…`, `password=…`, `api_key=…` in a query string, a fragment or `key=value` text. */
const SECRET_PARAM =
  /\b((?:access[-_]?)?token|password|passwd|pwd|secret|api[-_]?key|apikey)=([^\s&#;,"']+)/gi;

/** `text` with the credentials it may hold replaced by the redaction mark. */
export function scrubText(text: string): string {
  return text
    .replace(URI_PASSWORD, (_m, head: string) => `${head}${REDACTED}@`)
    .replace(AUTH_SCHEME, (match, scheme: string, space: string, credential: string) =>
      CREDENTIAL_LIKE.test(credential) || credential.length >= 20
        ? `${scheme}${space}${REDACTED}`
        : match,
    )
    .replace(SECRET_PARAM, (_m, key: string) => `${key}=${REDACTED}`);
}

/** True when a field of this name is a secret (its value is never logged). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

const MAX_DEPTH = 6;

/** A log field's value made safe: secrets by name replaced, text scrubbed, errors summarized. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubError(value);
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : scrubValue(item, depth + 1);
  }
  return out;
}

/** An error as a log field: its class, code and scrubbed message, and its cause's. */
function scrubError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    message: scrubText(error.message),
    ...(cause instanceof Error ? { cause: scrubError(cause) } : {}),
  };
}
