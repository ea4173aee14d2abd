/** Small shared pieces: status badge, empty/loading/error states, countdown. */
import { useSyncExternalStore, type ReactElement, type ReactNode } from 'react';
import type { RunStatus } from '../../../shared/domain';
import { formatCountdown, formatTime } from '../util';

export function StatusBadge({ status }: { status: RunStatus | undefined }): ReactElement {
  if (!status) return <span className="badge badge-none">never ran</span>;
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function EmptyState({
  title,
  children,
}: {
  title: string;
  children?: ReactNode;
}): ReactElement {
  return (
    <div className="empty" role="status">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }): ReactElement {
  return (
    <div className="loading" role="status" aria-live="polite">
      Loading {what}…
    </div>
  );
}

export function ErrorBox({
  message,
  onRetry,
}: {
  message: string;
  onRetry?: () => void;
}): ReactElement {
  return (
    <div className="error-box" role="alert">
      <span>{message}</span>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** A toolbar filter: one of `options`, or "all" (undefined). */
export function FilterSelect<T extends string>({
  label,
  ariaLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  ariaLabel: string;
  value: T | undefined;
  options: readonly T[] | ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T | undefined) => void;
}): ReactElement {
  return (
    <label className="inline">
      {label}{' '}
      <select
        aria-label={ariaLabel}
        value={value ?? ''}
        onChange={(e) => onChange((e.target.value || undefined) as T | undefined)}
      >
        <option value="">all</option>
        {options.map((o) =>
          typeof o === 'string' ? (
            <option key={o}>{o}</option>
          ) : (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </label>
  );
}

/** A form's primary Save button (showing progress) and Cancel, plus any extra buttons. */
export function SaveActions({
  label,
  saving,
  onCancel,
  children,
}: {
  label: string;
  saving: boolean;
  onCancel: () => void;
  children?: ReactNode;
}): ReactElement {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={saving}>
        {saving ? 'Saving…' : label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {children}
    </div>
  );
}

// One shared one-second ticker for every countdown: a list of 1,000 entries then re-renders once
// a second in one batch, instead of running 1,000 timers.
let tickNow = Date.now();
const tickListeners = new Set<() => void>();
let tickTimer: ReturnType<typeof setInterval> | undefined;

function subscribeTick(listener: () => void): () => void {
  tickListeners.add(listener);
  if (!tickTimer) {
    tickNow = Date.now();
    tickTimer = setInterval(() => {
      tickNow = Date.now();
      for (const l of tickListeners) l();
    }, 1000);
  }
  return () => {
    tickListeners.delete(listener);
    if (tickListeners.size === 0 && tickTimer) {
      clearInterval(tickTimer);
      tickTimer = undefined;
    }
  };
}

/** The current time, ticking once a second, shared by all its users. */
export function useSecondTick(): number {
  // Subscribing refreshes `tickNow`, and React re-reads it right after subscribing.
  return useSyncExternalStore(subscribeTick, () => tickNow);
}

export function Countdown({ to }: { to: string | undefined }): ReactElement {
  const now = useSecondTick();
  if (!to) return <span>—</span>;
  return <span title={formatTime(to)}>{formatCountdown(Date.parse(to), now)}</span>;
}
