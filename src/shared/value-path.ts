/**
 * Paths into JSON values (issue #15), shared by placeholders (`{{input.body.items[0]}}`) and
 * checks (`body.items.length`). Pure TS: the core and the renderer (placeholder picker, live
 * check evaluation) use the same code.
 *
 * Syntax:
 * - Keys are joined with dots: `body.items`. A key is any run of characters except `.`, `[`,
 *   `]`, whitespace, quotes, `{`, `}` and `|` (so `headers.content-type` works).
 * - `[n]` picks array element n (0-based, no sign, no leading zeros): `rows[2]`, `items[0].name`.
 * - `["any key"]` is a key in JSON string syntax, for keys holding dots or spaces:
 *   `body["a.b"]`.
 * - `length` of an array or a string is its length (a number); of an object, the key `length`.
 * - The empty path is the value itself.
 *
 * Only own properties are read, through their descriptors: `__proto__`, `constructor` and
 * `prototype` reach nothing but data stored under those keys, and no getter ever runs.
 * Limits (this module's own): PATH_MAX_CHARS characters, PATH_MAX_STEPS steps.
 */

/** One step of a path: a key of an object, or an index into an array. */
export type PathStep = string | number;

/** The longest path text accepted, in characters. */
export const PATH_MAX_CHARS = 1000;
/** The most steps a path may have (values are at most 64 levels deep, see limits.ts). */
export const PATH_MAX_STEPS = 64;
/** How many existing keys an error message lists before "and N more". */
const KEYS_LISTED = 20;

export type ParsedPath = { ok: true; steps: PathStep[] } | { ok: false; message: string };

export type Resolved = { found: true; value: unknown } | { found: false; message: string };

const KEY_CHAR = /[^.[\]\s"'{}|]/u;
const INDEX = /^(0|[1-9][0-9]{0,8})$/;

/** Reads a `"…"` JSON string starting at `start`; returns the text and the index after it. */
function readQuoted(
  text: string,
  start: number,
): { value: string; end: number } | { problem: string } {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) return { problem: `the quoted key at position ${start} is not closed` };
  try {
    return { value: JSON.parse(text.slice(start, i + 1)) as string, end: i + 1 };
  } catch {
    return { problem: `the quoted key at position ${start} is not a valid JSON string` };
  }
}

/**
 * Parses `body.items[0].name` into `['body', 'items', 0, 'name']`, or says what is wrong with it
 * in a sentence that names the position.
 */
export function parsePath(text: string): ParsedPath {
  const fail = (message: string): ParsedPath => ({
    ok: false,
    message: `path "${text.length > 60 ? `${text.slice(0, 60)}…` : text}": ${message}`,
  });
  if (text.length > PATH_MAX_CHARS) {
    return fail(`is ${text.length} characters long; the limit is ${PATH_MAX_CHARS}`);
  }
  const steps: PathStep[] = [];
  let i = 0;
  let expectKey = true; // at the start, or right after a dot
  while (i < text.length) {
    const c = text[i]!;
    if (steps.length >= PATH_MAX_STEPS) {
      return fail(`has more than ${PATH_MAX_STEPS} steps`);
    }
    if (c === '[') {
      if (expectKey && steps.length > 0) {
        return fail(`a "." at position ${i - 1} must be followed by a key, not "["`);
      }
      if (text[i + 1] === '"') {
        const quoted = readQuoted(text, i + 1);
        if ('problem' in quoted) return fail(quoted.problem);
        if (text[quoted.end] !== ']') return fail(`"]" expected at position ${quoted.end}`);
        steps.push(quoted.value);
        i = quoted.end + 1;
      } else {
        const close = text.indexOf(']', i);
        if (close < 0) return fail(`the "[" at position ${i} is not closed with "]"`);
        const inner = text.slice(i + 1, close);
        if (!INDEX.test(inner)) {
          return fail(
            `[${inner}] at position ${i} is not an array index; write a whole number from 0, like [0], or ["key"] for a key`,
          );
        }
        steps.push(Number(inner));
        i = close + 1;
      }
      expectKey = false;
      continue;
    }
    if (c === '.') {
      if (expectKey) {
        return fail(i === 0 ? 'must not start with "."' : `has an empty key at position ${i}`);
      }
      expectKey = true;
      i++;
      continue;
    }
    if (!expectKey) {
      return fail(`"." or "[" expected at position ${i}, not ${JSON.stringify(c)}`);
    }
    let end = i;
    while (end < text.length && KEY_CHAR.test(text[end]!)) end++;
    if (end === i) {
      return fail(
        `${JSON.stringify(c)} at position ${i} cannot be part of a key; write ["…"] for such keys`,
      );
    }
    steps.push(text.slice(i, end));
    i = end;
    expectKey = false;
  }
  if (expectKey && steps.length > 0) return fail('must not end with "."');
  return { ok: true, steps };
}

const PLAIN_KEY = /^[^.[\]\s"'{}|]+$/u;

/** The text of a path: `formatPath(['body', 'items', 0])` is `body.items[0]`. */
export function formatPath(steps: readonly PathStep[], prefix = ''): string {
  let out = prefix;
  for (const step of steps) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (PLAIN_KEY.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** What a value is, in words, for messages. */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

function listKeys(value: object): string {
  const keys = Object.keys(value);
  if (keys.length === 0) return 'it has no keys';
  const shown = keys.slice(0, KEYS_LISTED).join(', ');
  return keys.length > KEYS_LISTED
    ? `it has ${shown} and ${keys.length - KEYS_LISTED} more`
    : `it has ${shown}`;
}

/** An own data property of `value`, never a getter or an inherited member. */
function ownValue(value: object, key: string): { has: boolean; value?: unknown } {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  if (descriptor === undefined || !('value' in descriptor)) return { has: false };
  return { has: true, value: descriptor.value as unknown };
}

export interface ResolveOptions {
  /**
   * The name of the value itself in messages and printed paths (`input` gives
   * `input.body.items`). Empty: paths print bare (`body.items`) and the value is "the value".
   */
  root?: string;
  /** How messages call the value itself when `root` is empty (default "the value"). */
  rootLabel?: string;
}

/**
 * The value at `steps` inside `value`, or a message that names the path and says what exists
 * where it failed: `input.body.itmes: no key "itmes" in input.body; it has items, total`.
 */
export function resolvePath(
  value: unknown,
  steps: readonly PathStep[],
  options: ResolveOptions = {},
): Resolved {
  const root = options.root ?? '';
  const top = root || (options.rootLabel ?? 'the value');
  let current = value;
  for (let n = 0; n < steps.length; n++) {
    const step = steps[n]!;
    // Messages are built only on failure: a resolve that succeeds formats nothing.
    const here = (): string => (n === 0 ? top : formatPath(steps.slice(0, n), root));
    const missing = (why: string): Resolved => ({
      found: false,
      message: `${formatPath(steps, root)}: ${why}`,
    });
    if (current === null || typeof current !== 'object') {
      if (step === 'length' && typeof current === 'string') {
        current = current.length;
        continue;
      }
      const kind = describeKind(current);
      return missing(
        typeof step === 'number'
          ? `${here()} is ${kind}, not an array`
          : `${here()} is ${kind}, not an object; it has no key "${step}"`,
      );
    }
    if (Array.isArray(current)) {
      if (typeof step === 'number') {
        if (step >= current.length) {
          return missing(
            current.length === 0
              ? `no element ${step} in ${here()}; it is an empty array`
              : `no element ${step} in ${here()}; it has ${current.length} (0 to ${current.length - 1})`,
          );
        }
        current = ownValue(current, String(step)).value;
        continue;
      }
      if (step === 'length') {
        current = current.length;
        continue;
      }
      return missing(
        `${here()} is an array of ${current.length}, not an object; use [n] for an element, or .length`,
      );
    }
    if (typeof step === 'number') {
      return missing(`${here()} is an object, not an array; ${listKeys(current)}`);
    }
    const own = ownValue(current, step);
    if (!own.has) return missing(`no key "${step}" in ${here()}; ${listKeys(current)}`);
    current = own.value;
  }
  return { found: true, value: current };
}
