/**
 * Alert delivery (docs/alerts.md): hears of the runs this instance ended (the runner's `ended`
 * hook and `run.finished` on its own event bus, so with several instances on one MongoDB only the
 * instance that ran a run alerts about it), decides per
 * rule (alert-rules.ts), renders the channel's templates with the run's values and sends, retrying
 * a failed attempt after 1 s, 5 s and 30 s. Every attempt is recorded in a log of this instance's
 * last DELIVERY_LOG_SIZE attempts (`alerts.deliveries`). Nothing here is awaited on the run path:
 * a slow or failing channel never delays or fails a run.
 */
import type { Alert, AlertChannel, AlertDelivery, AlertEvent } from '../../shared/alerts';
import type { Run } from '../../shared/domain';
import { sleep, toIso, type Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { IdGenerator } from '../core/ids';
import type { Store } from '../store/types';
import {
  renderMessage,
  templateContextOf,
  type AlertSubject,
  type RenderedMessage,
} from './alert-message';
import { AlertTracker } from './alert-rules';
import {
  createSenders,
  DEFAULT_SEND_TIMEOUT_MS,
  NO_DESKTOP_NOTIFIER,
  type AlertSenders,
  type DesktopNotifier,
} from './senders';

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000] as const;
/** How many delivery attempts this instance remembers. */
export const DELIVERY_LOG_SIZE = 1_000;
/** How long the alerts read from the store are used before reading them again (other instances' edits). */
const ALERTS_FRESH_MS = 5_000;

export interface AlertDispatcherOptions {
  store: Store;
  events: EventBus;
  clock: Clock;
  ids: IdGenerator;
  senders?: AlertSenders;
  /**
   * The desktop app's notifications (the `desktop` channel). Without one, `alerts.save` and
   * `alerts.test` refuse the channel, and desktop alerts another instance saved in a shared
   * store are passed over here.
   */
  desktop?: DesktopNotifier;
  /** The waits before each retry (default 1 s, 5 s, 30 s: four attempts in all). */
  retryDelaysMs?: readonly number[];
  /** How long one attempt may take (default 10 s). */
  timeoutMs?: number;
  /** The UI's address (`https://scheduler.example.com`): `{{link}}` is then the run's page. */
  linkBase?: string;
  log?: (line: string) => void;
}

/** How a delivery that failed because its template cannot be filled starts its reason (no retry). */
const TEMPLATE_PROBLEM = 'the template cannot be filled: ';

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A failed run as `alerts.test` shows it. */
function sampleRun(now: string): Run {
  return {
    id: 'sample-run',
    taskId: 'sample-task',
    taskName: 'Sample task',
    type: 'api',
    operation: 'read',
    configId: 'sample-config',
    configName: 'Sample configuration',
    config: {},
    trigger: { kind: 'manual' },
    startedAt: now,
    finishedAt: now,
    durationMs: 1234,
    status: 'failed',
    attempt: 1,
    error: { code: 'SAMPLE', message: 'This is a test message from Task Scheduler' },
  };
}

export class AlertDispatcher {
  private readonly tracker = new AlertTracker();
  private readonly log: AlertDelivery[] = [];
  /** Told of every attempt as it is recorded (the service's /metrics counts them). */
  private readonly listeners = new Set<(delivery: AlertDelivery) => void>();
  private readonly pending = new Set<Promise<void>>();
  private readonly senders: AlertSenders;
  private readonly stopping = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private started = false;
  /** Runs between `run.started` and `run.finished` (an attempt executing now). */
  private readonly executing = new Set<string>();
  private cached: { alerts: Alert[]; at: number } | undefined;
  /** Runs are handled one after another, in the order they finished. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: AlertDispatcherOptions) {
    this.senders = options.senders ?? createSenders();
  }

  /**
   * Starts alerting. Runs that executed arrive through `runEnded` (the runner's hook, called once
   * per run with its last attempt, so an attempt that is retried alerts nobody); runs that never
   * started (`skipped` by an overlap policy, or `failed` before executing) only emit
   * `run.finished`, without a `run.started` before it, and are taken from the event bus.
   */
  start(): void {
    this.started = true;
    this.unsubscribe ??= this.options.events.subscribe((event) => {
      if (event.name === 'run.started') this.executing.add(event.data.run.id);
      else if (event.name === 'run.finished' && !this.executing.delete(event.data.run.id)) {
        this.runEnded(event.data.run);
      }
    });
  }

  /** A run's final record (its last attempt): decides and sends, never awaited by the caller. */
  runEnded(run: Run): void {
    if (!this.started || run.trigger.kind === 'test' || run.taskId === '') return;
    this.track((this.queue = this.queue.then(() => this.handle(run))));
  }

  /** Stops listening and cancels the retries still waiting; resolves when nothing is in flight. */
  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopping.abort(new Error('the service is stopping'));
    await this.idle();
    this.senders.close();
  }

  /** Resolves once every message decided so far was sent or given up. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Makes the next run read the alerts again (one was saved or deleted here). */
  alertChanged(alertId: string): void {
    this.cached = undefined;
    this.tracker.forgetAlert(alertId);
  }

  /** Why this instance cannot send through a channel of this kind, if it cannot. */
  channelProblem(kind: AlertChannel['kind']): string | undefined {
    return kind === 'desktop' && !this.options.desktop ? NO_DESKTOP_NOTIFIER : undefined;
  }

  /** Calls `listener` with every attempt recorded from now on; returns the unsubscribe. */
  onDelivery(listener: (delivery: AlertDelivery) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recent attempts, newest first. */
  deliveries(query: { alertId?: string; limit?: number }): AlertDelivery[] {
    const limit = query.limit ?? 100;
    const items: AlertDelivery[] = [];
    for (let i = this.log.length - 1; i >= 0 && items.length < limit; i--) {
      const delivery = this.log[i]!;
      if (query.alertId === undefined || delivery.alertId === query.alertId) items.push(delivery);
    }
    return items;
  }

  /** Sends one sample message through the alert's channel (one attempt) and records it. */
  async test(alert: Alert): Promise<AlertDelivery> {
    const now = toIso(this.options.clock.now());
    const subject = { event: 'failed' as const, run: sampleRun(now), alertName: alert.name };
    return this.attempt(alert, { ...subject, failures: 1 }, 1, true);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.warn(`handling a finished run failed`, error),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private warn(what: string, error: unknown): void {
    const line = `Alerts: ${what}: ${messageOf(error)}`;
    (this.options.log ?? console.warn)(line);
  }

  private async alerts(): Promise<Alert[]> {
    const now = this.options.clock.monotonic();
    if (!this.cached || now - this.cached.at > ALERTS_FRESH_MS) {
      this.cached = { alerts: await this.options.store.listAlerts(), at: now };
    }
    return this.cached.alerts;
  }

  private async handle(run: Run): Promise<void> {
    // Desktop alerts in a store shared with a desktop app are not this notifier-less instance's.
    const alerts = (await this.alerts()).filter((a) => !this.channelProblem(a.channel.kind));
    const decisions = this.tracker.decide(run, alerts, this.options.clock.now());
    for (const { alert, event, failures } of decisions) {
      this.track(this.deliver(alert, this.subjectOf(alert, event, run, failures)));
    }
  }

  private subjectOf(alert: Alert, event: AlertEvent, run: Run, failures: number): AlertSubject {
    const base = this.options.linkBase?.replace(/\/+$/, '');
    return {
      event,
      run,
      alertName: alert.name,
      failures,
      ...(base ? { link: `${base}/#/history/${encodeURIComponent(run.id)}` } : {}),
    };
  }

  /** Attempts until one is sent, the retries run out or the service stops. */
  private async deliver(alert: Alert, subject: AlertSubject): Promise<void> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 1; ; attempt++) {
      const delivery = await this.attempt(alert, subject, attempt, false);
      if (delivery.status === 'sent' || attempt > delays.length) return;
      if (delivery.reason?.startsWith(TEMPLATE_PROBLEM)) return;
      try {
        await sleep(this.options.clock, delays[attempt - 1]!, this.stopping.signal);
      } catch {
        return;
      }
    }
  }

  private async send(
    channel: AlertChannel,
    message: RenderedMessage,
    runId: string | undefined,
  ): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    if (message.kind === 'desktop') {
      const { desktop } = this.options;
      if (!desktop) throw new Error(NO_DESKTOP_NOTIFIER);
      const { title, body } = message;
      await desktop.show({ title, body, ...(runId === undefined ? {} : { runId }) });
    } else if (message.kind === 'webhook' && channel.kind === 'webhook') {
      await this.senders.webhook(channel, message.body, timeoutMs);
    } else if (message.kind === 'email' && channel.kind === 'email') {
      await this.senders.email(channel, message, timeoutMs);
    }
  }

  private async attempt(
    alert: Alert,
    subject: AlertSubject,
    attempt: number,
    test: boolean,
  ): Promise<AlertDelivery> {
    const { clock } = this.options;
    let reason: string | undefined;
    let message: RenderedMessage | undefined;
    try {
      const context = templateContextOf(subject, toIso(clock.now()));
      message = renderMessage(alert.channel, context, subject);
    } catch (error) {
      reason = `${TEMPLATE_PROBLEM}${messageOf(error)}`;
    }
    if (message) {
      try {
        await this.send(alert.channel, message, test ? undefined : subject.run.id);
      } catch (error) {
        reason = messageOf(error);
      }
    }
    const delivery: AlertDelivery = {
      id: this.options.ids(),
      alertId: alert.id,
      alertName: alert.name,
      channel: alert.channel.kind,
      event: subject.event,
      ...(test ? { test: true } : { runId: subject.run.id, taskId: subject.run.taskId }),
      status: reason === undefined ? 'sent' : 'failed',
      ...(reason === undefined ? {} : { reason }),
      attempt,
      at: toIso(clock.now()),
    };
    this.log.push(delivery);
    for (const listener of this.listeners) listener(delivery);
    if (this.log.length > DELIVERY_LOG_SIZE)
      this.log.splice(0, this.log.length - DELIVERY_LOG_SIZE);
    if (reason !== undefined && !test) {
      this.warn(`alert "${alert.name}" attempt ${attempt} failed`, reason);
    }
    return delivery;
  }
}
