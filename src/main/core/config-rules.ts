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
import { AppError } from '../../shared/errors';

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

/** Throws `VALIDATION` when params are ambiguous (e.g. both `find` and `aggregate`). */
export function checkConfigParams(config: Params, where: string): void {
  if (config.type === 'db' && isMongo(config)) {
    const params = config.params as Record<string, unknown>;
    const reads = present(params, DB_READ);
    const writes = present(params, DB_WRITE);
    if (reads.length > 1) {
      throw new AppError(
        'VALIDATION',
        `${where}: params has ${reads.join(' and ')}; keep one read action`,
      );
    }
    if (writes.length > 1) {
      throw new AppError(
        'VALIDATION',
        `${where}: params has ${writes.join(' and ')}; keep one write action`,
      );
    }
    if (reads.length + writes.length === 0) {
      throw new AppError(
        'VALIDATION',
        `${where}: params needs an action: find, aggregate or count to read; insert, update or delete to write`,
      );
    }
  }
  if (config.type === 'api' || config.type === 'file') {
    const location =
      config.type === 'api'
        ? (config.params as { url: string }).url
        : (config.params as { location: string }).location;
    if (
      /^[a-z][a-z0-9+.-]*:\/\//i.test(location) &&
      !/^https?:\/\//i.test(location) &&
      !location.includes('{{')
    ) {
      throw new AppError(
        'VALIDATION',
        `${where}: "${location}" is not http(s); only http:// and https:// URLs are supported`,
      );
    }
    if (config.type === 'api' && !/^(https?:\/\/|\{\{)/i.test(location)) {
      throw new AppError(
        'VALIDATION',
        `${where}: url must start with http:// or https:// (got "${location}")`,
      );
    }
    if (location.includes('\0')) {
      throw new AppError('VALIDATION', `${where}: location contains a NUL byte; remove it`);
    }
  }
}

/**
 * The issues of `problems` (paths in params) as the method sees them: `tasks.save:
 * task.configId` points at that field with the whole sentence; a method alone (`configs.test`)
 * at the configuration's own field (`config.params.…`).
 */
function operationIssues(
  where: string,
  problems: readonly { path: readonly string[]; message: string }[],
  sentence: (problem: { path: readonly string[]; message: string }) => string,
): { path: string[]; message: string }[] {
  const field = /^[\w.]+: ([\w.]+)$/.exec(where)?.[1];
  return problems.map((p) =>
    field !== undefined
      ? { path: field.split('.'), message: sentence(p) }
      : { path: ['config', 'params', ...p.path], message: p.message },
  );
}

/** Throws `VALIDATION` when the configuration cannot serve this operation. */
export function checkOperation(config: Configuration, operation: Operation, where: string): void {
  if (config.type === 'db' && isMongo(config)) {
    const params = config.params as Record<string, unknown>;
    const keys = operation === 'read' ? DB_READ : DB_WRITE;
    if (present(params, keys).length === 0) {
      throw new AppError(
        'VALIDATION',
        `${where}: configuration "${config.name}" has no ${operation} action (${keys.join(', ')}); add one or pick another configuration`,
      );
    }
  } else if (config.type === 'db') {
    const params = config.params as { uri: string } & Record<string, unknown>;
    const engine = dbEngineOf(params.uri).engine;
    const problems = engine === undefined ? [] : dbOperationProblems(params, operation);
    if (engine !== undefined && problems.length > 0) {
      const sentence = (p: { path: readonly string[]; message: string }): string =>
        `${DB_ENGINE_LABELS[engine]} configuration "${config.name}" cannot run a ${operation} task: params.${p.path.join('.')}: ${p.message}`;
      throw new AppError('VALIDATION', `${where}: ${problems.map(sentence).join('; ')}`, {
        issues: operationIssues(where, problems, sentence),
      });
    }
  }
  if (config.type === 'file' && operation === 'write' && config.params.content === undefined) {
    throw new AppError(
      'VALIDATION',
      `${where}: configuration "${config.name}" has no content to write; add params.content`,
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
export function checkTemplates(config: Params, where: string): void {
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
  throw new AppError('VALIDATION', `${where}.${issues[0]!.field}: ${issues[0]!.message}`, {
    issues: issues.map((issue) => ({
      path: ['config', ...issue.field.split(/[.[]/, 2)],
      message: `${issue.field}: ${issue.message}`,
    })),
  });
}

/**
 * Throws `VALIDATION` (path `config.params.location`) for a file location that is neither an
 * absolute path, `~` / `~/…`, nor an http(s) URL: the app has no meaningful working directory, so
 * a relative path would only fail at run time. A location starting with a placeholder is left to
 * the run. Called with the save-time checks (`checkTemplates`), not for records read back, so a
 * configuration stored before this rule still loads (its runs fail as before, naming the path).
 */
export function checkFileLocation(config: Params, where: string): void {
  if (config.type !== 'file') return;
  const location = (config.params as { location: string }).location.trim();
  if (location.startsWith('{{') || /^https?:\/\//i.test(location)) return;
  if (location === '~' || /^~[/\\]/.test(location) || path.isAbsolute(location)) return;
  const message = `location "${location}" is a relative path; give an absolute path (or one starting with ~/) or an http(s) URL, because the app has no working directory to resolve it against`;
  throw new AppError('VALIDATION', `${where}.params.location: ${message}`, {
    issues: [{ path: ['config', 'params', 'location'], message }],
  });
}
