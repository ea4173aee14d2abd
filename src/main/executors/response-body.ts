/**
 * Reading an HTTP response body whole and honestly: capped at `maxBytes` (decoded), checked
 * against its framing (a body shorter than its Content-Length, or a chunked body without its last
 * chunk, is `PROTOCOL`), and decoded from its `Content-Encoding` (stacked codings, last applied
 * first; a coding that does not decode or is unknown is `PROTOCOL`). Nothing cut short passes as
 * the whole body.
 */
import { constants as bufferConstants } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { RunResult } from '../../shared/domain';
import {
  ContentDecodingError,
  decodeContentEncoding,
  parseContentEncoding,
  unknownCoding,
} from './content-encoding';
import { TaskError } from './types';

export interface BodyContext {
  /** Module name (`ApiExecutor`), for logs only: messages carry no module prefix (issue #17). */
  where: string;
  url: string;
  /** The method of the request that got this response (HEAD has no body). */
  method: string;
  /** Cap on the decoded body. */
  maxBytes: number;
  signal: AbortSignal;
  status: number;
  statusText: string;
  /** All response headers, lower-case names. */
  headers: Record<string, string>;
  /** The headers kept in a failure's result. */
  keptHeaders: Record<string, string>;
}

/** Whether a response carries a body at all (RFC 9110: not for HEAD, 1xx, 204, 304). */
function hasBody(ctx: BodyContext): boolean {
  return ctx.method !== 'HEAD' && ctx.status >= 200 && ctx.status !== 204 && ctx.status !== 304;
}

/** The declared Content-Length, when it frames the body (not with Transfer-Encoding). */
function declaredLength(headers: Record<string, string>): number | undefined {
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const raw = headers['content-length'];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}

function partialResult(ctx: BodyContext, summary: string, bytes?: number): RunResult {
  return {
    summary: `${ctx.status} ${ctx.statusText}: ${summary}`,
    statusCode: ctx.status,
    statusText: ctx.statusText,
    headers: ctx.keptHeaders,
    url: ctx.url,
    ...(bytes !== undefined ? { bytes } : {}),
  };
}

function protocolError(
  ctx: BodyContext,
  message: string,
  summary: string,
  bytes?: number,
): TaskError {
  return new TaskError(
    'PROTOCOL',
    `the response from ${ctx.url} ${message}`,
    partialResult(ctx, summary, bytes),
  );
}

function tooLarge(ctx: BodyContext, what: string, bytes?: number): TaskError {
  return new TaskError(
    'TOO_LARGE',
    `the response from ${ctx.url} ${what}, more than the ${ctx.maxBytes}-byte limit; raise the limit (maxResponseBytes / maxBytes) or ask for less data`,
    partialResult(ctx, `response over ${ctx.maxBytes} bytes was not read`, bytes),
  );
}

/** The body as it arrived (still encoded), with its framing checked. */
function readRaw(
  stream: Readable,
  ctx: BodyContext,
  limit: number,
  declared: number | undefined,
  encoded: boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const cutShort = (detail: string): TaskError =>
    declared !== undefined
      ? protocolError(
          ctx,
          `ended after ${bytes} of the ${declared} bytes its Content-Length declares (${detail}); the body is incomplete and was not kept. Check the server (or a proxy in between) and try again`,
          `body cut short (${bytes} of ${declared} bytes)`,
          bytes,
        )
      : protocolError(
          ctx,
          `ended after ${bytes} bytes, before the end of its chunked body (${detail}); the body is incomplete and was not kept. Check the server (or a proxy in between) and try again`,
          `body cut short (${bytes} bytes)`,
          bytes,
        );
  return new Promise<Buffer>((resolve, reject) => {
    let done = false;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error !== undefined) {
        stream.destroy();
        reject(error);
      } else resolve(Buffer.concat(chunks, bytes));
    };
    // Failures of our own making (timeout, cancel) are classified by the caller from the signal.
    const onAbort = (): void => finish(new Error('aborted'));
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limit) {
        return finish(
          tooLarge(ctx, `is over ${limit} bytes${encoded ? ' compressed' : ''}`, bytes),
        );
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (declared !== undefined && bytes < declared) {
        return finish(cutShort('the connection closed early'));
      }
      finish();
    };
    const onError = (error: unknown): void => {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (ctx.signal.aborted || code === 'ETIMEDOUT') return finish(error);
      if (code?.startsWith('HPE_')) {
        const detail = error instanceof Error ? error.message : String(error);
        return finish(
          protocolError(
            ctx,
            `has a malformed body (${code}: ${detail}); the server does not speak HTTP correctly, check it (or a proxy in between)`,
            'malformed body',
            bytes,
          ),
        );
      }
      finish(cutShort(`the connection closed early${code ? `, ${code}` : ''}`));
    };
    const onClose = (): void => {
      if (ctx.signal.aborted) return finish(new Error('aborted'));
      finish(cutShort('the connection closed early'));
    };
    if (ctx.signal.aborted) return finish(new Error('aborted'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * Reads a response body into memory: framing checked, `Content-Encoding` undone, at most
 * `maxBytes` decoded bytes (reading stops once the cap is passed). Throws `TaskError`
 * (`PROTOCOL`, `TOO_LARGE`), or the stream's error when the signal aborted it.
 */
export async function readBody(stream: Readable, ctx: BodyContext): Promise<Buffer> {
  const header = ctx.headers['content-encoding'];
  const codings = hasBody(ctx) ? parseContentEncoding(header) : [];
  const unknown = unknownCoding(codings);
  if (unknown !== undefined) {
    stream.destroy();
    throw protocolError(
      ctx,
      `uses Content-Encoding "${header}", and "${unknown}" is not a coding Task Scheduler can decode (gzip, deflate, br); ask for one of those with an Accept-Encoding header, or fix the server`,
      `body in unknown encoding "${unknown}" was not read`,
    );
  }
  const declared = hasBody(ctx) ? declaredLength(ctx.headers) : undefined;
  // A compressed body can be a little larger than what it decodes to (incompressible data).
  const slack = codings.length * (Math.ceil(ctx.maxBytes / 1000) + 1024);
  const limit = Math.min(ctx.maxBytes + slack, bufferConstants.MAX_LENGTH);
  if (declared !== undefined && declared > limit) {
    stream.destroy();
    throw tooLarge(ctx, `is ${declared} bytes${codings.length > 0 ? ' compressed' : ''}`, declared);
  }
  const raw = await readRaw(stream, ctx, limit, declared, codings.length > 0);
  if (codings.length === 0 || raw.length === 0) return raw;
  let decoded: Buffer;
  try {
    decoded = await decodeContentEncoding(
      raw,
      codings,
      Math.min(ctx.maxBytes, bufferConstants.MAX_LENGTH),
    );
  } catch (error) {
    if (ctx.signal.aborted || !(error instanceof ContentDecodingError)) throw error;
    if (error.kind === 'too-large') {
      throw tooLarge(ctx, `is over ${ctx.maxBytes} bytes once decoded (${error.coding})`);
    }
    throw protocolError(
      ctx,
      `says Content-Encoding "${header}" but ${error.message}; the body is cut short, damaged or not encoded as declared, and was not kept. Check the server (or a proxy in between) and try again, or ask for an uncompressed body with the header Accept-Encoding: identity`,
      `body does not decode as ${error.coding}`,
      raw.length,
    );
  }
  if (ctx.signal.aborted) throw new Error('aborted');
  return decoded;
}
