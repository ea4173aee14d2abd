/**
 * BSON values as the stand-in compares and walks them: plain documents, canonical index-key
 * strings, copies, dotted paths, and the refusal of server-side JavaScript.
 */
import { BSON } from 'mongodb';
import { badValue, CommandError } from './errors';
import { DESERIALIZE_OPTIONS, type Doc } from './wire';

function bsonType(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && '_bsontype' in value
    ? String((value as { _bsontype: unknown })._bsontype)
    : undefined;
}

export function isPlainObject(value: unknown): value is Doc {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof RegExp) &&
    !(value instanceof Uint8Array) &&
    bsonType(value) === undefined
  );
}

/** A canonical string for index keys: values MongoDB treats as equal map to the same string. */
export function keyString(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return `n:${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `n:${value}`;
    case 'string':
      return `s:${JSON.stringify(value)}`;
    case 'boolean':
      return `b:${value}`;
  }
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (value instanceof RegExp) return `r:${String(value)}`;
  if (Array.isArray(value)) return `[${value.map(keyString).join(',')}]`;
  const type = bsonType(value);
  if (type === 'ObjectId') return `o:${(value as BSON.ObjectId).toHexString()}`;
  if (type === 'Long') {
    const long = value as BSON.Long;
    return long.lessThanOrEqual(Number.MAX_SAFE_INTEGER) &&
      long.greaterThanOrEqual(Number.MIN_SAFE_INTEGER)
      ? `n:${long.toNumber()}`
      : `n:${long.toString()}`;
  }
  if (type === 'Decimal128' || type === 'Int32' || type === 'Double') {
    const text = String(value);
    return /^-?\d+(\.\d+)?$/.test(text) ? `n:${Number(text)}` : `n:${text}`;
  }
  if (type !== undefined) return `${type}:${JSON.stringify(BSON.EJSON.serialize(value))}`;
  return `{${Object.entries(value as Doc)
    .map(([k, v]) => `${JSON.stringify(k)}:${keyString(v)}`)
    .join(',')}}`;
}

/** Shell-like rendering for duplicate key messages: `{ name: "x", n: 5 }`. */
export function shellValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  const type = bsonType(value);
  if (type === 'ObjectId') return `ObjectId('${(value as BSON.ObjectId).toHexString()}')`;
  if (type !== undefined) return String(value);
  if (typeof value === 'object') return JSON.stringify(BSON.EJSON.serialize(value));
  return String(value);
}

export function cloneDoc<T extends Doc>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc), DESERIALIZE_OPTIONS) as T;
}

export function sameBson(a: Doc, b: Doc): boolean {
  return Buffer.compare(BSON.serialize(a), BSON.serialize(b)) === 0;
}

/** Values at a dotted path, fanning out over arrays as a multikey index does. */
export function valuesAt(value: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) {
    if (Array.isArray(value)) return value.length === 0 ? [undefined] : value;
    return [value];
  }
  const [head, ...rest] = parts as [string, ...string[]];
  if (Array.isArray(value)) {
    if (/^\d+$/.test(head)) return valuesAt(value[Number(head)], rest);
    const out = value.flatMap((el) => (isPlainObject(el) ? valuesAt(el, parts) : []));
    return out.length > 0 ? out : [undefined];
  }
  if (isPlainObject(value)) return valuesAt(value[head], rest);
  return [undefined];
}

export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(target[part])) target[part] = {};
    target = target[part] as Doc;
  }
  target[parts[parts.length - 1]!] = value;
}

const SCRIPT_OPERATORS = new Set(['$where', '$function', '$accumulator']);

/** Server-side JavaScript is refused, as on a server started with --noscripting. */
export function refuseScripts(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(refuseScripts);
    return;
  }
  const type = bsonType(value);
  if (type === 'Code') {
    throw badValue('mongo-standin: JavaScript code values are not supported (no server-side JS)');
  }
  if (!isPlainObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (SCRIPT_OPERATORS.has(key)) {
      throw new CommandError(
        16395,
        'JSInterpreterFailure',
        `mongo-standin: ${key} needs server-side JavaScript, which is disabled; use query operators instead`,
      );
    }
    refuseScripts(inner);
  }
}
