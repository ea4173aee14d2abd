/**
 * Bounds for untyped JSON values at the contract boundary: a depth and a size limit (see
 * limits.ts) and "only JSON" (no functions, class instances, bigints or non-finite numbers).
 * Every walk here is iterative, so a value nested a million levels deep is refused, not a stack
 * overflow. Pure TS: the renderer validates with the same schemas.
 */
import type { z } from 'zod';
import { JSON_MAX_BYTES, JSON_MAX_DEPTH } from './limits';

export interface JsonLimits {
  maxDepth: number;
  maxBytes: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxDepth: JSON_MAX_DEPTH,
  maxBytes: JSON_MAX_BYTES,
};

export interface JsonProblem {
  /** Where inside the value (empty: the value as a whole). */
  path: Array<string | number>;
  message: string;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

/** The path of the item `key` of `parent` (no parent: the value itself). */
function pathOf(parent: Frame | undefined, key: string | number): Array<string | number> {
  if (parent === undefined) return [];
  const path: Array<string | number> = [key];
  for (let f = parent; f.parent !== undefined; f = f.parent) path.push(f.key);
  return path.reverse();
}

/** UTF-8 bytes of `JSON.stringify(text)`, counted without building it. */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 6; // a lone surrogate is written as \udXXX
    } else if (c >= 0xdc00 && c <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

const JSON_KINDS =
  'use only objects, arrays, strings, finite numbers, booleans and null (send a date as an ISO string)';

function notJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value)
        ? undefined
        : `the number ${String(value)}, which JSON cannot hold`;
    case 'object': {
      if (value === null) return undefined;
      const proto: unknown = Object.getPrototypeOf(value);
      if (Array.isArray(value)) return proto === Array.prototype ? undefined : 'an array subclass';
      if (proto === Object.prototype || proto === null) return undefined;
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return `a ${typeof name === 'string' && name ? name : 'class instance'}, not plain data`;
    }
    default:
      return `a ${typeof value}`;
  }
}

/**
 * The first problem with `value` as an untyped JSON field, or undefined when it is within the
 * limits. Size is the UTF-8 length of its JSON text (undefined object values are left out, as
 * JSON.stringify leaves them out); the walk stops as soon as a limit is passed.
 */
export function inspectJson(
  value: unknown,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): JsonProblem | undefined {
  let bytes = 0;
  const tooLarge = (): JsonProblem => ({
    path: [],
    message: `is larger than ${limits.maxBytes} bytes as JSON text; send less data (at most ${limits.maxBytes} bytes per field)`,
  });
  const tooDeep = (): JsonProblem => ({
    path: [],
    message: `is nested more than ${limits.maxDepth} levels deep; flatten it (at most ${limits.maxDepth} levels of objects and arrays)`,
  });
  /** Counts a leaf; an object or array is pushed instead. Returns a problem or undefined. */
  const leaf = (
    item: unknown,
    parent: Frame | undefined,
    key: string | number,
  ): JsonProblem | undefined => {
    const wrong = notJson(item);
    if (wrong !== undefined) {
      return { path: pathOf(parent, key), message: `is ${wrong}; ${JSON_KINDS}` };
    }
    if (typeof item === 'string') bytes += jsonStringBytes(item);
    else if (typeof item === 'number') bytes += String(item).length;
    else if (typeof item === 'boolean') bytes += item ? 4 : 5;
    else bytes += 4; // null, or undefined in an array
    return bytes > limits.maxBytes ? tooLarge() : undefined;
  };

  const stack: Frame[] = [];
  const visit = (
    item: unknown,
    parent: Frame | undefined,
    key: string | number,
  ): JsonProblem | undefined => {
    if (typeof item !== 'object' || item === null) return leaf(item, parent, key);
    const wrong = notJson(item);
    if (wrong !== undefined) {
      return { path: pathOf(parent, key), message: `is ${wrong}; ${JSON_KINDS}` };
    }
    const depth = (parent?.depth ?? 0) + 1;
    if (depth > limits.maxDepth) return tooDeep();
    stack.push({ value: item, depth, parent, key });
    return undefined;
  };

  const first = visit(value, undefined, '');
  if (first) return first;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    bytes += 2; // [] or {}
    if (bytes > limits.maxBytes) return tooLarge();
    if (Array.isArray(frame.value)) {
      const items = frame.value as unknown[];
      bytes += Math.max(0, items.length - 1); // commas
      if (bytes > limits.maxBytes) return tooLarge();
      for (let i = 0; i < items.length; i++) {
        const problem = visit(items[i], frame, i);
        if (problem) return problem;
      }
    } else {
      let count = 0;
      for (const key of Object.keys(frame.value)) {
        const item = (frame.value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (count++ > 0) bytes += 1;
        bytes += jsonStringBytes(key) + 1;
        if (bytes > limits.maxBytes) return tooLarge();
        const problem = visit(item, frame, key);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

/** How deeply objects and arrays nest in `value`, counted up to `limit + 1` (iterative). */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: item, depth } = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    const here = depth + 1;
    if (here > max) max = here;
    if (max > limit) return max;
    const children = Array.isArray(item) ? (item as unknown[]) : Object.values(item);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: here });
    }
  }
  return max;
}

/**
 * `schema` refined with the JSON limits: a value nested too deep, too large, or not JSON is a
 * validation issue on that field (the message says which limit and what to do).
 */
export function boundedJson<T extends z.ZodType>(
  schema: T,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): T {
  return schema.superRefine((value, ctx) => {
    const problem = inspectJson(value, limits);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
  });
}
