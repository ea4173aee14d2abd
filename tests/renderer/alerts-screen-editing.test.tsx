// @vitest-environment jsdom
/**
 * The Alerts form beyond the basics (alerts-screen.test.tsx): webhook headers and a JSON body
 * template, email templates, the task filter, the desktop channel, delete behind a confirmation,
 * Escape, and the list following changes made elsewhere. The real core (memory store) in-process.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/main/app';
import { MemoryStore } from '../../src/main/store/memory/memory-store';
import { createClient } from '../../src/renderer/src/api/client';
import { setClient } from '../../src/renderer/src/api/current';
import { handleEvent } from '../../src/renderer/src/hooks/useEvents';
import { AlertsScreen } from '../../src/renderer/src/screens/AlertsScreen';
import type { AlertInput } from '../../src/shared/alerts';
import { REDACTED } from '../../src/shared/domain';
import { toErrorData } from '../../src/shared/errors';
import { startWebhookReceiver, type WebhookReceiver } from '../main/alerts/support';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

/** Sets a text field at once (user.type treats `{` and `[` as key names). */
function fill(field: HTMLElement, value: string): void {
  fireEvent.change(field, { target: { value } });
}

describe('AlertsScreen editing', () => {
  let core: CoreClient;
  let hook: WebhookReceiver;
  let unsubscribe: (() => void) | undefined;
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
    unsubscribe?.();
    unsubscribe = undefined;
    cleanup();
    await core.close();
  });

  const webhook = (extra: Partial<AlertInput> = {}): AlertInput => ({
    name: 'Ops hook',
    channel: {
      kind: 'webhook',
      url: `${hook.url}/hooks/ops`,
      headers: { 'X-Token': 'token-secret-7' },
      body: { text: '{{task.name}} {{event}}' },
    },
    rule: { on: ['failed'] },
    ...extra,
  });

  it('sends the headers and body template it was given, on Test and as saved', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'Custom hook');
    await user.type(within(form).getByLabelText('Webhook URL'), `${hook.url}/custom`);
    await user.selectOptions(within(form).getByLabelText('Method'), 'PUT');
    await user.click(within(form).getByRole('button', { name: 'Add header' }));
    await user.type(within(form).getByLabelText('Headers name 1'), 'X-Api-Key');
    await user.type(within(form).getByLabelText('Headers value 1'), 'key-123');
    fill(
      within(form).getByLabelText('Body template (JSON)'),
      '{"summary": "{{task.name}} {{event}}", "code": "{{errorCode}}"}',
    );
    await user.click(within(form).getByRole('button', { name: 'Test' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('The test message was sent.');
    const [request] = await hook.waitFor(1);
    expect(request!.method).toBe('PUT');
    expect(request!.headers['x-api-key']).toBe('key-123');
    expect(request!.json).toEqual({ summary: 'Sample task failed', code: 'SAMPLE' });

    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    await within(await screen.findByRole('table', { name: 'Alerts' })).findByRole('row', {
      name: /Custom hook/,
    });
    expect((await core.app.store.listAlerts())[0]!.channel).toMatchObject({
      method: 'PUT',
      headers: { 'X-Api-Key': 'key-123' },
      body: { summary: '{{task.name}} {{event}}', code: '{{errorCode}}' },
    });
  });

  it('shows a stored header redacted and keeps its value when saved back; edits the body', async () => {
    const saved = await core.app.core.call('alerts.save', { alert: webhook() });
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'Edit alert Ops hook' }));
    const form = screen.getByRole('form', { name: 'Edit alert Ops hook' });
    expect(within(form).getByLabelText('Headers value 1')).toHaveValue(REDACTED);
    expect(within(form).getByLabelText('Body template (JSON)')).toHaveValue(
      JSON.stringify({ text: '{{task.name}} {{event}}' }, null, 2),
    );
    fill(
      within(form).getByLabelText('Body template (JSON)'),
      '{"text": "{{alert.name}}: {{error}}"}',
    );
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    await screen.findByRole('button', { name: 'New alert' });
    await screen.findByRole('table', { name: 'Alerts' });
    const stored = await core.app.store.getAlert(saved.id);
    expect(stored!.channel).toMatchObject({
      url: `${hook.url}/hooks/ops`,
      headers: { 'X-Token': 'token-secret-7' },
      body: { text: '{{alert.name}}: {{error}}' },
    });
  });

  it('names the field when the body is not JSON or a placeholder is unknown, saving nothing', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'Broken');
    await user.type(within(form).getByLabelText('Webhook URL'), `${hook.url}/x`);
    fill(within(form).getByLabelText('Body template (JSON)'), '{"text": ');
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      /^Body template \(JSON\): is not valid JSON/,
    );
    fill(within(form).getByLabelText('Body template (JSON)'), '{"text": "{{nope}}"}');
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    expect(
      await within(form).findByText(/alert\.channel\.body\.text: unknown placeholder \{\{nope\}\}/),
    ).toBeInTheDocument();
    expect(await core.app.store.listAlerts()).toEqual([]);
  });

  it('edits the email subject and body templates', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'Mail');
    await user.selectOptions(within(form).getByLabelText('Channel'), 'email');
    await user.type(within(form).getByLabelText('SMTP host'), 'smtp.example.com');
    await user.type(within(form).getByLabelText('From'), 'a@example.com');
    await user.type(within(form).getByLabelText('To (comma-separated)'), 'b@example.com');
    expect(within(form).getByLabelText('Subject template')).toHaveValue(
      '[Task Scheduler] {{task.name}}: {{event}}',
    );
    fill(within(form).getByLabelText('Subject template'), '[{{event}}] {{task.name}}');
    fill(within(form).getByLabelText('Body template'), '{{task.name}} {{status}}: {{error}}');
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    await screen.findByRole('row', { name: /Mail/ });
    expect((await core.app.store.listAlerts())[0]!.channel).toMatchObject({
      subject: '[{{event}}] {{task.name}}',
      body: '{{task.name}} {{status}}: {{error}}',
    });
  });

  it('limits an alert to chosen tasks or to task types', async () => {
    const config = await core.app.core.call('configs.save', {
      config: { name: 'c', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const save = (name: string) =>
      core.app.core.call('tasks.save', {
        task: { name, type: 'api', operation: 'read', configId: config.id },
      });
    const [, nightly] = [await save('Hourly'), await save('Nightly')];
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'Nightly only');
    await user.type(within(form).getByLabelText('Webhook URL'), `${hook.url}/n`);
    await user.click(within(form).getByRole('radio', { name: 'Chosen tasks' }));
    const tasks = within(form).getByLabelText('Tasks');
    await within(tasks).findByRole('option', { name: 'Nightly' });
    await user.selectOptions(tasks, 'Nightly');
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    await screen.findByRole('row', { name: /Nightly only/ });
    const [stored] = await core.app.store.listAlerts();
    expect(stored!.rule.tasks).toEqual({ kind: 'ids', ids: [nightly.id] });

    await user.click(screen.getByRole('button', { name: 'Edit alert Nightly only' }));
    const edit = screen.getByRole('form', { name: 'Edit alert Nightly only' });
    expect(within(edit).getByRole('radio', { name: 'Chosen tasks' })).toBeChecked();
    await user.click(within(edit).getByRole('radio', { name: 'Tasks of some types' }));
    await user.click(within(edit).getByRole('checkbox', { name: 'db' }));
    await user.click(within(edit).getByRole('button', { name: 'Save alert' }));
    await screen.findByRole('button', { name: 'New alert' });
    await within(await screen.findByRole('table', { name: 'Alerts' })).findByRole('row', {
      name: /Nightly only/,
    });
    expect((await core.app.store.getAlert(stored!.id))!.rule.tasks).toEqual({
      kind: 'types',
      types: ['db'],
    });
  });

  it('asks before deleting, naming the alert; Cancel keeps it', async () => {
    await core.app.core.call('alerts.save', { alert: webhook() });
    const user = userEvent.setup();
    render(<AlertsScreen />);
    const row = await screen.findByRole('row', { name: /Ops hook/ });
    await user.click(within(row).getByRole('button', { name: 'More actions for alert Ops hook' }));
    await user.click(within(row).getByRole('menuitem', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete alert Ops hook?' });
    expect(dialog).toHaveTextContent('“Ops hook” stops sending messages.');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(await core.app.store.listAlerts()).toHaveLength(1);
  });

  it('closes the form with Escape', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    expect(screen.getByRole('form', { name: 'New alert' })).toBeInTheDocument();
    expect(screen.getByLabelText('Name')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'New alert' })).not.toBeInTheDocument();
  });

  it('shows an alert saved elsewhere (another window, the API) without a reload', async () => {
    unsubscribe = core.client.subscribe(handleEvent);
    render(<AlertsScreen />);
    expect(await screen.findByText('No alerts yet')).toBeInTheDocument();
    await core.app.core.call('alerts.save', { alert: webhook({ name: 'From the API' }) });
    expect(await screen.findByRole('row', { name: /From the API/ })).toBeInTheDocument();
  });

  it('offers no desktop channel in the browser', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const channel = within(screen.getByRole('form', { name: 'New alert' })).getByLabelText(
      'Channel',
    );
    expect(within(channel).queryByRole('option', { name: 'Desktop notification' })).toBeNull();
  });
});

describe('AlertsScreen in the desktop app', () => {
  let app: App;
  const shown: { title: string; body: string }[] = [];
  beforeEach(async () => {
    resetStores();
    shown.length = 0;
    app = createApp({
      store: new MemoryStore(),
      executors: {},
      alerts: { desktop: { show: (message) => void shown.push(message) } },
    });
    await app.start();
    setClient(
      createClient({
        kind: 'bridge',
        call: (method, params) =>
          app.core
            .call(method, params)
            .catch((error: unknown) => Promise.reject(toErrorData(error))),
        subscribe: (listener) => app.events.subscribe(listener),
      }),
    );
  });
  afterEach(async () => {
    cleanup();
    await app.stop();
  });

  it('creates a desktop notification alert with a title template and tests it', async () => {
    const user = userEvent.setup();
    render(<AlertsScreen />);
    await user.click(await screen.findByRole('button', { name: 'New alert' }));
    const form = screen.getByRole('form', { name: 'New alert' });
    await user.type(within(form).getByLabelText('Name'), 'On my screen');
    await user.selectOptions(within(form).getByLabelText('Channel'), 'desktop');
    fill(within(form).getByLabelText('Title template'), '{{task.name}}: {{status}}');
    await user.click(within(form).getByRole('button', { name: 'Test' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('The test message was sent.');
    expect(shown).toEqual([
      { title: 'Sample task: failed', body: 'This is a test message from Task Scheduler' },
    ]);
    await user.click(within(form).getByRole('button', { name: 'Save alert' }));
    const table = await screen.findByRole('table', { name: 'Alerts' });
    const row = within(table).getByRole('row', { name: /On my screen/ });
    expect(row).toHaveTextContent('desktop notification');
    expect((await app.store.listAlerts())[0]!.channel).toEqual({
      kind: 'desktop',
      title: '{{task.name}}: {{status}}',
    });
  });
});
