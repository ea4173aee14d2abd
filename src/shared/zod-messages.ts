/**
 * Zod's issues in the words users read (issue #17, "Messages"): "must be at least 1", "must be a
 * whole number", "is required" instead of zod's "Too small: expected number to be >=1" or
 * "Invalid input: expected int, received number". Passed to `safeParse(value, { error })` by
 * `parseParams` (src/shared/contract.ts) and the renderer's forms; a message a schema words
 * itself (`.min(1, 'must be at least 1 (1 means no retry)')`) wins over these.
 */
import type { z } from 'zod';
import type { FieldIssue } from './errors';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  object: 'an object like {"key": "value"}',
  record: 'an object like {"key": "value"}',
  array: 'a list like [ … ]',
  tuple: 'a list like [ … ]',
  date: 'a date',
  null: 'null',
};

const FORMAT_NAMES: Record<string, string> = {
  url: 'a URL like https://example.com/',
  email: 'an email address like ops@example.com',
  datetime: 'an ISO 8601 time like 2026-01-31T08:00:00Z',
  date: 'an ISO date like 2026-01-31',
  time: 'a time like 08:00',
  uuid: 'a UUID',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
};

/** "1 item" / "3 items". */
function count(n: number | bigint, unit: string): string {
  return `${n.toString()} ${unit}${Number(n) === 1 ? '' : 's'}`;
}

/** What a sized value counts: characters of text, items of a list. */
function sizeUnit(origin: string): string | undefined {
  if (origin === 'string') return 'character';
  if (origin === 'array' || origin === 'set') return 'item';
  if (origin === 'file') return 'byte';
  return undefined;
}

function quoted(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
}

function tooSmall(issue: Extract<RawIssue, { code: 'too_small' }>): string {
  const unit = sizeUnit(issue.origin);
  if (unit === undefined) {
    if (issue.exact) return `must be ${issue.minimum.toString()}`;
    return issue.inclusive
      ? `must be at least ${issue.minimum.toString()}`
      : `must be more than ${issue.minimum.toString()}`;
  }
  if (issue.origin === 'string' && Number(issue.minimum) <= 1 && issue.inclusive !== false) {
    return 'must not be empty';
  }
  if (issue.origin !== 'string' && Number(issue.minimum) <= 1 && issue.inclusive !== false) {
    return `must have at least one ${unit}`;
  }
  const min = issue.inclusive === false ? Number(issue.minimum) + 1 : issue.minimum;
  return issue.exact
    ? `must have exactly ${count(min, unit)}`
    : `must have at least ${count(min, unit)}`;
}

function tooBig(issue: Extract<RawIssue, { code: 'too_big' }>): string {
  const unit = sizeUnit(issue.origin);
  if (unit === undefined) {
    if (issue.exact) return `must be ${issue.maximum.toString()}`;
    return issue.inclusive
      ? `must be at most ${issue.maximum.toString()}`
      : `must be less than ${issue.maximum.toString()}`;
  }
  const max = issue.inclusive === false ? Number(issue.maximum) - 1 : issue.maximum;
  return issue.exact
    ? `must have exactly ${count(max, unit)}`
    : `must have at most ${count(max, unit)}`;
}

function invalidType(issue: Extract<RawIssue, { code: 'invalid_type' }>): string {
  if (issue.input === undefined) return 'is required';
  const expected = issue.expected as string;
  if (expected === 'int' && typeof issue.input === 'number' && Number.isFinite(issue.input)) {
    return 'must be a whole number';
  }
  if ((expected === 'number' || expected === 'int') && typeof issue.input === 'number') {
    return 'must be a finite number';
  }
  return `must be ${TYPE_NAMES[expected] ?? expected}`;
}

function invalidFormat(issue: Extract<RawIssue, { code: 'invalid_format' }>): string {
  const format = issue.format as string;
  const extra = issue as unknown as { prefix?: string; suffix?: string; includes?: string };
  if (format === 'starts_with') return `must start with "${extra.prefix ?? ''}"`;
  if (format === 'ends_with') return `must end with "${extra.suffix ?? ''}"`;
  if (format === 'includes') return `must contain "${extra.includes ?? ''}"`;
  if (format === 'regex') return 'is not in the expected format';
  return `must be ${FORMAT_NAMES[format] ?? `a valid ${format}`}`;
}

/**
 * The message for one raw zod issue (a zod error map: pass it as `{ error: zodUserMessage }`);
 * undefined leaves zod's own, which never happens for the codes zod has today.
 */
export function zodUserMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return invalidFormat(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys': {
      const many = issue.keys.length > 1;
      return `has unknown field${many ? 's' : ''} ${quoted(issue.keys)}; remove ${many ? 'them' : 'it'}`;
    }
    case 'invalid_value':
      if (issue.input === undefined) return `is required: one of ${quoted(issue.values)}`;
      return issue.values.length === 1
        ? `must be ${quoted(issue.values)}`
        : `must be one of ${quoted(issue.values)}`;
    case 'invalid_union': {
      const options = (issue as { options?: readonly unknown[] }).options;
      if (options?.length) return `must be one of ${quoted(options)}`;
      return 'does not match any of the allowed forms';
    }
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'holds a value that is not allowed';
    default:
      return 'is not valid';
  }
}

/** Zod's options for a parse with these messages: `schema.safeParse(value, ZOD_USER_MESSAGES)`. */
export const ZOD_USER_MESSAGES = { error: zodUserMessage } as const;

/**
 * The issues of a failed parse as field issues, paths as strings (`['config','params','url']`);
 * a discriminator's issue points at the discriminator field itself (`config.type`).
 */
export function zodFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const discriminator = issue.code === 'invalid_union' ? issue.discriminator : undefined;
    const path = issue.path.map(String);
    if (discriminator && path[path.length - 1] !== discriminator) path.push(discriminator);
    return { path, message: issue.message };
  });
}
