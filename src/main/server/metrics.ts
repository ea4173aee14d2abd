/**
 * `GET /metrics`: the service's Prometheus metrics. Run counters and histograms are fed by the
 * core's events (`run.started`, `run.finished` on the EventBus) as they happen, never by reading
 * the store; the gauges are read from `system.info` at each scrape. Every metric and label is
 * described in docs/headless.md, "Metrics".
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RUN_STATUSES, TASK_TYPES, type Run, type TriggerKind } from '../../shared/domain';
import type { AppEvent } from '../../shared/events';
import type { App } from '../app';
import type { Clock } from '../core/clock';
import { promClient } from './metrics-client';

const PREFIX = 'task_scheduler_';
/** Run durations: 5 ms to 1 hour (the default task timeout is 5 minutes). */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];
/** Fire lateness: 1 ms to 10 minutes (a fire is normally a few ms late; a full queue makes more). */
const LATENESS_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 600,
];
/** Store writes of run records: 0.5 ms to 10 s (timestamps have millisecond resolution). */
const WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Triggers whose lateness is measured: catch-up fires are late on purpose, retries wait a backoff. */
const FIRED_TRIGGERS: ReadonlySet<TriggerKind> = new Set(['schedule', 'catch-up']);
const FINAL_STATUSES = RUN_STATUSES.filter((status) => status !== 'running');

/** Prometheus' text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface ServiceMetricsOptions {
  app: App;
  /** The clock the runner stamps runs with (the write latency is the time since the stamp). */
  clock: Clock;
}

export class ServiceMetrics {
  private readonly registry: Registry;
  private readonly runs: Counter<'type' | 'status'>;
  private readonly duration: Histogram<'type' | 'status'>;
  private readonly lateness: Histogram<'type' | 'trigger'>;
  private readonly writes: Histogram<'op'>;
  private readonly gauges: Record<
    | 'activeRuns'
    | 'queuedRuns'
    | 'oldestQueued'
    | 'concurrency'
    | 'entries'
    | 'schedulerRunning'
    | 'problems',
    Gauge
  >;
  private readonly info: Gauge<'version' | 'store'>;
  /** Runs started and not yet finished (at most the active runs): their final write is an update. */
  private readonly started = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeAlerts: () => void;
  private readonly deliveries: Counter<'channel' | 'status'>;

  constructor(private readonly options: ServiceMetricsOptions) {
    const prom = promClient();
    this.registry = new prom.Registry();
    const registers = [this.registry];
    this.runs = new prom.Counter({
      name: `${PREFIX}runs_total`,
      help: 'Runs finished (their final record written), by task type and final status.',
      labelNames: ['type', 'status'],
      registers,
    });
    for (const type of TASK_TYPES)
      for (const status of FINAL_STATUSES) this.runs.inc({ type, status }, 0);
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      buckets: number[],
    ): Histogram<L> =>
      new prom.Histogram({ name: `${PREFIX}${name}`, help, labelNames, buckets, registers });
    this.duration = histogram(
      'run_duration_seconds',
      'How long runs took, from start to their final status (skipped runs excluded).',
      ['type', 'status'],
      DURATION_BUCKETS,
    );
    this.lateness = histogram(
      'fire_lateness_seconds',
      'How late scheduled runs started: startedAt minus scheduledFor (waiting for a slot included).',
      ['type', 'trigger'],
      LATENESS_BUCKETS,
    );
    this.writes = histogram(
      'run_record_write_seconds',
      'Store writes of run records: insert (the running or unstarted record), update (the final one).',
      ['op'],
      WRITE_BUCKETS,
    );
    const gauge = (name: string, help: string): Gauge =>
      new prom.Gauge({ name: `${PREFIX}${name}`, help, registers });
    this.gauges = {
      activeRuns: gauge('active_runs', 'Runs executing now.'),
      queuedRuns: gauge('queued_runs', 'Runs waiting for a slot (the global or their task limit).'),
      oldestQueued: gauge('oldest_queued_seconds', 'How long the run waiting longest has waited.'),
      concurrency: gauge('concurrency_limit', 'Runs allowed at once (settings.concurrency).'),
      entries: gauge('schedule_entries', 'Schedule entries the scheduler knows.'),
      schedulerRunning: gauge('scheduler_running', '1 while the scheduler fires entries, else 0.'),
      problems: gauge('data_problems', 'Problems with the stored data (system.info problems).'),
    };
    this.info = new prom.Gauge({
      name: `${PREFIX}info`,
      help: 'Always 1; the version and store kind of this instance as labels.',
      labelNames: ['version', 'store'],
      registers,
    });
    this.deliveries = new prom.Counter({
      name: `${PREFIX}alert_deliveries_total`,
      help: 'Alert delivery attempts of this instance (test sends included), by channel and outcome.',
      labelNames: ['channel', 'status'],
      registers,
    });
    for (const channel of ['webhook', 'email'])
      for (const status of ['sent', 'failed']) this.deliveries.inc({ channel, status }, 0);
    this.unsubscribe = options.app.events.subscribe((event) => this.record(event));
    this.unsubscribeAlerts = options.app.alerts.onDelivery((delivery) =>
      this.deliveries.inc({ channel: delivery.channel, status: delivery.status }),
    );
  }

  /** The metrics as Prometheus text (`METRICS_CONTENT_TYPE`). */
  async scrape(): Promise<string> {
    const info = await this.options.app.core.call('system.info', {});
    const { scheduler } = info;
    this.gauges.activeRuns.set(scheduler.activeRuns);
    this.gauges.queuedRuns.set(scheduler.queuedRuns);
    this.gauges.oldestQueued.set(scheduler.oldestQueuedMs / 1000);
    this.gauges.concurrency.set(scheduler.concurrency);
    this.gauges.entries.set(scheduler.entries);
    this.gauges.schedulerRunning.set(scheduler.running ? 1 : 0);
    this.gauges.problems.set(info.problems.length);
    this.info.reset();
    this.info.set({ version: info.version, store: info.store }, 1);
    return this.registry.metrics();
  }

  /** Stops listening to the core's events. */
  close(): void {
    this.unsubscribe();
    this.unsubscribeAlerts();
  }

  private record(event: AppEvent): void {
    if (event.name === 'run.started') this.runStarted(event.data.run);
    else if (event.name === 'run.finished') this.runFinished(event.data.run);
  }

  private runStarted(run: Run): void {
    this.started.add(run.id);
    this.observeWrite('insert', run.startedAt);
    if (run.scheduledFor && FIRED_TRIGGERS.has(run.trigger.kind)) {
      const lateMs = Date.parse(run.startedAt) - Date.parse(run.scheduledFor);
      this.lateness.observe(
        { type: run.type, trigger: run.trigger.kind },
        Math.max(0, lateMs) / 1000,
      );
    }
  }

  private runFinished(run: Run): void {
    const { type, status } = run;
    this.runs.inc({ type, status });
    // A run recorded final at once (skipped, or failed before it could start) was inserted.
    const wasStarted = this.started.delete(run.id);
    if (run.finishedAt) this.observeWrite(wasStarted ? 'update' : 'insert', run.finishedAt);
    if (status !== 'skipped' && run.durationMs !== undefined) {
      this.duration.observe({ type, status }, run.durationMs / 1000);
    }
  }

  /** The runner announces a record right after the store wrote it: the time since its stamp. */
  private observeWrite(op: 'insert' | 'update', stampedAt: string): void {
    const ms = this.options.clock.now() - Date.parse(stampedAt);
    this.writes.observe({ op }, Math.max(0, ms) / 1000);
  }
}
