/**
 * PostgreSQL's errors as `TaskError`s (postgres-engine.ts): the SQLSTATE says what kind of
 * failure it was (credentials, unknown name, syntax with its position, constraint, read-only
 * transaction, cancel…), the message names the engine and host and says what to do, and the
 * uri's password never shows.
 */
import type { TaskError } from '../types';
import {
  describePosition,
  engineError,
  messageOf,
  scrub,
  systemCode,
  unreachable,
  type DbErrorCode,
} from './db-engine';
import type { PgDriver } from './drivers';

/** Where the error happened: the driver (for its error class), the server, the password to hide. */
export interface PgErrorContext {
  pg: PgDriver;
  host: string;
  password: string | undefined;
  connectTimeoutMs: number;
}

/** The error of a connect or a statement (`sql`, for the position of a syntax error). */
export function describePgError(error: unknown, context: PgErrorContext, sql?: string): TaskError {
  const message = scrub(messageOf(error), context.password);
  const at = (what: string, code: DbErrorCode): TaskError =>
    engineError(code, 'postgres', context.host, what);
  if (!(error instanceof context.pg.DatabaseError)) {
    if (systemCode(error) || /timeout|terminated|ECONN/i.test(message)) {
      return unreachable('postgres', context.host, context.connectTimeoutMs, message);
    }
    if (/SSL|certificate/i.test(message)) {
      return at(
        `refused the TLS setup: ${message}; match params.tls and the uri's sslmode to the server`,
        'CONNECTION',
      );
    }
    return at(`failed: ${message}`, 'DB_ERROR');
  }
  const code = error.code ?? '';
  const detail = error.detail ? ` (${error.detail})` : '';
  if (code === '28P01' || code === '28000') {
    return at(
      `rejected the credentials: ${message}; check the user name and password in the uri`,
      'AUTH',
    );
  }
  if (code === '3D000') {
    return at(
      `has no such database: ${message}; check the database name in the uri's path`,
      'NOT_FOUND',
    );
  }
  if (['42P01', '42703', '42883', '3F000', '42704'].includes(code)) {
    return at(
      `does not know a name in the statement: ${message}; check the table, column and function names`,
      'NOT_FOUND',
    );
  }
  if (code === '42601') {
    const where = sql ? describePosition(sql, Number(error.position) || undefined) : '';
    return at(`found a syntax error: ${message}${where}; fix the SQL`, 'SYNTAX');
  }
  if (code === '23505') {
    return at(
      `refused a duplicate key: ${message}${detail} (constraint ${error.constraint ?? '?'}); use onConflict "ignore" or { "update": […] }, or change the values`,
      'DUPLICATE_KEY',
    );
  }
  if (code.startsWith('23')) {
    return at(
      `refused a value that breaks a constraint: ${message}${detail} (constraint ${error.constraint ?? error.column ?? '?'}); change the values`,
      'CONSTRAINT',
    );
  }
  if (code === '25006') {
    return at(
      `refused to write in a read-only transaction: ${message}; a read task runs statements that only read, so use a write task for this one`,
      'READ_ONLY',
    );
  }
  if (code === '42501') {
    return at(
      `refused the statement: ${message}; grant the privilege or use another user`,
      'PERMISSION',
    );
  }
  if (code === '57014') {
    return at(
      `cancelled the statement: ${message}; raise timeoutMs or narrow the statement`,
      'TIMEOUT',
    );
  }
  if (code.startsWith('08') || code.startsWith('57P')) {
    return at(`dropped the connection: ${message}; try again`, 'CONNECTION');
  }
  if (code.startsWith('22') || code.startsWith('42')) {
    return at(
      `refused the statement: ${message}${detail} (SQLSTATE ${code}); fix the SQL or the params`,
      'INVALID_QUERY',
    );
  }
  return at(`failed the statement: ${message}${detail} (SQLSTATE ${code})`, 'DB_ERROR');
}
