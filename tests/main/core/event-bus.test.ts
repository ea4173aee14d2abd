import { describe, expect, it } from 'vitest';
import { copyData } from '../../../src/shared/copy-data';

describe('copyData', () => {
  it('copies plain records deeply, equal to what structuredClone makes', () => {
    const record = {
      id: 'r1',
      n: -0,
      big: 10n,
      nothing: null,
      missing: undefined,
      when: new Date(1_700_000_000_000),
      list: [1, 'two', { three: [3] }],
      nested: { a: { b: { c: 'deep' } } },
    };
    const copy = copyData(record);

    expect(copy).toStrictEqual(structuredClone(record));
    expect(Object.is(copy.n, -0)).toBe(true);
    copy.nested.a.b.c = 'changed';
    copy.list.push(4);
    copy.when.setTime(0);
    expect(record.nested.a.b.c).toBe('deep');
    expect(record.list).toHaveLength(3);
    expect(record.when.getTime()).toBe(1_700_000_000_000);
  });

  it('hands values that are not plain data to structuredClone, with the same result', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const copy = copyData(cyclic);
    expect(copy.self).toBe(copy);
    expect(copy).not.toBe(cyclic);

    const holey = [1, 2, 3];
    delete holey[1];
    const withMap = { m: new Map([['k', 1]]), bytes: new Uint8Array([1, 2]), holes: holey };
    expect(copyData(withMap)).toStrictEqual(structuredClone(withMap));

    const own = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.keys(copyData(own))).toEqual(['__proto__']);
  });

  it('copies plain data nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? { a: deep } : [deep];
    const copy = copyData(deep);
    // Walked by hand: vitest's matchers would recurse into such a value themselves.
    let a: unknown = copy;
    let b: unknown = deep;
    let sharedLevels = 0;
    for (let i = 0; i < 100_000; i++) {
      if (a === b || Array.isArray(a) !== Array.isArray(b)) sharedLevels++;
      const key = Array.isArray(b) ? 0 : 'a';
      a = (a as Record<string | number, unknown>)[key];
      b = (b as Record<string | number, unknown>)[key];
    }
    expect(sharedLevels).toBe(0);
    expect(a).toBe('leaf');
  });

  it('keeps cycles, shared parts and own __proto__ keys of deep data as structuredClone does', () => {
    const shared = { n: 1 };
    let deep: Record<string, unknown> = { shared };
    const root = deep;
    for (let i = 0; i < 50; i++) deep = (deep.next = { shared }) as Record<string, unknown>;
    deep.back = root;
    const own = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    deep.own = own;
    const copy = copyData(root);
    expect(copy).toStrictEqual(structuredClone(root));
    let tail = copy;
    for (let i = 0; i < 50; i++) tail = tail.next as Record<string, unknown>;
    expect(tail.back).toBe(copy);
    expect(tail.shared).toBe(copy.shared);
    expect(tail.shared).not.toBe(shared);
    expect(Object.keys(tail.own as object)).toEqual(['__proto__']);
    expect((tail.own as { x?: unknown }).x).toBeUndefined();
  });

  it('refuses functions as structuredClone does', () => {
    expect(() => copyData({ f: () => 1 })).toThrow();
  });
});
