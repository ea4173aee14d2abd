/**
 * MongoDB's errors as `TaskError`s (db-executor.ts): the driver's error class and server code say
 * what kind of failure it was (credentials, duplicate key, permission, server timeout, no
 * server, bad query…); the message names the host (never the credentials) and says what to do.
 */
import type { MongoParams } from '../../../shared/domain';
import { redactUri } from '../../../shared/secrets';
import { TaskError } from '../types';
import { messageOf } from './db-engine';
import type { MongoDriver } from './drivers';

/** Server error codes that mean "the query or update itself is wrong". */
const BAD_QUERY_CODES = new Set([
  2, 9, 14, 15, 16, 17, 28, 40, 52, 54, 55, 56, 57, 66, 72, 168, 4767, 15974, 15998, 16410, 16411,
  16436, 17276, 28667, 28769, 31249, 31250, 31253, 31254, 40323, 40324, 40352, 40353, 51024,
]);

/** `mongodb://user:pw@h1,h2/db?x` → `h1,h2` (never credentials). */
function hostOf(uri: string): string {
  return (
    redactUri(uri)
      .replace(/^mongodb(\+srv)?:\/\/([^@/]*@)?/, '')
      .split(/[/?]/)[0] ?? uri
  );
}

function errorCode(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const DNS_CODES = new Set([
  'ENOTFOUND',
  'ENODATA',
  'EAI_AGAIN',
  'ESERVFAIL',
  'EREFUSED',
  'ETIMEOUT',
]);

/**
 * A host name that did not resolve (node's dns error, as the driver passes it on for a
 * `mongodb+srv://` uri: `querySrv ENOTFOUND _mongodb._tcp.host`): its code and host.
 */
function dnsFailure(error: unknown): { code: string; host: string; srv: boolean } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const { code, syscall, hostname } = current as {
      code?: unknown;
      syscall?: unknown;
      hostname?: unknown;
    };
    const lookup = typeof syscall === 'string' && /^(query|getaddrinfo)/.test(syscall);
    if (typeof code === 'string' && (DNS_CODES.has(code) || lookup)) {
      const srv = syscall === 'querySrv' || syscall === 'queryTxt';
      const name = typeof hostname === 'string' ? hostname.replace(/^_mongodb\._tcp\./, '') : '';
      return { code, host: name, srv };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `1 document`, `1,234 documents`. */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** What the run was doing when it failed. */
export interface MongoErrorContext {
  driver: MongoDriver;
  params: MongoParams;
  action: string;
  /** The pool's server selection timeout, for "cannot reach … within N s". */
  serverSelectionTimeoutMS: number;
}

/** The TaskError of a failed MongoDB run (a TaskError itself is not passed here). */
export function describeMongoError(error: unknown, context: MongoErrorContext): TaskError {
  const { driver, params, action } = context;
  const host = hostOf(params.uri);
  const ns = `${params.database}.${params.collection}`;
  const message = messageOf(error).replaceAll(params.uri, redactUri(params.uri));
  const name = error instanceof Error ? error.name : '';
  const code = errorCode(error);
  if (code === 18 || /Authentication failed/i.test(message)) {
    return new TaskError(
      'AUTH',
      `MongoDB at ${host} rejected the credentials: ${message}; check the user name, password and authSource in the uri`,
    );
  }
  if (code === 11000) {
    const inserted =
      error instanceof driver.MongoBulkWriteError ? error.result.insertedCount : undefined;
    return new TaskError(
      'DUPLICATE_KEY',
      `${action} on ${ns} hit a unique index: ${message}${
        inserted !== undefined ? ` (${plural(inserted, 'document')} inserted before it)` : ''
      }`,
      inserted !== undefined
        ? {
            summary: `insert: ${plural(inserted, 'document')} into ${ns}, then a duplicate key`,
            inserted,
          }
        : undefined,
    );
  }
  if (code === 13) {
    return new TaskError(
      'PERMISSION',
      `the MongoDB user may not run ${action} on ${ns}: ${message}; grant the role or use another user`,
    );
  }
  if (code === 50) {
    return new TaskError(
      'TIMEOUT',
      `${action} on ${ns} exceeded timeoutMs (${params.timeoutMs ?? '?'} ms) on the server; narrow the query or raise timeoutMs`,
    );
  }
  const dns = dnsFailure(error);
  if (dns) {
    return new TaskError(
      'CONNECTION',
      `the MongoDB host ${dns.host || host} could not be found (DNS ${dns.code}${dns.srv ? ', looking up the mongodb+srv record' : ''}); check the host name in the uri and the network's DNS`,
    );
  }
  if (name === 'MongoServerSelectionError' || name === 'MongoTopologyClosedError') {
    const seconds = Math.round(context.serverSelectionTimeoutMS / 100) / 10;
    return new TaskError(
      'CONNECTION',
      `cannot reach MongoDB at ${host} within ${seconds} s: ${message}; check that the server runs and the uri is right`,
    );
  }
  if (name.startsWith('MongoNetwork')) {
    return new TaskError(
      'CONNECTION',
      `the connection to MongoDB at ${host} failed during ${action}: ${message}; try again`,
    );
  }
  if (
    name === 'MongoParseError' ||
    name === 'MongoInvalidArgumentError' ||
    name === 'MongoAPIError' ||
    name === 'BSONError'
  ) {
    return new TaskError(
      'INVALID_CONFIG',
      `${action} on ${ns} cannot run: ${message}; fix the configuration`,
    );
  }
  if (error instanceof driver.MongoServerError) {
    if (code !== undefined && BAD_QUERY_CODES.has(code)) {
      return new TaskError(
        'INVALID_QUERY',
        `MongoDB refused the ${action} on ${ns}: ${message} (code ${code}); fix the filter, update or pipeline`,
      );
    }
    return new TaskError(
      'MONGO_ERROR',
      `MongoDB failed the ${action} on ${ns}: ${message} (code ${code ?? '?'}${
        error.codeName ? ` ${error.codeName}` : ''
      })`,
    );
  }
  return new TaskError('ERROR', `${action} on ${ns} failed: ${message}`);
}
