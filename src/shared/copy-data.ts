/**
 * A deep copy with `structuredClone`'s result for the data records are made of (plain objects,
 * arrays, primitives, Dates), several times faster for small records: structuredClone runs V8's
 * serializer, a few µs per run record, which at thousands of runs a second is a real share of a
 * core. Records up to MAX_DEPTH deep take a recursive fast path; deeper or cyclic ones (and
 * those with an own `__proto__` key) an iterative walk that keeps cycles and shared parts as
 * structuredClone does and never overflows the stack, however deep the value (structuredClone
 * itself throws RangeError beyond a few thousand levels). Anything else (Maps, typed arrays,
 * class instances) is handed to structuredClone, so the result never differs.
 */
export function copyData<T>(value: T): T {
  try {
    return copyPlain(value, 0) as T;
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
  }
  try {
    return copyDeep(value) as T;
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return structuredClone(value);
  }
}

const NOT_PLAIN = Symbol('not plain data');
const MAX_DEPTH = 32;

function copyPlain(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') throw NOT_PLAIN;
    return value;
  }
  if (depth > MAX_DEPTH) throw NOT_PLAIN; // deep or cyclic: copyDeep
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN;
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw NOT_PLAIN; // holes
      out[i] = copyPlain(value[i], depth + 1);
    }
    if (Object.keys(value).length !== value.length) throw NOT_PLAIN; // extra properties
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Date.prototype) return new Date((value as Date).getTime());
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    // Inherited enumerable keys, and `__proto__`, which an assignment would not copy (copyDeep does).
    if (!Object.hasOwn(value, key) || key === '__proto__') throw NOT_PLAIN;
    out[key] = copyPlain((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

/**
 * The same copy without recursion: an explicit stack of (source, copy) pairs, and a map from
 * each source object to its copy (so cycles and shared parts come out as structuredClone makes
 * them). An own `__proto__` key is defined as a property, as structuredClone does.
 */
function copyDeep(root: unknown): unknown {
  const copies = new Map<object, object>();
  const pending: Array<[object, object]> = [];
  const copyOf = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol') throw NOT_PLAIN;
      return value;
    }
    const known = copies.get(value);
    if (known !== undefined) return known;
    let out: object;
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN;
      out = new Array<unknown>(value.length);
    } else {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Date.prototype) out = new Date((value as Date).getTime());
      else if (proto === Object.prototype || proto === null) out = {};
      else throw NOT_PLAIN;
    }
    copies.set(value, out);
    if (!(out instanceof Date)) pending.push([value, out]);
    return out;
  };
  const result = copyOf(root);
  while (pending.length > 0) {
    const [source, target] = pending.pop()!;
    if (Array.isArray(source)) {
      const items = target as unknown[];
      for (let i = 0; i < source.length; i++) {
        if (!(i in source)) throw NOT_PLAIN; // holes
        items[i] = copyOf(source[i]);
      }
      if (Object.keys(source).length !== source.length) throw NOT_PLAIN; // extra properties
      continue;
    }
    const out = target as Record<string, unknown>;
    for (const key in source) {
      if (!Object.hasOwn(source, key)) throw NOT_PLAIN; // inherited enumerable keys
      const item = copyOf((source as Record<string, unknown>)[key]);
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: item,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else out[key] = item;
    }
  }
  return result;
}
