/**
 * Alerts in an export file, their channel secrets (the webhook url and header values, the SMTP
 * password: `mapAlertSecrets`) held the way the file holds configuration secrets
 * (transfer-secrets.ts): `sealed` with the store's key, `omitted` (redacted as `alerts.get`
 * answers them), or `clear`. On import a sealed value must open with the store's key, a redacted
 * one keeps the secret stored under the same id; an alert left without its secret is imported
 * disabled, so that it sends nothing until the secret is typed again.
 */
import {
  isWebhookUrl,
  mapAlertSecrets,
  redactAlert,
  redactedSecretField,
  restoreAlertSecrets,
  type Alert,
} from '../../shared/alerts';
import type { ExportSecrets } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { isCiphertext } from '../secrets/codec';
import { EncryptingStore } from '../secrets/encrypting-store';
import type { RecordIssue } from './record-checks';
import type { Store } from './types';

/** Names shown in one sentence at most; the rest are counted. */
const NAMES_SHOWN = 10;

function secretsOf(alert: Alert): string[] {
  const values: string[] = [];
  mapAlertSecrets(alert.channel, (v) => {
    values.push(v);
    return v;
  });
  return values;
}

/** `alert "a"` / `alerts "a", "b" and 3 more`. */
export function nameAlerts(alerts: readonly Alert[]): string {
  const shown = alerts.slice(0, NAMES_SHOWN).map((a) => `"${a.name}"`);
  const more = alerts.length - shown.length;
  return `${alerts.length === 1 ? 'alert' : 'alerts'} ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

export interface ExportedAlerts {
  alerts: Alert[];
  notes: string[];
}

/** The alerts as an export writes them, their secrets as `secrets` says. */
export async function alertsForExport(
  store: Store,
  secrets: ExportSecrets,
): Promise<ExportedAlerts> {
  const stored = await store.listAlerts();
  const withSecrets = stored.filter((a) => secretsOf(a).length > 0);
  if (secrets === 'clear') {
    return {
      alerts: stored,
      notes: withSecrets.length
        ? [`The secrets of ${nameAlerts(withSecrets)} are in the file in clear too.`]
        : [],
    };
  }
  if (secrets === 'sealed' && store instanceof EncryptingStore) {
    // Sealed again with the current key: the same key opens them on import.
    const seal = (v: string): string => (isCiphertext(v) ? v : store.sealValue(v));
    return {
      alerts: stored.map((a) => ({ ...a, channel: mapAlertSecrets(a.channel, seal) })),
      notes: withSecrets.length
        ? [
            `The secrets of ${nameAlerts(withSecrets)} are sealed with ${store.description} like those of the configurations.`,
          ]
        : [],
    };
  }
  return {
    alerts: stored.map(redactAlert),
    notes: withSecrets.length
      ? [
          `The secrets of ${nameAlerts(withSecrets)} (webhook URLs, header values, SMTP passwords) were left out: an import keeps those already stored under the same ids, otherwise the alerts arrive disabled until they are re-entered.`,
        ]
      : [],
  };
}

export interface ImportedAlerts {
  alerts: Alert[];
  notes: string[];
}

function sealedRefusal(where: string, alerts: Alert[], sentence: string): AppError {
  return new AppError(
    'VALIDATION',
    `${where}: the secrets of ${nameAlerts(alerts)} ${sentence}; nothing was imported`,
    { alertIds: alerts.map((a) => a.id) },
  );
}

function openSealed(store: Store, alerts: Alert[], where: string, sealedWith?: string): Alert[] {
  const sealed = alerts.filter((a) => secretsOf(a).some(isCiphertext));
  if (!sealed.length) return alerts;
  const by = sealedWith ? ` with ${sealedWith}` : '';
  if (!(store instanceof EncryptingStore)) {
    throw sealedRefusal(
      where,
      sealed,
      `are sealed${by} and this ${store.kind} store has no key to open them; import into a Task Scheduler that uses the same key (TASK_SCHEDULER_SECRET_KEY or secret.key), or export again with includeSecrets`,
    );
  }
  const failed: Alert[] = [];
  const opened = alerts.map((alert) => {
    try {
      const open = (v: string): string => (isCiphertext(v) ? store.openValue(v) : v);
      return { ...alert, channel: mapAlertSecrets(alert.channel, open) };
    } catch {
      failed.push(alert);
      return alert;
    }
  });
  if (failed.length) {
    throw sealedRefusal(
      where,
      failed,
      `were sealed${by} and do not decrypt with ${store.description}; use the key the file was exported with, or export again with includeSecrets`,
    );
  }
  return opened;
}

/**
 * The file's alerts ready to store (secrets in clear), writing nothing: sealed values opened with
 * the store's key, redacted ones restored from the alert stored under the same id. `issues` lists
 * alerts whose opened webhook url is not http(s) (for the one refusal of the import).
 */
export async function alertsForImport(
  store: Store,
  file: { alerts?: Alert[] | undefined; secrets?: ExportSecrets; sealedWith?: string },
  where: string,
): Promise<ImportedAlerts & { issues: RecordIssue[] }> {
  const given = file.alerts ?? [];
  const opened =
    (file.secrets ?? 'clear') === 'sealed'
      ? openSealed(store, given, where, file.sealedWith)
      : given;
  const alerts: Alert[] = [];
  const kept: Alert[] = [];
  const disabled: Alert[] = [];
  const issues: RecordIssue[] = [];
  for (const alert of opened) {
    let ready = alert;
    if (redactedSecretField(alert.channel) !== undefined) {
      ready = restoreAlertSecrets(alert, await store.getAlert(alert.id));
      if (redactedSecretField(ready.channel) === undefined) kept.push(ready);
      else {
        if (ready.enabled) disabled.push(ready);
        ready = { ...ready, enabled: false };
      }
    }
    if (ready.channel.kind === 'webhook' && !isWebhookUrl(ready.channel.url)) {
      issues.push({
        kind: 'alert',
        id: alert.id,
        field: 'channel.url',
        problem: 'must be an http:// or https:// URL once opened',
      });
    }
    alerts.push(ready);
  }
  const notes: string[] = [];
  if (kept.length) {
    notes.push(
      `The file omitted the secrets of ${nameAlerts(kept)}; the secrets already stored were kept.`,
    );
  }
  if (disabled.length) {
    notes.push(
      `The file omitted the secrets of ${nameAlerts(disabled)} and none were stored: they were imported disabled; type each secret on the Alerts screen and enable them.`,
    );
  }
  return { alerts, notes, issues };
}
