import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseParams } from '../../src/shared/contract';
import { inspectJson, jsonDepth, jsonStringBytes } from '../../src/shared/json-bounds';
import { JSON_MAX_BYTES, JSON_MAX_DEPTH } from '../../src/shared/limits';

/** `{"a":{"a":…1…}}`, `depth` objects deep, built without recursion. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const apiConfig = (params: Record<string, unknown>): unknown => ({
  config: { name: 'x', type: 'api', params: { url: 'http://127.0.0.1:1/', ...params } },
});
const fileConfig = (params: Record<string, unknown>): unknown => ({
  config: { name: 'x', type: 'file', params: { location: '/tmp/x.json', ...params } },
});
const dbConfig = (params: Record<string, unknown>): unknown => ({
  config: {
    name: 'x',
    type: 'db',
    params: { uri: 'mongodb://127.0.0.1:1', database: 'd', collection: 'c', ...params },
  },
});

/** Every untyped JSON field of a configuration, with a value deeper than the limit in it. */
const deepFields: Array<[string, (deep: unknown) => unknown]> = [
  ['config.params.body', (deep) => apiConfig({ body: deep })],
  ['config.params.content', (deep) => fileConfig({ content: deep })],
  ['config.params.find.filter', (deep) => dbConfig({ find: { filter: deep } })],
  ['config.params.find.projection', (deep) => dbConfig({ find: { projection: deep } })],
  ['config.params.find.sort', (deep) => dbConfig({ find: { sort: deep } })],
  ['config.params.aggregate.pipeline', (deep) => dbConfig({ aggregate: { pipeline: [deep] } })],
  ['config.params.count.filter', (deep) => dbConfig({ count: { filter: deep } })],
  ['config.params.insert.documents', (deep) => dbConfig({ insert: { documents: [deep] } })],
  ['config.params.update.filter', (deep) => dbConfig({ update: { filter: deep, update: {} } })],
  ['config.params.update.update', (deep) => dbConfig({ update: { filter: {}, update: deep } })],
  ['config.params.delete.filter', (deep) => dbConfig({ delete: { filter: deep } })],
];

function validationMessage(method: 'configs.save' | 'configs.test', params: unknown): string {
  try {
    parseParams(method, params);
  } catch (error) {
    expect(error).toMatchObject({ code: 'VALIDATION' });
    return (error as Error).message;
  }
  throw new Error(`${method} accepted the params`);
}

describe('the JSON limits at the contract boundary', () => {
  it.each(deepFields)(
    'refuses %s nested 2,000 deep with VALIDATION naming the field',
    (path, params) => {
      const message = validationMessage('configs.save', params(nested(2000)));
      expect(message).toContain(`${path}: is nested more than 64 levels deep`);
    },
  );

  it('refuses a file write nested 2,000 deep in configs.test, the request that stopped the process', () => {
    const message = validationMessage('configs.test', {
      ...(fileConfig({ format: 'json', content: nested(2000) }) as object),
      operation: 'write',
    });
    expect(message).toMatch(/^config\.params\.content: is nested more than 64/);
  });

  it('accepts exactly 64 levels and refuses 65', () => {
    expect(() => parseParams('configs.save', apiConfig({ body: nested(64) }))).not.toThrow();
    expect(() => parseParams('configs.save', apiConfig({ body: nested(65) }))).toThrow(
      /body: is nested more than 64 levels deep/,
    );
  });

  it('refuses a value a million levels deep without overflowing the stack', () => {
    const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const deep: unknown = JSON.parse(text);
    expect(inspectJson(deep)?.message).toMatch(/nested more than 64 levels/);
    expect(validationMessage('configs.save', apiConfig({ body: deep }))).toMatch(/body: is nested/);
  });

  it('refuses a field over 1 MiB of JSON text, and variables, headers and query maps as well', () => {
    const big = 'x'.repeat(JSON_MAX_BYTES);
    expect(validationMessage('configs.save', apiConfig({ body: { big } }))).toContain(
      `config.params.body: is larger than ${JSON_MAX_BYTES} bytes as JSON text`,
    );
    expect(validationMessage('configs.save', apiConfig({ variables: { big } }))).toContain(
      'config.params.variables: is larger than',
    );
    expect(validationMessage('configs.save', fileConfig({ headers: { big } }))).toContain(
      'config.params.headers: is larger than',
    );
  });

  it('refuses values that are not JSON, naming where they are', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ a: [1, () => 1] }, /body\.a\.1: is a function/],
      [{ n: Number.NaN }, /body\.n: is the number NaN, which JSON cannot hold/],
      [{ n: Infinity }, /body\.n: is the number Infinity/],
      [{ when: new Date(0) }, /body\.when: is a Date, not plain data/],
      [{ big: 10n }, /body\.big: is a bigint/],
      [new Map(), /body: is a Map, not plain data/],
    ];
    for (const [body, message] of cases) {
      expect(validationMessage('configs.save', apiConfig({ body }))).toMatch(message);
    }
  });

  it('accepts prototype-named keys as plain data', () => {
    const body: unknown = JSON.parse('{"__proto__": {"x": 1}, "constructor": {"prototype": 2}}');
    const parsed = parseParams('configs.save', apiConfig({ body }));
    expect(parsed.config.params).toMatchObject({ body });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('measures the size as the UTF-8 length of the JSON text', () => {
    const json = fc.oneof(
      fc.jsonValue(),
      fc.string({ unit: 'binary' }),
      fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()),
    );
    fc.assert(
      fc.property(json, (value) => {
        const text = JSON.stringify(value);
        const bytes = Buffer.byteLength(text, 'utf8');
        expect(inspectJson(value, { maxDepth: 1000, maxBytes: bytes })).toBeUndefined();
        if (bytes > 0) {
          expect(inspectJson(value, { maxDepth: 1000, maxBytes: bytes - 1 })?.message).toMatch(
            /is larger than/,
          );
        }
      }),
      { seed: 12, numRuns: 300 },
    );
    expect(jsonStringBytes('a"\\\n\u0001é€😀\ud800')).toBe(
      Buffer.byteLength(JSON.stringify('a"\\\n\u0001é€😀\ud800'), 'utf8'),
    );
  });

  it('counts depth without recursion and stops at the limit', () => {
    expect(jsonDepth(1, JSON_MAX_DEPTH)).toBe(0);
    expect(jsonDepth({ a: [{}] }, JSON_MAX_DEPTH)).toBe(3);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonDepth(cyclic, JSON_MAX_DEPTH)).toBe(JSON_MAX_DEPTH + 1);
    expect(jsonDepth(nested(500_000), JSON_MAX_DEPTH)).toBe(JSON_MAX_DEPTH + 1);
  });
});
