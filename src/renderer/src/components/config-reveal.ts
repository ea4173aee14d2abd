/**
 * "Reveal secrets" in the configuration editor: the draft shown with `REDACTED` markers takes the
 * clear values of the configuration fetched with `reveal: true`, field by field.
 */
import { jsonText } from '../util';
import type { ConfigDraft } from './config-draft';

/** The JSON-object fields whose entries may be secrets. */
const SECRET_MAPS = ['headers', 'query', 'variables'] as const;

/**
 * `cur` with every secret still showing the redaction marker replaced by its value in `clear`
 * (the configuration revealed): tokens, passwords, URLs with a password, and the entries of the
 * headers / query / variables objects. Whatever the user edited stays as typed.
 */
export function revealDraft(cur: ConfigDraft, clear: ConfigDraft, marker: string): ConfigDraft {
  const pick = (mine: string, theirs: string): string => (mine.includes(marker) ? theirs : mine);
  const next: ConfigDraft = {
    ...cur,
    token: pick(cur.token, clear.token),
    password: pick(cur.password, clear.password),
    uri: pick(cur.uri, clear.uri),
    url: pick(cur.url, clear.url),
    location: pick(cur.location, clear.location),
  };
  for (const key of SECRET_MAPS) {
    if (!cur[key].includes(marker)) continue;
    try {
      const mine = JSON.parse(cur[key]) as Record<string, unknown>;
      const theirs = JSON.parse(clear[key] || '{}') as Record<string, unknown>;
      const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(theirs, name);
      // fromEntries, not assignment: a `__proto__` entry stays an entry.
      const merged = Object.fromEntries(
        Object.entries(mine).map(([name, value]) => [
          name,
          value === marker && has(name) && typeof theirs[name] === 'string' ? theirs[name] : value,
        ]),
      );
      next[key] = jsonText(merged);
    } catch {
      // Not JSON any more (being edited): left as typed.
    }
  }
  return next;
}
