/**
 * Settings: store in use, data location, retention, limits (runs at once, connections per server
 * and per database), time zone, notifications, and importing / exporting the whole store
 * (SettingsTransfer.tsx).
 */
import { useEffect, useState, type ReactElement } from 'react';
import { settingsSchema, type Settings } from '../../../shared/domain';
import { ErrorBox, Loading } from '../components/common';
import { DesktopSettingsPanel } from '../components/DesktopSettingsPanel';
import { Field } from '../components/Field';
import { ZonePicker } from '../components/ZonePicker';
import { getClient } from '../api/current';
import { useSettings } from '../stores/settings';
import { useUi } from '../stores/ui';
import { serverErrors } from '../components/field-errors';
import { zodFieldErrors, type FieldErrors } from '../util';
import { emptyZoneRule, systemZone, zoneChoiceError } from '../zones';
import { TransferPanel } from './SettingsTransfer';

interface Draft {
  maxAgeDays: string;
  maxRuns: string;
  concurrency: string;
  connectionsPerHost: string;
  dbPoolSize: string;
  defaultTimezone: string;
  notifications: Settings['notifications'];
  notifyAfterFailures: string;
}

const num = (s: string): number | undefined => (s.trim() ? Number(s) : undefined);

export function SettingsScreen(): ReactElement {
  const { settings, info, status, error, load } = useSettings();
  const toast = useUi((s) => s.toast);
  const desktop = getClient().desktop;
  const [d, setD] = useState<Draft | undefined>();
  const [server, setServer] = useState<FieldErrors>({});
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings)
      setD({
        maxAgeDays: settings.retention.maxAgeDays ? String(settings.retention.maxAgeDays) : '',
        maxRuns: settings.retention.maxRuns ? String(settings.retention.maxRuns) : '',
        concurrency: String(settings.concurrency),
        connectionsPerHost: String(settings.connectionsPerHost),
        dbPoolSize: String(settings.dbPoolSize),
        defaultTimezone: settings.defaultTimezone ?? '',
        notifications: settings.notifications,
        notifyAfterFailures: String(settings.notifyAfterFailures),
      });
  }, [settings]);

  if (status === 'error')
    return <ErrorBox message={error ?? 'failed'} onRetry={() => void load()} />;
  if (!settings || !d) return <Loading what="settings" />;

  const candidate = {
    ...settings,
    retention: {
      ...(num(d.maxAgeDays) !== undefined ? { maxAgeDays: num(d.maxAgeDays) } : {}),
      ...(num(d.maxRuns) !== undefined ? { maxRuns: num(d.maxRuns) } : {}),
    },
    concurrency: num(d.concurrency),
    connectionsPerHost: num(d.connectionsPerHost),
    dbPoolSize: num(d.dbPoolSize),
    ...(d.defaultTimezone
      ? { defaultTimezone: d.defaultTimezone }
      : { defaultTimezone: undefined }),
    notifications: d.notifications,
    notifyAfterFailures: num(d.notifyAfterFailures),
  };
  if (!d.defaultTimezone) delete (candidate as Partial<Settings>).defaultTimezone;
  const parsed = settingsSchema.safeParse(candidate);
  const errors: FieldErrors = parsed.success ? {} : zodFieldErrors(parsed.error);
  const storedZone = settings.defaultTimezone ? [settings.defaultTimezone] : [];
  const zoneError = zoneChoiceError(d.defaultTimezone, storedZone);
  if (zoneError) errors.defaultTimezone = zoneError;
  const canSave = parsed.success && !zoneError;
  const err = (k: string): string | undefined => server[k] ?? errors[k];
  const set = (k: keyof Draft, v: string): void => {
    setD({ ...d, [k]: v });
    setServer({});
  };
  const noRetention = !d.maxAgeDays.trim() && !d.maxRuns.trim();

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <section aria-labelledby="store-title" className="panel">
        <h2 id="store-title">Store</h2>
        <dl className="facts">
          <dt>Store in use</dt>
          <dd>{info?.store ?? '…'}</dd>
          <dt>Data location</dt>
          <dd className="mono">
            {info?.dataDir ??
              info?.location ??
              (info?.store === 'memory' ? 'in memory (nothing survives a restart)' : '—')}
          </dd>
          <dt>Version</dt>
          <dd>{info?.version}</dd>
          <dt>Scheduler</dt>
          <dd>
            {info
              ? `${info.scheduler.running ? 'running' : 'stopped'}, ${info.scheduler.entries} entries, ${info.scheduler.activeRuns} active, ${info.scheduler.queuedRuns} queued`
              : ''}
          </dd>
        </dl>
        <p className="hint">
          The store is chosen when the app starts (<code>--store memory|json|mongodb</code>,{' '}
          <code>--mongo-uri</code>, or the
          <code> TASK_SCHEDULER_*</code> variables). Switching starts with the new store's data:
          existing tasks, configurations, schedules and runs stay in the old store untouched and are
          not copied. The memory store keeps nothing after a restart.
        </p>
      </section>
      {desktop ? <DesktopSettingsPanel desktop={desktop} /> : null}
      <form
        className="form"
        aria-label="Settings"
        onSubmit={(e) => {
          e.preventDefault();
          if (!canSave) return;
          useSettings
            .getState()
            .save(parsed.data)
            .then(
              () => toast('info', 'Settings saved'),
              (e: unknown) => setServer(serverErrors(e, 'settings')),
            );
        }}
      >
        <h2>Behaviour</h2>
        <Field label="Keep runs for (days)" error={err('retention.maxAgeDays')}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={d.maxAgeDays}
              onChange={(e) => set('maxAgeDays', e.target.value)}
            />
          )}
        </Field>
        <Field label="Keep at most (runs)" error={err('retention.maxRuns')}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={d.maxRuns}
              onChange={(e) => set('maxRuns', e.target.value)}
            />
          )}
        </Field>
        {noRetention ? (
          <p className="hint" role="note">
            With both empty, history grows without bound.
          </p>
        ) : null}
        <Field
          label="Tasks running at once"
          error={err('concurrency')}
          hint="Runs beyond this wait for a slot, in the order they came (the Dashboard shows how many wait and for how long). Runs mostly wait on servers, so the limit can be high; a task can have a lower limit of its own."
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={d.concurrency}
              onChange={(e) => set('concurrency', e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Connections per server (HTTP)"
          error={err('connectionsPerHost')}
          hint="Open connections to one server (scheme, host and port) for api tasks and file tasks over HTTP; further requests wait for a connection, so a burst of tasks does not open hundreds of sockets."
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={d.connectionsPerHost}
              onChange={(e) => set('connectionsPerHost', e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Connections per database"
          error={err('dbPoolSize')}
          hint="Connections per MongoDB connection string for db tasks (the driver's pool size); operations beyond them wait for one."
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={d.dbPoolSize}
              onChange={(e) => set('dbPoolSize', e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Default time zone for cron entries"
          error={err('defaultTimezone')}
          hint={`Type to search, pick from the list. A cron entry saved without a zone gets this one, stored with the entry (changing it later leaves saved entries as they are). ${emptyZoneRule(undefined, info, 'settings')}`}
        >
          {(p) => (
            <ZonePicker
              {...p}
              value={d.defaultTimezone}
              placeholder={info?.timezone ?? systemZone()}
              extra={storedZone}
              onChange={(zone) => set('defaultTimezone', zone)}
            />
          )}
        </Field>
        <p className="hint">
          Failure notifications are alerts: set them up on the <a href="#/alerts">Alerts</a> screen
          (webhook, email, and in the desktop app its notifications, with rules for which tasks, on
          what, and a quiet period).
        </p>
        {server._ ? <ErrorBox message={server._} /> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={!canSave}>
            Save settings
          </button>
        </div>
      </form>
      <TransferPanel />
    </section>
  );
}
