/**
 * The custom `app://ui/` protocol the UI is served from (never `file://`): only files under the
 * built renderer folder, with a strict Content-Security-Policy on every response.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'ui';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; object-src 'none'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Privileges for `protocol.registerSchemesAsPrivileged` (before the app is ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

/** True when a URL belongs to the app's own origin (`app://ui`). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The file a request maps to, or undefined when it would leave `root`: `..` segments (also
 * percent-encoded), absolute paths, drive letters, backslashes and NUL bytes are refused.
 */
export function resolveAppPath(root: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  const relative = decoded.replace(/^\/+/, '') || 'index.html';
  if (
    relative.includes('\0') ||
    relative.includes('\\') ||
    /^[a-zA-Z]:/.test(relative) ||
    decoded.startsWith('//') ||
    path.isAbsolute(relative) ||
    relative.split('/').some((segment) => segment === '..' || segment === '.')
  ) {
    return undefined;
  }
  const full = path.resolve(root, relative);
  const rel = path.relative(path.resolve(root), full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return full;
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    },
  });
}

/** The handler for `protocol.handle(APP_SCHEME, …)`. */
export function createAppProtocolHandler(
  root: string,
): (request: { url: string; method?: string }) => Promise<Response> {
  return async (request) => {
    if (request.method && request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'app protocol: only GET is served');
    }
    const file = resolveAppPath(root, request.url);
    if (!file) return plain(400, 'app protocol: the path is outside the app and was refused');
    let body: Buffer;
    let served = file;
    try {
      body = await fs.readFile(file);
    } catch {
      // Paths without an extension are UI routes: serve the page; missing assets are 404.
      if (path.extname(file) !== '') return plain(404, 'app protocol: no such file');
      served = path.join(root, 'index.html');
      try {
        body = await fs.readFile(served);
      } catch {
        return plain(404, 'app protocol: the UI is not built; run npm run build');
      }
    }
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': TYPES[path.extname(served).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  };
}
