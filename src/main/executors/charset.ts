/**
 * Text decoding by charset. UTF-8 and UTF-16 go through `TextDecoder`; legacy charsets
 * (windows-1252, ISO-8859-x, Shift_JIS, GBK, KOI8-R…) through iconv-lite, because Node 20's
 * `TextDecoder('windows-1252')` decodes bytes 0x80–0x9F as C1 controls instead of `€ ‚ “ ” …`.
 *
 * Labels are read as the WHATWG Encoding Standard (and so browsers) reads them: `iso-8859-1`,
 * `latin1` and `us-ascii` mean windows-1252, of which ISO-8859-1 is a subset for every printable
 * character.
 */
import type * as IconvLite from 'iconv-lite';
import type { FileParams } from '../../shared/domain';
import { lazyPackage } from '../lazy-package';

/** iconv-lite, loaded on the first legacy-charset decode or encode (see lazy-package.ts). */
const iconvLite = lazyPackage<typeof IconvLite>('iconv-lite');

type FileEncoding = NonNullable<FileParams['encoding']>;

/** WHATWG labels of windows-1252 (resolved here so this does not depend on Node's ICU data). */
const WINDOWS_1252_LABELS = new Set([
  'ansi_x3.4-1968',
  'ascii',
  'cp1252',
  'cp819',
  'csisolatin1',
  'ibm819',
  'iso-8859-1',
  'iso-ir-100',
  'iso8859-1',
  'iso88591',
  'iso_8859-1',
  'iso_8859-1:1987',
  'l1',
  'latin1',
  'us-ascii',
  'windows-1252',
  'x-cp1252',
]);

const UNICODE_ENCODINGS = new Set(['utf-8', 'utf-16le', 'utf-16be']);

/** The five bytes windows-1252 leaves undefined; WHATWG maps each to the C1 control of its value. */
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

/** Decodes windows-1252 as WHATWG does (iconv-lite gives U+FFFD for the five undefined bytes). */
function decodeWindows1252(buffer: Buffer): string {
  const text = iconvLite().decode(buffer, 'windows-1252');
  if (!buffer.some((byte) => UNDEFINED_1252.has(byte))) return text;
  // One byte is one UTF-16 unit in a single-byte charset, so positions line up.
  let out = '';
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i]!;
    out += UNDEFINED_1252.has(byte) ? String.fromCharCode(byte) : text[i]!;
  }
  return out;
}

/**
 * The text of `buffer` in the charset `label` (a Content-Type charset: any case, WHATWG labels),
 * or undefined when the charset is unknown. Malformed bytes become U+FFFD.
 */
export function decodeCharset(buffer: Buffer, label: string): string | undefined {
  const name = label.trim().toLowerCase();
  if (WINDOWS_1252_LABELS.has(name)) return decodeWindows1252(buffer);
  let decoder;
  try {
    decoder = new TextDecoder(name, { fatal: false });
  } catch {
    decoder = undefined; // not a WHATWG label; iconv-lite may still know it (cp437, cp850…)
  }
  const encoding = decoder?.encoding;
  if (decoder && encoding && UNICODE_ENCODINGS.has(encoding)) return decoder.decode(buffer);
  if (encoding === 'windows-1252') return decodeWindows1252(buffer);
  const legacy = encoding ?? name;
  if (iconvLite().encodingExists(legacy)) return iconvLite().decode(buffer, legacy);
  // A WHATWG charset iconv-lite does not have (e.g. iso-2022-jp): Node's ICU decodes it.
  return decoder?.decode(buffer);
}

/** The charset a file encoding is sent as (`Content-Type: …; charset=`), if it is a charset. */
export function charsetOfFileEncoding(encoding: FileEncoding): string | undefined {
  switch (encoding) {
    case 'utf8':
      return 'utf-8';
    case 'latin1':
      return 'windows-1252';
    case 'base64':
    case 'hex':
      return undefined;
    default:
      return encoding;
  }
}

/**
 * The text of file bytes read with a file configuration's `encoding`. `latin1` is read as
 * windows-1252 (0x80 → €, 0x93/0x94 → “ ”), the charset such files are written in in practice;
 * the others are Node's encodings (a BOM is kept).
 */
export function decodeFileText(buffer: Buffer, encoding: FileEncoding): string {
  return encoding === 'latin1' ? decodeWindows1252(buffer) : buffer.toString(encoding);
}

/** A text holds a character the chosen encoding cannot hold. */
export class UnencodableTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnencodableTextError';
  }
}

function fitsWindows1252(char: string): boolean {
  return (
    UNDEFINED_1252.has(char.codePointAt(0)!) ||
    decodeWindows1252(iconvLite().encode(char, 'windows-1252')) === char
  );
}

/**
 * The bytes of `text` in a file configuration's `encoding`. `latin1` is written as windows-1252
 * (€ → 0x80), the inverse of `decodeFileText`; a character it cannot hold (東, 🚀) throws
 * `UnencodableTextError` naming it, instead of being written as a wrong byte.
 */
export function encodeFileText(text: string, encoding: FileEncoding): Buffer {
  if (encoding !== 'latin1') return Buffer.from(text, encoding);
  const bytes = iconvLite().encode(text, 'windows-1252');
  if (bytes.length === text.length) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (UNDEFINED_1252.has(code)) bytes[i] = code;
    }
  }
  if (decodeWindows1252(bytes) !== text) {
    const bad = [...text].find((char) => !fitsWindows1252(char)) ?? text;
    const hex = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new UnencodableTextError(
      `"${bad}" (U+${hex}) cannot be written in latin1 (windows-1252); use encoding "utf8" or "utf16le"`,
    );
  }
  return bytes;
}
