/**
 * The syntax of placeholders (issue #15): splits a text into literal parts and placeholders,
 * each with its name and filters, or finds the first problem. No values are read here and no
 * scope is applied (which variables and environment names exist): `templates.ts` does that,
 * so a parse can be cached by text alone. The grammar is documented in templates.ts.
 */
import { datePatternProblem, zoneProblem } from './template-dates';
import { parsePath, type PathStep } from './value-path';

/** Most placeholders in one text. */
export const TEMPLATE_MAX_PLACEHOLDERS = 100;
/** Most filters after one placeholder's name. */
export const TEMPLATE_MAX_FILTERS = 8;

/** The built-in values every task has, and (parent.*) those a chained run has. */
export const BUILT_IN_NAMES = [
  'now',
  'run.id',
  'run.scheduledFor',
  'task.id',
  'task.name',
  'parent.id',
  'parent.scheduledFor',
] as const;
export type BuiltInName = (typeof BUILT_IN_NAMES)[number];

export const FILTER_NAMES = ['date', 'json', 'urlencode'] as const;

export type TemplateFilter =
  { name: 'date'; pattern: string; zone?: string } | { name: 'json' } | { name: 'urlencode' };

export type PlaceholderName =
  | { kind: 'input'; path: readonly PathStep[] }
  | { kind: 'builtin'; name: BuiltInName }
  | { kind: 'env'; name: string }
  | { kind: 'variable'; name: string };

export interface Placeholder {
  /** Index of the opening `{{` in the text. */
  at: number;
  /** Index just after the closing `}}`. */
  end: number;
  /** The placeholder as written, braces included. */
  source: string;
  /** What it reads, as written without spaces: `input.body.items`, `run.scheduledFor`. */
  expression: string;
  name: PlaceholderName;
  filters: readonly TemplateFilter[];
}

/** A literal piece of text, or a placeholder. */
export type TemplatePart = string | Placeholder;

export interface TemplateProblem {
  message: string;
  /** Index in the text where the problem is (the placeholder's `{{`). */
  at: number;
}

export type Scanned =
  | { ok: true; parts: readonly TemplatePart[] }
  | { ok: false; problem: TemplateProblem; parts: readonly TemplatePart[] };

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROOT_MEMBERS = new Map([
  ['run', 'run has id and scheduledFor'],
  ['task', 'task has id and name'],
  ['parent', 'parent has id and scheduledFor'],
  ['now', 'now has no parts; format it with | date: "…"'],
]);

/** Index just after the `"…"` string starting at `start`, or -1 when it is not closed. */
function skipQuoted(text: string, start: number, limit = text.length): number {
  let i = start + 1;
  while (i < limit && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i < limit ? i + 1 : -1;
}

/** Splits `inner` on `|` outside quoted strings. */
function splitPipes(inner: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < inner.length;) {
    if (inner[i] === '"') {
      const next = skipQuoted(inner, i);
      i = next < 0 ? inner.length : next;
    } else if (inner[i] === '|') {
      pieces.push(inner.slice(start, i));
      start = ++i;
    } else i++;
  }
  pieces.push(inner.slice(start));
  return pieces;
}

/** What a placeholder's name reads, or a problem sentence (`{{run.x}}` is not a variable). */
function classify(expression: string): PlaceholderName | string {
  const shown = `{{${expression}}}`;
  if (expression === '') return 'the placeholder {{}} is empty; write a name such as {{now}}';
  if (expression === 'input' || /^input[.[]/.test(expression)) {
    const parsed = parsePath(expression);
    if (!parsed.ok) return `${shown}: ${parsed.message}`;
    return { kind: 'input', path: parsed.steps.slice(1) };
  }
  if ((BUILT_IN_NAMES as readonly string[]).includes(expression)) {
    return { kind: 'builtin', name: expression as BuiltInName };
  }
  const root = /^[^.[]*/.exec(expression)![0];
  const members = ROOT_MEMBERS.get(root);
  if (members !== undefined) return `unknown placeholder ${shown}: ${members}`;
  if (root === 'env') {
    const name = expression.slice(4);
    if (!expression.startsWith('env.') || !ENV_NAME.test(name)) {
      return `${shown}: write {{env.NAME}} to read an environment variable (a name is letters, digits and _)`;
    }
    return { kind: 'env', name };
  }
  if (VARIABLE_NAME.test(expression)) return { kind: 'variable', name: expression };
  if (/\s/.test(expression)) return `${shown} is not a placeholder: a name has no spaces in it`;
  return `${shown} is not a placeholder: a name is letters, digits, _ - and . (input.<path> takes [n] and ["key"]); write \\{{ for literal braces`;
}

function parseFilter(piece: string, shown: string): TemplateFilter | string {
  const text = piece.trim();
  const name = /^[A-Za-z]*/.exec(text)![0];
  if (name === '') return `${shown}: a filter name must follow "|"`;
  if (!(FILTER_NAMES as readonly string[]).includes(name)) {
    return `unknown filter "${name}" in ${shown}; the filters are date, json and urlencode`;
  }
  const args: string[] = [];
  let i = name.length;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  while (i < text.length) {
    if (text[i] !== ':') {
      return `${shown}: after filter "${name}", ":" and a "quoted" argument were expected, not ${JSON.stringify(text.slice(i))}`;
    }
    i++;
    skipSpace();
    if (text[i] !== '"') {
      return `${shown}: the arguments of filter "${name}" are text in double quotes, like "yyyy-MM-dd"`;
    }
    const next = skipQuoted(text, i);
    try {
      args.push(JSON.parse(text.slice(i, next)) as string);
    } catch {
      return `${shown}: an argument of filter "${name}" is not a valid quoted string`;
    }
    i = next;
    skipSpace();
  }
  if (name === 'date') {
    if (args.length < 1 || args.length > 2) {
      return `${shown}: filter date takes a pattern and optionally a zone: | date: "yyyy-MM-dd" : "Europe/Berlin"`;
    }
    const patternProblem = datePatternProblem(args[0]!);
    if (patternProblem !== undefined) return `${shown}: ${patternProblem}`;
    if (args[1] !== undefined) {
      const problem = zoneProblem(args[1]);
      if (problem !== undefined) return `${shown}: ${problem}`;
      return { name: 'date', pattern: args[0]!, zone: args[1] };
    }
    return { name: 'date', pattern: args[0]! };
  }
  if (args.length > 0) return `${shown}: filter ${name} takes no arguments`;
  return { name: name as 'json' | 'urlencode' };
}

/** One placeholder from the text between its braces, or a problem sentence. */
function parsePlaceholder(text: string, at: number, end: number): Placeholder | string {
  const source = text.slice(at, end);
  const [head, ...rest] = splitPipes(text.slice(at + 2, end - 2));
  const expression = head!.trim();
  const name = classify(expression);
  if (typeof name === 'string') return name;
  if (rest.length > TEMPLATE_MAX_FILTERS) {
    return `${source} has ${rest.length} filters; the limit is ${TEMPLATE_MAX_FILTERS}`;
  }
  const filters: TemplateFilter[] = [];
  for (const piece of rest) {
    const filter = parseFilter(piece, source);
    if (typeof filter === 'string') return filter;
    filters.push(Object.freeze(filter));
  }
  return Object.freeze({
    at,
    end,
    source,
    expression,
    name: Object.freeze(name),
    filters: Object.freeze(filters),
  });
}

/** What `name` reads: a problem sentence counts as "not a variable" (kind `invalid`). */
export function classifyName(name: string): PlaceholderName | { kind: 'invalid'; message: string } {
  const named = classify(name);
  return typeof named === 'string' ? { kind: 'invalid', message: named } : named;
}

/** Splits `text` into literal parts and placeholders; stops at the first problem. */
export function scanTemplate(text: string): Scanned {
  const parts: TemplatePart[] = [];
  const failed = (message: string, at: number): Scanned => ({
    ok: false,
    problem: { message, at },
    parts: Object.freeze(parts),
  });
  let literal = '';
  let count = 0;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      literal += text.slice(i);
      break;
    }
    if (open > 0 && text[open - 1] === '\\') {
      literal += `${text.slice(i, open - 1)}{{`; // \{{ is a literal {{
      i = open + 2;
      continue;
    }
    literal += text.slice(i, open);
    let close = -1;
    for (let j = open + 2; j < text.length;) {
      const c = text[j];
      if (c === '"') {
        const next = skipQuoted(text, j);
        if (next < 0) {
          return failed(
            `the quoted text at position ${j} in the placeholder at position ${open} is not closed`,
            open,
          );
        }
        j = next;
      } else if (c === '}' && text[j + 1] === '}') {
        close = j;
        break;
      } else if (c === '{' && text[j + 1] === '{') {
        return failed(
          `"{{" at position ${open} is not closed before the next "{{" at position ${j}; close it with "}}", or write \\{{ for literal braces`,
          open,
        );
      } else j++;
    }
    if (close < 0) {
      return failed(
        `"{{" at position ${open} has no closing "}}"; close the placeholder, or write \\{{ for literal braces`,
        open,
      );
    }
    if (++count > TEMPLATE_MAX_PLACEHOLDERS) {
      return failed(
        `the text has more than ${TEMPLATE_MAX_PLACEHOLDERS} placeholders; split it up`,
        open,
      );
    }
    const placeholder = parsePlaceholder(text, open, close + 2);
    if (typeof placeholder === 'string') return failed(placeholder, open);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(placeholder);
    i = close + 2;
  }
  if (literal !== '') parts.push(literal);
  return { ok: true, parts: Object.freeze(parts) };
}

const CACHE_MAX_ENTRIES = 500;
const CACHE_MAX_TEXT = 10_000;
const cache = new Map<string, Scanned>();

/** `scanTemplate` with a small cache (texts are scanned on every run of a task). */
export function scanTemplateCached(text: string): Scanned {
  if (text.length > CACHE_MAX_TEXT) return scanTemplate(text);
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const scanned = scanTemplate(text);
  if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(text, scanned);
  return scanned;
}
