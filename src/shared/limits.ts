/**
 * The limits the contract puts on input that would otherwise be unbounded (issue #12): untyped
 * JSON values, schedule intervals and times, retry delays. One place, so the schemas, the core
 * and the docs (docs/headless.md "Limits on values", docs/scheduling.md) name the same numbers;
 * also the retry wait they give (`retryDelayMs`).
 */

/** Objects and arrays nested in one untyped JSON field (api body, file content, db filters…). */
export const JSON_MAX_DEPTH = 64;
/** Size of one untyped JSON field as JSON text, in UTF-8 bytes (1 MiB, the HTTP body cap). */
export const JSON_MAX_BYTES = 1024 * 1024;

/** The longest frequency interval: 10 years of 365 days. */
export const MAX_EVERY_SECONDS = 315_360_000;
/** The earliest time a schedule field may hold: 1970-01-01T00:00:00.000Z. */
export const MIN_SCHEDULE_TIME_MS = 0;
/** The latest: 9999-12-31T23:59:59.999Z, the last instant with a four-digit ISO year. */
export const MAX_SCHEDULE_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Retry policy bounds (task.retry). */
export const RETRY_MAX_ATTEMPTS = 20;
export const RETRY_MAX_BACKOFF_MS = 3_600_000;
export const RETRY_MAX_FACTOR = 10;
/** The computed wait before a retry (backoffMs × factor^(n-1)) is capped at 1 hour… */
export const RETRY_MAX_DELAY_MS = 3_600_000;
/** …and then spread by ±10 % so that runs failing together do not retry together. */
export const RETRY_JITTER = 0.1;

/**
 * The wait before the retry that follows failed attempt `attempt` (1-based):
 * backoffMs × factor^(attempt-1), capped at RETRY_MAX_DELAY_MS (1 hour), then spread by
 * ±RETRY_JITTER (10 %) with `random` (0.5 means none). Always a whole number of ms that Node's
 * timers can wait (they fire at once beyond 2^31-1 ms).
 */
export function retryDelayMs(
  policy: { backoffMs?: number; factor?: number } | undefined,
  attempt: number,
  random: () => number = Math.random,
): number {
  const backoff = policy?.backoffMs ?? 1000;
  const factor = policy?.factor ?? 2;
  const raw = backoff * factor ** Math.max(0, attempt - 1);
  const capped = Number.isNaN(raw)
    ? RETRY_MAX_DELAY_MS
    : Math.min(RETRY_MAX_DELAY_MS, Math.max(0, raw));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5;
  const spread = 1 + RETRY_JITTER * (2 * unit - 1);
  return Math.round(capped * spread);
}

/**
 * Chains (task.runAfter; docs/chains.md, "Chains"): at most this many links from a task that
 * runs after no other task to the last task of a chain (so 11 tasks), checked when a task is
 * saved or imported, and again when a chained run would start (a chain edited on two instances
 * at once cannot loop for ever).
 */
export const CHAIN_MAX_DEPTH = 10;
/** Tasks one task may run after. */
export const CHAIN_MAX_PARENTS = 20;
