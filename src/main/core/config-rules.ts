/**
 * Rules about configurations beyond their schema: one MongoDB action per operation, what a db
 * configuration of the other engines needs for a read or a write task (`dbOperationProblems`),
 * http(s) only for api and file locations, no NUL bytes; at save and test only, file locations
 * that are absolute, `~/…` or http(s) (`checkFileLocation`).
 */
import path from 'node:path';
import { collectTemplateStrings } from '../../shared/template-values';
import { validateTemplates } from '../../shared/templates';
import { DB_ENGINE_LABELS, dbEngineOf, dbOperationProblems } from '../../shared/db-params';
import type { Configuration, ConfigurationInput, Operation } from '../../shared/domain';
import { AppError, invalidField } from '../../shared/errors';

const DB_READ = ['find', 'aggregate', 'count'] as const;
const DB_WRITE = ['insert', 'update', 'delete'] as const;

type Params = Pick<Configuration | ConfigurationInput, 'type' | 'params'>;

function present<K extends string>(params: Record<string, unknown>, keys: readonly K[]): K[] {
  return keys.filter((k) => params[k] !== undefined);
}

/** True for a db configuration whose uri is MongoDB's (the other engines have no actions). */
function isMongo(config: Params): boolean {
  return dbEngineOf((config.params as { uri: string }).uri).engine === 'mongodb';
}

/** `config` + `params.url` → `config.params.url`; a record read back has no base (''). */
function at(base: string, field: string): string {
  return base ? `${base}.${field}` : field;
}

/**
 * Throws `VALIDATION` when params are ambiguous (e.g. both `find` and `aggregate`), pointing at
 * the field under `base`, the configuration's place in the params (`config`; '' for a record).
 */
export function checkConfigParams(config: Params, base: string): void {
  if (config.type === 'db' && isMongo(config)) {
    const params = config.params as Record<string, unknown>;
    const reads = present(params, DB_READ);
    const writes = present(params, DB_WRITE);
    if (reads.length > 1) {
      throw invalidField(at(base, 'params'), `has ${reads.join(' and ')}; keep one read action`);
    }
    if (writes.length > 1) {
      throw invalidField(at(base, 'params'), `has ${writes.join(' and ')}; keep one write action`);
    }
    if (reads.length + writes.length === 0) {
      throw invalidField(
        at(base, 'params'),
        'needs an action: find, aggregate or count to read; insert, update or delete to write',
      );
    }
  }
  if (config.type === 'api' || config.type === 'file') {
    const field = at(base, config.type === 'api' ? 'params.url' : 'params.location');
    const location =
      config.type === 'api'
        ? (config.params as { url: string }).url
        : (config.params as { location: string }).location;
    if (
      /^[a-z][a-z0-9+.-]*:\/\//i.test(location) &&
      !/^https?:\/\//i.test(location) &&
      !location.includes('{{')
    ) {
      throw invalidField(
        field,
        `"${location}" is not http(s); only http:// and https:// URLs are supported`,
      );
    }
    if (config.type === 'api' && !/^(https?:\/\/|\{\{)/i.test(location)) {
      throw invalidField(field, `must start with http:// or https:// (got "${location}")`);
    }
    if (location.includes('\0')) {
      throw invalidField(field, 'contains a NUL byte; remove it');
    }
  }
}

/**
 * The issues of `problems` (paths in params): with a `field` that picks the configuration
 * (`task.configId`) at that field with the whole sentence; without one (`configs.test`) at the
 * configuration's own field (`config.params.…`).
 */
function operationIssues(
  field: string,
  problems: readonly { path: readonly string[]; message: string }[],
  sentence: (problem: { path: readonly string[]; message: string }) => string,
): { path: string[]; message: string }[] {
  return problems.map((p) =>
    field
      ? { path: field.split('.'), message: sentence(p) }
      : { path: ['config', 'params', ...p.path], message: p.message },
  );
}

/**
 * Throws `VALIDATION` when the configuration cannot serve this operation, at `field`, the field
 * that picks it (`task.configId`, `entry.configId`), or '' for the configuration itself
 * (`configs.test`: its params). The message starts with `field: ` when there is one.
 */
export function checkOperation(config: Configuration, operation: Operation, field: string): void {
  if (config.type === 'db' && isMongo(config)) {
    const params = config.params as Record<string, unknown>;
    const keys = operation === 'read' ? DB_READ : DB_WRITE;
    if (present(params, keys).length === 0) {
      throw invalidField(
        field || 'config.params',
        `configuration "${config.name}" has no ${operation} action (${keys.join(', ')}); add one or pick another configuration`,
      );
    }
  } else if (config.type === 'db') {
    const params = config.params as { uri: string } & Record<string, unknown>;
    const engine = dbEngineOf(params.uri).engine;
    const problems = engine === undefined ? [] : dbOperationProblems(params, operation);
    if (engine !== undefined && problems.length > 0) {
      const sentence = (p: { path: readonly string[]; message: string }): string =>
        `${DB_ENGINE_LABELS[engine]} configuration "${config.name}" cannot run a ${operation} task: params.${p.path.join('.')}: ${p.message}`;
      const text = problems.map(sentence).join('; ');
      throw new AppError('VALIDATION', field ? `${field}: ${text}` : text, {
        issues: operationIssues(field, problems, sentence),
      });
    }
  }
  if (config.type === 'file' && operation === 'write' && config.params.content === undefined) {
    throw invalidField(
      field || 'config.params.content',
      `configuration "${config.name}" has no content to write; add params.content`,
    );
  }
}

/** Params whose strings are never filled: secrets sent as typed, names, lists, the db uri. */
const UNFILLED_PARAMS = new Set([
  'auth',
  'variables',
  'allowEnv',
  'uri',
  'secretVariables',
  'secretHeaders',
  'secretQuery',
]);

/**
 * Throws `VALIDATION` for a placeholder that can never be filled (issue #15, "bad input"): a
 * syntax error, an unknown filter, a malformed date pattern or zone, a variable the configuration
 * does not define, an environment variable it does not allow. `{{input…}}` and `{{parent…}}` pass
 * here (a task decides whether it is chained: `tasks.save` checks those). Only at save and test,
 * not for records read back: a configuration stored before this check stays usable.
 */
export function checkTemplates(config: Params, base: string): void {
  const params = config.params as Record<string, unknown> & {
    variables?: Record<string, unknown>;
    allowEnv?: string[];
  };
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (UNFILLED_PARAMS.has(key)) continue;
    Object.assign(fields, collectTemplateStrings(value, `params.${key}`));
  }
  if (Object.keys(fields).length === 0) return;
  const scope =
    config.type === 'db'
      ? {}
      : { variables: Object.keys(params.variables ?? {}), allowEnv: params.allowEnv ?? [] };
  const issues = validateTemplates(fields, { chained: true, ...scope });
  if (issues.length === 0) return;
  // The form's field is the param (`config.params.url`); the message names the spot inside it.
  throw new AppError('VALIDATION', `${at(base, issues[0]!.field)}: ${issues[0]!.message}`, {
    issues: issues.map((issue) => {
      const param = issue.field.split(/[.[]/, 2);
      return {
        path: [...(base ? base.split('.') : []), ...param],
        message:
          issue.field === param.join('.') ? issue.message : `${issue.field}: ${issue.message}`,
      };
    }),
  });
}

/**
 * Throws `VALIDATION` (path `config.params.location`) for a file location that is neither an
 * absolute path, `~` / `~/…`, nor an http(s) URL: the app has no meaningful working directory, so
 * a relative path would only fail at run time. A location starting with a placeholder is left to
 * the run. Called with the save-time checks (`checkTemplates`), not for records read back, so a
 * configuration stored before this rule still loads (its runs fail as before, naming the path).
 */
export function checkFileLocation(config: Params, base: string): void {
  if (config.type !== 'file') return;
  const location = (config.params as { location: string }).location.trim();
  if (location.startsWith('{{') || /^https?:\/\//i.test(location)) return;
  if (location === '~' || /^~[/\\]/.test(location) || path.isAbsolute(location)) return;
  throw invalidField(
    at(base, 'params.location'),
    `location "${location}" is a relative path; give an absolute path (or one starting with ~/) or an http(s) URL, because the app has no working directory to resolve it against`,
  );
}
