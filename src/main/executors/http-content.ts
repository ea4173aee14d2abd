/**
 * What travels in HTTP bodies, apart from the transport (http-client.ts): a response body turned
 * into what a run records (parsed JSON, text in its charset, base64 for binary), byte sizes for
 * summaries, and the multipart/form-data body of a file upload.
 */
import { jsonSyntaxProblem } from '../../shared/errors';
import { decodeCharset } from './charset';

export interface DecodedBody {
  body: unknown;
  /** Set when the body is not plain text/JSON: `base64`. */
  bodyEncoding?: 'base64';
  bodyNote?: string;
}

const TEXT_TYPES =
  /^(text\/|application\/(xml|javascript|ecmascript|x-www-form-urlencoded|x-ndjson|graphql|yaml|x-yaml|csv|sql)|image\/svg\+xml|[^;]*\+xml)/i;
const JSON_TYPES = /^(application\/(json|[^;]*\+json)|text\/json)/i;

function charsetOf(contentType: string): string {
  const match = /charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return (match?.[1] ?? 'utf-8').toLowerCase();
}

/** The body as text in its declared charset (legacy ones via iconv-lite); undefined if unknown. */
function decodeText(buffer: Buffer, contentType: string): string | undefined {
  return decodeCharset(buffer, charsetOf(contentType));
}

/** Turns a response body into what a run records: parsed JSON, text, or base64 for binary. */
export function decodeBody(buffer: Buffer, contentType: string | undefined): DecodedBody {
  if (buffer.length === 0) return { body: '' };
  const type = (contentType ?? '').trim();
  if (JSON_TYPES.test(type)) {
    const text = decodeText(buffer, type) ?? buffer.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown };
    } catch (error) {
      return {
        body: text,
        bodyNote: `content-type says JSON but the body does not parse (${jsonSyntaxProblem(error)}); kept as text`,
      };
    }
  }
  if (TEXT_TYPES.test(type)) {
    const text = decodeText(buffer, type);
    if (text !== undefined) return { body: text };
    return {
      body: buffer.toString('base64'),
      bodyEncoding: 'base64',
      bodyNote: `unknown charset "${charsetOf(type)}"; body kept as base64`,
    };
  }
  if (type === '') {
    // No content type: text if it is valid UTF-8, else binary.
    try {
      return { body: new TextDecoder('utf-8', { fatal: true }).decode(buffer) };
    } catch {
      /* fall through to binary */
    }
  }
  return {
    body: buffer.toString('base64'),
    bodyEncoding: 'base64',
    bodyNote: `binary content (${type || 'no content-type'}) kept as base64`,
  };
}

/** "1.2 KB" style sizes for summaries. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A multipart/form-data body with one file part, built in memory so redirects can resend it. */
export function multipartBody(
  field: string,
  filename: string,
  contentType: string,
  content: Buffer,
): { body: Buffer; contentType: string } {
  const boundary = `----TaskSchedulerBoundary${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
  const safeName = filename.replace(/["\r\n\\]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${safeName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    body: Buffer.concat([head, content, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
