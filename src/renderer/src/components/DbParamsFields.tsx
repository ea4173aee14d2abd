/**
 * The db configuration's fields, adapted to the engine the connection URI names as it is typed
 * (issue #16): MongoDB's actions; for PostgreSQL, MySQL/MariaDB and SQLite a SQL text with
 * parameter rows and an Insert section; for Redis the command as a list of arguments.
 */
import type { ReactElement } from 'react';
import { DB_ENGINE_LABELS, type DbEngine } from '../../../shared/db-params';
import { SCHEME_LIST } from '../../../shared/db-uri';
import { CodeEditor, type CodeLanguage } from './CodeEditor';
import type { ConfigDraft } from './config-draft';
import { DB_ACTIONS, dbEngineLabel, isSqlEngine, type SqlParamRow } from './db-draft';
import { Field } from './Field';

/** The field builders of the configuration form, bound to its draft. */
export interface DraftFieldKit {
  draft: ConfigDraft;
  err(key: string): string | undefined;
  /** Applies `patch` and marks `keys` touched (their server errors go). */
  update(patch: Partial<ConfigDraft>, keys: readonly string[]): void;
  text(key: keyof ConfigDraft, label: string, hint?: string, type?: string): ReactElement;
  /** A code editor (JSON unless `language` says otherwise). */
  area(key: keyof ConfigDraft, label: string, hint?: string, language?: CodeLanguage): ReactElement;
  select(
    key: keyof ConfigDraft,
    label: string,
    options: readonly string[],
    emptyLabel?: string,
  ): ReactElement;
  check(key: 'upsert' | 'many' | 'insertOn' | 'createDirs', label: string): ReactElement;
  secretType: 'text' | 'password';
}

const URI_HINTS: Readonly<Record<DbEngine, string>> = {
  mongodb: 'mongodb://user:password@host:27017',
  postgres: 'postgres://user:password@host:5432/database',
  mysql: 'mysql://user:password@host:3306/database (or mariadb://)',
  sqlite: 'sqlite:///absolute/path/to/file.db, or sqlite::memory:',
  redis: 'redis://user:password@host:6379/0 (rediss:// for TLS)',
};

function MongoFields({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, text, area, select, check } = kit;
  return (
    <>
      {text('database', 'Database')}
      {text('collection', 'Collection')}
      {select('dbAction', 'Action', DB_ACTIONS)}
      {draft.dbAction === 'find' ? (
        <>
          {area('filter', 'Filter (Extended JSON)', '{"status": "open"}')}
          {area('projection', 'Projection (JSON)')}
          {area('sort', 'Sort (JSON)', '{"createdAt": -1}')}
          {text('limit', 'Limit')}
        </>
      ) : null}
      {draft.dbAction === 'aggregate'
        ? area('pipeline', 'Pipeline (Extended JSON array)', '[{"$match": {}}]')
        : null}
      {draft.dbAction === 'count' ? area('filter', 'Filter (Extended JSON)') : null}
      {draft.dbAction === 'insert'
        ? area('documents', 'Documents (Extended JSON array)', '[{"name": "a"}]')
        : null}
      {draft.dbAction === 'update' ? (
        <>
          {area('filter', 'Filter (Extended JSON)')}
          {area('update', 'Update (JSON object or pipeline)', '{"$set": {"seen": true}}')}
          {check('upsert', 'Insert when nothing matches (upsert)')}
          {check('many', 'Update every match')}
        </>
      ) : null}
      {draft.dbAction === 'delete' ? (
        <>
          {area('filter', 'Filter (Extended JSON)')}
          {check('many', 'Delete every match')}
        </>
      ) : null}
    </>
  );
}

/** `$1` for PostgreSQL, `?` (the n-th) for MySQL and SQLite. */
function paramName(engine: DbEngine, index: number): string {
  return engine === 'postgres' ? `$${index + 1}` : `${index + 1} (?)`;
}

function SqlParamRows({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, err, update } = kit;
  const rows = draft.sqlParams;
  const change = (index: number, row: SqlParamRow): void =>
    update({ sqlParams: rows.map((r, i) => (i === index ? row : r)) }, [`sqlParams.${index}`]);
  return (
    <fieldset>
      <legend>Parameters</legend>
      {rows.length === 0 ? (
        <p className="hint">
          No parameters. Each one is bound by the driver to{' '}
          {draft.dbEngine === 'postgres' ? '$1, $2…' : 'the next ?'} in the SQL, in order.
        </p>
      ) : null}
      {rows.map((row, i) => {
        const name = paramName(draft.dbEngine, i);
        return (
          <div className="row" key={i}>
            <Field
              label={`Parameter ${name}`}
              error={err(`sqlParams.${i}`)}
              hint={
                row.kind === 'text'
                  ? 'text as typed; may be a placeholder such as {{input.id}}'
                  : 'a JSON value: 42, null, true, "text", [1, 2] or {"a": 1}'
              }
            >
              {(p) => (
                <input
                  {...p}
                  className="mono"
                  spellCheck={false}
                  value={row.value}
                  onChange={(e) => change(i, { ...row, value: e.target.value })}
                />
              )}
            </Field>
            <select
              aria-label={`Parameter ${name} kind`}
              value={row.kind}
              onChange={(e) => change(i, { ...row, kind: e.target.value as SqlParamRow['kind'] })}
            >
              <option value="text">Text</option>
              <option value="json">JSON</option>
            </select>
            <button
              type="button"
              onClick={() => update({ sqlParams: rows.filter((_, j) => j !== i) }, ['sqlParams'])}
            >
              Remove parameter {name}
            </button>
          </div>
        );
      })}
      {err('sqlParams') ? (
        <div className="error" role="alert">
          {err('sqlParams')}
        </div>
      ) : null}
      <button
        type="button"
        onClick={() => update({ sqlParams: [...rows, { kind: 'text', value: '' }] }, [])}
      >
        Add parameter
      </button>
    </fieldset>
  );
}

const CONFLICT_LABELS = {
  '': 'default (error: the insert fails, nothing is inserted)',
  error: 'error: the insert fails, nothing is inserted',
  ignore: 'ignore: skip rows whose key exists',
  update: 'update: set columns of the rows whose key exists',
} as const;

function InsertFields({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, err, update, text, area } = kit;
  return (
    <fieldset>
      <legend>Insert</legend>
      {text('insertTable', 'Table', 'table or schema.table')}
      {area(
        'insertRows',
        'Rows (JSON array of objects)',
        '[{"id": 1, "name": "a"}], or one placeholder such as {{input.rows}}; all rows go in one transaction',
      )}
      {text(
        'insertColumns',
        'Columns',
        'optional, separated by commas: only these keys are inserted, a missing one inserts NULL',
      )}
      <Field label="On conflict" error={err('onConflict')}>
        {(p) => (
          <select
            {...p}
            value={draft.onConflict}
            onChange={(e) =>
              update({ onConflict: e.target.value as ConfigDraft['onConflict'] }, ['onConflict'])
            }
          >
            {Object.entries(CONFLICT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {draft.onConflict === 'update' ? (
        <>
          {text('conflictUpdate', 'Columns to update', 'separated by commas, e.g. name, price')}
          {text(
            'conflictKey',
            'Conflict key columns',
            'the unique columns that conflict, separated by commas (PostgreSQL needs them; default: the primary key)',
          )}
        </>
      ) : null}
    </fieldset>
  );
}

function SqlFields({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, err, update, check } = kit;
  const marker = draft.dbEngine === 'postgres' ? '$1, $2…' : '?';
  return (
    <>
      <Field
        label="SQL"
        error={err('sql')}
        hint={`one statement; write ${marker} for values and give them as parameters (a {{placeholder}} goes in a parameter, never in the SQL). Read tasks run it read-only; leave it blank for an insert only`}
      >
        {(p) => (
          <CodeEditor
            {...p}
            label="SQL"
            language="sql"
            rows={6}
            value={draft.sql}
            onChange={(sql) => update({ sql }, ['sql'])}
          />
        )}
      </Field>
      <SqlParamRows kit={kit} />
      {check('insertOn', 'Insert rows (write tasks)')}
      {draft.insertOn ? <InsertFields kit={kit} /> : null}
    </>
  );
}

function RedisCommandFields({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, err, update } = kit;
  const command = draft.command;
  const change = (index: number, value: string): void =>
    update({ command: command.map((a, i) => (i === index ? value : a)) }, [`command.${index}`]);
  return (
    <fieldset>
      <legend>Command</legend>
      {command.map((arg, i) => (
        <div className="row" key={i}>
          <Field
            label={i === 0 ? 'Command name' : `Argument ${i}`}
            error={err(`command.${i}`)}
            hint={
              i === 0
                ? 'GET, HGETALL, LRANGE, XADD…; read tasks run only read-only commands'
                : i === 1
                  ? 'may hold placeholders, e.g. user:{{input.id}}'
                  : undefined
            }
          >
            {(p) => (
              <input
                {...p}
                className="mono"
                spellCheck={false}
                value={arg}
                onChange={(e) => change(i, e.target.value)}
              />
            )}
          </Field>
          {i > 0 ? (
            <button
              type="button"
              onClick={() => update({ command: command.filter((_, j) => j !== i) }, ['command.0'])}
            >
              Remove argument {i}
            </button>
          ) : null}
        </div>
      ))}
      <button type="button" onClick={() => update({ command: [...command, ''] }, [])}>
        Add argument
      </button>
    </fieldset>
  );
}

export function DbParamsFields({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, text, secretType } = kit;
  const engine = draft.dbEngine;
  const label = dbEngineLabel(draft.uri);
  return (
    <fieldset>
      <legend>{DB_ENGINE_LABELS[engine]}</legend>
      {text(
        'uri',
        'Connection URI',
        `${URI_HINTS[engine]}; the engine follows the scheme: ${SCHEME_LIST}`,
        secretType,
      )}
      {label ? (
        <output className="hint" aria-label="Database engine">
          {label}
        </output>
      ) : null}
      {engine === 'mongodb' ? <MongoFields kit={kit} /> : null}
      {isSqlEngine(engine) ? <SqlFields kit={kit} /> : null}
      {engine === 'redis' ? <RedisCommandFields kit={kit} /> : null}
      {text(
        'timeoutMs',
        'Timeout (ms)',
        engine === 'mongodb' ? undefined : 'statement or reply timeout; default: the task timeout',
      )}
    </fieldset>
  );
}
