/**
 * Adversarial request bodies for the service fuzz suite (fuzz-service.test.ts), generated as JSON
 * *text*, so they can say what a JS value cannot: `-0`, `1e999` (Infinity once parsed), a key
 * twice, an own `__proto__` key, nesting a hundred thousand levels deep.
 */
import fc from 'fast-check';

/** JSON text spliced into a template as it is. */
export class Raw {
  constructor(readonly text: string) {}
}

/** Keys whose string values name files, URLs or databases: fuzzed with non-strings only. */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set(['location', 'url', 'uri', 'file']);

/** A template (small, plain) with Raw pieces as JSON text. */
export function toJsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const weirdNumbers = fc.constantFrom(
  '-0',
  '0',
  '1',
  '-1',
  '0.5',
  '2.5',
  '1e308',
  '-1e308',
  '1e999',
  '-1e999',
  '1e-400',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '8640000000000000',
  '8640000000001',
  '-9007199254740992',
  '2147483648',
  '4294967296',
  '315360001',
  '1000000000000',
  '123456789012345678901234567890',
  '1e21',
);

const weirdStrings = fc.constantFrom(
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e999',
  'true',
  'null',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'api',
  'db',
  'file',
  'read',
  'write',
  'frequency',
  'cron',
  'skip',
  'queue',
  'run-once',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:00:00-05:00',
  '+275760-09-13T00:00:00.000Z',
  '+033715-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T00:00:00Z',
  '2026-01-01',
  'not a time',
  '* * * * *',
  '0 0 31 2 *',
  '*/0 * * * *',
  '0 24 * * *',
  'Europe/Atlantis',
  'UTC',
  '••••••',
  '{{env.HOME}}',
  '{{missing}}',
  '{{',
  '2xx',
  '999',
  '\u0000',
  '\ud800',
  '\u202e',
  'é😀',
  '$where',
  'x'.repeat(201),
);

const longString = fc.constantFrom(10_000, 200_000, 1_100_000).map((n) => 'x'.repeat(n));

/** Keys for added object entries: prototype names, field names, odd characters. */
export const keyArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '',
    'a',
    'id',
    'name',
    'type',
    'params',
    'kind',
    'everySeconds',
    'startAt',
    'endAt',
    'cron',
    'timezone',
    'retry',
    'attempts',
    'backoffMs',
    'factor',
    'body',
    'content',
    'filter',
    'settings',
    'concurrency',
    'enabled',
    '$where',
    '$function',
    '\u0000',
    'é',
  ),
  fc.string({ maxLength: 8 }).filter((key) => !SENSITIVE_KEYS.has(key)),
);

const rawScalar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: weirdNumbers },
  {
    weight: 3,
    arbitrary: fc.oneof(weirdStrings, fc.string({ maxLength: 12 })).map((s) => JSON.stringify(s)),
  },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map((n) => JSON.stringify(n)) },
);

/** Objects and arrays nested `depth` levels: around the limit (64) and far beyond it. */
const rawDeep: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(64, 65, 2_000, 5_000, 100_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

const { tree } = fc.letrec<{ tree: string }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    rawScalar,
    fc.array(tie('tree'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    // Entries as text: a key may repeat, and `__proto__` stays an own key once parsed.
    fc
      .array(fc.tuple(keyArb, tie('tree')), { maxLength: 4 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
}));

/** Any adversarial JSON text. */
export const rawAny: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: tree },
  { weight: 2, arbitrary: rawDeep },
  { weight: 1, arbitrary: longString.map((s) => JSON.stringify(s)) },
);

/** Adversarial JSON text that is not a string (for SENSITIVE_KEYS). */
export const rawNonString: fc.Arbitrary<string> = rawAny.filter((text) => !text.startsWith('"'));

type Path = Array<string | number>;

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value))
      pathsOf((value as Record<string, unknown>)[key], [...path, key], out);
  }
  return out;
}

function setOwn(
  target: Record<string | number, unknown>,
  key: string | number,
  value: unknown,
): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

interface Edit {
  path: Path;
  op: 'replace' | 'delete' | 'add';
  raw: string;
  nonString: string;
  key: string;
  /** Use a value of the same JSON type as the one replaced (an extreme number for a number…). */
  sameType: boolean;
  number: string;
  string: string;
  deep: string;
}

/** An adversarial value of the same JSON type as `value`: extreme numbers, odd strings, deep nesting. */
function sameTypeValue(value: unknown, edit: Edit): string | undefined {
  if (typeof value === 'number') return edit.number;
  if (typeof value === 'string') return JSON.stringify(edit.string);
  if (typeof value === 'object' && value !== null) return edit.deep;
  return undefined;
}

function applyEdit(root: unknown, edit: Edit): unknown {
  if (edit.path.length === 0 && edit.op !== 'add')
    return new Raw(edit.op === 'delete' ? '{}' : edit.raw);
  let parent = root as Record<string | number, unknown>;
  for (const key of edit.path.slice(0, -1))
    parent = parent[key] as Record<string | number, unknown>;
  const last = edit.path.at(-1);
  const target = last === undefined ? root : parent[last];
  if (
    edit.op === 'add' &&
    typeof target === 'object' &&
    target !== null &&
    !Array.isArray(target) &&
    !(target instanceof Raw)
  ) {
    setOwn(target as Record<string, unknown>, edit.key, new Raw(edit.raw));
    return root;
  }
  if (last === undefined) return new Raw(edit.raw);
  if (edit.op === 'delete' && !Array.isArray(parent)) delete parent[last];
  else if (SENSITIVE_KEYS.has(String(last))) setOwn(parent, last, new Raw(edit.nonString));
  else {
    const typed = edit.sameType ? sameTypeValue(target, edit) : undefined;
    setOwn(parent, last, new Raw(typed ?? edit.raw));
  }
  return root;
}

/** A valid template with one or two adversarial edits, as JSON text. */
export function mutatedBody(template: unknown): fc.Arbitrary<string> {
  const paths = pathsOf(template);
  const edit: fc.Arbitrary<Edit> = fc.record({
    path: fc.constantFrom(...paths),
    op: fc.constantFrom('replace', 'replace', 'replace', 'replace', 'delete', 'add'),
    raw: rawAny,
    nonString: rawNonString,
    key: keyArb,
    sameType: fc.constantFrom(true, true, false),
    number: weirdNumbers,
    string: weirdStrings,
    deep: rawDeep,
  });
  return fc.array(edit, { minLength: 1, maxLength: 2 }).map((edits) => {
    let value: unknown = structuredClone(template);
    for (const e of edits) {
      if (value instanceof Raw) break; // the whole body was replaced
      // A path into a part an earlier edit replaced or removed no longer exists.
      if (!pathExists(value, e.path)) continue;
      value = applyEdit(value, e);
    }
    return toJsonText(value);
  });
}

function pathExists(root: unknown, path: Path): boolean {
  let node = root;
  for (const key of path) {
    if (
      typeof node !== 'object' ||
      node === null ||
      node instanceof Raw ||
      !Object.hasOwn(node, key)
    )
      return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return true;
}
