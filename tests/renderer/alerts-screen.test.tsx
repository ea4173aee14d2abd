// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertsScreen } from '../../src/renderer/src/screens/AlertsScreen';
import { REDACTED } from '../../src/shared/domain';
import { startWebhookReceiver, type WebhookReceiver } from '../main/alerts/support';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('AlertsScreen', () => {
  let core: CoreClient;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await hook.close();
  });
  beforeEach(async () => {
    resetStores();
    hook.items.length = 0;
    core = await startCoreClient();
  });
  afterEach(async () => {
    cleanup();
    await core.close();
  });

  it('creates a Slack webhook alert, tests it, and lists it with the test delivery', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    expect(await screen.findByText('No alerts yet')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'Team Slack');
    await user.type(within(form).getByLabelText('Webhook URL'), `${hook.url}/services/secret-path`);
    await user.click(within(form).getByRole('button', { name: 'Test' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('The test message was sent.');
    const [request] = await hook.waitFor(1);
    expect(request!.url).toBe('/services/secret-path');
    expect((request!.json as { text: string }).text).toContain('*Sample task* failed');

    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    const table = await screen.findByRole('table', { name: 'Alerts' });
    const row = within(table).getByRole('row', { name: /Team Slack/ });
    expect(row).toHaveTextContent(`webhook ${hook.url}/${REDACTED}`);
    expect(row).toHaveTextContent('failed, timed-out, recovered');
    const deliveries = screen.getByRole('table', { name: 'Recent deliveries' });
    expect(within(deliveries).getByRole('row', { name: /Team Slack \(test\)/ })).toHaveTextContent(
      'sent',
    );
    expect((await core.app.store.listAlerts())[0]!.channel).toMatchObject({
      url: `${hook.url}/services/secret-path`,
    });
  });

  it('shows why the service refused an alert, and saves nothing', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'Bad');
    await user.selectOptions(within(form).getByLabelText('Channel'), 'email');
    await user.type(within(form).getByLabelText('SMTP host'), 'smtp.example.com');
    await user.clear(within(form).getByLabelText('SMTP port'));
    await user.type(within(form).getByLabelText('SMTP port'), '70000');
    await user.type(within(form).getByLabelText('From'), 'a@example.com');
    await user.type(within(form).getByLabelText('To (comma-separated)'), 'b@example.com');
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'alert.channel.port: must be between 1 and 65535',
    );
    expect(await core.app.store.listAlerts()).toEqual([]);
  });

  it('edits an alert keeping its secrets, and deletes it', async () => {
    await core.app.core.call('alerts.save', {
      alert: {
        name: 'Mail',
        channel: {
          kind: 'email',
          host: 'smtp.example.com',
          user: 'u',
          password: 'pw-secret-1',
          from: 'a@example.com',
          to: ['b@example.com'],
        },
        rule: { on: ['failed'], quietMinutes: 5 },
      },
    });
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'Edit alert Mail' }));
    const form = screen.getByRole('form', { name: 'Edit alert Mail' });
    expect(within(form).getByLabelText('SMTP password')).toHaveValue(REDACTED);
    await user.click(within(form).getByRole('checkbox', { name: 'recovered' }));
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    const row = await screen.findByRole('row', { name: /Mail.*failed, recovered/ });
    expect(row).toHaveTextContent('5 min');
    const [stored] = await core.app.store.listAlerts();
    expect(stored!.channel).toMatchObject({ password: 'pw-secret-1' });
    expect(stored!.rule.on).toEqual(['failed', 'recovered']);

    await user.click(within(row).getByRole('button', { name: 'More actions for alert Mail' }));
    await user.click(within(row).getByRole('menuitem', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete alert Mail?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete alert' }));
    expect(await screen.findByText('No alerts yet')).toBeInTheDocument();
    expect(await core.app.store.listAlerts()).toEqual([]);
  });
});
