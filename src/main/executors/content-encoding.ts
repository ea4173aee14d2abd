/**
 * Decoding of HTTP `Content-Encoding`: gzip, deflate (zlib or raw) and br, stacked codings in
 * reverse order of application (`gzip, br` = gzip first, then br, so br is undone first). Decoding
 * is strict: a body cut short or damaged is an error, never part of the data passed as the whole.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** What a request advertises unless the configuration sets its own `Accept-Encoding`. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const KNOWN_CODINGS = ['gzip', 'x-gzip', 'deflate', 'br'] as const;
type Coding = (typeof KNOWN_CODINGS)[number];

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** Why a body could not be decoded: a coding we do not know, bad data, or a decoded size over the cap. */
export class ContentDecodingError extends Error {
  readonly kind: 'unknown-coding' | 'corrupt' | 'too-large';
  /** The coding that failed, as written in the header (lower case). */
  readonly coding: string;

  constructor(kind: ContentDecodingError['kind'], coding: string, message: string) {
    super(message);
    this.name = 'ContentDecodingError';
    this.kind = kind;
    this.coding = coding;
  }
}

/** The codings of a `Content-Encoding` header in the order they were applied (`identity` left out). */
export function parseContentEncoding(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/** The first coding of the list that cannot be decoded, if any. */
export function unknownCoding(codings: readonly string[]): string | undefined {
  return codings.find((coding) => !(KNOWN_CODINGS as readonly string[]).includes(coding));
}

/** A zlib stream starts with a CMF/FLG pair: deflate method, and a multiple of 31. */
function hasZlibHeader(data: Buffer): boolean {
  return data.length >= 2 && (data[0]! & 0x0f) === 8 && ((data[0]! << 8) | data[1]!) % 31 === 0;
}

async function decodeOne(data: Buffer, coding: Coding, maxBytes: number): Promise<Buffer> {
  // Only whole streams pass (zlib's default finish flush): a truncated one is "unexpected end of file".
  const options = { maxOutputLength: Math.max(1, maxBytes) };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(data, options);
    case 'deflate':
      // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate, which browsers accept too.
      return hasZlibHeader(data) ? inflate(data, options) : inflateRaw(data, options);
    case 'br':
      return brotliDecompress(data, options);
  }
}

/**
 * Undoes the codings of a whole body, last applied first. Throws `ContentDecodingError` for an
 * unknown coding, data that does not decode (truncated, damaged, not that coding), or a decoded
 * body over `maxBytes`.
 */
export async function decodeContentEncoding(
  body: Buffer,
  codings: readonly string[],
  maxBytes: number,
): Promise<Buffer> {
  const unknown = unknownCoding(codings);
  if (unknown !== undefined) {
    throw new ContentDecodingError(
      'unknown-coding',
      unknown,
      `"${unknown}" is not a content coding Task Scheduler decodes (${KNOWN_CODINGS.filter((c) => c !== 'x-gzip').join(', ')})`,
    );
  }
  let data = body;
  for (const coding of [...codings].reverse()) {
    try {
      data = await decodeOne(data, coding as Coding, maxBytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ContentDecodingError(
          'too-large',
          coding,
          `decodes to more than ${maxBytes} bytes`,
        );
      }
      const detail = error instanceof Error ? error.message : String(error);
      throw new ContentDecodingError(
        'corrupt',
        coding,
        `its ${coding} data does not decode (${detail}${code ? `, ${code}` : ''})`,
      );
    }
  }
  return data;
}
