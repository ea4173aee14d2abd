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

/**
 * The query after the route's first `?` (`#/history?task=abc` → `{ task: 'abc' }`). Never throws:
 * URLSearchParams reads a broken %-escape as U+FFFD (which matches no id); empty values and
 * repeated names after the first are left out.
 */
export function parseRouteQuery(hash: string): Record<string, string> {
  const at = hash.indexOf('?');
  // No prototype: a name like `__proto__` is just a name.
  const query = Object.create(null) as Record<string, string>;
  if (at < 0) return query;
  for (const [name, value] of new URLSearchParams(hash.slice(at + 1))) {
    if (value !== '' && !Object.prototype.hasOwnProperty.call(query, name)) query[name] = value;
  }
  return query;
}

/** One value of the current route's query (see `parseRouteQuery`), updated as the hash changes. */
export function useRouteQueryParam(name: string): string | undefined {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRouteQuery(hash)[name];
}

/** The current route as path segments (empty for a malformed hash). */
export function useRoute(): string[] {
  return useParsedRoute().segments;
}
