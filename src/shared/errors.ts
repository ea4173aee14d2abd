/** Error codes that cross every transport as data. */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The wire form of an error: `{ code, message, details? }`. `message` is a sentence for users
 * (no method or module prefix: that is for logs, `AppError.where`); a `VALIDATION` error's
 * `details.issues` lists each field at fault, `{ path: ['config','params','url'], message }`.
 */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** One field at fault: its path from the params (`['task','timeoutMs']`) and what is wrong. */
export interface FieldIssue {
  path: string[];
  message: string;
}

/** An error the core raises on purpose; transports turn it into `ErrorData`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** Where it was raised (`configs.save`), for logs only: never part of the wire data. */
  where?: string;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toData(): ErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorData(value: unknown): value is ErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorData).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as ErrorData).code) &&
    typeof (value as ErrorData).message === 'string'
  );
}

/** `config.params.url: must …; task.name: must not be empty`: issues as one message. */
export function issuesText(issues: readonly FieldIssue[]): string {
  return issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

/**
 * `VALIDATION` at one field: the message names the path (`config.params.url: must start with
 * http:// or https://`), `details.issues` carries the path as a list and the message alone.
 */
export function invalidField(path: string | readonly string[], message: string): AppError {
  const parts = typeof path === 'string' ? path.split('.').filter(Boolean) : [...path];
  return invalidFields([{ path: parts, message }]);
}

/** `VALIDATION` for several fields at fault (`details.issues`), named in the message. */
export function invalidFields(issues: readonly FieldIssue[]): AppError {
  return new AppError('VALIDATION', issuesText(issues), {
    issues: issues.map((issue) => ({ path: [...issue.path], message: issue.message })),
  });
}

/** The field issues an error carries (`details.issues`), [] when it carries none. */
export function fieldIssuesOf(error: unknown): FieldIssue[] {
  const details = (error as { details?: { issues?: unknown } } | null)?.details;
  const issues = details?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is FieldIssue =>
      typeof i === 'object' &&
      i !== null &&
      Array.isArray((i as FieldIssue).path) &&
      typeof (i as FieldIssue).message === 'string',
  );
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns anything thrown into wire data; unknown errors become INTERNAL. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof AppError) return error.toData();
  if (isErrorData(error)) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  return { code: 'INTERNAL', message: `Internal error: ${messageOf(error)}` };
}

/** HTTP status for each code, used by the headless service and its clients. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * What is wrong in a JSON text, from `JSON.parse`'s error without its own "… is not valid JSON"
 * (V8 writes `Unexpected token 'o', "not json" is not valid JSON`): `unexpected token 'o'`,
 * `unexpected end of the text`, `expected property name or '}' at line 1, column 2`.
 */
export function jsonSyntaxProblem(error: unknown): string {
  const raw = messageOf(error)
    .replace(/^JSON\.parse: /, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ is not valid JSON$/, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of the text')
    .replace(/ in JSON at position (\d+) \(line (\d+) column (\d+)\)$/, ' at line $2, column $3')
    .replace(/ in JSON at position (\d+)$/, ' at position $1')
    .replace(/ in JSON\b/, '');
  return raw.charAt(0).toLowerCase() + raw.slice(1);
}
