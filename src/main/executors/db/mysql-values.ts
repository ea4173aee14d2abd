/**
 * MySQL / MariaDB values as JSON (mysql-engine.ts): type names from the column definitions
 * (MariaDB's extended metadata included), per-column value mapping, and the counts of an OK
 * packet's info ("Records: 3  Duplicates: 1  Warnings: 0").
 */
import { toJsonValue } from './db-engine';

export interface Field {
  name: string;
  columnType: number;
  flags: number;
  characterSet: number;
  extendedFormat?: string;
  extendedTypeName?: string;
}

export interface Header {
  affectedRows: number;
  info?: string;
}

const T = {
  DECIMAL: 0,
  TIMESTAMP: 7,
  LONGLONG: 8,
  DATE: 10,
  DATETIME: 12,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
};
const UNSIGNED = 32;
const BINARY_CHARSET = 63;

// prettier-ignore
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'DECIMAL', 1: 'TINYINT', 2: 'SMALLINT', 3: 'INT', 4: 'FLOAT', 5: 'DOUBLE', 6: 'NULL',
  7: 'TIMESTAMP', 8: 'BIGINT', 9: 'MEDIUMINT', 10: 'DATE', 11: 'TIME', 12: 'DATETIME', 13: 'YEAR',
  14: 'DATE', 15: 'VARCHAR', 16: 'BIT', 242: 'VECTOR', 245: 'JSON', 246: 'DECIMAL', 247: 'ENUM',
  248: 'SET', 249: 'TINYBLOB', 250: 'MEDIUMBLOB', 251: 'LONGBLOB', 252: 'BLOB', 253: 'VARCHAR',
  254: 'CHAR', 255: 'GEOMETRY',
};
const TEXT_NAMES: Readonly<Record<number, string>> = {
  249: 'TINYTEXT',
  250: 'MEDIUMTEXT',
  251: 'LONGTEXT',
  252: 'TEXT',
};
const BINARY_NAMES: Readonly<Record<number, string>> = { 253: 'VARBINARY', 254: 'BINARY' };

export function typeName(field: Field): string {
  if (field.extendedFormat === 'json') return 'JSON';
  if (field.extendedTypeName) return field.extendedTypeName.toUpperCase();
  const binary = field.characterSet === BINARY_CHARSET;
  const name =
    (binary ? BINARY_NAMES[field.columnType] : TEXT_NAMES[field.columnType]) ??
    TYPE_NAMES[field.columnType] ??
    `type ${field.columnType}`;
  const numeric = [0, 1, 2, 3, 4, 5, 8, 9, 13, 246].includes(field.columnType);
  return numeric && field.flags & UNSIGNED ? `${name} UNSIGNED` : name;
}

/** A column's value as JSON (see the top of the file). */
export function valueMapper(field: Field): (value: unknown) => unknown {
  switch (field.columnType) {
    case T.TIMESTAMP:
      return (v) =>
        typeof v === 'string' && /^\d{4}-\d\d-\d\d \d/.test(v) && !v.startsWith('0000')
          ? `${v.replace(' ', 'T')}Z`
          : toJsonValue(v);
    case T.DATETIME:
      return (v) => (typeof v === 'string' ? v.replace(' ', 'T') : toJsonValue(v));
    case T.BIT:
      return (v) => {
        if (!Buffer.isBuffer(v)) return toJsonValue(v);
        let n = 0n;
        for (const byte of v) n = (n << 8n) | BigInt(byte);
        return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
      };
    default:
      if (field.extendedFormat === 'json') {
        return (v) => {
          if (typeof v !== 'string') return toJsonValue(v);
          try {
            return JSON.parse(v) as unknown;
          } catch {
            return v;
          }
        };
      }
      return toJsonValue;
  }
}

/** "Records: 3  Duplicates: 1  Warnings: 0" → { Records: 3, Duplicates: 1, Warnings: 0 }. */
export function infoCounts(info: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of (info ?? '').matchAll(/([A-Za-z ]+?):\s*(\d+)/g))
    out[m[1]!.trim()] = Number(m[2]);
  return out;
}
