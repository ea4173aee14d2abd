/** Helpers every store shares for run ordering, filtering and page cursors. */
import { AppError } from '../../shared/errors';
import type { Run } from '../../shared/domain';
import { toIso } from '../core/clock';
import { idTimeMs } from '../core/ids';
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

/** The fields every store can filter on without reading the whole record. */
export interface RunFilterFields {
  taskId: string;
  type: string;
  status: string;
  startedAt: string;
}

/**
 * True when the run passes the query's filters on its summary fields (not `parentRunId`, see
 * isChildOf, nor the cursor).
 */
export function matchesRunFilter(
  run: RunFilterFields,
  query: Omit<RunQuery, 'limit' | 'cursor'>,
): boolean {
  if (query.taskId !== undefined && run.taskId !== query.taskId) return false;
  if (query.type !== undefined && run.type !== query.type) return false;
  if (query.status !== undefined && run.status !== query.status) return false;
  if (query.from !== undefined && run.startedAt < query.from) return false;
  if (query.to !== undefined && run.startedAt >= query.to) return false;
  return true;
}

/** True when the query asks for no parent, or `run` was started by that parent run. */
export function isChildOf(run: Run, parentRunId: string | undefined): boolean {
  return parentRunId === undefined || run.trigger.parentRunId === parentRunId;
}

/** True when the query filters on fields only the whole record has (not its summary fields). */
export function needsRecord(query: Pick<RunQuery, 'parentRunId' | 'configId' | 'q'>): boolean {
  return query.parentRunId !== undefined || query.configId !== undefined || query.q !== undefined;
}

/**
 * True when the run passes the query's filters on the whole record: its parent, configuration and
 * search (`q`: a case-insensitive part of the task name, configuration name or error message).
 */
export function matchesRunRecord(
  run: Run,
  query: Pick<RunQuery, 'parentRunId' | 'configId' | 'q'>,
): boolean {
  if (!isChildOf(run, query.parentRunId)) return false;
  if (query.configId !== undefined && run.configId !== query.configId) return false;
  if (query.q !== undefined) {
    const q = query.q.toLowerCase();
    const found =
      run.taskName.toLowerCase().includes(q) ||
      run.configName.toLowerCase().includes(q) ||
      (run.error?.message.toLowerCase().includes(q) ?? false);
    if (!found) return false;
  }
  return true;
}

/** A search as a MongoDB regular expression source: the text matched literally. */
export function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Margin before a parent id's time in which its children are still looked for (clock steps). */
const CHILD_SEARCH_MARGIN_MS = 3_600_000;

/**
 * `query.from`, raised to the earliest start a child of `query.parentRunId` can have when the id
 * tells: the core's ids carry their creation time, and a child starts after its parent ended, on
 * the same instance's clock (less an hour, in case that clock was set back meanwhile). A store
 * then reads only the runs after the parent instead of its whole history.
 */
export function childSearchFrom(query: Pick<RunQuery, 'from' | 'parentRunId'>): string | undefined {
  const made = query.parentRunId === undefined ? undefined : idTimeMs(query.parentRunId);
  if (made === undefined) return query.from;
  const earliest = toIso(Math.max(0, made - CHILD_SEARCH_MARGIN_MS));
  return query.from === undefined || query.from < earliest ? earliest : query.from;
}
