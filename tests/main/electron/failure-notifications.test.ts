import { describe, expect, it } from 'vitest';
import { FailureNotifier } from '../../../src/main/electron/notifications';
import type { Run } from '../../../src/shared/domain';
import { FakeNotifications } from './fakes';

describe('failure notifications', () => {
  const finished = (
    status: Run['status'],
    taskId = 't1',
  ): { name: 'run.finished'; data: { run: Run } } => ({
    name: 'run.finished',
    data: {
      run: {
        id: 'r',
        taskId,
        taskName: 'Export',
        status,
        error: status === 'succeeded' ? undefined : { code: 'X', message: 'boom' },
      } as Run,
    },
  });

  it('after N consecutive failures notifies once, then on recovery', () => {
    const notes = new FakeNotifications();
    const n = new FailureNotifier(
      notes.create,
      () => ({ notifications: 'after-failures', notifyAfterFailures: 3 }),
      () => {},
    );
    n.handle(finished('failed'));
    n.handle(finished('timed-out'));
    expect(notes.shown).toEqual([]);
    n.handle(finished('failed'));
    n.handle(finished('failed'));
    expect(notes.shown.map((s) => s.title)).toEqual(['Task failed: Export']);
    expect(notes.shown[0]!.body).toBe('boom (3 times in a row)');
    n.handle(finished('succeeded'));
    expect(notes.shown.map((s) => s.title)).toEqual([
      'Task failed: Export',
      'Task recovered: Export',
    ]);
  });

  it('never notifies when set to never, and does not announce recovery of an unannounced streak', () => {
    const notes = new FakeNotifications();
    let mode: 'never' | 'always' = 'never';
    const n = new FailureNotifier(
      notes.create,
      () => ({ notifications: mode, notifyAfterFailures: 3 }),
      () => {},
    );
    n.handle(finished('failed'));
    n.handle(finished('succeeded'));
    expect(notes.shown).toEqual([]);
    mode = 'always';
    n.handle(finished('skipped'));
    n.handle(finished('failed', 't2'));
    expect(notes.shown.length).toBe(1);
  });
});
