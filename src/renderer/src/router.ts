/** Hash routing (works from file:// in Electron and from `/` in the browser). */
import { useSyncExternalStore } from 'react';

export function navigate(path: string): void {
  window.location.hash = `#${path}`;
}

const subscribe = (cb: () => void): (() => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

/** A parsed hash: its segments, or `malformed` when a segment is not valid percent-encoding. */
export type Route = { segments: string[]; malformed: false } | { segments: []; malformed: true };

/**
 * "#/tasks/abc" → ["tasks", "abc"]. Never throws: a segment that `decodeURIComponent` refuses
 * (`#/history/%E0`) makes the whole route malformed, which the shell shows as "not found".
 */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean);
  try {
    return { segments: raw.map(decodeURIComponent), malformed: false };
  } catch {
    return { segments: [], malformed: true };
  }
}

/** The current route, parsed safely (see `parseRoute`). */
export function useParsedRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

/** The current route as path segments (empty for a malformed hash). */
export function useRoute(): string[] {
  return useParsedRoute().segments;
}
