import { describe, expect, it } from 'vitest';
import { createIdGenerator } from '../../../src/main/core/ids';

describe('createIdGenerator', () => {
  it('makes 23-hex-digit ids led by the time in ms and a per-millisecond counter', () => {
    let now = 0x18bcfe56800;
    const ids = createIdGenerator(() => now);
    const first = ids();
    const second = ids();
    now++;
    const third = ids();

    for (const id of [first, second, third]) expect(id).toMatch(/^[0-9a-f]{23}$/);
    expect(first.slice(0, 15)).toBe('018bcfe56800000');
    expect(second.slice(0, 15)).toBe('018bcfe56800001');
    expect(third.slice(0, 15)).toBe('018bcfe56801000');
  });

  it('makes ids that sort in creation order and never repeat, across many random refills', () => {
    let now = 1_700_000_000_000;
    const ids = createIdGenerator(() => now);
    const made: string[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i % 7 === 0) now++;
      made.push(ids());
    }

    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    // The random part varies (a fixed or zero pool would repeat it).
    expect(new Set(made.map((id) => id.slice(15))).size).toBeGreaterThan(4900);
  });
});
