/**
 * The rules a stored record must meet: the contract's schemas (src/shared/domain.ts) plus the rules
 * the `*.save` methods apply beyond them (src/main/core/config-rules.ts, the schedule spec of
 * src/main/scheduler/schedule-math.ts). Used wherever records arrive without a `*.save`: the json
 * catalog at load, documents the mongodb store reads back, and imports (import-checks.ts).
 */
import type { z } from 'zod';
import { alertSchema, type Alert } from '../../shared/alerts';
import {
  configurationSchema,
  scheduleEntrySchema,
  settingsSchema,
  taskSchema,
  type Configuration,
  type ScheduleEntry,
  type Settings,
  type Task,
} from '../../shared/domain';
import { AppError, fieldIssuesOf } from '../../shared/errors';
import { ZOD_USER_MESSAGES } from '../../shared/zod-messages';
import { checkConfigParams } from '../core/config-rules';
import { isValidTimezone, specOf, validateSpec } from '../scheduler/schedule-math';

export type RecordKind = 'config' | 'task' | 'schedule' | 'settings' | 'alert';

/** One thing wrong with one record. */
export interface RecordIssue {
  kind: RecordKind;
  /** The record's id, when it has a usable one. */
  id?: string;
  /** Its place in its list (import files, catalog.json), when known. */
  index?: number;
  /** Field path inside the record (`params.url`); `(record)` for the record as a whole. */
  field: string;
  problem: string;
}

export type Checked<T> = { ok: true; record: T } | { ok: false; issues: RecordIssue[] };

export const KIND_LABELS: Record<RecordKind, string> = {
  config: 'configuration',
  task: 'task',
  schedule: 'schedule entry',
  settings: 'settings',
  alert: 'alert',
};

/** The record's id when it is a non-empty string. */
export function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id.trim() !== '' ? id : undefined;
}

/** `schedule entry "e1"`, `task #3`, `settings`. */
export function nameRecord(issue: Pick<RecordIssue, 'kind' | 'id' | 'index'>): string {
  const label = KIND_LABELS[issue.kind];
  if (issue.kind === 'settings') return label;
  if (issue.id !== undefined) return `${label} "${issue.id}"`;
  return issue.index !== undefined ? `${label} #${issue.index + 1}` : label;
}

/** `schedule entry "e1" everySeconds: must be at most …`. */
export function describeIssue(issue: RecordIssue): string {
  return `${nameRecord(issue)} ${issue.field}: ${issue.problem}`;
}

function issuesOf(kind: RecordKind, value: unknown, error: z.ZodError): RecordIssue[] {
  const id = idOf(value);
  const base = { kind, ...(id !== undefined ? { id } : {}) };
  return error.issues.flatMap((issue): RecordIssue[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        ...base,
        field: path ? `${path}.${key}` : key,
        problem: 'is not a known field; remove it',
      }));
    }
    return [{ ...base, field: path || '(record)', problem: issue.message }];
  });
}

/** What a rule function threw (its message: the rules put no prefix on it). */
function ruleProblem(rule: () => void): string | undefined {
  try {
    rule();
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.message;
  }
}

export function checkConfigRecord(value: unknown): Checked<Configuration> {
  const parsed = configurationSchema.safeParse(value, ZOD_USER_MESSAGES);
  if (!parsed.success) return { ok: false, issues: issuesOf('config', value, parsed.error) };
  const config = parsed.data;
  try {
    checkConfigParams(config, '');
    return { ok: true, record: config };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The rule names the field in the record (`params.url`) and what is wrong with it.
    const issue = fieldIssuesOf(error)[0];
    const field = issue?.path.join('.') || 'params';
    return {
      ok: false,
      issues: [{ kind: 'config', id: config.id, field, problem: issue?.message ?? error.message }],
    };
  }
}

/** An alert as stored: the schema `alerts.save` applies (templates included; secrets sealed). */
export function checkAlertRecord(value: unknown): Checked<Alert> {
  const parsed = alertSchema.safeParse(value, ZOD_USER_MESSAGES);
  if (!parsed.success) return { ok: false, issues: issuesOf('alert', value, parsed.error) };
  return { ok: true, record: parsed.data };
}

export function checkTaskRecord(value: unknown): Checked<Task> {
  const parsed = taskSchema.safeParse(value, ZOD_USER_MESSAGES);
  if (!parsed.success) return { ok: false, issues: issuesOf('task', value, parsed.error) };
  return { ok: true, record: parsed.data };
}

/** The field a schedule-spec message is about. */
function specField(message: string): string {
  if (/time zone/.test(message)) return 'timezone';
  if (/everySeconds/.test(message)) return 'everySeconds';
  if (/^(startAt|endAt)/.test(message)) return message.slice(0, message.indexOf(' '));
  if (/endAt/.test(message)) return 'endAt';
  if (/cron/.test(message)) return 'cron';
  return 'kind';
}

/**
 * A schedule entry as stored: its schema, and its spec as `schedules.save` checks it (kind and
 * fields agree, the zone exists, the cron expression parses and fires at some time after 1970),
 * and a frequency entry has the moment it counts from. Whether it still fires from now on is not
 * asked: an entry past its end is finished, not bad.
 */
export function checkEntryRecord(value: unknown, defaultTimezone?: string): Checked<ScheduleEntry> {
  const parsed = scheduleEntrySchema.safeParse(value, ZOD_USER_MESSAGES);
  if (!parsed.success) return { ok: false, issues: issuesOf('schedule', value, parsed.error) };
  const entry = parsed.data;
  const problem = ruleProblem(() => validateSpec(specOf(entry), 0, defaultTimezone));
  if (problem !== undefined) {
    return {
      ok: false,
      issues: [{ kind: 'schedule', id: entry.id, field: specField(problem), problem }],
    };
  }
  if (entry.kind === 'frequency' && entry.anchorAt === undefined && entry.startAt === undefined) {
    return {
      ok: false,
      issues: [
        {
          kind: 'schedule',
          id: entry.id,
          field: 'anchorAt',
          problem:
            'a frequency entry needs anchorAt or startAt (the moment it counts from); without one it never fires. Set anchorAt, e.g. to its createdAt',
        },
      ],
    };
  }
  return { ok: true, record: entry };
}

function timezoneIssue(settings: { defaultTimezone?: string | undefined }): RecordIssue[] {
  const zone = settings.defaultTimezone;
  if (!zone || isValidTimezone(zone)) return [];
  return [
    {
      kind: 'settings',
      field: 'defaultTimezone',
      problem: `time zone "${zone}" is unknown; use an IANA name such as "Europe/Berlin" or "UTC", or leave it empty for the system zone`,
    },
  ];
}

/** Settings exactly as `settings.save` accepts them. */
export function checkSettingsRecord(value: unknown): Checked<Settings> {
  const parsed = settingsSchema.safeParse(value, ZOD_USER_MESSAGES);
  if (!parsed.success) return { ok: false, issues: issuesOf('settings', value, parsed.error) };
  const issues = timezoneIssue(parsed.data);
  return issues.length ? { ok: false, issues } : { ok: true, record: parsed.data };
}

/**
 * Stored settings made usable: each bad or unknown field falls back to its default (a bad
 * `concurrency` must not stop every run), with an issue for each.
 */
export function repairSettings(value: unknown): { settings: Settings; issues: RecordIssue[] } {
  const checked = checkSettingsRecord(value);
  if (checked.ok) return { settings: checked.record, issues: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      settings: settingsSchema.parse({}),
      issues: [{ kind: 'settings', field: '(record)', problem: 'is not an object' }],
    };
  }
  const shape = settingsSchema.shape as Record<string, z.ZodType>;
  const kept: Record<string, unknown> = {};
  const issues: RecordIssue[] = [];
  for (const [key, field] of Object.entries(value)) {
    const schema = shape[key];
    if (!schema) {
      issues.push({ kind: 'settings', field: key, problem: 'is not a known field; it is ignored' });
      continue;
    }
    const parsed = schema.safeParse(field, ZOD_USER_MESSAGES);
    if (parsed.success) kept[key] = field;
    else {
      for (const issue of issuesOf('settings', undefined, parsed.error)) {
        const sub = issue.field === '(record)' ? '' : `.${issue.field}`;
        issues.push({
          ...issue,
          field: `${key}${sub}`,
          problem: `${issue.problem}; the default is used`,
        });
      }
    }
  }
  const zone = timezoneIssue(kept as { defaultTimezone?: string });
  if (zone.length) {
    delete kept.defaultTimezone;
    issues.push(...zone.map((i) => ({ ...i, problem: `${i.problem}; the system zone is used` })));
  }
  return { settings: settingsSchema.parse(kept), issues };
}
