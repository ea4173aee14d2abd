/**
 * The Alerts form's draft (strings as the inputs hold them) and its conversion to and from what
 * `alerts.save` takes. Secrets arrive redacted; sent back unchanged, the service keeps the stored
 * ones. JSON fields (headers, the body template) are checked here so the form can name the field
 * before asking the service; everything else is the service's to validate.
 */
import type { Alert, AlertEvent, AlertInput } from '../../../../shared/alerts';
import type { TaskType } from '../../../../shared/domain';

export type ChannelKind = Alert['channel']['kind'];
export type TasksKind = Alert['rule']['tasks']['kind'];

export interface Draft {
  name: string;
  enabled: boolean;
  kind: ChannelKind;
  // webhook
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  preset: 'generic' | 'slack';
  /** The headers as a JSON object text ('' for none), as KeyValueTable edits them. */
  headers: string;
  /** The body template as JSON text; '' sends the preset's body. */
  body: string;
  // email
  host: string;
  port: string;
  tls: boolean;
  user: string;
  password: string;
  from: string;
  to: string;
  subject: string;
  emailBody: string;
  // desktop ('' : the default texts)
  title: string;
  desktopBody: string;
  // rule
  tasks: TasksKind;
  taskIds: string[];
  taskTypes: TaskType[];
  on: AlertEvent[];
  consecutiveFailures: string;
  quietMinutes: string;
}

/** The email templates a new alert starts with (the service's defaults, shown to edit). */
export const DEFAULT_SUBJECT = '[Task Scheduler] {{task.name}}: {{event}}';
export const DEFAULT_EMAIL_BODY =
  'Task "{{task.name}}" {{event}} ({{status}}) at {{finishedAt}} after {{duration}}.\n\nError: {{error}}\nRun: {{link}}\n';

export function draftOf(alert: Alert | undefined): Draft {
  const c = alert?.channel;
  const webhook = c?.kind === 'webhook' ? c : undefined;
  const email = c?.kind === 'email' ? c : undefined;
  const desktop = c?.kind === 'desktop' ? c : undefined;
  const tasks = alert?.rule.tasks ?? { kind: 'all' as const };
  const headers = webhook?.headers ?? {};
  return {
    name: alert?.name ?? '',
    enabled: alert?.enabled ?? true,
    kind: c?.kind ?? 'webhook',
    url: webhook?.url ?? '',
    method: webhook?.method ?? 'POST',
    preset: webhook?.preset ?? 'slack',
    headers: Object.keys(headers).length ? JSON.stringify(headers, null, 2) : '',
    body: webhook?.body === undefined ? '' : JSON.stringify(webhook.body, null, 2),
    host: email?.host ?? '',
    port: String(email?.port ?? 587),
    tls: email?.tls ?? false,
    user: email?.user ?? '',
    password: email?.password ?? '',
    from: email?.from ?? '',
    to: email?.to.join(', ') ?? '',
    subject: email?.subject ?? DEFAULT_SUBJECT,
    emailBody: email?.body ?? DEFAULT_EMAIL_BODY,
    title: desktop?.title ?? '',
    desktopBody: desktop?.body ?? '',
    tasks: tasks.kind,
    taskIds: tasks.kind === 'ids' ? tasks.ids : [],
    taskTypes: tasks.kind === 'types' ? tasks.types : [],
    on: alert?.rule.on ?? ['failed', 'timed-out', 'recovered'],
    consecutiveFailures: String(alert?.rule.consecutiveFailures ?? 3),
    quietMinutes: String(alert?.rule.quietMinutes ?? 0),
  };
}

/** What the form sends, or the field that must be fixed first (its label and what is wrong). */
export type Converted =
  { ok: true; input: AlertInput } | { ok: false; field: string; message: string };

function headersOf(text: string): Record<string, string> | string {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'string')
    ) {
      return value as Record<string, string>;
    }
  } catch {
    // below
  }
  return 'must be a JSON object of names to text values, e.g. {"Authorization": "Bearer …"}';
}

function channelOf(draft: Draft): AlertInput['channel'] | { field: string; message: string } {
  if (draft.kind === 'desktop') {
    return {
      kind: 'desktop',
      ...(draft.title.trim() ? { title: draft.title } : {}),
      ...(draft.desktopBody.trim() ? { body: draft.desktopBody } : {}),
    };
  }
  if (draft.kind === 'email') {
    const user = draft.user.trim();
    return {
      kind: 'email',
      host: draft.host.trim(),
      port: Number(draft.port),
      tls: draft.tls,
      ...(user ? { user, password: draft.password } : {}),
      from: draft.from.trim(),
      to: draft.to
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      subject: draft.subject,
      body: draft.emailBody,
    };
  }
  const headers = headersOf(draft.headers);
  if (typeof headers === 'string') return { field: 'Headers', message: headers };
  let body: unknown;
  if (draft.body.trim()) {
    try {
      body = JSON.parse(draft.body);
    } catch (error) {
      return {
        field: 'Body template (JSON)',
        message: `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  return {
    kind: 'webhook',
    url: draft.url.trim(),
    method: draft.method,
    preset: draft.preset,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

function tasksOf(draft: Draft): AlertInput['rule']['tasks'] {
  if (draft.tasks === 'ids') return { kind: 'ids', ids: draft.taskIds };
  if (draft.tasks === 'types') return { kind: 'types', types: draft.taskTypes };
  return { kind: 'all' };
}

/** The draft as `alerts.save` takes it. */
export function inputOf(draft: Draft, alert: Alert | undefined): Converted {
  const channel = channelOf(draft);
  if ('field' in channel) return { ok: false, ...channel };
  return {
    ok: true,
    input: {
      ...(alert ? { id: alert.id } : {}),
      name: draft.name,
      enabled: draft.enabled,
      channel,
      rule: {
        tasks: tasksOf(draft),
        on: draft.on,
        consecutiveFailures: Number(draft.consecutiveFailures),
        quietMinutes: Number(draft.quietMinutes),
      },
    },
  };
}

/** The list's short description of a channel. */
export function channelText(alert: Alert): string {
  const c = alert.channel;
  if (c.kind === 'webhook') return `webhook ${c.url}`;
  if (c.kind === 'email') return `email to ${c.to.join(', ')}`;
  return 'desktop notification';
}
