/** Rules about configurations beyond their schema: one action per operation, op compatibility. */
import type { Configuration, ConfigurationInput, Operation } from '../../shared/domain';
import { AppError } from '../../shared/errors';

const DB_READ = ['find', 'aggregate', 'count'] as const;
const DB_WRITE = ['insert', 'update', 'delete'] as const;

type Params = Pick<Configuration | ConfigurationInput, 'type' | 'params'>;

function present<K extends string>(params: Record<string, unknown>, keys: readonly K[]): K[] {
  return keys.filter((k) => params[k] !== undefined);
}

/** Throws `VALIDATION` when params are ambiguous (e.g. both `find` and `aggregate`). */
export function checkConfigParams(config: Params, where: string): void {
  if (config.type === 'db') {
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

/** Throws `VALIDATION` when the configuration cannot serve this operation. */
export function checkOperation(config: Configuration, operation: Operation, where: string): void {
  if (config.type === 'db') {
    const params = config.params as Record<string, unknown>;
    const keys = operation === 'read' ? DB_READ : DB_WRITE;
    if (present(params, keys).length === 0) {
      throw new AppError(
        'VALIDATION',
        `${where}: configuration "${config.name}" has no ${operation} action (${keys.join(', ')}); add one or pick another configuration`,
      );
    }
  }
  if (config.type === 'file' && operation === 'write' && config.params.content === undefined) {
    throw new AppError(
      'VALIDATION',
      `${where}: configuration "${config.name}" has no content to write; add params.content`,
    );
  }
}
