/**
 * Alerts (docs/alerts.md): the alerts with their channel and events, a form for a webhook or an
 * email alert with a Test button (one sample message now), and this instance's recent deliveries.
 * Secrets arrive redacted; sent back unchanged, the service keeps the stored ones.
 */
import { useCallback, useEffect, useState, type FormEvent, type ReactElement } from 'react';
import {
  ALERT_EVENTS,
  type Alert,
  type AlertDelivery,
  type AlertEvent,
  type AlertInput,
} from '../../../shared/alerts';
import { call } from '../api/current';
import { EmptyState, ErrorBox, SaveActions } from '../components/common';
import { Field } from '../components/Field';
import { errorMessage } from '../stores/load-state';
import { useUi } from '../stores/ui';
import { formatTime } from '../util';

interface Draft {
  name: string;
  enabled: boolean;
  kind: 'webhook' | 'email';
  url: string;
  preset: 'generic' | 'slack';
  host: string;
  port: string;
  tls: boolean;
  user: string;
  password: string;
  from: string;
  to: string;
  on: AlertEvent[];
  consecutiveFailures: string;
  quietMinutes: string;
}

function draftOf(alert: Alert | undefined): Draft {
  const c = alert?.channel;
  const webhook = c?.kind === 'webhook' ? c : undefined;
  const email = c?.kind === 'email' ? c : undefined;
  return {
    name: alert?.name ?? '',
    enabled: alert?.enabled ?? true,
    kind: c?.kind ?? 'webhook',
    url: webhook?.url ?? '',
    preset: webhook?.preset ?? 'slack',
    host: email?.host ?? '',
    port: String(email?.port ?? 587),
    tls: email?.tls ?? false,
    user: email?.user ?? '',
    password: email?.password ?? '',
    from: email?.from ?? '',
    to: email?.to.join(', ') ?? '',
    on: alert?.rule.on ?? ['failed', 'timed-out', 'recovered'],
    consecutiveFailures: String(alert?.rule.consecutiveFailures ?? 3),
    quietMinutes: String(alert?.rule.quietMinutes ?? 0),
  };
}

/** The draft as `alerts.save` takes it; fields the form does not show are kept from `alert`. */
function inputOf(draft: Draft, alert: Alert | undefined): AlertInput {
  const kept = alert?.channel.kind === draft.kind ? alert.channel : undefined;
  const channel: AlertInput['channel'] =
    draft.kind === 'webhook'
      ? {
          ...(kept?.kind === 'webhook' ? kept : {}),
          kind: 'webhook',
          url: draft.url.trim(),
          preset: draft.preset,
        }
      : {
          ...(kept?.kind === 'email' ? kept : {}),
          kind: 'email',
          host: draft.host.trim(),
          port: Number(draft.port),
          tls: draft.tls,
          ...(draft.user.trim() ? { user: draft.user.trim(), password: draft.password } : {}),
          from: draft.from.trim(),
          to: draft.to
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        };
  if (channel.kind === 'email' && !draft.user.trim()) {
    delete channel.user;
    delete channel.password;
  }
  return {
    ...(alert ? { id: alert.id } : {}),
    name: draft.name,
    enabled: draft.enabled,
    channel,
    rule: {
      ...(alert ? { tasks: alert.rule.tasks } : {}),
      on: draft.on,
      consecutiveFailures: Number(draft.consecutiveFailures),
      quietMinutes: Number(draft.quietMinutes),
    },
  };
}

function AlertForm({
  alert,
  onDone,
}: {
  alert: Alert | undefined;
  onDone: (saved: boolean) => void;
}): ReactElement {
  const [draft, setDraft] = useState(() => draftOf(alert));
  const [problem, setProblem] = useState<string>();
  const [testResult, setTestResult] = useState<string>();
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]): void =>
    setDraft((d) => ({ ...d, [key]: value }));
  const text = (label: string, key: keyof Draft, type = 'text'): ReactElement => (
    <Field label={label}>
      {(props) => (
        <input
          {...props}
          type={type}
          value={draft[key] as string}
          onChange={(e) => set(key, e.target.value as never)}
        />
      )}
    </Field>
  );

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSaving(true);
    setProblem(undefined);
    try {
      await call('alerts.save', { alert: inputOf(draft, alert) });
      onDone(true);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };
  const test = async (): Promise<void> => {
    setTestResult(undefined);
    setProblem(undefined);
    try {
      const delivery = await call('alerts.test', { alert: inputOf(draft, alert) });
      setTestResult(
        delivery.status === 'sent'
          ? 'The test message was sent.'
          : `The test message failed: ${delivery.reason}`,
      );
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return (
    <form
      className="card"
      aria-label={alert ? `Edit alert ${alert.name}` : 'New alert'}
      onSubmit={(e) => void submit(e)}
    >
      {text('Name', 'name')}
      <label>
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
        />{' '}
        Enabled
      </label>
      <Field label="Channel">
        {(props) => (
          <select
            {...props}
            value={draft.kind}
            onChange={(e) => set('kind', e.target.value as Draft['kind'])}
          >
            <option value="webhook">Webhook</option>
            <option value="email">Email</option>
          </select>
        )}
      </Field>
      {draft.kind === 'webhook' ? (
        <>
          {text('Webhook URL', 'url', 'url')}
          <Field label="Body">
            {(props) => (
              <select
                {...props}
                value={draft.preset}
                onChange={(e) => set('preset', e.target.value as Draft['preset'])}
              >
                <option value="slack">Slack-compatible text</option>
                <option value="generic">JSON summary of the run</option>
              </select>
            )}
          </Field>
        </>
      ) : (
        <>
          {text('SMTP host', 'host')}
          {text('SMTP port', 'port', 'number')}
          <label>
            <input
              type="checkbox"
              checked={draft.tls}
              onChange={(e) => set('tls', e.target.checked)}
            />{' '}
            TLS from the start (port 465)
          </label>
          {text('SMTP user', 'user')}
          {text('SMTP password', 'password', 'password')}
          {text('From', 'from', 'email')}
          {text('To (comma-separated)', 'to')}
        </>
      )}
      <fieldset>
        <legend>Send on</legend>
        {ALERT_EVENTS.map((event) => (
          <label key={event}>
            <input
              type="checkbox"
              checked={draft.on.includes(event)}
              onChange={(e) =>
                set(
                  'on',
                  e.target.checked ? [...draft.on, event] : draft.on.filter((x) => x !== event),
                )
              }
            />{' '}
            {event}
          </label>
        ))}
      </fieldset>
      {draft.on.includes('consecutive-failures')
        ? text('Failures in a row', 'consecutiveFailures', 'number')
        : null}
      {text('Quiet period (minutes)', 'quietMinutes', 'number')}
      {problem ? (
        <div className="error" role="alert">
          {problem}
        </div>
      ) : null}
      {testResult ? <div role="status">{testResult}</div> : null}
      <SaveActions label="Save alert" saving={saving} onCancel={() => onDone(false)}>
        <button type="button" onClick={() => void test()}>
          Test
        </button>
      </SaveActions>
    </form>
  );
}

function channelText(alert: Alert): string {
  const c = alert.channel;
  return c.kind === 'webhook' ? `webhook ${c.url}` : `email to ${c.to.join(', ')}`;
}

export function AlertsScreen(): ReactElement {
  const toast = useUi((s) => s.toast);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [deliveries, setDeliveries] = useState<AlertDelivery[]>([]);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<Alert | 'new'>();

  const load = useCallback(async (): Promise<void> => {
    try {
      const [list, recent] = await Promise.all([
        call('alerts.list', {}),
        call('alerts.deliveries', { limit: 50 }),
      ]);
      setAlerts(list);
      setDeliveries(recent.items);
      setStatus('ready');
    } catch (err) {
      setError(errorMessage(err));
      setStatus('error');
    }
  }, []);
  useEffect(() => void load(), [load]);

  const remove = async (alert: Alert): Promise<void> => {
    try {
      await call('alerts.delete', { id: alert.id });
      toast('info', `Deleted alert ${alert.name}`);
      await load();
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };

  return (
    <section aria-labelledby="alerts-title">
      <header className="screen-header">
        <h1 id="alerts-title">Alerts</h1>
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New alert
          </button>
        </div>
      </header>
      {editing ? (
        <AlertForm
          key={editing === 'new' ? 'new' : editing.id}
          alert={editing === 'new' ? undefined : editing}
          onDone={(saved) => {
            setEditing(undefined);
            if (saved) toast('info', 'Saved alert');
            void load();
          }}
        />
      ) : null}
      {status === 'error' ? (
        <ErrorBox message={error ?? 'failed'} onRetry={() => void load()} />
      ) : null}
      {status === 'ready' && alerts.length === 0 ? (
        <EmptyState title="No alerts yet">
          Add an alert to tell people by webhook (Slack and others) or email when runs fail, time
          out or recover.
        </EmptyState>
      ) : null}
      {alerts.length > 0 ? (
        <table aria-label="Alerts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Channel</th>
              <th>On</th>
              <th>Quiet</th>
              <th>Enabled</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td className="mono">{channelText(a)}</td>
                <td>{a.rule.on.join(', ')}</td>
                <td>{a.rule.quietMinutes ? `${a.rule.quietMinutes} min` : '—'}</td>
                <td>{a.enabled ? 'yes' : 'no'}</td>
                <td className="actions">
                  <button
                    type="button"
                    aria-label={`Edit alert ${a.name}`}
                    onClick={() => setEditing(a)}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    aria-label={`Delete alert ${a.name}`}
                    onClick={() => void remove(a)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Recent deliveries</h2>
      {deliveries.length === 0 ? (
        <p className="hint">No alert was sent by this instance since it started.</p>
      ) : (
        <table aria-label="Recent deliveries">
          <thead>
            <tr>
              <th>At</th>
              <th>Alert</th>
              <th>Event</th>
              <th>Status</th>
              <th>Attempt</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <td>{formatTime(d.at)}</td>
                <td>
                  {d.alertName}
                  {d.test ? ' (test)' : ''}
                </td>
                <td>{d.event}</td>
                <td>{d.status}</td>
                <td>{d.attempt}</td>
                <td>{d.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
