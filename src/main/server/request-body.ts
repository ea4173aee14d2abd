/**
 * The body of an API request: read up to the limit (413 beyond it, 408 when it does not arrive),
 * declared as JSON (415 otherwise), decoded as UTF-8 JSON; an empty body means `{}`. A body the
 * service refuses is not read: the connection closes once the answer is out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../shared/errors';
import { HttpError } from './http-responses';

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** True when the request announces a body (which an early answer leaves unread). */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A refused body is not read: the socket closes once the answer is out. */
export function stopReading(req: IncomingMessage, res: ServerResponse): void {
  res.on('finish', () => {
    if (!req.complete) req.socket.destroySoon();
  });
}

function unsupportedType(
  contentType: string | undefined,
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(
    415,
    'VALIDATION',
    `HTTP: the request body must be JSON; send it with "Content-Type: application/json" (got ${contentType === undefined ? 'no Content-Type' : `"${contentType}"`})`,
    headers,
  );
}

/** A declared non-JSON body is refused before reading it (415, and the connection closes). */
export function refuseDeclaredNonJson(contentType: string | undefined): void {
  if (contentType !== undefined && !JSON_TYPE.test(contentType.trim())) {
    throw unsupportedType(contentType, { Connection: 'close' });
  }
}

/**
 * `system.importData` carries a whole export uploaded from the browser: its body may be up to
 * this size (or the service's limit, if higher); larger stores import a file (`system.import`,
 * the `import` command). Every other method keeps the service's limit.
 */
export const IMPORT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** The body limit of one method's requests. */
export function bodyLimitFor(method: string, limit: number): number {
  return method === 'system.importData' ? Math.max(limit, IMPORT_BODY_LIMIT_BYTES) : limit;
}

/** Reads the body up to `limit` bytes; beyond that it stops reading and throws 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(
      413,
      'VALIDATION',
      `HTTP: the request body is larger than ${limit} bytes; send less data per request`,
      { Connection: 'close' },
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolvePromise(Buffer.concat(chunks, size));
    };
    // The request timeout (or the client) cut the connection before the body was complete.
    const cutShort = (): HttpError =>
      new HttpError(408, 'VALIDATION', 'HTTP: the request body did not arrive in time', {
        Connection: 'close',
      });
    const onError = (error: Error): void => {
      cleanup();
      reject(req.socket.writable ? error : cutShort());
    };
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(cutShort());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.once('close', onClose);
  });
}

/** An empty body means `{}`; anything else must be declared and be JSON. */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0 && contentType === undefined) return {};
  if (contentType === undefined || !JSON_TYPE.test(contentType.trim())) {
    throw unsupportedType(contentType);
  }
  if (body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AppError('VALIDATION', 'HTTP: the request body is not valid JSON: it is not UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      'VALIDATION',
      `HTTP: the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
