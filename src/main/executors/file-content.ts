/**
 * What a file task reads and writes, as bytes and as values: decoding read bytes by format
 * (text, json, csv, binary) and encoding, and building the bytes a write sends from `content`
 * (CSV rows with formula escaping, text in the configured encoding).
 */
import { createHash } from 'node:crypto';
import type { FileParams, RunResult } from '../../shared/domain';
import {
  UnencodableTextError,
  charsetOfFileEncoding,
  decodeFileText,
  encodeFileText,
} from './charset';
import { CsvError, parseCsv, stringifyCsv } from './csv';
import { formatBytes } from './http-content';
import { jsonSyntaxProblem } from '../../shared/errors';
import { TaskError } from './types';

type Format = NonNullable<FileParams['format']>;
type Encoding = NonNullable<FileParams['encoding']>;

function invalid(message: string): TaskError {
  return new TaskError('INVALID_CONFIG', `${message}`);
}

function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** Decodes read bytes by format; bad JSON/CSV is a PARSE failure. */
export function decodeContent(
  buffer: Buffer,
  format: Format,
  encoding: Encoding,
  params: FileParams,
  location: string,
  resultMaxBytes: number,
): RunResult {
  const base = { location, bytes: buffer.length, format };
  const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  switch (format) {
    case 'text': {
      const data = decodeFileText(buffer, encoding);
      return {
        summary: `Read ${formatBytes(buffer.length)} of text from ${location}`,
        ...base,
        encoding,
        data,
      };
    }
    case 'json': {
      const text = stripBom(decodeFileText(buffer, encoding));
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw new TaskError(
          'PARSE',
          `"${location}" is not valid JSON (${jsonSyntaxProblem(error)}); fix the file or read it with format "text"`,
          { summary: `Read ${formatBytes(buffer.length)} that did not parse as JSON`, ...base },
        );
      }
      return {
        summary: `Read JSON (${formatBytes(buffer.length)}) from ${location}`,
        ...base,
        encoding,
        data,
      };
    }
    case 'csv': {
      let table;
      try {
        table = parseCsv(stripBom(decodeFileText(buffer, encoding)), params.csvDelimiter ?? ',');
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        throw new TaskError('PARSE', `"${location}" is not valid CSV: ${error.message}`, {
          summary: `Read ${formatBytes(buffer.length)} that did not parse as CSV`,
          ...base,
        });
      }
      return {
        summary: `Read ${table.rows.length} CSV row${table.rows.length === 1 ? '' : 's'} (${table.header.length} columns) from ${location}`,
        ...base,
        encoding,
        columns: table.header,
        rowCount: table.rows.length,
        rows: table.rows,
      };
    }
    case 'binary': {
      // Keep whole base64 quanta under the result cap, so what is stored still decodes.
      const keepBytes = Math.max(0, Math.floor(Math.max(0, resultMaxBytes - 2) / 4) * 3);
      const kept = buffer.subarray(0, Math.min(buffer.length, keepBytes));
      return {
        summary: `Read ${formatBytes(buffer.length)} of binary data from ${location}`,
        ...base,
        encoding: 'base64',
        sha256: createHash('sha256').update(buffer).digest('hex'),
        data: kept.toString('base64'),
        ...(kept.length < buffer.length ? { truncated: true, dataBytes: kept.length } : {}),
      };
    }
  }
}

/**
 * Whether CSV rows are written with formula escaping: `params.escapeFormulas` when set, else on
 * when the location (a path, or a URL's path) ends in `.csv`.
 */
export function escapesFormulas(params: FileParams): boolean {
  if (params.escapeFormulas !== undefined) return params.escapeFormulas;
  const target = isUrl(params.location) ? new URL(params.location).pathname : params.location;
  return /\.csv$/i.test(target);
}

/** The bytes a write task writes, from `content` and the format. */
export function encodeContent(params: FileParams): Buffer {
  const format = params.format ?? 'text';
  const encoding = params.encoding ?? 'utf8';
  const content = params.content;
  if (content === undefined) throw invalid('a write task needs params.content');
  const encode = (text: string): Buffer => {
    try {
      return encodeFileText(text, encoding);
    } catch (error) {
      if (error instanceof UnencodableTextError) throw invalid(`params.content: ${error.message}`);
      throw error;
    }
  };
  switch (format) {
    case 'text':
      if (typeof content !== 'string') {
        throw invalid(
          'format "text" needs a string in params.content; use format "json" to write other values',
        );
      }
      return encode(content);
    case 'json':
      if (typeof content === 'string') {
        try {
          JSON.parse(content);
        } catch (error) {
          throw invalid(
            `params.content is a string but not valid JSON (${jsonSyntaxProblem(error)}); fix it or use format "text"`,
          );
        }
        return encode(content);
      }
      return encode(JSON.stringify(content, null, 2) + '\n');
    case 'csv': {
      if (typeof content === 'string') return encode(content); // CSV text: written as it is
      if (!Array.isArray(content)) {
        throw invalid(
          'format "csv" needs params.content as a list of rows (objects or arrays) or as CSV text',
        );
      }
      let text: string;
      try {
        text = stringifyCsv(content, {
          delimiter: params.csvDelimiter ?? ',',
          escapeFormulas: escapesFormulas(params),
        });
      } catch (error) {
        if (error instanceof CsvError) throw invalid(`params.content: ${error.message}`);
        throw error;
      }
      return encode(text);
    }
    case 'binary': {
      if (typeof content !== 'string') {
        throw invalid('format "binary" needs params.content as a base64 string');
      }
      const compact = content.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
        throw invalid('format "binary" needs params.content as base64; it holds other characters');
      }
      return Buffer.from(compact, 'base64');
    }
  }
}

const CONTENT_TYPES: Record<Format, string> = {
  text: 'text/plain',
  json: 'application/json',
  csv: 'text/csv',
  binary: 'application/octet-stream',
};

/** The Content-Type of a raw upload: by format, with the charset of the encoding. */
export function contentTypeOf(format: Format, encoding: Encoding): string {
  const charset = charsetOfFileEncoding(encoding);
  return format === 'binary' || charset === undefined
    ? CONTENT_TYPES[format]
    : `${CONTENT_TYPES[format]}; charset=${charset}`;
}
