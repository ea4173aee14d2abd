/**
 * CSV as RFC 4180 describes it: fields separated by a delimiter (default ","), records by CRLF
 * or LF, fields holding the delimiter, a quote or a line break enclosed in double quotes with
 * quotes doubled. The first record is the header.
 *
 * Rows are null-prototype objects, so every column name is an own key, `__proto__` and
 * `constructor` included (JSON.stringify writes them as keys). Writing can escape cells that a
 * spreadsheet would run as formulas (OWASP "CSV injection").
 */

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  header: string[];
  /** One null-prototype object per record, keyed by header name (own keys only). */
  rows: Array<Record<string, string>>;
}

interface CsvRecord {
  fields: string[];
  /** 1-based number among all records, blank lines included (as error messages count). */
  number: number;
  /** The line the record starts on. */
  line: number;
}

/**
 * Splits CSV text into records of fields; throws `CsvError` naming the line on bad quoting. Blank
 * lines (no characters at all) are not records; a line holding `""` is a record of one empty field.
 */
export function parseCsvRecords(text: string, delimiter = ','): string[][] {
  return splitRecords(text, delimiter).map((record) => record.fields);
}

function splitRecords(text: string, delimiter: string): CsvRecord[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new CsvError(
      `CSV: delimiter ${JSON.stringify(delimiter)} cannot be used; pick one character other than a quote or a line break`,
    );
  }
  const records: CsvRecord[] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let number = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM is not data
  const n = text.length;
  let atFieldStart = true;
  while (i < n) {
    const ch = text[i]!;
    if (atFieldStart && ch === '"') {
      // Quoted field: runs to the next quote not followed by another quote.
      const startLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      if (!closed) {
        throw new CsvError(
          `CSV: line ${startLine}: a quoted field is never closed; add the closing quote (write "" for a quote inside a field)`,
        );
      }
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new CsvError(
          `CSV: line ${line}: unexpected ${JSON.stringify(next)} after a closing quote; a quote inside a quoted field must be doubled ("")`,
        );
      }
      atFieldStart = false;
      continue;
    }
    if (ch === delimiter) {
      record.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      // A blank line: nothing since the line start (a quoted "" clears atFieldStart).
      number++;
      if (!(atFieldStart && record.length === 0)) {
        record.push(field);
        records.push({ fields: record, number, line: recordLine });
      }
      record = [];
      field = '';
      atFieldStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    // Unquoted text (a stray quote inside is kept as is, as most tools do).
    field += ch;
    atFieldStart = false;
    i++;
  }
  if (!atFieldStart || record.length > 0) {
    record.push(field);
    records.push({ fields: record, number: number + 1, line: recordLine });
  }
  return records;
}

/**
 * Parses CSV with a header row into null-prototype objects (so a column named `__proto__` is a
 * key like any other); blank lines are skipped.
 */
export function parseCsv(text: string, delimiter = ','): CsvTable {
  const records = splitRecords(text, delimiter);
  if (records.length === 0) return { header: [], rows: [] };
  const header = uniqueHeader(records[0]!.fields);
  const rows: Array<Record<string, string>> = [];
  for (const { fields, number, line } of records.slice(1)) {
    if (fields.length !== header.length) {
      throw new CsvError(
        `CSV: line ${line}: record ${number} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${header.length}; every record needs one field per column (quote fields that hold "${delimiter}")`,
      );
    }
    const row = Object.create(null) as Record<string, string>;
    header.forEach((name, column) => {
      row[name] = fields[column]!;
    });
    rows.push(row);
  }
  return { header, rows };
}

/** Empty names become `column<N>`; repeated names get `_2`, `_3`… so no column is lost. */
function uniqueHeader(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, index) => {
    const base = raw.trim() === '' ? `column${index + 1}` : raw;
    let name = base;
    for (let k = 2; seen.has(name); k++) name = `${base}_${k}`;
    seen.add(name);
    return name;
  });
}

export interface CsvWriteOptions {
  delimiter?: string;
  /**
   * Prefix `'` to text cells (and column names) starting with `=`, `+`, `-`, `@`, a tab or a
   * carriage return, so a spreadsheet shows them instead of running them as formulas. Numbers,
   * and text that is just a number (`-5`, `+1.5`), are left alone: they cannot be formulas.
   */
  escapeFormulas?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `'=1+1` for `=1+1`: what OWASP's CSV injection guidance recommends. */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function quoteField(value: unknown, delimiter: string, escapeFormulas: boolean): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (escapeFormulas && typeof value === 'string') text = escapeFormula(text);
  if (
    text.includes(delimiter) ||
    text.includes('"') ||
    text.includes('\n') ||
    text.includes('\r') ||
    text !== text.trim()
  ) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

/**
 * Writes rows as CSV with CRLF line ends (RFC 4180). Objects: the header is every own key in
 * first-seen order. Arrays: written as they are (the first array is the header, if you want one).
 * A record of one empty field is written `""`, so it is not read back as a blank line. The second
 * argument is the delimiter (default ",") or the options.
 */
export function stringifyCsv(
  rows: readonly unknown[],
  options: string | CsvWriteOptions = {},
): string {
  const { delimiter = ',', escapeFormulas = false } =
    typeof options === 'string' ? { delimiter: options } : options;
  const line = (cells: readonly unknown[]): string =>
    cells.length === 1 && quoteField(cells[0], delimiter, escapeFormulas) === ''
      ? '""'
      : cells.map((cell) => quoteField(cell, delimiter, escapeFormulas)).join(delimiter);
  if (rows.length === 0) return '';
  if (rows.every((row) => Array.isArray(row))) {
    return (rows as unknown[][]).map((row) => line(row) + '\r\n').join('');
  }
  if (rows.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row))) {
    const header: string[] = [];
    const known = new Set<string>();
    for (const row of rows as Array<Record<string, unknown>>) {
      for (const key of Object.keys(row)) {
        if (!known.has(key)) {
          known.add(key);
          header.push(key);
        }
      }
    }
    const lines = [line(header)];
    for (const row of rows as Array<Record<string, unknown>>) {
      lines.push(line(header.map((h) => (Object.hasOwn(row, h) ? row[h] : undefined))));
    }
    return lines.join('\r\n') + '\r\n';
  }
  throw new CsvError(
    'CSV: rows must all be objects (keyed by column) or all be arrays of fields; mixed or plain values cannot be written as CSV',
  );
}
