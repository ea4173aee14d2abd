/**
 * Serves the built renderer (a single-page app) from one directory: correct content types,
 * `index.html` for client-side routes, nothing outside the directory.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Task Scheduler</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Task Scheduler</h1>
<p>The service is running, but the web UI has not been built.</p>
<p>Run <code>npm run build:renderer</code> in the project folder, then reload this page.
(<code>npm run serve</code> builds it for you when it is missing.)</p>
<p>The HTTP API at <code>/api/&lt;method&gt;</code> works without it.</p>
</body></html>
`;

type SendText = (status: number, contentType: string, body: string) => void;

/** Resolves a URL path to a file inside `root`, or undefined when it must not be served. */
export function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const segments = decoded.split(/[/\\]+/).filter((s) => s !== '');
  // No parent references, no dotfiles, no drive letters: the path stays inside root.
  if (segments.some((s) => s === '..' || s.startsWith('.') || s.includes(':'))) return undefined;
  const file = join(root, ...segments);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return file;
}

async function isFileInside(root: string, file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    // A symlink must not lead outside the directory either.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    return realFile.startsWith(realRoot + sep);
  } catch {
    return false;
  }
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  headers: Record<string, string>,
  cacheControl: string,
  size: number,
): Promise<void> {
  res.writeHead(200, {
    ...headers,
    'Content-Type': contentTypeFor(file),
    'Content-Length': String(size),
    'Cache-Control': cacheControl,
  });
  if (req.method === 'HEAD') {
    res.end();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

/**
 * Answers a GET/HEAD for a non-API path. Files with an extension that do not exist are 404;
 * other paths are client-side routes and get `index.html`.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
  headers: Record<string, string>,
  sendText: SendText,
): Promise<void> {
  const index = join(root, 'index.html');
  const file = resolveInside(root, pathname);
  if (file === undefined) {
    sendText(404, 'text/plain; charset=utf-8', 'Not found\n');
    return;
  }
  if (file !== root && (await isFileInside(root, file))) {
    const { size } = await stat(file);
    const immutable = pathname.startsWith('/assets/');
    await sendFile(
      req,
      res,
      file,
      headers,
      immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      size,
    );
    return;
  }
  if (extname(file) !== '' && file !== root) {
    sendText(404, 'text/plain; charset=utf-8', 'Not found\n');
    return;
  }
  if (await isFileInside(root, index)) {
    const { size } = await stat(index);
    await sendFile(req, res, index, headers, 'no-cache', size);
    return;
  }
  sendText(503, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
}
