/**
 * The app shell: navigation, connection indicator, token prompt (saying when a token is refused),
 * toasts, the banner of problems with the stored data, screen routing (a malformed or unknown
 * route shows "not found"), the command palette (Ctrl+K).
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { AppError } from '../../shared/errors';
import type { Client } from './api/client';
import { call } from './api/current';
import { CommandPalette } from './components/CommandPalette';
import { ErrorBoundary } from './components/ErrorBoundary';
import { trapTab } from './components/focus-trap';
import { ProblemsBanner } from './components/ProblemsBanner';
import { saveToken } from './api/token';
import { reloadAll, useEvents } from './hooks/useEvents';
import { useParsedRoute } from './router';
import { AlertsScreen } from './screens/AlertsScreen';
import { ConfigsScreen } from './screens/ConfigsScreen';
import { DashboardScreen } from './screens/DashboardScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { SchedulesScreen } from './screens/SchedulesScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { TaskPage } from './screens/TaskPage';
import { TasksScreen } from './screens/TasksScreen';
import { errorMessage } from './stores/load-state';
import { useUi } from './stores/ui';

const NAV = [
  ['', 'Dashboard'],
  ['tasks', 'Tasks'],
  ['configs', 'Configurations'],
  ['schedules', 'Schedules'],
  ['history', 'History'],
  ['settings', 'Settings'],
  ['alerts', 'Alerts'],
] as const;

/** The service's answer to a token: accepted, refused (401), or the check could not be made. */
export type TokenCheck = { ok: true } | { ok: false; message: string };

/** Tries the token just set with one cheap call; only a 401 means the token is wrong. */
export async function checkToken(): Promise<TokenCheck> {
  try {
    await call('system.info', {});
    return { ok: true };
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAUTHORIZED') {
      return {
        ok: false,
        message:
          'The service refused this token: it is wrong or from an earlier start of the service (the token changes at every restart). Paste the one from the link it printed last.',
      };
    }
    return { ok: false, message: errorMessage(error) };
  }
}

function TokenPrompt({
  onToken,
}: {
  onToken: (token: string) => Promise<TokenCheck>;
}): ReactElement {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
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
          if (!value.trim() || checking) return;
          setChecking(true);
          void onToken(value.trim()).then((check) => {
            setChecking(false);
            if (check.ok) return;
            // Keep what was typed (selected, so pasting replaces it) and say what is wrong.
            setProblem(check.message);
            inputRef.current?.select();
          });
        }}
      >
        <h2 id="token-title">Connect to the service</h2>
        <p>
          Paste the access token the service printed at start (the part after <code>#token=</code>{' '}
          in the link it shows). It is kept only for this browser tab.
        </p>
        <label htmlFor="token-input">Access token</label>
        <input
          ref={inputRef}
          id="token-input"
          type="password"
          autoFocus
          value={value}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'token-problem' : undefined}
          onChange={(e) => {
            setValue(e.target.value);
            setProblem(undefined);
          }}
        />
        {problem ? (
          <p id="token-problem" className="token-error" role="alert">
            {problem}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={!value.trim() || checking}>
            {checking ? 'Checking…' : 'Connect'}
          </button>
        </div>
      </form>
    </div>
  );
}

/** What a malformed or unknown route shows instead of a blank app. */
function NotFound({ what }: { what: string }): ReactElement {
  return (
    <section aria-labelledby="not-found-title" className="empty">
      <h1 id="not-found-title">Not found</h1>
      <p>{what}</p>
      <p>
        <a href="#/">Go to the Dashboard</a> or use the navigation.
      </p>
    </section>
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
  // Its own row of the window's grid, under the screen (styles.css): it takes room from the
  // screen's scroll area instead of lying over it, so a toast never covers a control.
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
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
    </section>
  );
}

export function App({
  client,
  onToken,
}: {
  client: Client;
  onToken?: (token: string) => void;
}): ReactElement {
  const route = useParsedRoute();
  const needToken = useUi((s) => s.needToken);
  const [section, id] = [route.segments[0] ?? '', route.segments[1]];
  const screen = route.malformed ? undefined : NAV.find(([p]) => p === section);
  const [palette, setPalette] = useState(false);
  useEvents(client);
  useEffect(() => {
    if (!needToken) reloadAll();
  }, [needToken, client]);
  // Keyboard: Alt+1…7 switches screens; Ctrl+K (Cmd+K) opens the command palette.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        // Not over another modal (a confirmation, the token prompt): one dialog at a time.
        if (!document.querySelector('[aria-modal="true"]')) setPalette(true);
        return;
      }
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
            {section === 'tasks' ? (
              // #/tasks/<id>: the task's page (…/edit: its form on top); #/tasks/new: the form.
              id && id !== 'new' ? (
                <TaskPage key={id} taskId={id} editing={route.segments[2] === 'edit'} />
              ) : (
                <TasksScreen {...(id ? { openId: id } : {})} />
              )
            ) : null}
            {section === 'configs' ? <ConfigsScreen {...(id ? { openId: id } : {})} /> : null}
            {section === 'schedules' ? <SchedulesScreen /> : null}
            {section === 'history' ? <HistoryScreen {...(id ? { openId: id } : {})} /> : null}
            {section === 'settings' ? <SettingsScreen /> : null}
            {section === 'alerts' ? <AlertsScreen /> : null}
          </ErrorBoundary>
        ) : null}
        {!screen ? (
          <NotFound
            what={
              route.malformed
                ? 'This address is not a valid link (it has a broken %-escape).'
                : `There is no screen “${section}”.`
            }
          />
        ) : null}
      </main>
      <Toasts />
      {palette && !needToken ? (
        <CommandPalette screens={NAV} onClose={() => setPalette(false)} />
      ) : null}
      {needToken ? (
        <TokenPrompt
          onToken={async (token) => {
            onToken?.(token);
            const check = await checkToken();
            if (check.ok) {
              saveToken(token);
              useUi.getState().setNeedToken(false);
            }
            return check;
          }}
        />
      ) : null}
    </div>
  );
}
