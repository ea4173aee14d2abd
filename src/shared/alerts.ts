/**
 * Alerts (issue #18 item 1): stored entities that tell people when runs fail, time out, recover,
 * fail several times in a row or are skipped, through a webhook (Slack-compatible preset) or an
 * email. Pure TS (zod): the core validates `alerts.save` with these schemas, the stores check the
 * records they read back with them, the UI can reuse them. User guide: docs/alerts.md.
 *
 * Secrets (`mapAlertSecrets`): the webhook `url` (a Slack webhook URL is its own credential), every
 * webhook header value, the SMTP password. They are sealed at rest like configuration secrets and
 * redacted by `alerts.get` / `alerts.list` (the url keeps its origin: `https://hooks.slack.com/••••••`);
 * a redacted value sent back to `alerts.save` keeps the stored one.
 */
import { z } from 'zod';
import { idSchema, isoTimeSchema, nameSchema, REDACTED, taskTypeSchema } from './domain';
import { boundedJson } from './json-bounds';
import { collectTemplateStrings } from './template-values';
import { validateTemplates, type TemplateIssue } from './templates';

/** What a rule can react to (see docs/alerts.md, "Rules"). */
export const ALERT_EVENTS = [
  'failed',
  'timed-out',
  'recovered',
  'consecutive-failures',
  'skipped',
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/**
 * The values an alert's templates read besides the built-ins every run has (`now`, `run.id`,
 * `run.scheduledFor`, `task.id`, `task.name`). `duration` is readable text (`1.2 s`), `link` the
 * run's page when the service knows its public address, else the run id.
 */
export const ALERT_VARIABLES = [
  'event',
  'status',
  'error',
  'errorCode',
  'duration',
  'durationMs',
  'startedAt',
  'finishedAt',
  'taskType',
  'trigger',
  'failures',
  'link',
  'alert.name',
] as const;
export type AlertVariable = (typeof ALERT_VARIABLES)[number];

export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export const WEBHOOK_PRESETS = ['generic', 'slack'] as const;

/** A sealed value as the stores keep it (`v1:aes:…`, `v1:safe:…`): see src/main/secrets/codec.ts. */
const SEALED = /^v\d+:[a-z]+:/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An http(s) URL; a sealed one passes too (records read back before they are opened). */
const webhookUrlSchema = z
  .string()
  .trim()
  .max(4000)
  .refine((v) => SEALED.test(v) || isHttpUrl(v), 'must be an http:// or https:// URL');

const portSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const emailAddress = z.string().trim().min(3, 'must be an email address').max(320);

export const webhookChannelSchema = z.strictObject({
  kind: z.literal('webhook'),
  url: webhookUrlSchema,
  method: z.enum(WEBHOOK_METHODS).default('POST'),
  headers: boundedJson(z.record(z.string(), z.string())).default({}),
  /** `slack`: the default body is Slack's `{ "text": … }`; `generic`: a JSON summary of the run. */
  preset: z.enum(WEBHOOK_PRESETS).default('generic'),
  /** The JSON sent; its strings may hold placeholders. Absent: the preset's body. */
  body: boundedJson(z.unknown()).optional(),
});

export const emailChannelSchema = z.strictObject({
  kind: z.literal('email'),
  host: z.string().trim().min(1, 'must not be empty').max(500),
  port: portSchema.default(587),
  /** Implicit TLS from the first byte (port 465); false: plain, upgraded by STARTTLS when offered. */
  tls: z.boolean().default(false),
  user: z.string().max(500).optional(),
  password: z.string().max(2000).optional(),
  from: emailAddress,
  to: z.array(emailAddress).min(1, 'needs at least one address').max(50),
  subject: z.string().max(2000).default('[Task Scheduler] {{task.name}}: {{event}}'),
  body: z
    .string()
    .max(100_000)
    .default(
      'Task "{{task.name}}" {{event}} ({{status}}) at {{finishedAt}} after {{duration}}.\n\nError: {{error}}\nRun: {{link}}\n',
    ),
});

/**
 * An OS notification from the desktop app (its composition provides the notifier; the headless
 * service refuses this channel at save). Without templates the title and body say what happened
 * (`Task failed: Export`, the error); clicking the notification opens the run.
 */
export const desktopChannelSchema = z.strictObject({
  kind: z.literal('desktop'),
  title: z.string().max(500).optional(),
  body: z.string().max(2000).optional(),
});

export const ALERT_CHANNEL_KINDS = ['webhook', 'email', 'desktop'] as const;

export const alertChannelSchema = z.discriminatedUnion('kind', [
  webhookChannelSchema,
  emailChannelSchema,
  desktopChannelSchema,
]);

export const alertTasksSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('ids'), ids: z.array(idSchema).min(1).max(10_000) }),
  z.strictObject({ kind: z.literal('types'), types: z.array(taskTypeSchema).min(1) }),
]);

export const alertRuleSchema = z.strictObject({
  tasks: alertTasksSchema.default({ kind: 'all' }),
  on: z.array(z.enum(ALERT_EVENTS)).min(1, 'needs at least one event'),
  /** For `consecutive-failures`: how many failures in a row (failed or timed out) it takes. */
  consecutiveFailures: z.number().int('must be a whole number').min(2).max(1000).default(3),
  /** At most one message per alert and task within this many minutes (0: every event). */
  quietMinutes: z
    .number()
    .min(0, 'must be 0 or more')
    .max(7 * 24 * 60)
    .default(0),
});

const alertFields = {
  name: nameSchema,
  enabled: z.boolean().default(true),
  channel: alertChannelSchema,
  rule: alertRuleSchema,
};

type AlertShape = { channel: z.output<typeof alertChannelSchema> };

/** Every template field of a channel, by its path (`channel.body.text`, `channel.subject`). */
export function alertTemplateFields(channel: AlertShape['channel']): Record<string, string> {
  if (channel.kind === 'email') {
    return { 'channel.subject': channel.subject, 'channel.body': channel.body };
  }
  if (channel.kind === 'desktop') {
    return {
      ...(channel.title === undefined ? {} : { 'channel.title': channel.title }),
      ...(channel.body === undefined ? {} : { 'channel.body': channel.body }),
    };
  }
  return channel.body === undefined ? {} : collectTemplateStrings(channel.body, 'channel.body');
}

/** Unknown placeholders (or `input` / `parent` / `env`, which alerts do not have), by field. */
export function validateAlertTemplates(channel: AlertShape['channel']): TemplateIssue[] {
  const issues = validateTemplates(alertTemplateFields(channel), {
    chained: false,
    variables: ALERT_VARIABLES,
  });
  // The shared message names configuration variables; an alert has its own list of values.
  return issues.map((issue) => {
    const unknown = /^unknown placeholder (\{\{[^}]*\}\})/.exec(issue.message);
    if (!unknown) return issue;
    const names = ['now', 'run.id', 'run.scheduledFor', 'task.id', 'task.name', ...ALERT_VARIABLES];
    return {
      ...issue,
      message: `unknown placeholder ${unknown[1]}; an alert can read ${names.join(', ')}`,
    };
  });
}

function checkTemplates(alert: AlertShape, ctx: z.RefinementCtx): void {
  for (const issue of validateAlertTemplates(alert.channel)) {
    ctx.addIssue({
      code: 'custom',
      path: issue.field.split('.'),
      message: `${issue.message} (at character ${issue.at})`,
    });
  }
}

export const alertSchema = z
  .strictObject({
    id: idSchema,
    ...alertFields,
    createdAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .superRefine(checkTemplates);

export const alertInputSchema = z
  .strictObject({ id: idSchema.optional(), ...alertFields })
  .superRefine(checkTemplates);

export type Alert = z.output<typeof alertSchema>;
export type AlertInput = z.input<typeof alertInputSchema>;
export type ParsedAlertInput = z.output<typeof alertInputSchema>;
export type AlertChannel = Alert['channel'];
export type WebhookChannel = z.output<typeof webhookChannelSchema>;
export type EmailChannel = z.output<typeof emailChannelSchema>;
export type DesktopChannel = z.output<typeof desktopChannelSchema>;

/** One attempt to send one alert message. */
export interface AlertDelivery {
  id: string;
  alertId: string;
  alertName: string;
  channel: AlertChannel['kind'];
  event: AlertEvent;
  /** The run that caused it (absent for `alerts.test`). */
  runId?: string;
  taskId?: string;
  status: 'sent' | 'failed';
  /** Why it failed (`HTTP 500`, `timed out after 10000 ms`, the SMTP reply). */
  reason?: string;
  /** 1 for the first try; a failed attempt is retried up to 3 more times (1 s, 5 s, 30 s). */
  attempt: number;
  /** When the attempt ended (ISO). */
  at: string;
  /** True for a message sent by `alerts.test`. */
  test?: boolean;
}

// ------------------------------------------------------------------ secrets

/** Where a secret sits: `url`, `headers:X-Token`, `password`. */
export type AlertSecretFn = (value: string, key: string) => string;

/** A copy of the channel with `fn` applied to every secret value (see the top of this file). */
export function mapAlertSecrets<C extends AlertChannel>(channel: C, fn: AlertSecretFn): C {
  if (channel.kind === 'desktop') return channel;
  if (channel.kind === 'email') {
    return channel.password === undefined
      ? channel
      : ({ ...channel, password: fn(channel.password, 'password') } as C);
  }
  const headers = Object.fromEntries(
    Object.entries(channel.headers).map(([k, v]) => [k, fn(v, `headers:${k}`)]),
  );
  return { ...channel, url: fn(channel.url, 'url'), headers } as C;
}

/** `https://hooks.slack.com/services/T/B/x` → `https://hooks.slack.com/••••••`. */
export function redactWebhookUrl(url: string): string {
  try {
    return `${new URL(url).origin}/${REDACTED}`;
  } catch {
    return REDACTED;
  }
}

function redactedValue(value: string, key: string): string {
  return key === 'url' ? redactWebhookUrl(value) : REDACTED;
}

/** The alert with every secret redacted (what `alerts.get` and `alerts.list` answer). */
export function redactAlert<A extends { channel: AlertChannel }>(alert: A): A {
  return { ...alert, channel: mapAlertSecrets(alert.channel, redactedValue) };
}

/** Where the input holds a stored secret's redacted form, the stored secret is kept. */
export function restoreAlertSecrets<A extends { channel: AlertChannel }>(
  input: A,
  stored: Alert | undefined,
): A {
  if (!stored || stored.channel.kind !== input.channel.kind) return input;
  const kept = new Map<string, string>();
  mapAlertSecrets(stored.channel, (value, key) => {
    kept.set(key, value);
    return value;
  });
  const channel = mapAlertSecrets(input.channel, (value, key) => {
    const old = kept.get(key);
    return old !== undefined && value === redactedValue(old, key) ? old : value;
  });
  return { ...input, channel };
}

/** The path of a secret field that still holds the redaction marker, if any. */
export function redactedSecretField(channel: AlertChannel): string | undefined {
  let found: string | undefined;
  mapAlertSecrets(channel, (value, key) => {
    if (found === undefined && value.includes(REDACTED)) found = key;
    return value;
  });
  return found;
}

/** True when the url is http(s) (a sealed value is not). */
export function isWebhookUrl(value: string): boolean {
  return isHttpUrl(value);
}
