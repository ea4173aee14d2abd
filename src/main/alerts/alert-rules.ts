/**
 * Which alerts a finished run sets off (docs/alerts.md, "Rules"). Per task this instance keeps the
 * failures in a row (a `failed` or `timed-out` run counts, a success resets, `skipped` and
 * `interrupted` leave it alone); per alert and task, when the last message went, for the quiet
 * period. Both live in memory: after a restart the first failure starts a new streak.
 */
import type { Alert, AlertEvent } from '../../shared/alerts';
import type { Run } from '../../shared/domain';

/** The events a run is, most specific first (one message per alert picks the first it wants). */
function eventsOf(run: Run, failuresBefore: number, failuresNow: number): AlertEvent[] {
  switch (run.status) {
    case 'failed':
    case 'timed-out':
      return failuresNow > 1
        ? ['consecutive-failures', run.status]
        : run.status === 'failed'
          ? ['failed']
          : ['timed-out'];
    case 'succeeded':
      return failuresBefore > 0 ? ['recovered'] : [];
    case 'skipped':
      return ['skipped'];
    default:
      return [];
  }
}

export function ruleCoversTask(alert: Alert, run: Run): boolean {
  const { tasks } = alert.rule;
  if (tasks.kind === 'all') return true;
  if (tasks.kind === 'ids') return tasks.ids.includes(run.taskId);
  return tasks.types.includes(run.type);
}

/** The event this alert sends for the run, if any (`consecutive-failures` needs its count). */
function pick(alert: Alert, events: AlertEvent[], failures: number): AlertEvent | undefined {
  const { on, consecutiveFailures } = alert.rule;
  return events.find(
    (event) =>
      on.includes(event) && (event !== 'consecutive-failures' || failures >= consecutiveFailures),
  );
}

export interface AlertDecision {
  alert: Alert;
  event: AlertEvent;
  failures: number;
}

export class AlertTracker {
  /** Failures in a row by task id. */
  private readonly streaks = new Map<string, number>();
  /** When the last message of an alert about a task went (ms), by `alertId taskId`. */
  private readonly lastSent = new Map<string, number>();

  /** Records the run's outcome and says which alerts send what (quiet periods applied). */
  decide(run: Run, alerts: readonly Alert[], nowMs: number): AlertDecision[] {
    const before = this.streaks.get(run.taskId) ?? 0;
    let now = before;
    if (run.status === 'failed' || run.status === 'timed-out') now = before + 1;
    else if (run.status === 'succeeded') now = 0;
    if (now === 0) this.streaks.delete(run.taskId);
    else this.streaks.set(run.taskId, now);
    const events = eventsOf(run, before, now);
    if (events.length === 0) return [];
    const decisions: AlertDecision[] = [];
    for (const alert of alerts) {
      if (!alert.enabled || !ruleCoversTask(alert, run)) continue;
      const event = pick(alert, events, now);
      if (event === undefined) continue;
      const key = `${alert.id} ${run.taskId}`;
      // A recovery always goes (at most one per streak; see below for the quiet periods).
      if (event !== 'recovered') {
        const last = this.lastSent.get(key);
        if (last !== undefined && nowMs - last < alert.rule.quietMinutes * 60_000) continue;
        this.lastSent.set(key, nowMs);
      }
      decisions.push({ alert, event, failures: event === 'recovered' ? before : now });
    }
    // A recovery ends the task's quiet periods: the next failure is news again.
    if (run.status === 'succeeded' && before > 0) {
      for (const key of [...this.lastSent.keys()]) {
        if (key.endsWith(` ${run.taskId}`)) this.lastSent.delete(key);
      }
    }
    return decisions;
  }

  /** Forgets the quiet periods of an alert (edited or deleted). */
  forgetAlert(alertId: string): void {
    for (const key of [...this.lastSent.keys()]) {
      if (key.startsWith(`${alertId} `)) this.lastSent.delete(key);
    }
  }
}
