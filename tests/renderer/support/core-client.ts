/**
 * A renderer client wired to the REAL core (memory store) in-process: the same methods, errors
 * and events the transports carry, without a network. Executors are supplied by each test.
 */
import { createApp, type App } from '../../../src/main/app';
import type { ExecutorRegistry } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { createClient, type Client } from '../../../src/renderer/src/api/client';
import { setClient } from '../../../src/renderer/src/api/current';
import { toErrorData } from '../../../src/shared/errors';

export interface CoreClient {
  app: App;
  client: Client;
  close(): Promise<void>;
}

export async function startCoreClient(executors: ExecutorRegistry = {}): Promise<CoreClient> {
  const app = createApp({ store: new MemoryStore(), executors });
  await app.start();
  const client = createClient({
    kind: 'http',
    // Errors cross as wire data, exactly as the HTTP transport delivers them.
    call: (method, params) =>
      app.core.call(method, params).catch((error: unknown) => Promise.reject(toErrorData(error))),
    subscribe: (listener, onState) => {
      onState?.('open');
      return app.events.subscribe(listener);
    },
  });
  setClient(client);
  return { app, client, close: () => app.stop() };
}

/** Polls `check` until it returns true (bounded), for state that changes asynchronously. */
export async function until(check: () => boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise<void>((r) => queueMicrotask(r));
    await Promise.resolve();
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error(`until: gave up waiting for ${what}`);
}
