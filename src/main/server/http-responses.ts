/**
 * What the headless service sends: JSON and plain text, each with the security headers;
 * `HttpError` is a refusal with its own status and headers.
 */
import type { ServerResponse } from 'node:http';
import { AppError, type ErrorData } from '../../shared/errors';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self' 'unsafe-inline'; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** A request refused by the transport itself (before or instead of the core): status and headers. */
export class HttpError extends AppError {
  constructor(
    readonly status: number,
    code: ErrorData['code'],
    message: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-cache',
  });
  res.end(body);
}
