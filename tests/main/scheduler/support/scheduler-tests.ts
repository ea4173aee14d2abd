/** What the scheduler tests (scheduler-*.test.ts) share besides the harness itself. */
import { afterEach } from 'vitest';
import type { Harness } from '../harness';

/** After each test, stops every harness pushed to `others`, then the one `current()` returns. */
export function stopHarnessesAfterEach(
  current: () => Harness | undefined,
  others: Harness[] = [],
): void {
  afterEach(async () => {
    for (const other of others.splice(0)) await other.stop();
    await current()?.stop();
  });
}

/** The slots runs were scheduled for, in order. */
export const slots = (runs: { scheduledFor?: string }[]): (string | undefined)[] =>
  runs.map((r) => r.scheduledFor);
