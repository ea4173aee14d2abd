/**
 * Alerts (docs/alerts.md): the alerts with their channel and events, the form (alerts/AlertForm.tsx:
 * a webhook, an email or a desktop notification, the rule, a Test button) and this instance's
 * recent deliveries. The list reloads when alerts change anywhere (`store.changed` "alerts").
 * Delete asks first, naming the alert; Escape closes the form.
 */
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { Alert, AlertDelivery } from '../../../shared/alerts';
import { call } from '../api/current';
import { EmptyState, ErrorBox } from '../components/common';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { RowMenu } from '../components/RowMenu';
import { useConfirmation } from '../hooks/useConfirmation';
import { useFormKeyboard } from '../hooks/useFormKeyboard';
import { errorMessage } from '../stores/load-state';
import { useUi } from '../stores/ui';
import { channelText } from './alerts/alert-draft';
import { onAlertsChanged } from './alerts/alert-changes';
import { AlertForm } from './alerts/AlertForm';
import { DeliveriesTable } from './alerts/DeliveriesTable';

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
  // Saved or deleted in another window or tab (or by the API): the list follows.
  useEffect(() => onAlertsChanged(() => void load()), [load]);

  const deletion = useConfirmation<Alert>();
  const remove = (alert: Alert): void => deletion.ask(alert);
  const confirmDelete = (): Promise<void> =>
    deletion.confirm(async (alert) => {
      await call('alerts.delete', { id: alert.id });
      await load();
      return `Deleted alert ${alert.name}`;
    });
  const closeForm = (): void => setEditing(undefined);
  const formKeys = useFormKeyboard(
    editing === undefined ? undefined : editing === 'new' ? 'new' : editing.id,
    closeForm,
  );

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
        <div {...formKeys}>
          <AlertForm
            key={editing === 'new' ? 'new' : editing.id}
            alert={editing === 'new' ? undefined : editing}
            onDone={(saved) => {
              setEditing(undefined);
              if (saved) toast('info', 'Saved alert');
              void load();
            }}
          />
        </div>
      ) : null}
      {deletion.pending ? (
        <ConfirmDialog
          title={`Delete alert ${deletion.pending.name}?`}
          confirmLabel="Delete alert"
          busy={deletion.busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => deletion.ask(undefined)}
        >
          <p>
            “{deletion.pending.name}” stops sending messages. Its past deliveries stay listed until
            this instance restarts.
          </p>
        </ConfirmDialog>
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
                  <div className="row-actions">
                    <button
                      type="button"
                      aria-label={`Edit alert ${a.name}`}
                      onClick={() => setEditing(a)}
                    >
                      Edit
                    </button>
                    <RowMenu
                      name={`alert ${a.name}`}
                      items={[{ label: 'Delete', danger: true, onSelect: () => void remove(a) }]}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Recent deliveries</h2>
      <DeliveriesTable deliveries={deliveries} />
    </section>
  );
}
