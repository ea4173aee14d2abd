/**
 * PostgreSQL values as JSON (postgres-engine.ts): the text parsers handed to `pg` for the types
 * whose default would lose something (timestamptz → Date drops microseconds, numeric[] → floats,
 * interval → an object, bytea → a Buffer), and the names of the built-in types. The parsers are
 * made from the driver once it is loaded (`pgTypes`).
 */
import type Pg from 'pg';
import type { PgDriver } from './drivers';

/** `2024-01-02 03:04:05.123456+05:30` → `2024-01-01T21:34:05.123456Z`; other text as is. */
export function timestamptzToIso(text: string): string {
  const m =
    /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(
      text,
    );
  if (!m) return text; // infinity, BC dates
  const [, y, mo, d, h, mi, s, frac = '', sign, oh, om = '0', os = '0'] = m;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s) - offset, 0);
  return `${date.toISOString().slice(0, 19)}${frac}Z`;
}

const timestampToIso = (text: string): string =>
  /^\d{4,}-\d\d-\d\d \d/.test(text) ? text.replace(' ', 'T') : text;
const identity = (text: string): string => text;
const floatOf = (text: string): number | string => {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
};

function deepMap(value: unknown, fn: (text: string) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => deepMap(item, fn));
  return typeof value === 'string' ? fn(value) : value;
}

function parsersOf(pg: PgDriver): Readonly<Record<number, (text: string) => unknown>> {
  const byteaParser = pg.types.getTypeParser(17, 'text') as (text: string) => Buffer;
  const bytea = (text: string): string => byteaParser(text).toString('base64');
  const textArray = (
    pg.types.getTypeParser as (oid: number, format: 'text') => (text: string) => unknown
  )(1009, 'text');
  const arrayOf =
    (fn: (text: string) => unknown) =>
    (text: string): unknown =>
      deepMap(textArray(text), fn);
  return {
    17: bytea,
    700: floatOf,
    701: floatOf,
    1082: identity,
    1083: identity,
    1114: timestampToIso,
    1184: timestamptzToIso,
    1186: identity,
    1266: identity,
    1001: arrayOf(bytea),
    1021: arrayOf(floatOf),
    1022: arrayOf(floatOf),
    1231: arrayOf(identity),
    1115: arrayOf(timestampToIso),
    1182: arrayOf(identity),
    1185: arrayOf(timestamptzToIso),
    1187: arrayOf(identity),
  };
}

let made: { pg: PgDriver; types: Pg.CustomTypesConfig } | undefined;

/** The type parsers of every PostgreSQL engine: the ones above, the driver's for the rest. */
export function pgTypes(pg: PgDriver): Pg.CustomTypesConfig {
  if (made?.pg !== pg) {
    const parsers = parsersOf(pg);
    const types: Pg.CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        parsers[oid] ??
        pg.types.getTypeParser(oid, format)) as Pg.CustomTypesConfig['getTypeParser'],
    };
    made = { pg, types };
  }
  return made.types;
}

/** Names of the built-in types; others are looked up once in pg_type. */
// prettier-ignore
export const PG_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text',
  26: 'oid', 114: 'json', 142: 'xml', 600: 'point', 650: 'cidr', 700: 'float4', 701: 'float8',
  705: 'unknown', 790: 'money', 829: 'macaddr', 869: 'inet', 1042: 'bpchar', 1043: 'varchar',
  1082: 'date', 1083: 'time', 1114: 'timestamp', 1184: 'timestamptz', 1186: 'interval',
  1266: 'timetz', 1560: 'bit', 1562: 'varbit', 1700: 'numeric', 2249: 'record', 2278: 'void',
  2950: 'uuid', 3802: 'jsonb', 1000: 'bool[]', 1001: 'bytea[]', 1005: 'int2[]', 1007: 'int4[]',
  1009: 'text[]', 1015: 'varchar[]', 1016: 'int8[]', 1021: 'float4[]', 1022: 'float8[]',
  1115: 'timestamp[]', 1182: 'date[]', 1185: 'timestamptz[]', 1231: 'numeric[]', 199: 'json[]',
  3807: 'jsonb[]', 2951: 'uuid[]',
};
