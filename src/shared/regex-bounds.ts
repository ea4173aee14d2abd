/**
 * Bounded regular expressions for the `matches` check (issue #15). JavaScript's engine
 * backtracks and cannot be stopped once a match runs, and the renderer (live evaluation of
 * checks) has no worker or vm to put a time limit on, so the bound is made in two halves:
 *
 * 1. At validation, a pattern is refused when it is invalid (JavaScript syntax, `u` flag), longer
 *    than REGEX_MAX_CHARS, uses backreferences (`\1`, `\k<name>`), repeats a part that itself
 *    repeats or has alternatives (`(a+)+`, `(a|b)*`, `(\w{1,9})+`: the exponential cases), has
 *    more than REGEX_MAX_REPEATS unbounded repetitions (`*`, `+`, `{n,}`), or more optional
 *    branches than REGEX_MAX_BRANCHES (`a?`, `{n,m}` and `|` multiply).
 * 2. What is left runs in at most about `branches × n^(repeats+1)` steps for an input of n
 *    characters (each repetition can backtrack over the input, from every start position).
 *    `maxInput` is the length that keeps this under REGEX_STEP_BUDGET; a longer value fails the
 *    check with a message instead of being matched. Patterns without repetitions take up to
 *    REGEX_MAX_INPUT characters.
 *
 * `npm run bench -- templates-checks` matches the worst case of each kind at its cap and prints the
 * times (≤ 60 ms each on the project's machine, most well under 15 ms).
 */

/** The longest pattern accepted. */
export const REGEX_MAX_CHARS = 256;
/** Most unbounded repetitions (`*`, `+`, `{n,}`) in one pattern. */
export const REGEX_MAX_REPEATS = 3;
/** Most ways through the pattern's bounded choices (`?`, `{n,m}`, `|`), multiplied. */
export const REGEX_MAX_BRANCHES = 1000;
/** Steps the worst-case match may take (measured at 4–12 ns each). */
export const REGEX_STEP_BUDGET = 5_000_000;
/** The longest text any pattern is matched against. */
export const REGEX_MAX_INPUT = 1_000_000;

export type RegexAnalysis =
  | { ok: true; regex: RegExp; maxInput: number; repeats: number; branches: number }
  | { ok: false; message: string };

interface Group {
  /** Product of choices in the current alternative. */
  branch: number;
  /** Sum over the finished alternatives. */
  alternatives: number;
  /** Whether it has `|`. */
  alternation: boolean;
  /** Whether a quantifier with min ≠ max is inside. */
  variable: boolean;
  /** Whether an unbounded quantifier is inside. */
  unbounded: boolean;
}

const newGroup = (): Group => ({
  branch: 1,
  alternatives: 0,
  alternation: false,
  variable: false,
  unbounded: false,
});

/** Index after the escape at `i` (`\d`, `\u{1F600}`, `\p{L}`, `\x41`, `\cA`…). */
function skipEscape(pattern: string, i: number): number {
  const next = pattern[i + 1];
  if ((next === 'u' || next === 'p' || next === 'P') && pattern[i + 2] === '{') {
    return pattern.indexOf('}', i) + 1;
  }
  if (next === 'u') return i + 6;
  if (next === 'x') return i + 4;
  if (next === 'c') return i + 3;
  return i + 2;
}

/** The quantifier at `i`: its bounds and the index after it, or undefined when there is none. */
function readQuantifier(
  pattern: string,
  i: number,
): { min: number; max: number; end: number } | undefined {
  const c = pattern[i];
  let q: { min: number; max: number; end: number } | undefined;
  if (c === '*') q = { min: 0, max: Infinity, end: i + 1 };
  else if (c === '+') q = { min: 1, max: Infinity, end: i + 1 };
  else if (c === '?') q = { min: 0, max: 1, end: i + 1 };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (m === null) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    q = { min, max, end: i + m[0].length };
  }
  if (q !== undefined && pattern[q.end] === '?') q.end++; // lazy: same bounds
  return q;
}

const cache = new Map<string, RegexAnalysis>();

/** Checks `pattern` for the `matches` check; see the module comment. */
export function analyzeRegex(pattern: string): RegexAnalysis {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const analysis = analyze(pattern);
  if (cache.size >= 500) cache.delete(cache.keys().next().value!);
  cache.set(pattern, analysis);
  return analysis;
}

function analyze(pattern: string): RegexAnalysis {
  const fail = (why: string): RegexAnalysis => ({
    ok: false,
    message: `pattern ${JSON.stringify(pattern.length > 60 ? `${pattern.slice(0, 60)}…` : pattern)} ${why}`,
  });
  if (pattern.length > REGEX_MAX_CHARS) {
    return fail(`is ${pattern.length} characters long; the limit is ${REGEX_MAX_CHARS}`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (error) {
    const detail =
      error instanceof Error
        ? error.message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '')
        : '';
    return fail(`is not a valid regular expression (${detail})`);
  }
  const stack: Group[] = [newGroup()];
  let repeats = 0;
  /** What a quantifier at the current position would apply to: an atom, or a closed group. */
  let pending: { group?: Group } | undefined;
  /** Counts a closed group that no quantifier follows into the enclosing one. */
  const settle = (): void => {
    const group = pending?.group;
    pending = undefined;
    if (group === undefined) return;
    const top = stack[stack.length - 1]!;
    top.branch *= group.alternatives;
    top.variable ||= group.variable;
    top.unbounded ||= group.unbounded;
  };
  for (let i = 0; i < pattern.length;) {
    const q = pending === undefined ? undefined : readQuantifier(pattern, i);
    if (q !== undefined) {
      const top = stack[stack.length - 1]!;
      const group = pending?.group;
      const unbounded = q.max === Infinity;
      if (group !== undefined) {
        if (
          q.max > 1 &&
          (group.unbounded || (unbounded && (group.variable || group.alternation)))
        ) {
          return fail(
            'repeats a group that itself repeats or has alternatives (like (a+)+ or (a|b)*), which can take exponential time; repeat a character class instead, like [ab]*',
          );
        }
        // Up to (max − min + 1) counts, each with up to alternatives^count ways through.
        top.branch *= unbounded
          ? group.alternatives
          : (q.max - q.min + 1) * group.alternatives ** q.max;
        top.variable ||= group.variable;
        top.unbounded ||= group.unbounded;
      } else if (!unbounded) top.branch *= q.max - q.min + 1;
      if (unbounded) repeats++;
      top.variable ||= q.min !== q.max;
      top.unbounded ||= unbounded;
      pending = undefined;
      i = q.end;
      continue;
    }
    settle();
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = pattern[i + 1]!;
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) {
        return fail(
          `uses a backreference (${next === 'k' ? '\\k<…>' : `\\${next}`}), which can take exponential time; checks do not support them`,
        );
      }
      i = skipEscape(pattern, i);
      pending = {};
    } else if (c === '[') {
      let j = i + 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j + 1;
      pending = {};
    } else if (c === '(') {
      stack.push(newGroup());
      i += 1;
      if (pattern[i] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        if (pattern[i + 1] === '<' && pattern[i + 2] !== '=' && pattern[i + 2] !== '!') {
          i = pattern.indexOf('>', i) + 1;
        } else i += pattern[i + 1] === '<' ? 3 : 2;
      }
    } else if (c === '|') {
      top.alternatives += top.branch;
      top.branch = 1;
      top.alternation = true;
      i++;
    } else if (c === ')') {
      top.alternatives += top.branch;
      stack.pop();
      pending = { group: top };
      i++;
    } else {
      pending = c === '^' || c === '$' ? undefined : {};
      i++;
    }
  }
  settle();
  const root = stack[0]!;
  const branches = root.alternatives + root.branch;
  if (!(branches <= REGEX_MAX_BRANCHES)) {
    return fail(
      `has too many optional parts (${branches > 1e6 ? 'over a million' : Math.round(branches)} ways through ?, {n,m} and |; the limit is ${REGEX_MAX_BRANCHES}); simplify it`,
    );
  }
  if (repeats > REGEX_MAX_REPEATS) {
    return fail(
      `has ${repeats} unbounded repetitions (* + {n,}); the limit is ${REGEX_MAX_REPEATS}, so that matching stays fast`,
    );
  }
  const maxInput = Math.min(
    REGEX_MAX_INPUT,
    Math.floor((REGEX_STEP_BUDGET / branches) ** (1 / (repeats + 1))),
  );
  return { ok: true, regex, maxInput, repeats, branches };
}

export type RegexMatch = { ok: true; matched: boolean } | { ok: false; message: string };

/** Matches `text` with a pattern analyzeRegex accepted, refusing texts longer than its bound. */
export function matchBounded(pattern: string, text: string): RegexMatch {
  const analysis = analyzeRegex(pattern);
  if (!analysis.ok) return analysis;
  if (text.length > analysis.maxInput) {
    return {
      ok: false,
      message: `the value is ${text.length} characters long, and this pattern (${analysis.repeats} repetitions) is matched against at most ${analysis.maxInput} to stay fast; check a shorter field, use fewer * + {n,}, or use contains`,
    };
  }
  analysis.regex.lastIndex = 0;
  return { ok: true, matched: analysis.regex.test(text) };
}
