/**
 * Alerts through the built service's HTTP API (out/server/index.js): a failing task's alert
 * reaches a webhook and an SMTP server on 127.0.0.1, the deliveries are listed, secrets are
 * sealed in catalog.json and redacted in answers, and bad input is a 400 VALIDATION.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertDelivery } from '../../../src/shared/alerts';
import type { Run, Task } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { killStarted, postJson, serveJson } from '../../support/serve-process';
import {
  startSmtpReceiver,
  startWebhookReceiver,
  type SmtpReceiver,
  type WebhookReceiver,
} from './support';

const TOKEN = 'alerts-over-http-token';
let dir = '';
let base = '';
let target: HttpTarget;
let hook: WebhookReceiver;
let smtp: SmtpReceiver;

beforeAll(async () => {
  [target, hook, smtp] = await Promise.all([
    startHttpTarget(),
    startWebhookReceiver(),
    startSmtpReceiver(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'alerts-http-'));
  ({ base } = await serveJson(join(dir, 'data'), TOKEN));
});
afterAll(async () => {
  killStarted();
  await Promise.all([target.close(), hook.close(), smtp.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function ok<T>(method: string, params: unknown): Promise<T> {
  const answer = await postJson(base, TOKEN, method, params);
  if (answer.status !== 200)
    throw new Error(`${method}: ${answer.status} ${JSON.stringify(answer.error)}`);
  return answer.result as T;
}

describe('alerts over the HTTP API', () => {
  it('a failing task alerts a webhook and an email; deliveries listed; secrets sealed and redacted', async () => {
    const config = await ok<{ id: string }>('configs.save', {
      config: { name: 'Broken', type: 'api', params: { url: `${target.url}/status/500` } },
    });
    const task = await ok<Task>('tasks.save', {
      task: { name: 'Billing sync', type: 'api', operation: 'read', configId: config.id },
    });
    const webhook = await ok<Alert>('alerts.save', {
      alert: {
        name: 'Slack',
        channel: {
          kind: 'webhook',
          url: `${hook.url}/services/T1/B2/slack-secret-3`,
          preset: 'slack',
        },
        rule: { tasks: { kind: 'ids', ids: [task.id] }, on: ['failed'] },
      },
    });
    const mail = await ok<Alert>('alerts.save', {
      alert: {
        name: 'Mail',
        channel: {
          kind: 'email',
          host: '127.0.0.1',
          port: smtp.port,
          user: 'alerts',
          password: 'smtp-pass-9',
          from: 'scheduler@example.com',
          to: ['ops@example.com'],
        },
        rule: { on: ['failed'] },
      },
    });
    expect(webhook.channel).toMatchObject({ url: `${hook.url}/••••••` });
    expect(mail.channel).toMatchObject({ password: '••••••' });

    const run = await ok<Run>('tasks.run', { id: task.id });
    expect(run.status).toBe('failed');
    const [request] = await hook.waitFor(1);
    expect(request!.url).toBe('/services/T1/B2/slack-secret-3');
    expect((request!.json as { text: string }).text).toContain('*Billing sync* failed');
    const [message] = await smtp.waitFor(1);
    expect(message!.raw).toContain('Subject: [Task Scheduler] Billing sync: failed');
    expect(message!.raw).toContain(run.id);

    await expect
      .poll(
        async () => (await ok<{ items: AlertDelivery[] }>('alerts.deliveries', {})).items.length,
      )
      .toBe(2);
    const { items } = await ok<{ items: AlertDelivery[] }>('alerts.deliveries', {});
    expect(items.map((d) => [d.alertName, d.status, d.attempt, d.runId]).sort()).toEqual([
      ['Mail', 'sent', 1, run.id],
      ['Slack', 'sent', 1, run.id],
    ]);

    // /metrics counts the deliveries by channel and outcome.
    const metrics = await (
      await fetch(`${base}metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(metrics).toContain(
      'task_scheduler_alert_deliveries_total{channel="webhook",status="sent"} 1',
    );
    expect(metrics).toContain(
      'task_scheduler_alert_deliveries_total{channel="email",status="sent"} 1',
    );
    expect(metrics).toContain(
      'task_scheduler_alert_deliveries_total{channel="email",status="failed"} 0',
    );

    const catalog = await readFile(join(dir, 'data', 'catalog.json'), 'utf8');
    expect(catalog).not.toContain('slack-secret-3');
    expect(catalog).not.toContain('smtp-pass-9');
    const listed = await ok<Alert[]>('alerts.list', {});
    expect(JSON.stringify(listed)).not.toMatch(/slack-secret-3|smtp-pass-9/);
  });

  it('answers bad input with 400 VALIDATION naming the field and stores nothing', async () => {
    const before = await ok<Alert[]>('alerts.list', {});
    const answer = await postJson(base, TOKEN, 'alerts.save', {
      alert: {
        name: 'Bad',
        channel: { kind: 'email', host: 'h', port: 99999, from: 'a@b.c', to: ['d@e.f'] },
        rule: { on: ['failed'], quietMinutes: -5 },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.error?.code).toBe('VALIDATION');
    expect(answer.error?.details?.issues?.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['alert.channel.port', 'alert.rule.quietMinutes']),
    );
    expect(await ok<Alert[]>('alerts.list', {})).toEqual(before);
  });
});
