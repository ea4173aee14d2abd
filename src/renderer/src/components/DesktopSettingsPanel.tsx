/**
 * Desktop-only settings (shown only in Electron): start at login, how secrets are sealed, and
 * which store the app opens at its next start (json, or MongoDB with a URI kept as a secret).
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { DesktopSettingsPatch, DesktopSettingsView } from '../../../shared/bridge';
import type { DesktopSettingsApi } from '../api/transport';
import { useUi } from '../stores/ui';
import { errorMessage } from '../stores/load-state';
import { ErrorBox, Loading } from './common';
import { Field } from './Field';

const MONGO_URI = /^mongodb(\+srv)?:\/\//;

export function DesktopSettingsPanel({ desktop }: { desktop: DesktopSettingsApi }): ReactElement {
  const toast = useUi((s) => s.toast);
  const [view, setView] = useState<DesktopSettingsView | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [store, setStore] = useState<'json' | 'mongodb'>('json');
  const [mongoUri, setMongoUri] = useState('');
  const [saveError, setSaveError] = useState<string | undefined>();

  const load = (): void => {
    setLoadError(undefined);
    desktop.getSettings().then(
      (v) => {
        setView(v);
        setStore(v.store);
      },
      (e: unknown) => setLoadError(errorMessage(e)),
    );
  };
  useEffect(load, [desktop]);

  if (loadError) return <ErrorBox message={loadError} onRetry={load} />;
  if (!view) return <Loading what="desktop settings" />;

  const save = (patch: DesktopSettingsPatch, done: string): void => {
    setSaveError(undefined);
    desktop.saveSettings(patch).then(
      (v) => {
        setView(v);
        setStore(v.store);
        setMongoUri('');
        toast('info', done);
      },
      (e: unknown) => setSaveError(errorMessage(e)),
    );
  };

  const uriError =
    mongoUri.trim() && !MONGO_URI.test(mongoUri.trim())
      ? 'must start with mongodb:// or mongodb+srv://'
      : store === 'mongodb' && !mongoUri.trim() && !view.mongoUri
        ? 'the MongoDB store needs a connection string'
        : undefined;
  const storeChanged = store !== view.store || Boolean(mongoUri.trim());

  return (
    <section aria-labelledby="desktop-title" className="panel">
      <h2 id="desktop-title">Desktop</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={view.startAtLogin}
          onChange={(e) =>
            save(
              { startAtLogin: e.target.checked },
              e.target.checked ? 'Starts at login' : 'No longer starts at login',
            )
          }
        />{' '}
        Start at login
      </label>

      <Field label="Protect secrets with" hint={`Now: ${view.secrets.description}`}>
        {(p) => (
          <select
            {...p}
            value={view.secretsBackend}
            onChange={(e) =>
              save(
                { secretsBackend: e.target.value as DesktopSettingsView['secretsBackend'] },
                'Secrets sealed again',
              )
            }
          >
            <option value="auto">automatic (the OS keyring when there is a real one)</option>
            <option value="keyring">the OS keyring (safeStorage)</option>
            <option value="file-key">a key file in the data folder</option>
          </select>
        )}
      </Field>
      {view.logFile ? (
        <p className="hint">
          Log file: <code>{view.logFile}</code>
        </p>
      ) : null}
      {view.secrets.warning ? (
        <p className="warning" role="note">
          {view.secrets.warning}
        </p>
      ) : null}

      <form
        aria-label="Store for the next start"
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (uriError) return;
          save(
            { store, ...(mongoUri.trim() ? { mongoUri: mongoUri.trim() } : {}) },
            'Store saved; it applies when the app starts again',
          );
        }}
      >
        <Field label="Store at next start">
          {(p) => (
            <select
              {...p}
              value={store}
              onChange={(e) => setStore(e.target.value as 'json' | 'mongodb')}
            >
              <option value="json">json files in the data folder</option>
              <option value="mongodb">MongoDB</option>
            </select>
          )}
        </Field>
        {store === 'mongodb' ? (
          <Field
            label="MongoDB URI"
            error={uriError}
            hint={
              view.mongoUri
                ? `Saved: ${view.mongoUri}. Leave empty to keep it.`
                : 'Kept encrypted like the other secrets.'
            }
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="off"
                placeholder="mongodb://user:password@host:27017/database"
                value={mongoUri}
                onChange={(e) => setMongoUri(e.target.value)}
              />
            )}
          </Field>
        ) : null}
        <p className="hint">
          The app uses <strong>{view.storeInUse}</strong> now.
          {view.store !== view.storeInUse ? ` It opens ${view.store} at its next start.` : ''}{' '}
          Switching starts with the other store's data: nothing is copied or deleted (move data with{' '}
          <code>system.export</code> / <code>system.import</code>).
        </p>
        {saveError ? <ErrorBox message={saveError} /> : null}
        <div className="actions">
          <button type="submit" disabled={!storeChanged || Boolean(uriError)}>
            Save store choice
          </button>
        </div>
      </form>
    </section>
  );
}
