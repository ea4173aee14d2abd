/** Stored alerts for store and transfer tests: a webhook and an email alert holding secrets. */
import type { Alert } from '../../src/shared/alerts';

export const ALERT_T0 = '2026-01-01T00:00:00.000Z';
/** Every secret the two alerts below hold: webhook URL, header token, SMTP password. */
export const ALERT_SECRETS = [
  'https://hooks.slack.com/services/T1/B2/very-secret',
  'tok-ALERT-77',
  'smtp-PW-88',
] as const;

export function webhookAlert(id: string, overrides: Partial<Alert> = {}): Alert {
  return {
    id,
    name: `hook ${id}`,
    enabled: true,
    channel: {
      kind: 'webhook',
      url: ALERT_SECRETS[0],
      method: 'POST',
      preset: 'slack',
      headers: { Authorization: `Bearer ${ALERT_SECRETS[1]}` },
      body: { text: '{{task.name}} {{event}}' },
    },
    rule: { tasks: { kind: 'all' }, on: ['failed'], consecutiveFailures: 3, quietMinutes: 5 },
    createdAt: ALERT_T0,
    updatedAt: ALERT_T0,
    ...overrides,
  };
}

export function emailAlert(id: string, overrides: Partial<Alert> = {}): Alert {
  return {
    id,
    name: `mail ${id}`,
    enabled: true,
    channel: {
      kind: 'email',
      host: 'smtp.example.com',
      port: 465,
      tls: true,
      user: 'u',
      password: ALERT_SECRETS[2],
      from: 'a@example.com',
      to: ['b@example.com'],
      subject: '{{task.name}}',
      body: '{{error}}',
    },
    rule: {
      tasks: { kind: 'types', types: ['db'] },
      on: ['recovered'],
      consecutiveFailures: 3,
      quietMinutes: 0,
    },
    createdAt: ALERT_T0,
    updatedAt: ALERT_T0,
    ...overrides,
  };
}
