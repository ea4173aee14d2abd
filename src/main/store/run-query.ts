/** Helpers every store shares for run ordering, filtering and page cursors. */
import { AppError } from '../../shared/errors';
import type { Run } from '../../shared/domain';
import type { RunQuery } from './types';

export interface RunPosition {
  startedAt: string;
  id: string;
}

/** Ascending order of runs: by `startedAt`, then id. Pages are served in the reverse order. */
export function compareRuns(a: RunPosition, b: RunPosition): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function encodeCursor(position: RunPosition): string {
  return Buffer.from(JSON.stringify([position.startedAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): RunPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    ) {
      return { startedAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError(
    'VALIDATION',
    'runs.list: cursor is not one this server issued; pass nextCursor from the previous page unchanged',
  );
}

/** True when the run passes the query's filters (not the cursor). */
export function matchesRunFilter(run: Run, query: Omit<RunQuery, 'limit' | 'cursor'>): boolean {
  if (query.taskId !== undefined && run.taskId !== query.taskId) return false;
  if (query.type !== undefined && run.type !== query.type) return false;
  if (query.status !== undefined && run.status !== query.status) return false;
  if (query.from !== undefined && run.startedAt < query.from) return false;
  if (query.to !== undefined && run.startedAt >= query.to) return false;
  return true;
}
