/**
 * Placeholders in configuration texts (issue #15): `{{ name }}` and `{{ name | filter: "arg" }}`.
 * Pure TS (no node imports): the core fills them when a run starts, the renderer validates and
 * lists them (placeholder picker). User guide: docs/chains.md, "Placeholders".
 *
 * Names
 * - `now` (the run's start), `run.id`, `run.scheduledFor` (the slot, else the start),
 *   `task.id`, `task.name`: every run has them.
 * - `input` (the parent run's whole result), `input.<path>` (a path as in value-path.ts:
 *   `input.body.items[0].name`, `input.rows.length`), `parent.id`, `parent.scheduledFor`: only a
 *   chained run has them (validateTemplates refuses them in a task that runs after nothing).
 * - `env.NAME` and variable names (`{{customer}}`, letters digits `_ - .`) as before: only in
 *   scopes that have them (api and file configurations: `params.variables`, `params.allowEnv`).
 *   The first words `input parent now run task env` are reserved for built-ins: a variable named
 *   so can never be read (isReservedVariableName).
 * Filters, applied left to right: `date: "<Unicode pattern>"` with an optional `: "<IANA zone>"`
 * (default: the context's `timeZone`, else UTC; see template-dates.ts), `json` (the value as JSON
 * text, a string with its quotes), `urlencode` (percent-encoded, RFC 3986 unreserved characters
 * kept). Arguments are double-quoted JSON strings. There is no other logic: a value never becomes
 * code and is inserted once (a value holding `{{x}}` is not filled again).
 *
 * `{{` always opens a placeholder; `\{{` is a literal `{{` (the backslash is dropped). A `}}`
 * outside a placeholder is plain text. `{{` without `}}`, an unknown name or filter, a malformed
 * date pattern or zone are problems with the position of the `{{`.
 *
 * Modes: where the filled text goes.
 * - `text`: strings go in as they are; numbers, booleans, null, objects and arrays as JSON text.
 * - `url`: a whole URL. Placeholders before the path (scheme, host, port: before the first `/`,
 *   `?` or `#` that is not part of `://`) go in as they are, so a base URL can come from a
 *   variable; those in the path, query or fragment are percent-encoded (a value ending with the
 *   `urlencode` filter is not encoded twice).
 * - `json`: a string inside a JSON-valued field. A string that is exactly one placeholder (spaces
 *   around it allowed) becomes the value itself (an array stays an array, a number a number; the
 *   value is not copied); any other string is filled as in `text`.
 *
 * JSON-valued fields (api body, file content, db filters…): `renderDeep` in template-values.ts.
 *
 * Limits (these modules' own, not limits.ts): TEMPLATE_MAX_PLACEHOLDERS per text and
 * TEMPLATE_MAX_FILTERS per placeholder (template-syntax.ts), TEMPLATE_MAX_OUTPUT_CHARS of output
 * per text and per `renderDeep` value, DATE_PATTERN_MAX_CHARS (template-dates.ts), PATH_MAX_*
 * (value-path.ts). Nothing here throws on any text or context: problems are returned.
 */
import { formatTime, zoneProblem } from './template-dates';
import {
  classifyName,
  scanTemplateCached,
  type Placeholder,
  type TemplatePart,
  type TemplateProblem,
} from './template-syntax';
import { resolvePath } from './value-path';

export {
  BUILT_IN_NAMES,
  FILTER_NAMES,
  TEMPLATE_MAX_FILTERS,
  TEMPLATE_MAX_PLACEHOLDERS,
} from './template-syntax';
export type {
  Placeholder,
  PlaceholderName,
  TemplateFilter,
  TemplatePart,
  TemplateProblem,
} from './template-syntax';

/** The longest text one fill may produce, in UTF-16 characters (twice the largest result cap). */
export const TEMPLATE_MAX_OUTPUT_CHARS = 32 * 1024 * 1024;

export type TemplateMode = 'text' | 'url' | 'json';

/** Which variable and environment names exist where a text is used. */
export interface TemplateScope {
  /** Names of `params.variables`; undefined: the field has no variables at all. */
  variables?: readonly string[];
  /** `params.allowEnv`; undefined: the field cannot read the environment. */
  allowEnv?: readonly string[];
}

/** The values placeholders read. Times are ISO 8601 strings. */
export interface TemplateContext {
  now: string;
  run: { id: string; scheduledFor: string };
  task: { id: string; name: string };
  /** A chained run's parent run (scheduledFor: its slot, else its start). */
  parent?: { id: string; scheduledFor: string };
  /** A chained run's input: the parent's result, and whether the result size cap cut it. */
  input?: { result: unknown; truncated?: boolean };
  variables?: Readonly<Record<string, string>>;
  allowEnv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Zone of a `date` filter that names none (default UTC). */
  timeZone?: string;
}

export interface RenderOptions {
  /** Let `input` placeholders read a parent result that was truncated (default: a problem). */
  allowTruncatedInput?: boolean;
}

export type Rendered<T> = { ok: true; value: T } | ({ ok: false } & TemplateProblem);

export type ParsedTemplate =
  { ok: true; parts: readonly TemplatePart[] } | ({ ok: false } & TemplateProblem);

const BUILT_IN_LIST = 'now, run.id, run.scheduledFor, task.id, task.name';
const CHAINED_LIST = 'input, input.<path>, parent.id, parent.scheduledFor';

/** A problem with a placeholder's name in `scope`, or undefined when the name exists there. */
function scopeProblem(placeholder: Placeholder, scope: TemplateScope): string | undefined {
  const { name } = placeholder;
  if (name.kind === 'variable' && !(scope.variables ?? []).includes(name.name)) {
    const hint = scope.variables === undefined ? '' : `, or add "${name.name}" to params.variables`;
    return `unknown placeholder {{${name.name}}}; the built-in values are ${BUILT_IN_LIST}, and in a chained task ${CHAINED_LIST}${hint}`;
  }
  if (name.kind === 'env' && !(scope.allowEnv ?? []).includes(name.name)) {
    return scope.allowEnv === undefined
      ? `placeholder {{env.${name.name}}}: this field cannot read environment variables`
      : `placeholder {{env.${name.name}}} has no value: environment variable ${name.name} is not allowed; add "${name.name}" to params.allowEnv`;
  }
  return undefined;
}

/**
 * The parts of `text` (literal strings and placeholders), or the first problem with its
 * position: a syntax error, an unknown filter, a bad date pattern or zone, or a name `scope`
 * does not have.
 */
export function parseTemplate(text: string, scope: TemplateScope = {}): ParsedTemplate {
  const scanned = scanTemplateCached(text);
  if (!scanned.ok) return { ok: false, ...scanned.problem };
  for (const part of scanned.parts) {
    if (typeof part === 'string') continue;
    const message = scopeProblem(part, scope);
    if (message !== undefined) return { ok: false, message, at: part.at };
  }
  return { ok: true, parts: scanned.parts };
}

/** The placeholders of `text` in order, up to its first syntax problem (for editors). */
export function listPlaceholders(text: string): Placeholder[] {
  return scanTemplateCached(text).parts.filter((p): p is Placeholder => typeof p !== 'string');
}

/** A value as text: strings as they are, everything else as JSON. */
function toText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Percent-encodes everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~). */
export function urlEncode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

type Evaluated = { ok: true; value: unknown } | { ok: false; message: string };

function readName(
  placeholder: Placeholder,
  context: TemplateContext,
  options: RenderOptions,
): Evaluated {
  const { name, source } = placeholder;
  const noParent = `${source} reads the parent run, but this run has none: the task did not run after another task`;
  switch (name.kind) {
    case 'input': {
      if (context.input === undefined) return { ok: false, message: noParent };
      if (context.input.truncated === true && options.allowTruncatedInput !== true) {
        return {
          ok: false,
          message: `${source}: the parent run's result was truncated by the result size cap, so this would use part of the data; raise the result size cap (setting resultMaxBytes), or let the task accept a truncated input`,
        };
      }
      const resolved = resolvePath(context.input.result, name.path, { root: 'input' });
      return resolved.found
        ? { ok: true, value: resolved.value }
        : { ok: false, message: resolved.message };
    }
    case 'builtin':
      switch (name.name) {
        case 'now':
          return { ok: true, value: context.now };
        case 'run.id':
          return { ok: true, value: context.run.id };
        case 'run.scheduledFor':
          return { ok: true, value: context.run.scheduledFor };
        case 'task.id':
          return { ok: true, value: context.task.id };
        case 'task.name':
          return { ok: true, value: context.task.name };
        case 'parent.id':
        case 'parent.scheduledFor':
          if (context.parent === undefined) return { ok: false, message: noParent };
          return {
            ok: true,
            value: name.name === 'parent.id' ? context.parent.id : context.parent.scheduledFor,
          };
      }
      break;
    case 'variable': {
      const variables = context.variables ?? {};
      if (!Object.prototype.hasOwnProperty.call(variables, name.name)) break;
      return { ok: true, value: variables[name.name] };
    }
    case 'env': {
      const value = context.env?.[name.name];
      if (value === undefined || !Object.prototype.hasOwnProperty.call(context.env, name.name)) {
        return {
          ok: false,
          message: `placeholder {{env.${name.name}}} has no value: environment variable ${name.name} is not set; set it before starting the app or use params.variables`,
        };
      }
      return { ok: true, value };
    }
  }
  return { ok: false, message: `unknown placeholder ${source}` };
}

/** The value of one placeholder after its filters. */
function evaluate(
  placeholder: Placeholder,
  context: TemplateContext,
  options: RenderOptions,
): Evaluated {
  const read = readName(placeholder, context, options);
  if (!read.ok) return read;
  let value = read.value;
  for (const filter of placeholder.filters) {
    if (filter.name === 'json') value = JSON.stringify(value) ?? 'null';
    else if (filter.name === 'urlencode') value = urlEncode(toText(value));
    else {
      const zone = filter.zone ?? context.timeZone ?? 'UTC';
      const zoneIssue = filter.zone === undefined ? zoneProblem(zone) : undefined;
      if (zoneIssue !== undefined) {
        return { ok: false, message: `${placeholder.source}: the default zone: ${zoneIssue}` };
      }
      const formatted = formatTime(value, filter.pattern, zone);
      if (!formatted.ok)
        return { ok: false, message: `${placeholder.source}: ${formatted.message}` };
      value = formatted.text;
    }
  }
  return { ok: true, value };
}

/** Whether the text of a URL has reached its path (see "Modes" above). */
function reachesPath(literal: string): boolean {
  for (let i = 0; i < literal.length; i++) {
    if (literal.startsWith('://', i)) i += 2;
    else if (literal[i] === '/' || literal[i] === '?' || literal[i] === '#') return true;
  }
  return false;
}

const tooLong = (at: number): { ok: false } & TemplateProblem => ({
  ok: false,
  message: `the filled text would be longer than ${TEMPLATE_MAX_OUTPUT_CHARS} characters; use less data in it`,
  at,
});

/** Fills the placeholders of `text`: a string in `text` and `url` mode, any JSON value in `json`. */
export function renderTemplate(
  text: string,
  context: TemplateContext,
  mode: 'text' | 'url',
  options?: RenderOptions,
): Rendered<string>;
export function renderTemplate(
  text: string,
  context: TemplateContext,
  mode: TemplateMode,
  options?: RenderOptions,
): Rendered<unknown>;
export function renderTemplate(
  text: string,
  context: TemplateContext,
  mode: TemplateMode,
  options: RenderOptions = {},
): Rendered<unknown> {
  if (!text.includes('{{')) return { ok: true, value: text };
  const parsed = parseTemplate(text, {
    variables: Object.keys(context.variables ?? {}),
    allowEnv: context.allowEnv ?? [],
  });
  if (!parsed.ok) return parsed;
  const { parts } = parsed;
  if (mode === 'json') {
    const only = parts.filter((p) => typeof p !== 'string' || p.trim() !== '');
    if (only.length === 1 && typeof only[0] !== 'string') {
      const value = evaluate(only[0]!, context, options);
      return value.ok ? value : { ok: false, message: value.message, at: only[0]!.at };
    }
  }
  let out = '';
  let inPath = mode !== 'url';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      if (!inPath) inPath = reachesPath(part);
    } else {
      const value = evaluate(part, context, options);
      if (!value.ok) return { ok: false, message: value.message, at: part.at };
      const encoded = part.filters.at(-1)?.name === 'urlencode';
      out +=
        inPath && mode === 'url' && !encoded ? urlEncode(toText(value.value)) : toText(value.value);
    }
    if (out.length > TEMPLATE_MAX_OUTPUT_CHARS) {
      return tooLong(typeof part === 'string' ? 0 : part.at);
    }
  }
  return { ok: true, value: out };
}

export interface TemplateIssue {
  /** The field as given to validateTemplates (`params.url`, `params.body.items[0]`). */
  field: string;
  message: string;
  at: number;
}

/**
 * Save-time validation of a configuration's template fields: every problem parseTemplate finds,
 * and `input` / `parent` placeholders in a task that is not chained. Empty: all is well.
 */
export function validateTemplates(
  fields: Readonly<Record<string, string>>,
  options: { chained: boolean } & TemplateScope,
): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  for (const [field, text] of Object.entries(fields)) {
    if (!text.includes('{{')) continue;
    const parsed = parseTemplate(text, options);
    if (!parsed.ok) {
      issues.push({ field, message: parsed.message, at: parsed.at });
      continue;
    }
    if (options.chained) continue;
    for (const part of parsed.parts) {
      if (typeof part === 'string') continue;
      const { name } = part;
      if (name.kind === 'input' || (name.kind === 'builtin' && name.name.startsWith('parent.'))) {
        issues.push({
          field,
          message: `${part.source} reads the parent run, but the task runs after no other task; add one to "Run after", or remove the placeholder`,
          at: part.at,
        });
      }
    }
  }
  return issues;
}

/**
 * Whether a variable of this name could never be read because a built-in takes the name
 * (`now`, `run.x`, `input…`, `env.X`): save-time validation of `params.variables` can refuse it.
 */
export function isReservedVariableName(name: string): boolean {
  return classifyName(name).kind !== 'variable';
}
