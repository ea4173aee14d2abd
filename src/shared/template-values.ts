/**
 * Placeholders inside JSON-valued fields (issue #15): api `body`, file `content`, db `filter`,
 * `update`, `pipeline`, `documents`. Every string in the value is filled in `json` mode
 * (templates.ts): a string that is exactly one placeholder becomes the value itself, so
 * `{"items": "{{input.body.items}}"}` holds the array. Object keys are left alone. Pure TS.
 */
import {
  renderTemplate,
  TEMPLATE_MAX_OUTPUT_CHARS,
  type RenderOptions,
  type Rendered,
  type TemplateContext,
} from './templates';
import { formatPath, type PathStep } from './value-path';

/** Calls `visit` for every string inside a JSON value, with its path; stops when it says so. */
function eachString(
  value: unknown,
  visit: (text: string, path: PathStep[]) => string | undefined,
): string | undefined {
  const stack: Array<{ value: unknown; path: PathStep[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: item, path } = stack.pop()!;
    if (typeof item === 'string') {
      const stop = visit(item, path);
      if (stop !== undefined) return stop;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], path: [...path, i] });
    } else if (item !== null && typeof item === 'object') {
      const keys = Object.keys(item);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({
          value: (item as Record<string, unknown>)[keys[i]!],
          path: [...path, keys[i]!],
        });
      }
    }
  }
  return undefined;
}

/** Every string holding `{{` inside a JSON value, by its path (`body.items[0]`), for validation. */
export function collectTemplateStrings(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  eachString(value, (text, path) => {
    if (text.includes('{{')) out[formatPath(path, prefix) || prefix] = text;
    return undefined;
  });
  return out;
}

/**
 * Fills every string inside a JSON value (api body, file content, db filter, update, pipeline,
 * documents) in `json` mode; object keys are left alone. Returns a new value (the input is not
 * changed) or the first problem, its message starting with the string's path.
 */
export function renderDeep(
  value: unknown,
  context: TemplateContext,
  options: RenderOptions = {},
): Rendered<unknown> {
  const filled = new Map<string, unknown>();
  let budget = TEMPLATE_MAX_OUTPUT_CHARS;
  const sizes = new Map<unknown, number>();
  const problem = eachString(value, (text, path) => {
    if (!text.includes('{{')) return undefined;
    const rendered = renderTemplate(text, context, 'json', options);
    const where = formatPath(path) || 'the value';
    if (!rendered.ok) return `${where}: ${rendered.message}`;
    const result = rendered.value;
    let size = typeof result === 'string' ? result.length : sizes.get(result);
    if (size === undefined) {
      size = (JSON.stringify(result) ?? '').length;
      if (typeof result === 'object' && result !== null) sizes.set(result, size);
    }
    budget -= size;
    if (budget < 0) {
      return `${where}: the filled value would be longer than ${TEMPLATE_MAX_OUTPUT_CHARS} characters as JSON; use less data in it`;
    }
    filled.set(JSON.stringify(path), result);
    return undefined;
  });
  if (problem !== undefined) return { ok: false, message: problem, at: 0 };
  if (filled.size === 0) return { ok: true, value };
  return { ok: true, value: rebuild(value, [], filled) };
}

/** A copy of `value` with the filled strings swapped in (own keys defined, never assigned). */
function rebuild(value: unknown, path: PathStep[], filled: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    const key = JSON.stringify(path);
    return filled.has(key) ? filled.get(key) : value;
  }
  if (Array.isArray(value)) return value.map((item, i) => rebuild(item, [...path, i], filled));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: rebuild(item, [...path, key], filled),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
