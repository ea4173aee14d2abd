import { describe, expect, it } from 'vitest';
import { useAlertRig } from './alert-app';

const rig = useAlertRig();

describe('alert delivery', () => {
  it('a failing task sends one webhook and one email with the run details', async () => {
    const hook = await rig.app.core.call('alerts.save', { alert: rig.webhookAlert() });
    const mail = await rig.app.core.call('alerts.save', { alert: rig.emailAlert() });
    const run = await rig.run('fail');
    expect(run.status).toBe('failed');

    const [request] = await rig.hook.waitFor(1);
    expect(rig.hook.items).toHaveLength(1);
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hooks/team');
    expect(request!.headers['x-token']).toBe('hook-secret-1');
    expect(request!.json).toMatchObject({
      event: 'failed',
      alert: 'Team webhook',
      task: { id: rig.task.id, name: 'Nightly export', type: 'api' },
      run: {
        id: run.id,
        status: 'failed',
        link: `https://scheduler.example.com/#/history/${run.id}`,
      },
      error: { code: run.error!.code, message: run.error!.message },
    });

    const [message] = await rig.smtp.waitFor(1);
    expect(rig.smtp.items).toHaveLength(1);
    expect(message!.user).toBe('alerts');
    expect(message!.from).toBe('scheduler@example.com');
    expect(message!.to).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(message!.raw).toContain('Subject: [Task Scheduler] Nightly export: failed');
    expect(message!.text).toContain('Task "Nightly export" failed (failed)');
    // The body is quoted-printable: a long line may wrap inside the run id.
    expect(message!.text).toContain(run.id);

    const { items } = await rig.app.core.call('alerts.deliveries', {});
    expect(items.map((d) => [d.alertId, d.channel, d.status, d.attempt, d.runId])).toEqual(
      expect.arrayContaining([
        [hook.id, 'webhook', 'sent', 1, run.id],
        [mail.id, 'email', 'sent', 1, run.id],
      ]),
    );
    expect(items).toHaveLength(2);
  });

  it('sends one message per quiet period, a recovery after the next success, then alerts again', async () => {
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({ rule: { on: ['failed', 'recovered'], quietMinutes: 60 } }),
    });
    for (let i = 0; i < 3; i++) await rig.run('fail');
    expect(rig.hook.items.map((r) => (r.json as { event: string }).event)).toEqual(['failed']);

    const success = await rig.run('succeed');
    expect(success.status).toBe('succeeded');
    expect(rig.hook.items.map((r) => (r.json as { event: string }).event)).toEqual([
      'failed',
      'recovered',
    ]);
    expect(rig.hook.items[1]!.json).toMatchObject({ run: { id: success.id }, failures: '3' });

    await rig.run('succeed');
    await rig.run('fail');
    expect(rig.hook.items.map((r) => (r.json as { event: string }).event)).toEqual([
      'failed',
      'recovered',
      'failed',
    ]);
  });

  it('alerts after N consecutive failures and not before', async () => {
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({ rule: { on: ['consecutive-failures'], consecutiveFailures: 3 } }),
    });
    await rig.run('fail');
    await rig.run('fail');
    expect(rig.hook.items).toHaveLength(0);
    await rig.run('fail');
    await rig.run('fail');
    expect(rig.hook.items.map((r) => r.json)).toEqual([
      expect.objectContaining({ event: 'consecutive-failures', failures: '3' }),
      expect.objectContaining({ event: 'consecutive-failures', failures: '4' }),
    ]);
  });

  it('a channel answering 500 is a failed delivery, retried until it is sent', async () => {
    const alert = await rig.app.core.call('alerts.save', { alert: rig.webhookAlert() });
    rig.hook.answers.push(500, 500);
    const run = await rig.run('fail');
    expect(run.status).toBe('failed');
    expect(run.error!.message).not.toMatch(/webhook/);
    const { items } = await rig.app.core.call('alerts.deliveries', { alertId: alert.id });
    expect(items.map((d) => [d.attempt, d.status, d.reason])).toEqual([
      [3, 'sent', undefined],
      [2, 'failed', expect.stringContaining('HTTP 500')],
      [1, 'failed', expect.stringContaining('HTTP 500')],
    ]);
    expect(rig.hook.items).toHaveLength(3);
  });

  it('a channel that never answers does not hold up the run and is retried after the timeout', async () => {
    await rig.app.core.call('alerts.save', { alert: rig.webhookAlert() });
    rig.hook.answers.push('hang');
    const run = await rig.app.core.call('tasks.run', { id: rig.task.id });
    expect(run.status).toBe('failed');
    // The run is recorded while its alert is still waiting for the endpoint.
    expect((await rig.app.core.call('alerts.deliveries', {})).items).toEqual([]);
    expect((await rig.app.core.call('runs.get', { id: run.id })).status).toBe('failed');
    await rig.app.alerts.idle();
    const { items } = await rig.app.core.call('alerts.deliveries', {});
    expect(items.map((d) => [d.attempt, d.status, d.reason])).toEqual([
      [2, 'sent', undefined],
      [1, 'failed', 'timed out after 300 ms'],
    ]);
  });

  it('gives up after the last retry and keeps every attempt', async () => {
    await rig.app.core.call('alerts.save', {
      alert: rig.emailAlert({ channel: { ...mailTo(rig.smtp.port), password: 'wrong' } }),
    });
    await rig.run('fail');
    const { items } = await rig.app.core.call('alerts.deliveries', {});
    expect(items.map((d) => [d.attempt, d.status])).toEqual([
      [4, 'failed'],
      [3, 'failed'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
    expect(items[0]!.reason).toMatch(/Invalid username or password/);
    expect(rig.smtp.items).toHaveLength(0);
  });

  it('sends nothing for tasks the rule does not cover, disabled alerts or events not listed', async () => {
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({
        rule: { tasks: { kind: 'ids', ids: ['another-task'] }, on: ['failed'] },
      }),
    });
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({
        rule: { tasks: { kind: 'types', types: ['db', 'file'] }, on: ['failed'] },
      }),
    });
    await rig.app.core.call('alerts.save', { alert: rig.webhookAlert({ enabled: false }) });
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({ rule: { on: ['timed-out', 'skipped'] } }),
    });
    await rig.run('fail');
    await rig.run('succeed');
    expect((await rig.app.core.call('alerts.deliveries', {})).items).toEqual([]);
    expect(rig.hook.items).toHaveLength(0);
  });

  it('alerts.test sends a sample message through the Slack preset and records it', async () => {
    const delivery = await rig.app.core.call('alerts.test', {
      alert: rig.webhookAlert({
        channel: { kind: 'webhook', url: `${rig.hook.url}/slack`, preset: 'slack' },
      }),
    });
    expect(delivery).toMatchObject({ status: 'sent', attempt: 1, test: true, channel: 'webhook' });
    const [request] = await rig.hook.waitFor(1);
    const text = (request!.json as { text: string }).text;
    expect(text).toContain('*Sample task* failed (failed)');
    expect(text).toContain('This is a test message from Task Scheduler');
    expect((await rig.app.core.call('alerts.deliveries', {})).items).toEqual([delivery]);
    expect(await rig.app.core.call('alerts.list', {})).toEqual([]);
  });
});

function mailTo(port: number): {
  kind: 'email';
  host: string;
  port: number;
  user: string;
  from: string;
  to: string[];
} {
  return {
    kind: 'email',
    host: '127.0.0.1',
    port,
    user: 'alerts',
    from: 'a@example.com',
    to: ['b@example.com'],
  };
}
