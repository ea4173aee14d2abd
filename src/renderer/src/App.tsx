/**
 * The app shell: navigation, connection indicator, token prompt, toasts, the banner of problems
 * with the stored data, screen routing.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Client } from './api/client';
import { ErrorBoundary } from './components/ErrorBoundary';
import { trapTab } from './components/focus-trap';
import { ProblemsBanner } from './components/ProblemsBanner';
import { saveToken } from './api/token';
import { reloadAll, useEvents } from './hooks/useEvents';
import { useRoute } from './router';
import { ConfigsScreen } from './screens/ConfigsScreen';
import { DashboardScreen } from './screens/DashboardScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { SchedulesScreen } from './screens/SchedulesScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { TasksScreen } from './screens/TasksScreen';
import { useUi } from './stores/ui';

const NAV = [
  ['', 'Dashboard'],
  ['tasks', 'Tasks'],
  ['configs', 'Configurations'],
  ['schedules', 'Schedules'],
  ['history', 'History'],
  ['settings', 'Settings'],
] as const;

function TokenPrompt({ onToken }: { onToken: (token: string) => void }): ReactElement {
  const [value, setValue] = useState('');
  return (
    <div className="backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="token-title"
        onKeyDown={trapTab}
        onSubmit={(e) => {
          e.preventDefault();
          if (!value.trim()) return;
          onToken(value.trim());
        }}
      >
        <h2 id="token-title">Connect to the service</h2>
        <p>
          Paste the access token the service printed at start (the part after <code>#token=</code>{' '}
          in the link it shows). It is kept only for this browser tab.
        </p>
        <label htmlFor="token-input">Access token</label>
        <input
          id="token-input"
          type="password"
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={!value.trim()}>
            Connect
          </button>
        </div>
      </form>
    </div>
  );
}

function ConnectionIndicator(): ReactElement | null {
  const { connection, transport } = useUi();
  if (transport === 'bridge') return null;
  const label =
    connection === 'open' ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Disconnected';
  return (
    <span className={`conn conn-${connection}`} role="status" aria-label={`Connection: ${label}`}>
      ● {label}
    </span>
  );
}

function Toasts(): ReactElement {
  const { toasts, dismiss } = useUi();
  useEffect(() => {
    if (toasts.length === 0) return;
    const oldest = toasts[0]!;
    const timer = setTimeout(() => dismiss(oldest.id), oldest.kind === 'error' ? 10_000 : 4000);
    return () => clearTimeout(timer);
  }, [toasts, dismiss]);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
        >
          {t.href ? <a href={t.href}>{t.message}</a> : <span>{t.message}</span>}
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function App({
  client,
  onToken,
}: {
  client: Client;
  onToken?: (token: string) => void;
}): ReactElement {
  const route = useRoute();
  const needToken = useUi((s) => s.needToken);
  const [section, id] = [route[0] ?? '', route[1]];
  const screen = NAV.find(([p]) => p === section);
  useEvents(client);
  useEffect(() => {
    if (!needToken) reloadAll();
  }, [needToken, client]);
  // Keyboard: Alt+1…6 switches screens.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey) return;
      const n = Number(e.key);
      if (n >= 1 && n <= NAV.length) window.location.hash = `#/${NAV[n - 1]![0]}`;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const failures = useUi((s) => s.toasts.filter((t) => t.kind === 'error').length);

  return (
    <div className="app">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <nav aria-label="Main">
        <strong className="brand">Task Scheduler</strong>
        <ul>
          {NAV.map(([path, label], i) => (
            <li key={path}>
              <a
                href={`#/${path}`}
                aria-current={section === path ? 'page' : undefined}
                title={`Alt+${i + 1}`}
              >
                {label}
                {path === 'history' && failures > 0 ? (
                  <span className="badge badge-failed" aria-label={`${failures} new failures`}>
                    {' '}
                    {failures}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        <ConnectionIndicator />
      </nav>
      <main id="main" tabIndex={-1}>
        {needToken ? null : <ProblemsBanner />}
        {screen ? (
          // Keyed by screen: switching screens starts a fresh boundary.
          <ErrorBoundary key={section} what={`the ${screen[1]} screen`}>
            {section === '' ? <DashboardScreen /> : null}
            {section === 'tasks' ? <TasksScreen {...(id ? { openId: id } : {})} /> : null}
            {section === 'configs' ? <ConfigsScreen {...(id ? { openId: id } : {})} /> : null}
            {section === 'schedules' ? <SchedulesScreen /> : null}
            {section === 'history' ? <HistoryScreen {...(id ? { openId: id } : {})} /> : null}
            {section === 'settings' ? <SettingsScreen /> : null}
          </ErrorBoundary>
        ) : null}
        {!screen ? <p role="alert">No such screen: {section}. Use the navigation.</p> : null}
      </main>
      <Toasts />
      {needToken ? (
        <TokenPrompt
          onToken={(token) => {
            saveToken(token);
            onToken?.(token);
            useUi.getState().setNeedToken(false);
          }}
        />
      ) : null}
    </div>
  );
}
