/**
 * `alerts.*` (docs/alerts.md): list and get (secrets redacted), save (a redacted secret sent back
 * keeps the stored one), delete, test (one sample message now) and this instance's recent
 * deliveries. Sending lives in src/main/alerts/alert-dispatcher.ts.
 */
import {
  isWebhookUrl,
  redactAlert,
  redactedSecretField,
  restoreAlertSecrets,
  type Alert,
  type ParsedAlertInput,
} from '../../../shared/alerts';
import { REDACTED } from '../../../shared/domain';
import { AppError, invalidField } from '../../../shared/errors';
import type { AlertDispatcher } from '../../alerts/alert-dispatcher';
import type { AreaHandlers, CoreContext } from './context';

/** `VALIDATION` at `path`; `where` (the method) goes to the logs, not the message. */
function refuse(where: string, path: string[], message: string): never {
  const error = invalidField(path, message);
  error.where = where;
  throw error;
}

export function alertHandlers(
  core: CoreContext,
  dispatcher: AlertDispatcher,
): AreaHandlers<'alerts'> {
  const { store } = core.options;

  const requireAlert = async (id: string, where: string): Promise<Alert> => {
    const alert = await store.getAlert(id);
    if (!alert) {
      const error = new AppError(
        'NOT_FOUND',
        `no alert with id "${id}"; it may have been deleted (alerts.list lists the alerts)`,
      );
      error.where = where;
      throw error;
    }
    return alert;
  };

  /** The input with kept secrets restored, checked beyond the schema, as an alert with an id. */
  const prepared = async (
    input: ParsedAlertInput,
    where: string,
    id: () => string,
  ): Promise<Alert> => {
    const existing = input.id ? await requireAlert(input.id, where) : undefined;
    const restored = restoreAlertSecrets(input, existing);
    const redacted = redactedSecretField(restored.channel);
    if (redacted !== undefined) {
      const field = redacted.startsWith('headers:') ? 'headers' : redacted;
      refuse(
        where,
        ['alert', 'channel', field],
        `holds the redaction marker "${REDACTED}" where no secret is stored; type the secret itself`,
      );
    }
    const unsupported = dispatcher.channelProblem(restored.channel.kind);
    if (unsupported) refuse(where, ['alert', 'channel', 'kind'], unsupported);
    if (restored.channel.kind === 'webhook' && !isWebhookUrl(restored.channel.url)) {
      refuse(where, ['alert', 'channel', 'url'], 'must be an http:// or https:// URL');
    }
    const now = core.now();
    return {
      ...restored,
      id: existing?.id ?? id(),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
  };

  return {
    'alerts.list': async () => {
      const alerts = await store.listAlerts();
      return alerts
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
        .map(redactAlert);
    },

    'alerts.get': async ({ id }) => redactAlert(await requireAlert(id, 'alerts.get')),

    'alerts.save': async ({ alert: input }) => {
      const alert = await prepared(input, 'alerts.save', core.options.ids);
      await store.putAlert(alert);
      dispatcher.alertChanged(alert.id);
      core.changed('alerts');
      return redactAlert(alert);
    },

    'alerts.delete': async ({ id }) => {
      await requireAlert(id, 'alerts.delete');
      const deleted = await store.deleteAlerts([id]);
      dispatcher.alertChanged(id);
      if (deleted) core.changed('alerts');
      return { deleted };
    },

    'alerts.test': async ({ alert: input }) =>
      dispatcher.test(await prepared(input, 'alerts.test', () => input.id ?? 'unsaved-alert')),

    'alerts.deliveries': async ({ alertId, limit }) => ({
      items: dispatcher.deliveries({
        ...(alertId === undefined ? {} : { alertId }),
        ...(limit === undefined ? {} : { limit }),
      }),
    }),
  };
}
