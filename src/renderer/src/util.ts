/** Small pure helpers shared by screens (formatting, field errors, JSON text). */
import type { z } from 'zod';
import { jsonSyntaxProblem } from '../../shared/errors';

// One formatter for every time shown (what `Date#toLocaleString()` gives: numeric date and time
// in the default locale and zone), made once: lists of 1,000 rows format a time per row.
let timeFormat: Intl.DateTimeFormat | undefined;

/** A moment as the user's locale writes it ("1/12/2026, 14:03:09"); '—' when there is none. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return timeFormat.format(ms);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "in 3 min 2 s" / "5 s ago". */
export function formatCountdown(targetMs: number, nowMs: number): string {
  const diff = Math.round((targetMs - nowMs) / 1000);
  const abs = Math.abs(diff);
  const d = Math.floor(abs / 86400);
  const h = Math.floor((abs % 86400) / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const parts = d
    ? [`${d} d`, `${h} h`]
    : h
      ? [`${h} h`, `${m} min`]
      : m
        ? [`${m} min`, `${s} s`]
        : [`${s} s`];
  return diff >= 0 ? `in ${parts.join(' ')}` : `${parts.join(' ')} ago`;
}

/** `<input type="datetime-local">` value ↔ ISO. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export type FieldErrors = Record<string, string>;

/** Zod issues → { "params.url": "must not be empty" } (first message per field). */
export function zodFieldErrors(error: z.ZodError, strip = 0): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.slice(strip).map(String).join('.') || '_';
    const message =
      issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message;
    if (!out[key]) out[key] = message;
  }
  return out;
}

/**
 * What a JSON text field must hold; `…OrPlaceholder`: or a JSON string that is one placeholder
 * (`"{{input.body.orders}}"`), which fills the whole field when a run starts (MongoDB fields).
 */
export type JsonFieldKind =
  'object' | 'array' | 'any' | 'objectOrPlaceholder' | 'arrayOrPlaceholder';

const ONE_PLACEHOLDER = /^\s*\{\{[^{}]+\}\}\s*$/;

/** Parses a JSON text field; empty → undefined. Throws with a readable message. */
export function parseJsonField(text: string, kind: JsonFieldKind): unknown {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not valid JSON (${jsonSyntaxProblem(error)})`);
  }
  const placeholder = kind.endsWith('OrPlaceholder');
  if (placeholder && typeof value === 'string' && ONE_PLACEHOLDER.test(value)) return value;
  const or = placeholder ? ', or one placeholder in quotes like "{{input.body.items}}"' : '';
  const what = kind.replace('OrPlaceholder', '');
  if (what === 'object' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new Error(`must be a JSON object like {"key": "value"}${or}`);
  }
  if (what === 'array' && !Array.isArray(value))
    throw new Error(`must be a JSON array like [ … ]${or}`);
  return value;
}

export function jsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}
