/**
 * "Copy as cURL" for api runs: a curl command line from the run's configuration snapshot (method,
 * url with its query, headers, auth, body). Secrets are redacted in the snapshot, so the command
 * carries the redaction marker (REDACTED) where a secret was: the user puts the secret back.
 * Placeholders (`{{…}}`) stay as written: the snapshot is the configuration, not the request sent.
 */
import type { Run } from '../../../shared/domain';
import { REDACTED } from '../../../shared/domain';

/** A POSIX shell word: single-quoted, a quote inside written as '\''. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

const asStrings = (value: unknown): Record<string, string> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
};

/** The url with the snapshot's query parameters appended (kept as text when it is no URL). */
function urlWithQuery(url: string, query: Record<string, string>): string {
  const pairs = Object.entries(query);
  if (pairs.length === 0) return url;
  const encoded = pairs
    .map(([k, v]) => `${encodeURIComponent(k)}=${v === REDACTED ? v : encodeURIComponent(v)}`)
    .join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${encoded}`;
}

/** The curl command of an api run, or undefined for other runs (or a snapshot with no url). */
export function curlOfRun(run: Pick<Run, 'type' | 'operation' | 'config'>): string | undefined {
  if (run.type !== 'api') return undefined;
  const params = run.config;
  const url = typeof params.url === 'string' ? params.url : undefined;
  if (!url) return undefined;
  const method =
    typeof params.method === 'string' ? params.method : run.operation === 'write' ? 'POST' : 'GET';
  const parts = ['curl', '-X', method, shellQuote(urlWithQuery(url, asStrings(params.query)))];
  const headers = asStrings(params.headers);
  const has = (name: string): boolean =>
    Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase());
  const auth = params.auth as {
    kind?: string;
    token?: string;
    username?: string;
    password?: string;
  };
  if (auth?.kind === 'bearer' && !has('authorization')) {
    headers.Authorization = `Bearer ${auth.token ?? REDACTED}`;
  } else if (auth?.kind === 'basic') {
    parts.push('-u', shellQuote(`${auth.username ?? ''}:${auth.password ?? REDACTED}`));
  }
  const body = params.body;
  const bodyType = typeof params.bodyType === 'string' ? params.bodyType : 'json';
  if (body !== undefined && bodyType === 'json' && !has('content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  for (const [name, value] of Object.entries(headers)) {
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (body !== undefined) {
    if (bodyType === 'form' && typeof body === 'object' && body !== null) {
      for (const [k, v] of Object.entries(asStrings(body))) {
        parts.push('--data-urlencode', shellQuote(`${k}=${v}`));
      }
    } else {
      parts.push('--data-raw', shellQuote(typeof body === 'string' ? body : JSON.stringify(body)));
    }
  }
  return parts.join(' ');
}

/** True when the command carries the redaction marker (a secret to put back by hand). */
export function hasRedacted(command: string): boolean {
  return command.includes(REDACTED);
}
