import { describe, expect, it } from 'vitest';
import { copyData } from '../../../src/main/core/event-bus';

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

  it('refuses functions as structuredClone does', () => {
    expect(() => copyData({ f: () => 1 })).toThrow();
  });
});
