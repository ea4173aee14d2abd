/** Keeps a run's stored result under the configured byte cap, marking it `truncated`. */
import type { RunResult } from '../../shared/domain';

/** Fields that carry payload (the rest is a small summary: status codes, counts, headers). */
const PAYLOAD_FIELDS = ['data', 'body', 'rows', 'documents'] as const;

const byteLength = (value: unknown): number =>
  value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

function shrink(value: unknown, budget: number): unknown {
  if (budget <= 0) return undefined;
  if (typeof value === 'string') {
    // Cut on a character boundary so the stored text stays valid UTF-8.
    const buf = Buffer.from(value, 'utf8');
    if (buf.length <= budget) return value;
    return buf
      .subarray(0, budget)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  }
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
  return shrink(JSON.stringify(value), budget);
}

export function boundResult(result: RunResult, maxBytes: number): RunResult {
  let budget = maxBytes;
  let truncated = result.truncated === true;
  const bounded: RunResult = { ...result };
  for (const field of PAYLOAD_FIELDS) {
    if (!(field in bounded) || bounded[field] === undefined) continue;
    const size = byteLength(bounded[field]);
    if (size <= budget) {
      budget -= size;
      continue;
    }
    truncated = true;
    bounded[`${field}Bytes`] = size;
    const kept = shrink(bounded[field], budget);
    if (kept === undefined) delete bounded[field];
    else bounded[field] = kept;
    budget -= byteLength(kept);
  }
  if (truncated) bounded.truncated = true;
  return bounded;
}
