/**
 * The `{{name}}` template engine used by executors (api now, db later).
 *
 * Syntax (documented in docs/executors.md):
 * - `{{name}}` is replaced by `variables[name]`; names are letters, digits, `_`, `-` and `.`,
 *   starting with a letter or `_`. Spaces inside the braces are allowed: `{{ name }}`.
 * - `{{env.NAME}}` is replaced by the environment variable NAME, only when NAME is listed in
 *   `allowEnv` (so a configuration cannot read arbitrary secrets from the host).
 * - `\{{` is a literal `{{` (the backslash is removed). A lone `{{` without a matching `}}`, or
 *   braces holding something that is not a name, is an error: a typo must not reach a server.
 * - Values are inserted as they are, once: a value holding `{{x}}` is not expanded again.
 * - An unknown name is an error (`INVALID_CONFIG`), never an empty string.
 */
import { TaskError } from './types';

export interface PlaceholderScope {
  /** Values for `{{name}}`. */
  variables?: Readonly<Record<string, string>>;
  /** Environment variable names `{{env.NAME}}` may read. */
  allowEnv?: readonly string[];
  /** Where `{{env.NAME}}` values come from (defaults to an empty environment). */
  env?: Readonly<Record<string, string | undefined>>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function invalid(where: string, message: string): TaskError {
  return new TaskError('INVALID_CONFIG', `${where}: ${message}`);
}

function lookup(name: string, scope: PlaceholderScope, where: string): string {
  if (name.startsWith('env.')) {
    const envName = name.slice(4);
    if (!(scope.allowEnv ?? []).includes(envName)) {
      throw invalid(
        where,
        `placeholder {{${name}}} has no value: environment variable ${envName} is not allowed; add "${envName}" to params.allowEnv`,
      );
    }
    const value = scope.env?.[envName];
    if (value === undefined) {
      throw invalid(
        where,
        `placeholder {{${name}}} has no value: environment variable ${envName} is not set; set it before starting the app or use params.variables`,
      );
    }
    return value;
  }
  const variables = scope.variables ?? {};
  if (!Object.prototype.hasOwnProperty.call(variables, name)) {
    throw invalid(
      where,
      `placeholder {{${name}}} has no value; add it to params.variables or allow the env var in params.allowEnv`,
    );
  }
  return variables[name]!;
}

/** Fills every placeholder in `template`; throws `TaskError('INVALID_CONFIG')` naming `where`. */
export function fillTemplate(template: string, scope: PlaceholderScope, where: string): string {
  if (!template.includes('{{')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    if (open > 0 && template[open - 1] === '\\') {
      // Escaped: drop the backslash, keep the braces literally.
      out += template.slice(i, open - 1) + '{{';
      i = open + 2;
      continue;
    }
    out += template.slice(i, open);
    const close = template.indexOf('}}', open + 2);
    if (close < 0) {
      throw invalid(
        where,
        `"{{" at position ${open} has no closing "}}"; close the placeholder or write \\{{ for literal braces`,
      );
    }
    const name = template.slice(open + 2, close).trim();
    if (!NAME.test(name)) {
      throw invalid(
        where,
        `"{{${template.slice(open + 2, close)}}}" is not a placeholder name (letters, digits, _ - .); fix it or write \\{{ for literal braces`,
      );
    }
    out += lookup(name, scope, where);
    i = close + 2;
  }
  return out;
}

/**
 * Fills placeholders in every string inside a JSON-like value (object values and array items,
 * recursively; object keys are left alone). Returns a new value; the input is not changed.
 */
export function fillDeep(value: unknown, scope: PlaceholderScope, where: string): unknown {
  if (typeof value === 'string') return fillTemplate(value, scope, where);
  if (Array.isArray(value)) return value.map((item) => fillDeep(item, scope, where));
  if (value !== null && typeof value === 'object') {
    // Defined, not assigned: a `__proto__` key of the user's data stays an own key.
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: fillDeep(item, scope, where),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** Fills the values of a string map (headers, query). */
export function fillMap(
  map: Readonly<Record<string, string>> | undefined,
  scope: PlaceholderScope,
  where: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) {
    out[key] = fillTemplate(value, scope, where);
  }
  return out;
}

/** The placeholder names a template uses, in order (for editors and checks). */
export function listPlaceholders(template: string): string[] {
  const names: string[] = [];
  const re = /(\\?)\{\{\s*([^{}]*?)\s*\}\}/g;
  for (const match of template.matchAll(re)) {
    if (match[1] === '\\') continue;
    if (NAME.test(match[2]!)) names.push(match[2]!);
  }
  return names;
}
