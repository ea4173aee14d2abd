/**
 * MongoDB Extended JSON at the executor's edges: configurations hold canonical or relaxed EJSON
 * (`{"$oid": …}`, `{"$date": …}`, `{"$numberLong": …}`), results are relaxed EJSON that a JSON
 * viewer can show. Also finds server-side JavaScript, which the db executor refuses. The BSON
 * library comes with the MongoDB driver, loaded on first use: `loadExtendedJson()`.
 */
import type { BSON as Bson } from 'mongodb';
import { loadMongo } from './db/drivers';
import { TaskError } from './types';

/** The conversions below, bound to the loaded BSON library. */
export interface ExtendedJson {
  fromExtendedJson<T = unknown>(value: unknown, where: string): T;
  toRelaxedJson(value: unknown): unknown;
  refuseServerScripts(value: unknown, where: string): void;
}

let loading: Promise<ExtendedJson> | undefined;

/** The Extended JSON conversions, once the MongoDB driver is loaded. */
export function loadExtendedJson(): Promise<ExtendedJson> {
  return (loading ??= loadMongo().then(
    ({ BSON }) => extendedJson(BSON),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  ));
}

function extendedJson(BSON: typeof Bson): ExtendedJson {
  return {
    fromExtendedJson: (value, where) => fromExtendedJson(BSON, value, where),
    toRelaxedJson: (value) => toRelaxedJson(BSON, value),
    refuseServerScripts: (value, where) => refuseServerScripts(BSON, value, where),
  };
}

/**
 * EJSON → BSON values. `relaxed: false` keeps `$numberLong` an Int64 and plain numbers typed
 * (Int32/Double) instead of folding everything into doubles.
 */
function fromExtendedJson<T = unknown>(BSON: typeof Bson, value: unknown, where: string): T {
  try {
    return BSON.EJSON.deserialize(value as Bson.Document, { relaxed: false }) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TaskError(
      'INVALID_CONFIG',
      `${where} is not valid MongoDB Extended JSON (${reason}); fix the value, e.g. {"$oid": "<24 hex digits>"}`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Int64 values beyond 2^53 stay `{"$numberLong": "…"}`: relaxed output would round them. */
function keepUnsafeLongs(BSON: typeof Bson, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => keepUnsafeLongs(BSON, item));
  if (value instanceof BSON.Long) {
    const safe =
      value.lessThanOrEqual(Number.MAX_SAFE_INTEGER) &&
      value.greaterThanOrEqual(Number.MIN_SAFE_INTEGER);
    return safe ? value.toNumber() : { $numberLong: value.toString() };
  }
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : { $numberLong: value.toString() };
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = keepUnsafeLongs(BSON, inner);
    return out;
  }
  return value;
}

/** BSON values → relaxed Extended JSON (plain JSON where lossless, `{"$oid": …}` etc. otherwise). */
function toRelaxedJson(BSON: typeof Bson, value: unknown): unknown {
  if (value === undefined) return undefined;
  return BSON.EJSON.serialize(keepUnsafeLongs(BSON, value), { relaxed: true });
}

const SCRIPT_KEYS: Record<string, string> = {
  $where: 'use a query operator instead',
  $function: 'use aggregation operators instead',
  $accumulator: 'use the built-in accumulators ($sum, $push, …) instead',
  mapReduce: 'use an aggregate pipeline instead',
  $mapReduce: 'use an aggregate pipeline instead',
};

/**
 * Throws `INVALID_CONFIG` when the raw (JSON) value anywhere holds an operator or value that runs
 * JavaScript on the server.
 */
function refuseServerScripts(BSON: typeof Bson, value: unknown, where: string): void {
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (node instanceof BSON.Code) {
      throw new TaskError(
        'INVALID_CONFIG',
        `${path} holds JavaScript code, which would run on the server and is refused; use query operators instead`,
      );
    }
    for (const [key, inner] of Object.entries(node)) {
      const advice = Object.hasOwn(SCRIPT_KEYS, key) ? SCRIPT_KEYS[key] : undefined;
      if (advice !== undefined) {
        throw new TaskError(
          'INVALID_CONFIG',
          `${key} runs JavaScript on the server and is refused (in ${path}); ${advice}`,
        );
      }
      if (key === '$code') {
        throw new TaskError(
          'INVALID_CONFIG',
          `${path} holds JavaScript code ($code), which would run on the server and is refused; use query operators instead`,
        );
      }
      visit(inner, `${path}.${key}`);
    }
  };
  visit(value, where);
}
