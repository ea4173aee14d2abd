/**
 * Keeps a run's stored result under the configured byte cap, marking it `truncated`, and no
 * deeper than JSON_MAX_DEPTH: an executor may hand back anything (a JSON API can answer a value
 * nested a million levels deep), and a deep value would overflow the stack of every later walk
 * (JSON.stringify, structuredClone, the stores, the UI). Such a field is kept as JSON text.
 * Nothing here recurses into the result.
 */
import type { RunResult } from '../../shared/domain';
import { jsonDepth } from '../../shared/json-bounds';
import { JSON_MAX_DEPTH } from '../../shared/limits';

/** Fields that carry payload (the rest is a small summary: status codes, counts, headers). */
const PAYLOAD_FIELDS = ['data', 'body', 'rows', 'documents'] as const;

const byteLength = (value: unknown): number =>
  value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/**
 * The longest prefix of `text` within `budget` UTF-8 bytes, cut on a character boundary. Only the
 * first `budget` characters are encoded (no character is less than one byte): bounding a 3 MB
 * body encoded all of it (bench/heavy-bodies.ts).
 */
function cutUtf8(text: string, budget: number): string {
  const head = text.length > budget ? text.slice(0, budget) : text;
  const buf = Buffer.from(head, 'utf8');
  if (buf.length <= budget && head === text) return text;
  return buf
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** `value` cut to `budget` bytes of JSON; `json` is its JSON text when the caller has it. */
function shrink(value: unknown, budget: number, json?: string): unknown {
  if (budget <= 0) return undefined;
  if (typeof value === 'string') return cutUtf8(value, budget);
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    let used = 2;
    for (const item of value) {
      const size = byteLength(item) + 1;
      if (used + size > budget) break;
      kept.push(item);
      used += size;
    }
    return kept;
  }
  // Objects and other values: keep a prefix of their JSON text, which a viewer can still show.
  return cutUtf8(json ?? JSON.stringify(value) ?? '', budget);
}

type Frame =
  | { items: unknown[]; next: number }
  | { entries: Array<[string, unknown]>; next: number; written: number };

/**
 * The JSON text of `value` as JSON.stringify writes it, without recursion, stopping once it is
 * longer than `limit` characters (`complete` tells whether it was cut).
 */
export function jsonText(value: unknown, limit: number): { text: string; complete: boolean } {
  const parts: string[] = [];
  let length = 0;
  const put = (text: string): void => {
    parts.push(text);
    length += text.length;
  };
  const stack: Frame[] = [];
  /** Writes a value, or opens it; false when JSON.stringify would leave it out. */
  const write = (item: unknown): boolean => {
    let v = item;
    if (
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { toJSON?: unknown }).toJSON === 'function'
    ) {
      v = (v as { toJSON: () => unknown }).toJSON();
    }
    if (typeof v === 'object' && v !== null) {
      if (Array.isArray(v)) {
        put('[');
        stack.push({ items: v as unknown[], next: 0 });
      } else {
        put('{');
        stack.push({ entries: Object.entries(v), next: 0, written: 0 });
      }
      return true;
    }
    const text = typeof v === 'bigint' ? undefined : (JSON.stringify(v) as string | undefined);
    if (text === undefined) return false;
    put(text);
    return true;
  };
  if (!write(value)) return { text: '', complete: true };
  while (stack.length > 0 && length <= limit) {
    const frame = stack[stack.length - 1]!;
    if ('items' in frame) {
      if (frame.next >= frame.items.length) {
        stack.pop();
        put(']');
        continue;
      }
      if (frame.next > 0) put(',');
      if (!write(frame.items[frame.next++])) put('null');
    } else {
      if (frame.next >= frame.entries.length) {
        stack.pop();
        put('}');
        continue;
      }
      const [key, item] = frame.entries[frame.next++]!;
      const t = typeof item;
      if (item === undefined || t === 'function' || t === 'symbol' || t === 'bigint') continue;
      put(`${frame.written++ > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      write(item);
    }
  }
  const text = parts.join('');
  return length <= limit && stack.length === 0
    ? { text, complete: true }
    : { text: text.slice(0, limit), complete: false };
}

export function boundResult(result: RunResult, maxBytes: number): RunResult {
  let budget = maxBytes;
  let truncated = result.truncated === true;
  const bounded: RunResult = { ...result };
  // for…in, not Object.entries: this runs for every run, and most results hold no object.
  for (const field in bounded) {
    const value = bounded[field];
    if (typeof value !== 'object' || value === null) continue;
    if (jsonDepth(value, JSON_MAX_DEPTH) <= JSON_MAX_DEPTH) continue;
    const { text, complete } = jsonText(value, maxBytes + 1);
    bounded[field] = text;
    bounded[`${field}Note`] =
      `nested more than ${JSON_MAX_DEPTH} levels deep; kept as JSON text${complete ? '' : ' (cut)'}`;
    if (!complete) truncated = true;
  }
  for (const field of PAYLOAD_FIELDS) {
    const value = bounded[field];
    if (value === undefined) continue;
    // One JSON text per payload gives both its size and, for an object, what is kept of it.
    const json = JSON.stringify(value) ?? '';
    const size = Buffer.byteLength(json, 'utf8');
    if (size <= budget) {
      budget -= size;
      continue;
    }
    truncated = true;
    bounded[`${field}Bytes`] = size;
    const kept = shrink(value, budget, json);
    if (kept === undefined) delete bounded[field];
    else bounded[field] = kept;
    budget -= byteLength(kept);
  }
  if (truncated) bounded.truncated = true;
  return bounded;
}
