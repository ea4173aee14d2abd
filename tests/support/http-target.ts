/**
 * A real HTTP server on 127.0.0.1 for tests (executors, UI e2e): echo, JSON, text, binary, slow,
 * huge, redirects, upload receiver and any status. Every request is recorded in `requests`.
 *
 * Routes (query parameters in brackets):
 * - `ANY /echo` → 200 JSON `{ method, url, path, query, headers, body, json? }` of the request
 * - `GET /json` → 200 `{ hello: 'wörld', items: [1, 2, 3] }` with etag and x-request-id headers
 * - `GET /text` → 200 text/plain UTF-8 with non-ASCII text (`TEXT_BODY`)
 * - `GET /binary` → 200 image/png bytes (`BINARY_BODY`)
 * - `GET /csv` → 200 text/csv (`CSV_BODY`)
 * - `GET /no-type` → 200 bytes without a content-type [`?bytes=hex`]
 * - `GET /slow` [`?ms=10000`] → waits before sending headers
 * - `GET /slow-body` [`?ms=10000`] → sends headers and part of the body, then waits
 * - `GET /huge` [`?bytes=52428800&length=1`] → streams that many bytes (with content-length when
 *   `length=1`), stopping when the client goes away
 * - `GET /redirect` [`?to=/json&status=302`] → redirects to `to`
 * - `GET /redirect-chain/N` → N redirects, then /json
 * - `GET /redirect-loop` → redirects to itself forever
 * - `ANY /upload` → 200 JSON `{ method, contentType, bytes, sha256, text, parts? }`; multipart
 *   bodies are split into parts `{ name, filename, contentType, bytes, sha256, text }`
 * - `ANY /status/NNN` → that status with JSON `{ status: NNN }`
 * - `GET /gzip` → gzip-encoded JSON
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpTarget {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
  requests: RecordedRequest[];
}

export const JSON_BODY = { hello: 'wörld', items: [1, 2, 3] };
export const TEXT_BODY = 'Grüße aus Köln — 東京 ✓\nzweite Zeile\n';
export const BINARY_BODY = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x7f, 0x00, 0x01,
]);
export const CSV_BODY = 'name,city,note\r\nAnna,Köln,"says ""hi"", twice"\r\nBo,"New\nYork",\r\n';

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  bytes: number;
  sha256: string;
  text: string;
}

/** Splits a multipart/form-data body into its parts. */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const after = start + delimiter.length;
    if (body.subarray(after, after + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, after);
    if (next < 0) break;
    const part = body.subarray(after + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const type = /content-type:\s*([^\r\n]*)/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({
      name: /name="([^"]*)"/i.exec(disposition)?.[1] ?? '',
      ...(filename !== undefined ? { filename } : {}),
      ...(type !== undefined ? { contentType: type.trim() } : {}),
      bytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      text: content.toString('utf8'),
    });
    start = next;
  }
  return parts;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
  });
  res.end(body);
}

export async function startHttpTarget(): Promise<HttpTarget> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      requests.push({ method, url: req.url ?? '/', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const q = url.searchParams;
      const route = url.pathname;

      if (route === '/echo') {
        const text = body.toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        return sendJson(res, 200, {
          method,
          url: req.url,
          path: route,
          query: Object.fromEntries(q),
          headers: req.headers,
          body: text,
          ...(json !== undefined ? { json } : {}),
        });
      }
      if (route === '/json') {
        const text = Buffer.from(JSON.stringify(JSON_BODY), 'utf8');
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': text.length,
          etag: '"v1"',
          'x-request-id': 'req-123',
          'x-internal-noise': 'dropped',
        });
        return res.end(text);
      }
      if (route === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end(TEXT_BODY);
      }
      if (route === '/binary') {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(BINARY_BODY);
      }
      if (route === '/csv') {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        return res.end(CSV_BODY);
      }
      if (route === '/no-type') {
        res.writeHead(200);
        return res.end(Buffer.from(q.get('bytes') ?? '68656c6c6f', 'hex'));
      }
      if (route === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        return res.end(gzipSync(Buffer.from(JSON.stringify(JSON_BODY))));
      }
      if (route === '/slow') {
        return later(Number(q.get('ms') ?? 10_000), () => sendJson(res, 200, { slow: true }));
      }
      if (route === '/slow-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part…');
        return later(Number(q.get('ms') ?? 10_000), () => res.end('…rest'));
      }
      if (route === '/huge') {
        const total = Number(q.get('bytes') ?? 50 * 1024 * 1024);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          ...(q.get('length') === '1' ? { 'content-length': total } : {}),
        });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = (): void => {
          while (sent < total && !res.destroyed) {
            const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
            sent += piece.length;
            if (!res.write(piece)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        return pump();
      }
      if (route === '/redirect') {
        res.writeHead(Number(q.get('status') ?? 302), { location: q.get('to') ?? '/json' });
        return res.end();
      }
      const chain = /^\/redirect-chain\/(\d+)$/.exec(route);
      if (chain) {
        const n = Number(chain[1]);
        res.writeHead(302, { location: n <= 1 ? '/json' : `/redirect-chain/${n - 1}` });
        return res.end();
      }
      if (route === '/redirect-loop') {
        res.writeHead(302, { location: '/redirect-loop' });
        return res.end();
      }
      if (route === '/upload') {
        const contentType = req.headers['content-type'] ?? '';
        return sendJson(res, 200, {
          method,
          contentType,
          bytes: body.length,
          sha256: createHash('sha256').update(body).digest('hex'),
          text: body.toString('utf8'),
          ...(contentType.startsWith('multipart/form-data')
            ? { parts: parseMultipart(body, contentType) }
            : {}),
        });
      }
      const status = /^\/status\/(\d{3})$/.exec(route);
      if (status) return sendJson(res, Number(status[1]), { status: Number(status[1]) });
      return sendJson(res, 404, { error: `no route ${route}` });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
