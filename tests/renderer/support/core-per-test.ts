/**
 * One fresh real core (memory store) per test, with the stores reset and the DOM cleaned after:
 * call at the top of a `describe`, read `.core` inside the tests.
 */
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import type { ExecutorRegistry } from '../../../src/main/executors/types';
import { startCoreClient, type CoreClient } from './core-client';
import { resetStores } from './reset';

export function coreForEachTest(executors: ExecutorRegistry = {}): { core: CoreClient } {
  const holder = {} as { core: CoreClient };
  beforeEach(async () => {
    resetStores();
    holder.core = await startCoreClient(executors);
  });
  afterEach(async () => {
    cleanup();
    await holder.core.close();
  });
  return holder;
}
