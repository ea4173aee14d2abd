/**
 * "The alerts changed" (a `store.changed` event of kind `alerts`, or a reconnect that may have
 * missed some): useEvents.ts announces it, the Alerts screen reloads its list. Alerts have no
 * zustand store: only that screen shows them.
 */
const listeners = new Set<() => void>();

export function alertsChanged(): void {
  for (const listener of listeners) listener();
}

/** Calls `listener` on every change from now on; returns the unsubscribe. */
export function onAlertsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
