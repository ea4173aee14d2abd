/**
 * What an alert says: the values of the run its templates read (src/shared/alerts.ts,
 * ALERT_VARIABLES, plus the built-ins every run has) and the channel's message rendered with them.
 */
import type { AlertChannel, AlertEvent, AlertVariable, WebhookChannel } from '../../shared/alerts';
import type { Run } from '../../shared/domain';
import { renderDeep } from '../../shared/template-values';
import { renderTemplate, type TemplateContext } from '../../shared/templates';

/** What one message is about. */
export interface AlertSubject {
  event: AlertEvent;
  run: Run;
  alertName: string;
  /** Failures in a row so far (0 after a success). */
  failures: number;
  /** The run's page, when the service knows its public address. */
  link?: string;
}

/** A message ready for its channel. */
export type RenderedMessage =
  | { kind: 'webhook'; body: string }
  | { kind: 'email'; subject: string; text: string }
  | { kind: 'desktop'; title: string; body: string };

/** What a desktop notification says without templates (as the desktop app always said it). */
const DESKTOP_TITLES: Record<AlertEvent, string> = {
  failed: 'Task failed: {{task.name}}',
  'timed-out': 'Task timed out: {{task.name}}',
  recovered: 'Task recovered: {{task.name}}',
  'consecutive-failures': 'Task failed {{failures}} times in a row: {{task.name}}',
  skipped: 'Task skipped: {{task.name}}',
};

function desktopDefaultBody(subject: AlertSubject): string {
  if (subject.event === 'recovered') return 'It ran successfully again.';
  return subject.event === 'skipped' ? 'A run was skipped by its overlap policy.' : '{{error}}';
}

/** Notification text is short: the OS truncates anyway, and a run's error may be long. */
const DESKTOP_TITLE_MAX = 120;
const DESKTOP_BODY_MAX = 250;

/** `850 ms`, `12.3 s`, `4 min 5 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function templateContextOf(subject: AlertSubject, now: string): TemplateContext {
  const { run } = subject;
  const variables: Record<AlertVariable, string> = {
    event: subject.event,
    status: run.status,
    error: run.error?.message ?? '',
    errorCode: run.error?.code ?? '',
    duration: formatDuration(run.durationMs),
    durationMs: run.durationMs === undefined ? '' : String(run.durationMs),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? '',
    taskType: run.type,
    trigger: run.trigger.kind,
    failures: String(subject.failures),
    link: subject.link ?? run.id,
    'alert.name': subject.alertName,
  };
  return {
    now,
    run: { id: run.id, scheduledFor: run.scheduledFor ?? run.startedAt },
    task: { id: run.taskId, name: run.taskName },
    variables,
    timeZone: 'UTC',
  };
}

/** The body a webhook sends when it names none, by preset. */
export function presetBody(preset: WebhookChannel['preset']): unknown {
  if (preset === 'slack') {
    return {
      text: '*{{task.name}}* {{event}} ({{status}}) after {{duration}}: {{error}} <{{link}}|run {{run.id}}>',
    };
  }
  return {
    event: '{{event}}',
    alert: '{{alert.name}}',
    task: { id: '{{task.id}}', name: '{{task.name}}', type: '{{taskType}}' },
    run: {
      id: '{{run.id}}',
      status: '{{status}}',
      trigger: '{{trigger}}',
      startedAt: '{{startedAt}}',
      finishedAt: '{{finishedAt}}',
      durationMs: '{{durationMs}}',
      link: '{{link}}',
    },
    error: { code: '{{errorCode}}', message: '{{error}}' },
    failures: '{{failures}}',
  };
}

/** The channel's message filled with the context; throws with the template problem. */
export function renderMessage(
  channel: AlertChannel,
  context: TemplateContext,
  about?: AlertSubject,
): RenderedMessage {
  if (channel.kind === 'desktop') {
    const event = about?.event ?? 'failed';
    const titleTemplate = channel.title ?? DESKTOP_TITLES[event];
    const bodyTemplate = channel.body ?? (about ? desktopDefaultBody(about) : '{{error}}');
    const title = renderTemplate(titleTemplate, context, 'text');
    if (!title.ok) throw new Error(`channel.title: ${title.message}`);
    const body = renderTemplate(bodyTemplate, context, 'text');
    if (!body.ok) throw new Error(`channel.body: ${body.message}`);
    const text = body.value.trim() || about?.run.status || '';
    return {
      kind: 'desktop',
      title: title.value.replace(/[\r\n]+/g, ' ').slice(0, DESKTOP_TITLE_MAX),
      body: text.slice(0, DESKTOP_BODY_MAX),
    };
  }
  if (channel.kind === 'webhook') {
    const body = renderDeep(channel.body ?? presetBody(channel.preset), context);
    if (!body.ok) throw new Error(`channel.body: ${body.message}`);
    return { kind: 'webhook', body: JSON.stringify(body.value) };
  }
  const subject = renderTemplate(channel.subject, context, 'text');
  if (!subject.ok) throw new Error(`channel.subject: ${subject.message}`);
  const text = renderTemplate(channel.body, context, 'text');
  if (!text.ok) throw new Error(`channel.body: ${text.message}`);
  return { kind: 'email', subject: subject.value.replace(/[\r\n]+/g, ' '), text: text.value };
}
