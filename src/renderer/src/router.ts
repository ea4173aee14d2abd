/** Hash routing (works from file:// in Electron and from `/` in the browser). */
import { useSyncExternalStore } from 'react';

export function navigate(path: string): void {
  window.location.hash = `#${path}`;
}

const subscribe = (cb: () => void): (() => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

/** The current route as path segments: "#/tasks/abc" → ["tasks", "abc"]. */
export function useRoute(): string[] {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return hash
    .replace(/^#\/?/, '')
    .split('?')[0]!
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
}
