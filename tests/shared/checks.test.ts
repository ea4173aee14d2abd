import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECK_ACTUAL_MAX_CHARS,
  MAX_CHECKS,
  checkSchema,
  checksSchema,
  evaluateChecks,
  jsonEqual,
  type Check,
} from '../../src/shared/checks';
import {
  REGEX_MAX_CHARS,
  REGEX_MAX_INPUT,
  analyzeRegex,
  matchBounded,
} from '../../src/shared/regex-bounds';

const result = {
  statusCode: 200,
  durationMs: 120,
  body: {
    items: [1, 2, 3],
    status: 'ok',
    version: '1.3',
    at: '2026-12-01T10:00:00Z',
    meta: { a: 1, b: [2] },
  },
};

/** The one outcome of a single check, and the run's message. */
function one(check: Check, value: unknown = result, previous?: unknown) {
  const outcome = evaluateChecks([check], value, previous === undefined ? {} : { previous });
  return { ...outcome.outcomes[0]!, runMessage: outcome.message };
}

/** The message of the first validation issue of a check, with its field. */
function invalid(check: unknown): string {
  const parsed = checkSchema.safeParse(check);
  if (parsed.success) throw new Error(`${JSON.stringify(check)} was accepted`);
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('the worked example of issue #15', () => {
  it('body.items.length equals 4 fails with actual 3, and equals 3 passes', () => {
    const outcome = evaluateChecks(
      [
        { path: 'body.items.length', op: 'equals', value: 3 },
        { path: 'body.items.length', op: 'equals', value: 4 },
      ],
      result,
    );
    expect(outcome).toEqual({
      passed: false,
      outcomes: [
        { path: 'body.items.length', op: 'equals', value: 3, actual: 3, passed: true },
        {
          path: 'body.items.length',
          op: 'equals',
          value: 4,
          actual: 3,
          passed: false,
          message: 'actual 3',
        },
      ],
      message: 'body.items.length equals 4 failed: actual 3',
    });
    expect(evaluateChecks([{ path: 'body.items.length', op: 'equals', value: 3 }], result)).toEqual(
      {
        passed: true,
        outcomes: [{ path: 'body.items.length', op: 'equals', value: 3, actual: 3, passed: true }],
      },
    );
  });
});

describe('checkSchema', () => {
  it('accepts a check of every op with the value it needs', () => {
    const checks: unknown[] = [
      { path: 'statusCode', op: 'equals', value: 200 },
      { path: 'body.status', op: 'notEquals', value: null },
      { path: 'body.items', op: 'exists' },
      { path: 'body.error', op: 'missing' },
      { path: 'body.items', op: 'contains', value: 2 },
      { path: 'body.status', op: 'matches', value: '^(ok|done)$' },
      { path: 'durationMs', op: 'lt', value: 1000 },
      { path: 'body.at', op: 'gte', value: '2026-01-01' },
      { path: 'body.items', op: 'lengthEquals', value: 3 },
      { path: 'body.version', op: 'changed' },
    ];
    expect(checksSchema.safeParse(checks).success).toBe(true);
  });

  it.each<[unknown, string]>([
    [
      { path: 'a', op: 'eq', value: 1 },
      'op: must be one of equals, notEquals, exists, missing, contains, matches, lt, lte, gt, gte, lengthEquals, changed',
    ],
    [
      { path: '', op: 'exists' },
      'path: must not be empty; write a path into the result, such as statusCode or body.items.length',
    ],
    [
      { path: 'body..items', op: 'exists' },
      'path: path "body..items": has an empty key at position 5',
    ],
    [
      { path: 'rows[-1]', op: 'exists' },
      'path: path "rows[-1]": [-1] at position 4 is not an array index; write a whole number from 0, like [0], or ["key"] for a key',
    ],
    [{ path: 'a', op: 'exists', value: true }, 'value: op exists takes no value; remove it'],
    [{ path: 'a', op: 'changed', value: 1 }, 'value: op changed takes no value; remove it'],
    [{ path: 'a', op: 'equals' }, 'value: op equals needs a value'],
    [{ path: 'a', op: 'contains' }, 'value: op contains needs a value'],
    [
      { path: 'a', op: 'matches', value: 5 },
      'value: op matches needs a regular expression as text',
    ],
    [
      { path: 'a', op: 'matches', value: '(' },
      'value: pattern "(" is not a valid regular expression (Unterminated group)',
    ],
    [
      { path: 'a', op: 'lt', value: { n: 1 } },
      'value: op lt compares numbers or texts; the value is an object',
    ],
    [
      { path: 'a', op: 'lengthEquals', value: -1 },
      'value: op lengthEquals needs a whole number from 0',
    ],
    [
      { path: 'a', op: 'lengthEquals', value: 1.5 },
      'value: op lengthEquals needs a whole number from 0',
    ],
    [{ path: 'a', op: 'exists', note: 'x' }, ': Unrecognized key: "note"'],
  ])('refuses %j with a sentence', (check, message) => {
    expect(invalid(check)).toBe(message);
  });

  it('refuses more than the most checks a task may have', () => {
    const many = Array.from({ length: MAX_CHECKS + 1 }, () => ({ path: 'a', op: 'exists' }));
    const parsed = checksSchema.safeParse(many);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      `at most ${MAX_CHECKS} checks; combine or drop some`,
    );
  });
});

describe('regular expressions that could run away', () => {
  it.each<[string, string]>([
    [
      '(a+)+$',
      'repeats a group that itself repeats or has alternatives (like (a+)+ or (a|b)*), which can take exponential time; repeat a character class instead, like [ab]*',
    ],
    ['(a|aa)*b', 'repeats a group that itself repeats or has alternatives'],
    ['(\\w{1,9})+x', 'repeats a group that itself repeats or has alternatives'],
    ['((ab)*c)+', 'repeats a group that itself repeats or has alternatives'],
    ['(a*){2}', 'repeats a group that itself repeats or has alternatives'],
    [
      '(x)\\1',
      'uses a backreference (\\1), which can take exponential time; checks do not support them',
    ],
    ['(?<q>x)\\k<q>', 'uses a backreference (\\k<…>), which can take exponential time'],
    [
      'a*b*c*d*',
      'has 4 unbounded repetitions (* + {n,}); the limit is 3, so that matching stays fast',
    ],
    [
      'a?'.repeat(10),
      'has too many optional parts (1024 ways through ?, {n,m} and |; the limit is 1000); simplify it',
    ],
  ])('refuses %j', (pattern, message) => {
    expect(invalid({ path: 'a', op: 'matches', value: pattern })).toContain(message);
  });

  it('refuses a pattern longer than the limit', () => {
    expect(invalid({ path: 'a', op: 'matches', value: 'a'.repeat(REGEX_MAX_CHARS + 1) })).toContain(
      `is ${REGEX_MAX_CHARS + 1} characters long; the limit is ${REGEX_MAX_CHARS}`,
    );
  });

  it.each([
    '^\\d+(\\.\\d+)?$',
    '(\\d{1,3}\\.){3}\\d{1,3}',
    'https?://[^/]+/',
    '^(ok|done)$',
    '\\p{L}+',
    '(?:ab){2,}',
    '[(|)]+',
  ])('accepts the everyday pattern %j', (pattern) => {
    expect(analyzeRegex(pattern).ok).toBe(true);
  });

  it('gives a pattern with more repetitions a shorter longest input, and plain text the most', () => {
    const bound = (p: string): number => {
      const analysis = analyzeRegex(p);
      if (!analysis.ok) throw new Error(analysis.message);
      return analysis.maxInput;
    };
    expect(bound('error')).toBe(REGEX_MAX_INPUT);
    expect(bound('a+')).toBeLessThan(bound('error'));
    expect(bound('a+b+')).toBeLessThan(bound('a+'));
    expect(bound('a+b+c+')).toBeLessThan(bound('a+b+'));
    expect(bound('a?b?c?a+b+')).toBeLessThan(bound('a+b+'));
  });

  it('fails a check whose value is longer than its pattern may match, instead of matching it', () => {
    const analysis = analyzeRegex('\\s+$');
    if (!analysis.ok) throw new Error(analysis.message);
    const long = `${' '.repeat(analysis.maxInput)}!`;
    expect(matchBounded('\\s+$', long)).toEqual({
      ok: false,
      message: `the value is ${long.length} characters long, and this pattern (1 repetitions) is matched against at most ${analysis.maxInput} to stay fast; check a shorter field, use fewer * + {n,}, or use contains`,
    });
    expect(matchBounded('\\s+$', `${' '.repeat(analysis.maxInput - 1)}!`)).toEqual({
      ok: true,
      matched: false,
    });
    const outcome = one({ path: 'text', op: 'matches', value: '\\s+$' }, { text: long });
    expect(outcome.passed).toBe(false);
    expect(outcome.runMessage).toContain('text matches "\\\\s+$" failed: the value is');
  });
});

describe('evaluateChecks', () => {
  it.each<[Check, boolean, string?]>([
    [{ path: 'statusCode', op: 'equals', value: 200 }, true],
    [{ path: 'statusCode', op: 'equals', value: '200' }, false, 'actual 200'],
    [{ path: 'body.meta', op: 'equals', value: { b: [2], a: 1 } }, true],
    [{ path: 'body.meta', op: 'equals', value: { a: 1 } }, false, 'actual {"a":1,"b":[2]}'],
    [{ path: 'body.status', op: 'notEquals', value: 'error' }, true],
    [{ path: 'body.status', op: 'notEquals', value: 'ok' }, false, 'actual "ok"'],
    [{ path: 'body.items[0]', op: 'exists' }, true],
    [
      { path: 'body.token', op: 'exists' },
      false,
      'body.token: no key "token" in body; it has items, status, version, at, meta',
    ],
    [{ path: 'body.error', op: 'missing' }, true],
    [{ path: 'body.status', op: 'missing' }, false, 'actual "ok"'],
    [{ path: 'body.items', op: 'contains', value: 2 }, true],
    [{ path: 'body.items', op: 'contains', value: 9 }, false, 'actual [1,2,3]'],
    [{ path: 'body.status', op: 'contains', value: 'k' }, true],
    [
      { path: 'body.status', op: 'contains', value: 1 },
      false,
      'actual is a string; a string contains only text',
    ],
    [{ path: 'body.meta', op: 'contains', value: 'b' }, true],
    [{ path: 'body.meta', op: 'contains', value: 'c' }, false, 'actual has the keys a, b'],
    [
      { path: 'statusCode', op: 'contains', value: 2 },
      false,
      'actual 200 is a number; contains works on strings, arrays and objects',
    ],
    [{ path: 'statusCode', op: 'matches', value: '^2\\d\\d$' }, true],
    [{ path: 'body.status', op: 'matches', value: '^err' }, false, 'actual "ok"'],
    [
      { path: 'body.items', op: 'matches', value: 'x' },
      false,
      'actual is an array of 3; matches works on strings, numbers and booleans',
    ],
    [{ path: 'durationMs', op: 'lt', value: 1000 }, true],
    [{ path: 'durationMs', op: 'lte', value: 120 }, true],
    [{ path: 'durationMs', op: 'gt', value: 120 }, false, 'actual 120'],
    [{ path: 'durationMs', op: 'gte', value: 120 }, true],
    [{ path: 'body.at', op: 'gt', value: '2026-11-30T23:59:59Z' }, true],
    [{ path: 'body.version', op: 'lt', value: '1.10' }, false, 'actual "1.3"'],
    [
      { path: 'durationMs', op: 'lt', value: '1000' },
      false,
      'actual 120 is a number, the value a string; lt compares two numbers or two strings',
    ],
    [{ path: 'body.items', op: 'lengthEquals', value: 3 }, true],
    [{ path: 'body.status', op: 'lengthEquals', value: 2 }, true],
    [{ path: 'body.meta', op: 'lengthEquals', value: 3 }, false, 'actual length 2'],
    [
      { path: 'statusCode', op: 'lengthEquals', value: 3 },
      false,
      'actual 200 is a number; lengthEquals works on strings, arrays and objects',
    ],
    [
      { path: 'body.nope', op: 'equals', value: 1 },
      false,
      'body.nope: no key "nope" in body; it has items, status, version, at, meta',
    ],
    [
      { path: 'bdy.items', op: 'lengthEquals', value: 1 },
      false,
      'bdy.items: no key "bdy" in the result; it has statusCode, durationMs, body',
    ],
  ])('%j passes: %s', (check, passed, message) => {
    const outcome = one(check);
    expect(outcome.passed).toBe(passed);
    expect(outcome.message).toBe(message);
    if (!passed) expect(outcome.runMessage).toContain(' failed: ');
  });

  it('fails on changed when the value differs from the previous succeeded run', () => {
    expect(
      one({ path: 'body.version', op: 'changed' }, result, { body: { version: '1.2' } }),
    ).toMatchObject({
      passed: false,
      actual: '1.3',
      runMessage: 'body.version changed failed: was "1.2", now "1.3"',
    });
    expect(
      one({ path: 'body.meta', op: 'changed' }, result, { body: { meta: { b: [2], a: 1 } } })
        .passed,
    ).toBe(true);
    expect(one({ path: 'body.extra', op: 'changed' }, result, { body: { extra: 1 } }).message).toBe(
      'was 1, now missing',
    );
    expect(one({ path: 'body.version', op: 'changed' }, result, { body: {} }).message).toBe(
      'was missing, now "1.3"',
    );
    expect(one({ path: 'body.gone', op: 'changed' }, result, { body: {} }).passed).toBe(true);
  });

  it('passes changed when there is no previous succeeded run to compare with', () => {
    expect(one({ path: 'body.version', op: 'changed' })).toEqual({
      path: 'body.version',
      op: 'changed',
      actual: '1.3',
      passed: true,
      runMessage: undefined,
    });
  });

  it('names the first failed check in the run message and records every outcome', () => {
    const outcome = evaluateChecks(
      [
        { path: 'statusCode', op: 'equals', value: 200 },
        { path: 'body.status', op: 'equals', value: 'done' },
        { path: 'durationMs', op: 'lt', value: 100 },
      ],
      result,
    );
    expect(outcome.passed).toBe(false);
    expect(outcome.outcomes.map((o) => o.passed)).toEqual([true, false, false]);
    expect(outcome.message).toBe('body.status equals "done" failed: actual "ok"');
  });

  it('records a long actual value as a shortened JSON text', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const [outcome] = evaluateChecks([{ path: 'items', op: 'lengthEquals', value: 1 }], {
      items,
    }).outcomes;
    expect(outcome!.actualTruncated).toBe(true);
    expect(typeof outcome!.actual).toBe('string');
    expect((outcome!.actual as string).length).toBeLessThanOrEqual(201);
    expect(JSON.stringify(items).length).toBeGreaterThan(CHECK_ACTUAL_MAX_CHARS);
    expect(outcome!.message).toBe('actual length 1000');
  });

  it('fails a check that does not validate (a half-typed row) instead of throwing', () => {
    const outcome = evaluateChecks(
      [
        { path: 'a..b', op: 'exists' },
        { path: 'a', op: 'nope' } as unknown as Check,
        { path: 'a', op: 'matches', value: '(a+)+' },
      ],
      { a: 'x' },
    );
    expect(outcome.outcomes.map((o) => o.message)).toEqual([
      'path: path "a..b": has an empty key at position 2',
      'op: must be one of equals, notEquals, exists, missing, contains, matches, lt, lte, gt, gte, lengthEquals, changed',
      expect.stringContaining('value: pattern "(a+)+" repeats a group'),
    ]);
    expect(outcome.message).toBe(
      'a..b exists failed: path: path "a..b": has an empty key at position 2',
    );
  });

  it('never throws, whatever the checks and the result (seeded)', () => {
    const check = fc.record({
      path: fc.oneof(fc.constantFrom('a', 'a.b', 'a[0]', 'a.length', '__proto__', ''), fc.string()),
      op: fc.oneof(
        fc.constantFrom(
          ...['equals', 'contains', 'matches', 'lt', 'lengthEquals', 'changed', 'missing'],
        ),
        fc.string(),
      ),
      value: fc.option(fc.oneof(fc.jsonValue(), fc.constantFrom('(a+)+', '[', '^a', 'a*')), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(
        fc.array(check, { maxLength: 5 }),
        fc.jsonValue(),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (checks, value, previous) => {
          const outcome = evaluateChecks(checks as Check[], value, { previous });
          expect(outcome.outcomes).toHaveLength(checks.length);
          expect(outcome.passed).toBe(outcome.outcomes.every((o) => o.passed));
          if (!outcome.passed) expect(outcome.message).toMatch(/ failed: /);
        },
      ),
      { seed: 20_261_201, numRuns: 1000 },
    );
  });

  it('compares JSON values deeply, ignoring key order but not types', () => {
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
