/**
 * `GET /api/ready`: whether this instance can do its work now: its store is open and answers,
 * and its scheduler is firing entries. `/api/health` only says the process answers HTTP.
 */
import { messageOf } from '../../shared/errors';
import type { App } from '../app';
import type { Clock } from '../core/clock';

/** How long the store may take to answer the probe's read before it counts as unreachable. */
export const DEFAULT_READY_TIMEOUT_MS = 2_000;

/** `open` and answering; `closed` (not opened yet, or closing); `unreachable` (open, no answer). */
export const STORE_READINESS = ['open', 'closed', 'unreachable'] as const;
/** `none`: this instance was built without a scheduler (it never fires entries). */
export const SCHEDULER_READINESS = ['running', 'stopped', 'none'] as const;

export interface Readiness {
  ready: boolean;
  store: (typeof STORE_READINESS)[number];
  scheduler: (typeof SCHEDULER_READINESS)[number];
  /** Why the store is unreachable (only then). */
  storeError?: string;
}

export interface ReadinessOptions {
  app: App;
  clock: Clock;
  timeoutMs?: number;
}

/**
 * A probe to call per request. The store check is one small read (the settings); requests that
 * come while it is in flight share it, so a store that hangs is not read once per request.
 */
export function createReadinessProbe(options: ReadinessOptions): () => Promise<Readiness> {
  const { app, clock } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let inFlight: Promise<string | undefined> | undefined;

  /** Undefined when the store answered, else why not. */
  const readStore = (): Promise<string | undefined> => {
    inFlight ??= app.store
      .getSettings()
      .then(
        () => undefined,
        (error: unknown) => messageOf(error),
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const storeAnswers = (): Promise<string | undefined> =>
    new Promise((resolve) => {
      const timer = clock.setTimeout(
        () => resolve(`the store did not answer within ${timeoutMs} ms`),
        timeoutMs,
      );
      void readStore().then((error) => {
        clock.clearTimeout(timer);
        resolve(error);
      });
    });

  return async () => {
    const status = app.scheduler?.status();
    const scheduler = status === undefined ? 'none' : status.running ? 'running' : 'stopped';
    const storeError = app.storeOpen ? await storeAnswers() : undefined;
    const store = !app.storeOpen ? 'closed' : storeError === undefined ? 'open' : 'unreachable';
    return {
      ready: store === 'open' && scheduler === 'running',
      store,
      scheduler,
      ...(storeError === undefined ? {} : { storeError }),
    };
  };
}
