/**
 * The db part of the configuration editor's draft (issue #16): one `db` type whose engine the
 * uri's scheme picks (`dbEngineOf`). MongoDB keeps its action fields; the SQL engines
 * (PostgreSQL, MySQL/MariaDB, SQLite) have a SQL text with parameter rows and an insert section;
 * Redis has its command as a list of arguments. Converts params ↔ draft strings and maps the
 * schema's field paths to the draft's fields.
 */
import {
  DB_ENGINE_LABELS,
  dbEngineOf,
  dbUriParts,
  sqlLeadingKeyword,
  type DbEngine,
} from '../../../shared/db-params';
import type { Operation } from '../../../shared/domain';
import { isRedisReadOnly } from '../../../shared/redis-commands';
import { jsonText, parseJsonField, type FieldErrors, type JsonFieldKind } from '../util';

export const DB_ACTIONS = ['find', 'aggregate', 'count', 'insert', 'update', 'delete'] as const;
export type DbAction = (typeof DB_ACTIONS)[number];
const MONGO_READS: readonly DbAction[] = ['find', 'aggregate', 'count'];

/** One value bound to `$n` / `?`: typed as text, or a JSON value (number, null, object…). */
export interface SqlParamRow {
  kind: 'text' | 'json';
  value: string;
}

export const ON_CONFLICT = ['', 'error', 'ignore', 'update'] as const;
export type OnConflictChoice = (typeof ON_CONFLICT)[number];

export interface DbDraft {
  uri: string;
  /** The engine the form shows: the uri's, or the last one it named while it is being typed. */
  dbEngine: DbEngine;
  // MongoDB
  database: string;
  collection: string;
  dbAction: DbAction;
  filter: string;
  projection: string;
  sort: string;
  limit: string;
  pipeline: string;
  documents: string;
  update: string;
  upsert: boolean;
  many: boolean;
  // SQL engines
  sql: string;
  sqlParams: SqlParamRow[];
  /** Whether the configuration has an `insert` (for write tasks). */
  insertOn: boolean;
  insertTable: string;
  /** `insert.columns`, separated by commas; blank leaves them out. */
  insertColumns: string;
  /** `insert.rows`: a JSON array of row objects, or one placeholder such as {{input.rows}}. */
  insertRows: string;
  onConflict: OnConflictChoice;
  /** `onConflict.update` and `onConflict.key`, separated by commas. */
  conflictUpdate: string;
  conflictKey: string;
  // Redis: `[name, ...args]`
  command: string[];
}

export function emptyDbDraft(): DbDraft {
  return {
    uri: '',
    dbEngine: 'mongodb',
    database: '',
    collection: '',
    dbAction: 'find',
    filter: '',
    projection: '',
    sort: '',
    limit: '',
    pipeline: '',
    documents: '',
    update: '',
    upsert: false,
    many: false,
    sql: '',
    sqlParams: [],
    insertOn: false,
    insertTable: '',
    insertColumns: '',
    insertRows: '',
    onConflict: '',
    conflictUpdate: '',
    conflictKey: '',
    command: [''],
  };
}

/** Db param keys the form edits (every engine's); any other key is carried through untouched. */
export const DB_HANDLED: readonly string[] = [
  'uri',
  'database',
  'collection',
  'timeoutMs',
  ...DB_ACTIONS,
  'query',
  'command',
];

export function isSqlEngine(engine: DbEngine): boolean {
  return engine === 'postgres' || engine === 'mysql' || engine === 'sqlite';
}

/** The engine a uri names, or `previous` while it names none (being typed, unknown scheme). */
export function engineShown(uri: string, previous: DbEngine): DbEngine {
  return dbEngineOf(uri).engine ?? previous;
}

/** "PostgreSQL — 127.0.0.1:5432" for a valid uri (never its password), else undefined. */
export function dbEngineLabel(uri: string): string | undefined {
  const parts = dbUriParts(uri);
  return parts.problem === undefined
    ? `${DB_ENGINE_LABELS[parts.engine]} — ${parts.host}`
    : undefined;
}

function listText(names: unknown): string {
  return Array.isArray(names) ? names.join(', ') : '';
}

/** "a, b c" stays one name per comma: table and column names may hold spaces. */
function listOf(text: string): string[] | undefined {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return names.length ? names : undefined;
}

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function mongoFromParams(d: DbDraft, p: Loose): void {
  d.database = String(p['database'] ?? '');
  d.collection = String(p['collection'] ?? '');
  d.dbAction = DB_ACTIONS.find((a) => p[a] !== undefined) ?? 'find';
  const action = (p[d.dbAction] ?? {}) as Loose;
  if (d.dbAction === 'find') {
    d.filter = jsonText(action['filter']);
    d.projection = jsonText(action['projection']);
    d.sort = jsonText(action['sort']);
    d.limit = action['limit'] !== undefined ? String(action['limit']) : '';
  }
  if (d.dbAction === 'aggregate') d.pipeline = jsonText(action['pipeline']);
  if (d.dbAction === 'insert') d.documents = jsonText(action['documents']);
  if (d.dbAction === 'update') d.update = jsonText(action['update']);
  if (['count', 'update', 'delete'].includes(d.dbAction)) d.filter = jsonText(action['filter']);
  d.upsert = action['upsert'] === true;
  d.many = action['many'] === true;
}

function sqlFromParams(d: DbDraft, p: Loose): void {
  const query = isObject(p['query']) ? p['query'] : undefined;
  d.sql = typeof query?.['sql'] === 'string' ? query['sql'] : '';
  const values = Array.isArray(query?.['params']) ? (query['params'] as unknown[]) : [];
  d.sqlParams = values.map((v) =>
    typeof v === 'string' ? { kind: 'text', value: v } : { kind: 'json', value: JSON.stringify(v) },
  );
  const insert = isObject(p['insert']) ? p['insert'] : undefined;
  if (!insert) return;
  d.insertOn = true;
  d.insertTable = String(insert['table'] ?? '');
  d.insertColumns = listText(insert['columns']);
  const rows = insert['rows'];
  d.insertRows = typeof rows === 'string' ? rows : jsonText(rows);
  const onConflict = insert['onConflict'];
  if (onConflict === 'error' || onConflict === 'ignore') d.onConflict = onConflict;
  if (isObject(onConflict)) {
    d.onConflict = 'update';
    d.conflictUpdate = listText(onConflict['update']);
    d.conflictKey = listText(onConflict['key']);
  }
}

/** The db draft fields of stored params (any engine). */
export function dbDraftFromParams(params: Loose): DbDraft {
  const d = emptyDbDraft();
  d.uri = typeof params['uri'] === 'string' ? params['uri'] : '';
  d.dbEngine = engineShown(d.uri, 'mongodb');
  if (d.dbEngine === 'mongodb') mongoFromParams(d, params);
  else if (d.dbEngine === 'redis') {
    const command = Array.isArray(params['command']) ? params['command'].map(String) : [];
    d.command = command.length ? command : [''];
  } else sqlFromParams(d, params);
  return d;
}

/** How the draft reads its JSON and number fields, recording problems in `errors`. */
export interface DraftReader {
  errors: FieldErrors;
  json(key: keyof DbDraft, kind: JsonFieldKind): unknown;
  int(key: keyof DbDraft): number | undefined;
}

const opt = (key: string, value: unknown): Loose =>
  value === undefined || value === '' ? {} : { [key]: value };

function mongoParams(d: DbDraft, read: DraftReader): Loose {
  const filter = read.json('filter', 'objectOrPlaceholder');
  switch (d.dbAction) {
    case 'find':
      return {
        find: {
          ...opt('filter', filter),
          ...opt('projection', read.json('projection', 'object')),
          ...opt('sort', read.json('sort', 'object')),
          ...opt('limit', read.int('limit')),
        },
      };
    case 'aggregate':
      return { aggregate: { pipeline: read.json('pipeline', 'arrayOrPlaceholder') ?? [] } };
    case 'count':
      return { count: { ...opt('filter', filter) } };
    case 'insert':
      return { insert: { documents: read.json('documents', 'arrayOrPlaceholder') ?? [] } };
    case 'update':
      return {
        update: {
          filter: filter ?? {},
          update: read.json('update', 'any') ?? {},
          ...(d.upsert ? { upsert: true } : {}),
          ...(d.many ? { many: true } : {}),
        },
      };
    case 'delete':
      if (filter === undefined && !read.errors['filter'])
        read.errors['filter'] = 'needs a filter; use {} to delete every document';
      return { delete: { filter: filter ?? {}, ...(d.many ? { many: true } : {}) } };
  }
}

/** A parameter row's value: its text, or the JSON it holds. */
function paramValue(row: SqlParamRow, key: string, errors: FieldErrors): unknown {
  if (row.kind === 'text') return row.value;
  if (row.value.trim() === '') {
    errors[key] = 'is empty; write a JSON value such as 42, null, true or ["a", "b"]';
    return null;
  }
  try {
    return parseJsonField(row.value, 'any');
  } catch (error) {
    errors[key] = (error as Error).message;
    return null;
  }
}

/** `insert.rows`: one placeholder as typed, else JSON. */
function rowsValue(text: string, errors: FieldErrors): unknown {
  if (/^\s*\{\{[^{}]+\}\}\s*$/.test(text)) return text.trim();
  if (text.trim() === '') {
    errors['insertRows'] =
      'needs rows: a JSON array of row objects such as [{"id": 1}], or one placeholder such as {{input.rows}}';
    return [];
  }
  try {
    return parseJsonField(text, 'any');
  } catch (error) {
    errors['insertRows'] = (error as Error).message;
    return [];
  }
}

function sqlParams(d: DbDraft, errors: FieldErrors): Loose {
  const values = d.sqlParams.map((row, i) => paramValue(row, `sqlParams.${i}`, errors));
  const query =
    d.sql.trim() !== '' || values.length
      ? { query: { sql: d.sql, ...(values.length ? { params: values } : {}) } }
      : {};
  if (!d.insertOn) return query;
  const onConflict =
    d.onConflict === 'update'
      ? { update: listOf(d.conflictUpdate) ?? [], ...opt('key', listOf(d.conflictKey)) }
      : d.onConflict || undefined;
  return {
    ...query,
    insert: {
      table: d.insertTable,
      rows: rowsValue(d.insertRows, errors),
      ...opt('columns', listOf(d.insertColumns)),
      ...opt('onConflict', onConflict),
    },
  };
}

/** The engine's params from the draft (uri and timeoutMs are the caller's). */
export function dbEngineParams(d: DbDraft, read: DraftReader): Loose {
  if (d.dbEngine === 'mongodb') {
    return { database: d.database, collection: d.collection, ...mongoParams(d, read) };
  }
  if (d.dbEngine === 'redis') return { command: d.command };
  return sqlParams(d, read.errors);
}

const SQL_ACTION_FIELDS: Readonly<Record<string, string>> = {
  table: 'insertTable',
  rows: 'insertRows',
  columns: 'insertColumns',
};

/** The draft field of a db params path (after "params."), for the engine shown. */
export function dbDraftKeyOf(rest: string[], engine: DbEngine | undefined): string | undefined {
  const [first, second, third] = rest;
  if (engine === 'redis' && first === 'command') return `command.${second ?? '0'}`;
  if (engine !== undefined && isSqlEngine(engine)) {
    if (first === 'query') {
      if (second === 'params') return third === undefined ? 'sqlParams' : `sqlParams.${third}`;
      return 'sql';
    }
    if (first === 'insert') {
      if (second === undefined) return 'sql';
      if (second === 'onConflict') {
        return third === 'update'
          ? 'conflictUpdate'
          : third === 'key'
            ? 'conflictKey'
            : 'onConflict';
      }
      return SQL_ACTION_FIELDS[second] ?? 'insertTable';
    }
    return undefined;
  }
  if (first && (DB_ACTIONS as readonly string[]).includes(first)) {
    if (first === 'aggregate') return 'pipeline';
    if (first === 'insert') return 'documents';
    if (['update', 'filter', 'projection', 'sort', 'limit'].includes(second ?? '')) return second;
    return 'filter';
  }
  return undefined;
}

const SQL_READS = new Set(['SELECT', 'WITH', 'SHOW', 'EXPLAIN', 'VALUES', 'TABLE', 'DESCRIBE']);

/** The operation a test of this db draft runs unless the user picks one: what it can do. */
export function suggestedTestOperation(d: DbDraft): Operation {
  if (d.dbEngine === 'mongodb') return MONGO_READS.includes(d.dbAction) ? 'read' : 'write';
  if (d.dbEngine === 'redis') return isRedisReadOnly(d.command) ? 'read' : 'write';
  if (d.sql.trim() === '') return d.insertOn ? 'write' : 'read';
  return SQL_READS.has(sqlLeadingKeyword(d.sql)) ? 'read' : 'write';
}
