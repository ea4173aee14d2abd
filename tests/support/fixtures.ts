/** Small builders for domain entities used across test files. */
import type { Store } from '../../src/main/store/types';
import type { Configuration, Run, ScheduleEntry, Task } from '../../src/shared/domain';

const T0 = '2026-01-01T00:00:00.000Z';

export function apiConfig(id: string, overrides: Partial<Configuration> = {}): Configuration {
  return {
    id,
    name: `config ${id}`,
    type: 'api',
    params: { url: 'http://127.0.0.1:9/echo', auth: { kind: 'bearer', token: 'secret-token' } },
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  } as Configuration;
}

export function task(id: string, configId: string, overrides: Partial<Task> = {}): Task {
  return {
    id,
    name: `task ${id}`,
    type: 'api',
    operation: 'read',
    configId,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function entry(
  id: string,
  taskId: string,
  overrides: Partial<ScheduleEntry> = {},
): ScheduleEntry {
  return {
    id,
    taskId,
    kind: 'frequency',
    everySeconds: 60,
    enabled: true,
    overlap: 'skip',
    missed: 'run-once',
    anchorAt: T0,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A finished run started at `startedAt` (ISO). */
export function run(id: string, startedAt: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    taskId: 'task-1',
    taskName: 'task 1',
    type: 'api',
    operation: 'read',
    configId: 'config-1',
    configName: 'config 1',
    config: { url: 'http://127.0.0.1:9/' },
    trigger: { kind: 'manual' },
    startedAt,
    finishedAt: startedAt,
    durationMs: 0,
    status: 'succeeded',
    attempt: 1,
    ...overrides,
  };
}

/** ISO time `minutes` after 2026-01-01T00:00Z. */
export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

/** Every run a store holds, newest first, read page by page. */
export async function allRuns(store: Pick<Store, 'listRuns'>): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ limit: 1000, ...(cursor ? { cursor } : {}) });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return runs;
}
