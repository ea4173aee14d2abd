/** Small shared pieces: status badge, empty/loading/error states, countdown. */
import { useEffect, useState, type ReactElement, type ReactNode } from 'react';
import type { RunStatus } from '../../../shared/domain';
import { formatCountdown } from '../util';

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

/** The current time, ticking every `everyMs` (one timer per mounted user). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function Countdown({ to }: { to: string | undefined }): ReactElement {
  const now = useNow();
  if (!to) return <span>—</span>;
  return <span title={new Date(to).toLocaleString()}>{formatCountdown(Date.parse(to), now)}</span>;
}
