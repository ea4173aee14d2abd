/**
 * The configuration editor's draft: form-friendly strings for every field, converted to and from
 * `ConfigurationInput`. Validation = JSON parsing of text areas + the shared zod schema.
 */
import {
  configurationInputSchema,
  type Configuration,
  type ConfigurationInput,
  type TaskType,
} from '../../../shared/domain';
import type { DbEngine } from '../../../shared/db-params';
import { ZOD_USER_MESSAGES } from '../../../shared/zod-messages';
import {
  jsonText,
  parseJsonField,
  zodFieldErrors,
  type FieldErrors,
  type JsonFieldKind,
} from '../util';
import {
  DB_HANDLED,
  dbDraftFromParams,
  dbDraftKeyOf,
  dbEngineParams,
  emptyDbDraft,
  type DbDraft,
  type DraftReader,
} from './db-draft';

/** Every field as the form edits it; the db fields (each engine's) are in `DbDraft`. */
export interface ConfigDraft extends DbDraft {
  id?: string;
  createdAt?: string;
  updatedAt?: string;
  name: string;
  type: TaskType;
  /** Params the form has no field for (escapeFormulas, maxResponseBytes…): kept as they were. */
  extra: Record<string, unknown>;
  // api
  url: string;
  method: string;
  headers: string;
  query: string;
  body: string;
  bodyType: string;
  authKind: 'none' | 'bearer' | 'basic';
  token: string;
  username: string;
  password: string;
  timeoutMs: string;
  // api and file: placeholders
  /** `params.variables` as a JSON object text. */
  variables: string;
  /** `params.allowEnv` as names separated by commas or whitespace. */
  allowEnv: string;
  /** `params.secretVariables` (names in variables whose values are secrets), like allowEnv. */
  secretVariables: string;
  /** `params.secretHeaders` (api and file), like allowEnv. */
  secretHeaders: string;
  /** `params.secretQuery` (api), like allowEnv. */
  secretQuery: string;
  // file
  location: string;
  format: string;
  encoding: string;
  content: string;
  writeMode: string;
  createDirs: boolean;
  uploadMethod: string;
  /** `params.uploadAs`: '' (raw, the default) or 'multipart'. */
  uploadAs: string;
  /** `params.maxBytes` as typed. */
  maxBytes: string;
  /** `params.csvDelimiter`: one character, '' for the default comma. */
  csvDelimiter: string;
}

export function emptyDraft(type: TaskType): ConfigDraft {
  return {
    name: '',
    type,
    extra: {},
    url: '',
    method: '',
    headers: '',
    query: '',
    body: '',
    bodyType: '',
    authKind: 'none',
    token: '',
    username: '',
    password: '',
    timeoutMs: '',
    variables: '',
    allowEnv: '',
    secretVariables: '',
    secretHeaders: '',
    secretQuery: '',
    ...emptyDbDraft(),
    location: '',
    format: '',
    encoding: '',
    content: '',
    writeMode: '',
    createDirs: false,
    uploadMethod: '',
    uploadAs: '',
    maxBytes: '',
    csvDelimiter: '',
  };
}

/** Param keys the form edits, per type; any other key is carried through untouched. */
const HANDLED: Record<TaskType, readonly string[]> = {
  api: [
    'url',
    'method',
    'headers',
    'query',
    'body',
    'bodyType',
    'auth',
    'timeoutMs',
    'variables',
    'allowEnv',
    'secretVariables',
    'secretHeaders',
    'secretQuery',
  ],
  db: DB_HANDLED,
  file: [
    'location',
    'format',
    'encoding',
    'content',
    'writeMode',
    'createDirs',
    'uploadMethod',
    'uploadAs',
    'maxBytes',
    'csvDelimiter',
    'headers',
    'timeoutMs',
    'variables',
    'allowEnv',
    'secretVariables',
    'secretHeaders',
  ],
};

export function draftFromConfig(config: Configuration): ConfigDraft {
  const d = emptyDraft(config.type);
  d.id = config.id;
  d.createdAt = config.createdAt;
  d.updatedAt = config.updatedAt;
  d.name = config.name;
  const handled = new Set(HANDLED[config.type]);
  d.extra = Object.fromEntries(Object.entries(config.params).filter(([k]) => !handled.has(k)));
  if (config.type === 'api') {
    const p = config.params;
    d.url = p.url;
    d.method = p.method ?? '';
    d.headers = jsonText(p.headers);
    d.query = jsonText(p.query);
    d.body =
      p.body === undefined
        ? ''
        : typeof p.body === 'string' && p.bodyType === 'text'
          ? p.body
          : jsonText(p.body);
    d.bodyType = p.bodyType ?? '';
    d.authKind = p.auth?.kind ?? 'none';
    if (p.auth?.kind === 'bearer') d.token = p.auth.token;
    if (p.auth?.kind === 'basic') {
      d.username = p.auth.username;
      d.password = p.auth.password;
    }
    d.timeoutMs = p.timeoutMs ? String(p.timeoutMs) : '';
    d.variables = jsonText(p.variables);
    d.allowEnv = allowEnvText(p.allowEnv);
    d.secretVariables = allowEnvText(p.secretVariables);
    d.secretHeaders = allowEnvText(p.secretHeaders);
    d.secretQuery = allowEnvText(p.secretQuery);
  } else if (config.type === 'db') {
    const p = config.params as Record<string, unknown>;
    Object.assign(d, dbDraftFromParams(p));
    d.timeoutMs = p['timeoutMs'] ? String(p['timeoutMs']) : '';
  } else {
    const p = config.params;
    d.location = p.location;
    d.format = p.format ?? '';
    d.encoding = p.encoding ?? '';
    d.content =
      p.content === undefined
        ? ''
        : typeof p.content === 'string'
          ? p.content
          : jsonText(p.content);
    d.writeMode = p.writeMode ?? '';
    d.createDirs = p.createDirs ?? false;
    d.uploadMethod = p.uploadMethod ?? '';
    d.uploadAs = p.uploadAs ?? '';
    d.maxBytes = p.maxBytes ? String(p.maxBytes) : '';
    d.csvDelimiter = p.csvDelimiter ?? '';
    d.headers = jsonText(p.headers);
    d.timeoutMs = p.timeoutMs ? String(p.timeoutMs) : '';
    d.variables = jsonText(p.variables);
    d.allowEnv = allowEnvText(p.allowEnv);
    d.secretVariables = allowEnvText(p.secretVariables);
    d.secretHeaders = allowEnvText(p.secretHeaders);
  }
  return d;
}

function allowEnvText(names: readonly string[] | undefined): string {
  return names?.join(', ') ?? '';
}

/** "A, B C" → ["A", "B", "C"]; blank → undefined so the param is left out (also secret… lists). */
function allowEnvList(text: string): string[] | undefined {
  const names = text.split(/[\s,]+/).filter((n) => n !== '');
  return names.length ? names : undefined;
}

/**
 * Which draft field shows the error of a params path ("params.find.filter" → "filter"); `engine`
 * is the db engine shown (SQL and Redis paths differ from MongoDB's).
 */
export function draftKeyOf(path: string, engine?: DbEngine): string {
  const parts = path.split('.');
  if (parts[0] !== 'params') return parts[0] ?? '_';
  const rest = parts.slice(1);
  if (rest[0] === 'auth')
    return rest[1] === 'password' ? 'password' : rest[1] === 'username' ? 'username' : 'token';
  return dbDraftKeyOf(rest, engine) ?? rest[0] ?? '_';
}

type Built = { input?: ConfigurationInput; errors: FieldErrors };

/**
 * The browser's path check of a file location (the service refuses the same at save, by its own
 * platform's rule): absolute (`/…`, `C:\…`, `\\server\…`), `~`, `~/…`, http(s) or starting with a
 * placeholder passes; a URL of another scheme is left to the service's message.
 */
export function relativePathProblem(location: string): string | undefined {
  const text = location.trim();
  if (text === '' || text.startsWith('{{') || /^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    return undefined;
  if (/^(\/|~$|~[/\\]|[A-Za-z]:[/\\]|\\\\)/.test(text)) return undefined;
  return `"${text}" is a relative path; give an absolute path (or one starting with ~/) or an http(s) URL`;
}

/** Draft → input + errors, keyed by draft field. */
export function buildConfig(d: ConfigDraft): Built {
  const errors: FieldErrors = {};
  const json = (key: keyof ConfigDraft, kind: JsonFieldKind): unknown => {
    try {
      return parseJsonField(String(d[key]), kind);
    } catch (error) {
      errors[key] = (error as Error).message;
      return undefined;
    }
  };
  const int = (key: keyof ConfigDraft): number | undefined => {
    const text = String(d[key]).trim();
    if (!text) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) {
      errors[key] = 'must be a number';
      return undefined;
    }
    return n;
  };
  const opt = <T>(key: string, value: T | undefined | ''): Record<string, T> =>
    value === undefined || value === '' ? {} : { [key]: value as T };
  // Api and file only: the db executor expands no placeholders.
  const placeholders = (): Record<string, unknown> => {
    const variables = json('variables', 'object');
    // `{}` means "no variables": left out like a blank field.
    const some = variables !== undefined && Object.keys(variables as object).length > 0;
    return {
      ...(some ? { variables } : {}),
      ...opt('allowEnv', allowEnvList(d.allowEnv)),
      ...opt('secretVariables', allowEnvList(d.secretVariables)),
      ...opt('secretHeaders', allowEnvList(d.secretHeaders)),
    };
  };
  let params: Record<string, unknown>;
  if (d.type === 'api') {
    // A text body is sent as typed; json and form bodies are JSON values.
    const body = d.bodyType === 'text' ? d.body || undefined : json('body', 'any');
    params = {
      ...d.extra,
      url: d.url,
      ...opt('method', d.method),
      ...opt('headers', json('headers', 'object')),
      ...opt('query', json('query', 'object')),
      ...opt('body', body),
      ...opt('bodyType', d.bodyType),
      ...(d.authKind === 'bearer' ? { auth: { kind: 'bearer', token: d.token } } : {}),
      ...(d.authKind === 'basic'
        ? { auth: { kind: 'basic', username: d.username, password: d.password } }
        : {}),
      ...opt('timeoutMs', int('timeoutMs')),
      ...placeholders(),
      ...opt('secretQuery', allowEnvList(d.secretQuery)),
    };
  } else if (d.type === 'db') {
    const read: DraftReader = { errors, json, int };
    params = {
      ...d.extra,
      uri: d.uri,
      ...dbEngineParams(d, read),
      ...opt('timeoutMs', int('timeoutMs')),
    };
  } else {
    const relative = relativePathProblem(d.location);
    if (relative) errors.location = relative;
    let content: unknown = undefined;
    if (d.content !== '') {
      content = d.format === 'json' || d.format === 'csv' ? json('content', 'any') : d.content;
      if (d.format === 'csv' && typeof content !== 'object' && !errors.content) content = d.content;
    }
    params = {
      ...d.extra,
      location: d.location,
      ...opt('format', d.format),
      ...opt('encoding', d.encoding),
      ...opt('content', content),
      ...opt('writeMode', d.writeMode),
      ...(d.createDirs ? { createDirs: true } : {}),
      ...opt('uploadMethod', d.uploadMethod),
      ...opt('uploadAs', d.uploadAs),
      ...opt('maxBytes', int('maxBytes')),
      ...opt('csvDelimiter', d.csvDelimiter),
      ...opt('headers', json('headers', 'object')),
      ...opt('timeoutMs', int('timeoutMs')),
      ...placeholders(),
    };
  }
  const candidate = {
    ...(d.id ? { id: d.id } : {}),
    ...(d.createdAt ? { createdAt: d.createdAt } : {}),
    ...(d.updatedAt ? { updatedAt: d.updatedAt } : {}),
    name: d.name,
    type: d.type,
    params,
  };
  const parsed = configurationInputSchema.safeParse(candidate, ZOD_USER_MESSAGES);
  if (!parsed.success) {
    const engine = d.type === 'db' ? d.dbEngine : undefined;
    for (const [path, message] of Object.entries(zodFieldErrors(parsed.error))) {
      const key = draftKeyOf(path, engine);
      if (!errors[key]) errors[key] = message;
    }
  }
  return Object.keys(errors).length
    ? { errors }
    : { input: parsed.data as ConfigurationInput, errors };
}
