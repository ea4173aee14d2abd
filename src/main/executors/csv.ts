/**
 * CSV as RFC 4180 describes it: fields separated by a delimiter (default ","), records by CRLF
 * or LF, fields holding the delimiter, a quote or a line break enclosed in double quotes with
 * quotes doubled. The first record is the header.
 */

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  header: string[];
  /** One object per record, keyed by header name. */
  rows: Array<Record<string, string>>;
}

/** Splits CSV text into records of fields; throws `CsvError` naming the line on bad quoting. */
export function parseCsvRecords(text: string, delimiter = ','): string[][] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new CsvError(
      `CSV: delimiter ${JSON.stringify(delimiter)} cannot be used; pick one character other than a quote or a line break`,
    );
  }
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
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
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      atFieldStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    // Unquoted text (a stray quote inside is kept as is, as most tools do).
    field += ch;
    atFieldStart = false;
    i++;
  }
  if (!atFieldStart || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Parses CSV with a header row into objects; blank lines are skipped. */
export function parseCsv(text: string, delimiter = ','): CsvTable {
  const records = parseCsvRecords(text, delimiter);
  const isBlank = (r: string[]): boolean => r.length === 1 && r[0] === '';
  const lines = records
    .map((fields, index) => ({ fields, index }))
    .filter((r) => !isBlank(r.fields));
  if (lines.length === 0) return { header: [], rows: [] };
  const header = uniqueHeader(lines[0]!.fields);
  const rows: Array<Record<string, string>> = [];
  for (const { fields, index } of lines.slice(1)) {
    if (fields.length !== header.length) {
      throw new CsvError(
        `CSV: record ${index + 1} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${header.length}; every record needs one field per column (quote fields that hold "${delimiter}")`,
      );
    }
    const row: Record<string, string> = {};
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

function quoteField(value: unknown, delimiter: string): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
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
 * Writes rows as CSV with CRLF line ends (RFC 4180). Objects: the header is every key in first-seen
 * order. Arrays: written as they are (the first array is the header, if you want one).
 */
export function stringifyCsv(rows: readonly unknown[], delimiter = ','): string {
  if (rows.length === 0) return '';
  if (rows.every((row) => Array.isArray(row))) {
    return (rows as unknown[][])
      .map((row) => row.map((v) => quoteField(v, delimiter)).join(delimiter) + '\r\n')
      .join('');
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
    const lines = [header.map((h) => quoteField(h, delimiter)).join(delimiter)];
    for (const row of rows as Array<Record<string, unknown>>) {
      lines.push(header.map((h) => quoteField(row[h], delimiter)).join(delimiter));
    }
    return lines.join('\r\n') + '\r\n';
  }
  throw new CsvError(
    'CSV: rows must all be objects (keyed by column) or all be arrays of fields; mixed or plain values cannot be written as CSV',
  );
}
