/**
 * OS notifications when a task fails and when it recovers, per the `notifications` setting:
 * `always`, `after-failures` (when the N-th consecutive failure happens) or `never`.
 */
import type { Run, Settings } from '../../shared/domain';
import type { AppEvent } from '../../shared/events';
import type { NotificationFactory } from './types';

const FAILED = new Set<Run['status']>(['failed', 'timed-out']);

export class FailureNotifier {
  /** Consecutive failures per task, and whether this streak was announced. */
  private readonly streaks = new Map<string, { count: number; notified: boolean }>();

  constructor(
    private readonly notify: NotificationFactory,
    private readonly settings: () => Pick<Settings, 'notifications' | 'notifyAfterFailures'>,
    private readonly onClick: () => void,
  ) {}

  handle(event: AppEvent): void {
    if (event.name !== 'run.finished') return;
    const { run } = event.data;
    if (!run.taskId) return; // configuration test runs are the user watching already
    const streak = this.streaks.get(run.taskId) ?? { count: 0, notified: false };
    const { notifications, notifyAfterFailures } = this.settings();
    if (FAILED.has(run.status)) {
      streak.count++;
      const due =
        notifications === 'always' ||
        (notifications === 'after-failures' && streak.count === notifyAfterFailures);
      if (due) {
        streak.notified = true;
        const times = streak.count > 1 ? ` (${streak.count} times in a row)` : '';
        this.show(
          `Task failed: ${run.taskName}`,
          `${run.error?.message ?? run.status}${times}`.slice(0, 250),
        );
      }
      this.streaks.set(run.taskId, streak);
    } else if (run.status === 'succeeded') {
      if (streak.notified && notifications !== 'never') {
        this.show(`Task recovered: ${run.taskName}`, 'It ran successfully again.');
      }
      this.streaks.delete(run.taskId);
    }
  }

  private show(title: string, body: string): void {
    const n = this.notify({ title, body });
    n.on('click', this.onClick);
    n.show();
  }
}
