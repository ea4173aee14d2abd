import { describe, expect, it } from 'vitest';
import type { AlertInput } from '../../../src/shared/alerts';
import { REDACTED } from '../../../src/shared/domain';
import { useAlertRig } from './alert-app';

const rig = useAlertRig();

/** The input with the channel's fields changed. */
function withChannel(input: AlertInput, fields: Record<string, unknown>): AlertInput {
  return { ...input, channel: { ...input.channel, ...fields } as AlertInput['channel'] };
}

describe('alerts methods', () => {
  it('saves, lists, gets and deletes an alert, secrets redacted in every answer', async () => {
    const saved = await rig.app.core.call('alerts.save', { alert: rig.webhookAlert() });
    const mail = await rig.app.core.call('alerts.save', { alert: rig.emailAlert() });
    expect(saved).toMatchObject({
      name: 'Team webhook',
      enabled: true,
      channel: {
        kind: 'webhook',
        url: `${rig.hook.url}/${REDACTED}`,
        method: 'POST',
        preset: 'generic',
        headers: { 'X-Token': REDACTED },
      },
      rule: { tasks: { kind: 'all' }, on: ['failed'], quietMinutes: 0, consecutiveFailures: 3 },
    });
    expect(mail.channel).toMatchObject({ kind: 'email', password: REDACTED, port: rig.smtp.port });
    const listed = await rig.app.core.call('alerts.list', {});
    expect(listed.map((a) => a.name)).toEqual(['Ops mail', 'Team webhook']);
    expect(JSON.stringify(listed)).not.toMatch(/hook-secret-1|smtp-pass-9|hooks\/team/);
    expect(await rig.app.core.call('alerts.get', { id: saved.id })).toEqual(saved);

    expect(await rig.app.core.call('alerts.delete', { id: saved.id })).toEqual({ deleted: 1 });
    await expect(rig.app.core.call('alerts.get', { id: saved.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await rig.app.core.call('alerts.list', {})).map((a) => a.id)).toEqual([mail.id]);
  });

  it('keeps the stored secrets when the redacted values are sent back', async () => {
    const hook = await rig.app.core.call('alerts.save', { alert: rig.webhookAlert() });
    const mail = await rig.app.core.call('alerts.save', { alert: rig.emailAlert() });
    // What an editor sends back: the answer as it was shown, with a changed name.
    await rig.app.core.call('alerts.save', {
      alert: { id: hook.id, name: 'Renamed', channel: hook.channel, rule: hook.rule },
    });
    await rig.app.core.call('alerts.save', {
      alert: { id: mail.id, name: mail.name, channel: mail.channel, rule: mail.rule },
    });
    const stored = await rig.app.store.getAlert(hook.id);
    expect(stored!.channel).toMatchObject({
      url: `${rig.hook.url}/hooks/team`,
      headers: { 'X-Token': 'hook-secret-1' },
    });
    // The kept SMTP password still logs in.
    const delivery = await rig.app.core.call('alerts.test', {
      alert: { id: mail.id, name: mail.name, channel: mail.channel, rule: mail.rule },
    });
    expect(delivery).toMatchObject({ status: 'sent' });
    expect((await rig.smtp.waitFor(1))[0]!.user).toBe('alerts');
  });

  const bad: Array<[string, (input: AlertInput) => unknown, RegExp]> = [
    ['an unknown channel', (a) => withChannel(a, { kind: 'pager' }), /alert\.channel\.kind/],
    ['an unknown rule event', (a) => ({ ...a, rule: { on: ['exploded'] } }), /alert\.rule\.on\.0/],
    [
      'a url that is not http(s)',
      (a) => withChannel(a, { url: 'ftp://127.0.0.1/x' }),
      /alert\.channel\.url: must be an http/,
    ],
    [
      'a quiet period below 0',
      (a) => ({ ...a, rule: { on: ['failed'], quietMinutes: -1 } }),
      /alert\.rule\.quietMinutes: must be 0 or more/,
    ],
    [
      'consecutive failures below 2',
      (a) => ({ ...a, rule: { on: ['consecutive-failures'], consecutiveFailures: 1 } }),
      /alert\.rule\.consecutiveFailures/,
    ],
    [
      'an unknown placeholder in a body',
      (a) => withChannel(a, { body: { text: 'Run {{nope}} ended' } }),
      /alert\.channel\.body\.text: unknown placeholder \{\{nope\}\}/,
    ],
    [
      'a parent placeholder',
      (a) => withChannel(a, { body: { text: '{{input.body}}' } }),
      /alert\.channel\.body\.text: .*reads the parent run/,
    ],
    [
      'an environment placeholder',
      (a) => withChannel(a, { body: { text: '{{env.HOME}}' } }),
      /cannot read environment variables/,
    ],
    [
      'a redaction marker with no stored secret',
      (a) => withChannel(a, { headers: { 'X-Token': REDACTED } }),
      /alert\.channel\.headers: holds the redaction marker/,
    ],
    [
      'a redacted url with no stored secret',
      (a) => withChannel(a, { url: `http://127.0.0.1/${REDACTED}` }),
      /alert\.channel\.url: holds the redaction marker/,
    ],
  ];

  it.each(bad)(
    'refuses %s with VALIDATION naming the field, storing nothing',
    async (_what, change, message) => {
      const call = rig.app.core.call('alerts.save', {
        alert: change(rig.webhookAlert()) as AlertInput,
      });
      await expect(call).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(message),
      });
      expect(await rig.app.core.call('alerts.list', {})).toEqual([]);
    },
  );

  const badMail: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'an SMTP port above 65535',
      { port: 70000 },
      /alert\.channel\.port: must be between 1 and 65535/,
    ],
    ['an SMTP port of 0', { port: 0 }, /alert\.channel\.port: must be between 1 and 65535/],
    ['no recipient', { to: [] }, /alert\.channel\.to: needs at least one address/],
    [
      'an unknown placeholder in the subject',
      { subject: 'Down: {{task.nam}}' },
      /alert\.channel\.subject: /,
    ],
  ];

  it.each(badMail)('refuses %s in an email channel', async (_what, fields, message) => {
    const call = rig.app.core.call('alerts.save', { alert: withChannel(rig.emailAlert(), fields) });
    await expect(call).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(message),
    });
    expect(await rig.app.core.call('alerts.list', {})).toEqual([]);
  });

  it('refuses to save over an alert that does not exist', async () => {
    const call = rig.app.core.call('alerts.save', {
      alert: { ...rig.webhookAlert(), id: 'missing' },
    });
    await expect(call).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('alerts about a run that timed out with the timed-out event', async () => {
    const slow = await rig.app.core.call('configs.save', {
      config: { name: 'Slow', type: 'api', params: { url: `${rig.target.url}/slow?ms=5000` } },
    });
    const task = await rig.app.core.call('tasks.save', {
      task: { name: 'Slow one', type: 'api', operation: 'read', configId: slow.id, timeoutMs: 100 },
    });
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({ rule: { on: ['timed-out'] } }),
    });
    const run = await rig.app.core.call('tasks.run', { id: task.id });
    await rig.app.alerts.idle();
    expect(run.status).toBe('timed-out');
    expect(rig.hook.items.map((r) => r.json)).toEqual([
      expect.objectContaining({
        event: 'timed-out',
        task: expect.objectContaining({ name: 'Slow one' }),
      }),
    ]);
  });
});
