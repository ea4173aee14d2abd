import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyData } from '../../../src/shared/copy-data';
import { boundResult, jsonText } from '../../../src/main/core/result-bounds';
import { jsonDepth } from '../../../src/shared/json-bounds';

/** What an HTTP API answering `[[[…]]]` gives the api executor: JSON.parse does not recurse. */
const deepArray = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('boundResult', () => {
  it('keeps a body nested 100,000 deep as JSON text, so no later walk overflows the stack', () => {
    const result = boundResult(
      { summary: 'deep', statusCode: 200, body: deepArray(100_000) },
      1024,
    );
    expect(result).toMatchObject({
      summary: 'deep',
      statusCode: 200,
      bodyNote: 'nested more than 64 levels deep; kept as JSON text (cut)',
      truncated: true,
    });
    expect(result.body).toBe('['.repeat(1024));
    expect(jsonDepth(result, 64)).toBeLessThanOrEqual(2);
    expect(() => structuredClone(result)).not.toThrow();
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('keeps a deep value that fits the cap whole, as its JSON text', () => {
    const result = boundResult({ data: deepArray(100) }, 1024);
    expect(result.data).toBe('['.repeat(100) + ']'.repeat(100));
    expect(result.dataNote).toBe('nested more than 64 levels deep; kept as JSON text');
    expect(result.truncated).toBeUndefined();
  });

  it('bounds deep fields that are not payload too', () => {
    const result = boundResult({ summary: 's', extra: deepArray(5000) }, 64);
    expect(typeof result.extra).toBe('string');
    expect(result.truncated).toBe(true);
  });

  it('leaves results within 64 levels as they were', () => {
    const body = deepArray(64);
    expect(boundResult({ body }, 1024).body).toStrictEqual(copyData(body));
  });
});

describe('jsonText', () => {
  it('writes what JSON.stringify writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonText(value, 1_000_000)).toEqual({ text: JSON.stringify(value), complete: true });
      }),
      { seed: 7, numRuns: 300 },
    );
    const odd = { a: undefined, f: () => 1, d: new Date(0), list: [undefined, () => 1], n: NaN };
    expect(jsonText(odd, 1000).text).toBe(JSON.stringify(odd));
  });

  it('stops at the limit, also for cyclic values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { text, complete } = jsonText(cyclic, 100);
    expect(complete).toBe(false);
    expect(text).toHaveLength(100);
    expect(text.startsWith('{"self":{"self":')).toBe(true);
  });
});
