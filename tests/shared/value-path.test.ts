import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PATH_MAX_CHARS,
  PATH_MAX_STEPS,
  formatPath,
  parsePath,
  resolvePath,
  type PathStep,
} from '../../src/shared/value-path';

function steps(text: string): PathStep[] {
  const parsed = parsePath(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.steps;
}

function problem(text: string): string {
  const parsed = parsePath(text);
  if (parsed.ok) throw new Error(`"${text}" parsed as ${JSON.stringify(parsed.steps)}`);
  return parsed.message;
}

const result = { statusCode: 200, body: { items: [1, 2, 3], total: 3 } };

const index = '; write a whole number from 0, like [0], or ["key"] for a key';

describe('parsePath', () => {
  it('splits keys on dots and reads [n] as array indexes', () => {
    expect(steps('body.items[0].name')).toEqual(['body', 'items', 0, 'name']);
    expect(steps('rows[2]')).toEqual(['rows', 2]);
    expect(steps('[1][0]')).toEqual([1, 0]);
    expect(steps('body.items.length')).toEqual(['body', 'items', 'length']);
  });

  it('takes keys with dashes, dollars and letters of any script', () => {
    expect(steps('headers.content-type')).toEqual(['headers', 'content-type']);
    expect(steps('$meta.größe')).toEqual(['$meta', 'größe']);
  });

  it('reads ["…"] as a key in JSON string syntax, for keys with dots or spaces', () => {
    expect(steps('body["a.b"]["x y"]')).toEqual(['body', 'a.b', 'x y']);
    expect(steps('["say \\"hi\\""]')).toEqual(['say "hi"']);
  });

  it('reads the empty path as the value itself', () => {
    expect(steps('')).toEqual([]);
  });

  it.each([
    ['a..b', 'has an empty key at position 2'],
    ['.a', 'must not start with "."'],
    ['a.', 'must not end with "."'],
    ['a[0', 'the "[" at position 1 is not closed with "]"'],
    ['a[-1]', `[-1] at position 1 is not an array index${index}`],
    ['a[01]', `[01] at position 1 is not an array index${index}`],
    ['a[x]', `[x] at position 1 is not an array index${index}`],
    ['a b', '"." or "[" expected at position 1, not " "'],
    ['a["x]', 'the quoted key at position 2 is not closed'],
    ['a["x"', '"]" expected at position 5'],
    ['a.[0]', 'a "." at position 1 must be followed by a key, not "["'],
    ['a.{b}', '"{" at position 2 cannot be part of a key; write ["…"] for such keys'],
    ['a[0]b', '"." or "[" expected at position 4, not "b"'],
  ])('refuses %j: %s', (text, message) => {
    expect(problem(text)).toBe(`path "${text}": ${message}`);
  });

  it('refuses a path longer than the limit and one with too many steps', () => {
    expect(problem('a'.repeat(PATH_MAX_CHARS + 1))).toContain(
      `is ${PATH_MAX_CHARS + 1} characters long; the limit is ${PATH_MAX_CHARS}`,
    );
    expect(
      problem(
        Array(PATH_MAX_STEPS + 1)
          .fill('a')
          .join('.'),
      ),
    ).toContain(`has more than ${PATH_MAX_STEPS} steps`);
    expect(steps(Array(PATH_MAX_STEPS).fill('a').join('.'))).toHaveLength(PATH_MAX_STEPS);
  });

  it('reads back every path formatPath writes (seeded)', () => {
    const key = fc.string({ maxLength: 8 });
    const step = fc.oneof(key, fc.nat({ max: 999_999_999 }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: PATH_MAX_STEPS }), (path) => {
        const text = formatPath(path);
        if (text.length > PATH_MAX_CHARS) return;
        expect(steps(text)).toEqual(path);
      }),
      { seed: 15, numRuns: 2000 },
    );
  });
});

describe('resolvePath', () => {
  it('finds values by key and index', () => {
    expect(resolvePath(result, steps('body.items[1]'))).toEqual({ found: true, value: 2 });
    expect(resolvePath(result, steps('statusCode'))).toEqual({ found: true, value: 200 });
    expect(resolvePath(result, [])).toEqual({ found: true, value: result });
    expect(resolvePath({ a: null }, ['a'])).toEqual({ found: true, value: null });
  });

  it('gives the length of arrays and strings as a path step', () => {
    expect(resolvePath(result, steps('body.items.length'))).toEqual({ found: true, value: 3 });
    expect(resolvePath({ s: 'héllo' }, steps('s.length'))).toEqual({ found: true, value: 5 });
    expect(resolvePath({ o: { length: 'own' } }, steps('o.length'))).toEqual({
      found: true,
      value: 'own',
    });
  });

  it('names the path and the keys that exist when a key is missing', () => {
    expect(resolvePath({ body: result.body }, steps('body.itmes'), { root: 'input' })).toEqual({
      found: false,
      message: 'input.body.itmes: no key "itmes" in input.body; it has items, total',
    });
    expect(resolvePath(result, steps('bdy'), { rootLabel: 'the result' })).toEqual({
      found: false,
      message: 'bdy: no key "bdy" in the result; it has statusCode, body',
    });
    expect(resolvePath({}, ['x'])).toEqual({
      found: false,
      message: 'x: no key "x" in the value; it has no keys',
    });
  });

  it('lists at most twenty keys, then says how many more there are', () => {
    const wide = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i]));
    const missing = resolvePath(wide, ['nope']);
    expect(missing.found).toBe(false);
    if (!missing.found) {
      expect(missing.message).toContain('k19 and 5 more');
      expect(missing.message).not.toContain('k20');
    }
  });

  it.each<[unknown, string, string]>([
    [{ items: [1, 2, 3] }, 'items[5]', 'items[5]: no element 5 in items; it has 3 (0 to 2)'],
    [{ items: [] }, 'items[0]', 'items[0]: no element 0 in items; it is an empty array'],
    [
      { items: [1] },
      'items.first',
      'items.first: items is an array of 1, not an object; use [n] for an element, or .length',
    ],
    [{ body: { a: 1 } }, 'body[0]', 'body[0]: body is an object, not an array; it has a'],
    [{ a: null }, 'a.b', 'a.b: a is null, not an object; it has no key "b"'],
    [{ a: 5 }, 'a[0]', 'a[0]: a is a number, not an array'],
    [{ a: 'text' }, 'a.b', 'a.b: a is a string, not an object; it has no key "b"'],
    [{ a: true }, 'a.length', 'a.length: a is a boolean, not an object; it has no key "length"'],
  ])('explains where %j has no %s', (value, path, message) => {
    expect(resolvePath(value, steps(path))).toEqual({ found: false, message });
  });

  it('reads only own data properties: no prototype members, no getters', () => {
    expect(resolvePath({}, ['constructor']).found).toBe(false);
    expect(resolvePath({ a: {} }, steps('a.__proto__')).found).toBe(false);
    expect(resolvePath(() => 1, ['prototype']).found).toBe(false);
    expect(resolvePath([1], ['constructor']).found).toBe(false);
    expect(resolvePath('x', ['constructor']).found).toBe(false);
    const parsed: unknown = JSON.parse('{"__proto__":{"x":1},"constructor":"c"}');
    expect(resolvePath(parsed, steps('__proto__.x'))).toEqual({ found: true, value: 1 });
    expect(resolvePath(parsed, ['constructor'])).toEqual({ found: true, value: 'c' });
    let calls = 0;
    const withGetter = Object.defineProperty({}, 'secret', {
      get: () => ++calls,
      enumerable: true,
    });
    expect(resolvePath(withGetter, ['secret']).found).toBe(false);
    expect(calls).toBe(0);
  });

  it('never throws, whatever the value and path (seeded)', () => {
    const step = fc.oneof(
      fc.constantFrom('length', '__proto__', 'constructor', 'prototype', 'a', 'b'),
      fc.nat({ max: 5 }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(step, { maxLength: 6 }), (value, path) => {
        const resolved = resolvePath(value, path, { root: 'input' });
        if (!resolved.found)
          expect(resolved.message.startsWith(formatPath(path, 'input'))).toBe(true);
      }),
      { seed: 1501, numRuns: 2000 },
    );
  });
});
