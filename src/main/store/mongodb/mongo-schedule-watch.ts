/**
 * The mongodb store's schedule watching: reports schedule entries created, edited or deleted by
 * other instances, through a change stream where the server offers one (probed first; an error
 * later falls back to polling), else by polling `{_id, updatedAt}` every `pollMs`. It keeps the
 * last `updatedAt` of each entry this instance knows, so its own edits are not reported back.
 */
import type { ChangeStream, Document } from 'mongodb';
import type { ScheduleEntry } from '../../../shared/domain';
import type { Clock, TimerHandle } from '../../core/clock';
import type { ScheduleChangeListener } from '../types';
import type { MongoConnection } from './mongo-connection';
import { checkEntry, COLLECTIONS, plainFromDoc } from './mongo-docs';
import type { RecordGate } from './record-gate';

export interface ScheduleWatchOptions {
  clock: Clock;
  /** Polling period when change streams are unavailable. */
  pollMs: number;
  /** `auto` tries change streams and falls back to polling; `poll` never tries. */
  changeDetection: 'auto' | 'poll';
}

export type ChangeDetection = 'none' | 'change-stream' | 'poll';

export class ScheduleWatch {
  private readonly clock: Clock;
  /** Last `updatedAt` of each entry as this instance knows it; changes elsewhere differ. */
  private readonly knownSchedules = new Map<string, string>();
  private readonly scheduleListeners = new Set<ScheduleChangeListener>();
  private changeStream: ChangeStream | undefined;
  private pollTimer: TimerHandle | undefined;
  private polling: Promise<void> | undefined;
  private watchMode: ChangeDetection = 'none';

  constructor(
    private readonly connection: MongoConnection,
    private readonly gate: RecordGate,
    private readonly catalog: { listSchedules(): Promise<ScheduleEntry[]> },
    private readonly options: ScheduleWatchOptions,
  ) {
    this.clock = options.clock;
  }

  /** How schedule changes from other instances are detected right now. */
  get mode(): ChangeDetection {
    return this.watchMode;
  }

  /** Subscribes; the first subscriber starts the watching. Returns the unsubscribe function. */
  async watchSchedules(listener: ScheduleChangeListener): Promise<() => void> {
    this.scheduleListeners.add(listener);
    if (this.watchMode === 'none') {
      await this.snapshotSchedules();
      if (this.options.changeDetection !== 'poll' && (await this.startChangeStream())) {
        this.watchMode = 'change-stream';
      } else {
        this.startPolling();
      }
    }
    return () => {
      this.scheduleListeners.delete(listener);
    };
  }

  /** An entry this instance wrote: not a change to report when it is seen again. */
  saved(entry: ScheduleEntry): void {
    this.knownSchedules.set(entry.id, entry.updatedAt);
  }

  /** Entries this instance deleted: their removal is not reported back. */
  deleted(ids: string[]): void {
    for (const id of ids) this.knownSchedules.delete(id);
  }

  /** Stops the polling timer (a poll in flight finishes; see `stop`). */
  stopTimer(): void {
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
  }

  /** Waits for a poll in flight and closes the change stream; nothing is watched afterwards. */
  async stop(): Promise<void> {
    await this.polling?.catch(() => undefined);
    await this.changeStream?.close().catch(() => undefined);
    this.changeStream = undefined;
    this.watchMode = 'none';
  }

  /** One polling round: compares every entry's `updatedAt` with what this instance knows. */
  async pollOnce(): Promise<void> {
    const docs = await this.connection.read('poll schedule entries', () =>
      this.connection
        .col(COLLECTIONS.schedules)
        .find({}, { projection: { _id: 1, updatedAt: 1 } })
        .toArray(),
    );
    const seen = new Set<string>();
    const changed: string[] = [];
    for (const doc of docs) {
      seen.add(doc._id);
      if (this.knownSchedules.get(doc._id) !== doc.updatedAt) changed.push(doc._id);
    }
    for (const id of [...this.knownSchedules.keys()]) {
      if (!seen.has(id)) this.reportRemoved(id);
    }
    if (changed.length) {
      const full = await this.connection.read('poll schedule entries', () =>
        this.connection
          .col(COLLECTIONS.schedules)
          .find({ _id: { $in: changed } })
          .toArray(),
      );
      for (const doc of full) {
        const entry = this.gate.one(
          'schedule',
          COLLECTIONS.schedules,
          doc,
          plainFromDoc,
          checkEntry,
        );
        if (entry) this.reportChanged(entry);
      }
    }
  }

  private async snapshotSchedules(): Promise<void> {
    const entries = await this.catalog.listSchedules();
    if (this.knownSchedules.size === 0) {
      for (const e of entries) this.knownSchedules.set(e.id, e.updatedAt);
    }
  }

  private async startChangeStream(): Promise<boolean> {
    // A standalone server refuses change streams at the first fetch: probe with a throwaway
    // stream, then resume the real one right after the probe so nothing falls in between.
    const schedules = (): ReturnType<MongoConnection['col']> =>
      this.connection.col(COLLECTIONS.schedules);
    const probe = schedules().watch([], { fullDocument: 'updateLookup' });
    let timer: TimerHandle | undefined;
    let first: Document | null;
    try {
      first = await Promise.race([
        probe.tryNext(),
        new Promise<never>((_resolve, reject) => {
          timer = this.clock.setTimeout(
            () => reject(new Error('no answer from the change stream')),
            this.connection.timeoutMs,
          );
        }),
      ]);
    } catch {
      await probe.close().catch(() => undefined);
      return false;
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
    const token = probe.resumeToken;
    await probe.close().catch(() => undefined);
    if (first) this.onScheduleChange(first);
    const stream = schedules().watch([], {
      fullDocument: 'updateLookup',
      ...(token ? { startAfter: token } : {}),
    });
    this.changeStream = stream;
    stream.on('change', (change: Document) => this.onScheduleChange(change));
    stream.on('error', () => {
      // Lost the stream (e.g. a failover beyond its resume window): fall back to polling.
      this.changeStream = undefined;
      void stream.close().catch(() => undefined);
      if (!this.connection.closing) this.startPolling();
    });
    return true;
  }

  private onScheduleChange(change: Document): void {
    const id = String((change.documentKey as { _id?: unknown } | undefined)?._id ?? '');
    if (change.operationType === 'delete') this.reportRemoved(id);
    else if (change.fullDocument) {
      const entry = this.gate.one(
        'schedule',
        COLLECTIONS.schedules,
        change.fullDocument as Document,
        plainFromDoc,
        checkEntry,
      );
      if (entry) this.reportChanged(entry);
    }
  }

  private startPolling(): void {
    this.watchMode = 'poll';
    if (this.connection.closing || this.pollTimer !== undefined) return;
    const tick = (): void => {
      this.pollTimer = this.clock.setTimeout(() => {
        this.polling = this.pollOnce()
          .catch(() => undefined) // unreachable for now: the next poll catches up
          .finally(() => {
            if (!this.connection.closing) tick();
          });
      }, this.options.pollMs);
    };
    tick();
  }

  private reportChanged(entry: ScheduleEntry): void {
    if (this.knownSchedules.get(entry.id) === entry.updatedAt) return;
    this.knownSchedules.set(entry.id, entry.updatedAt);
    for (const listener of this.scheduleListeners) listener.changed(entry);
  }

  private reportRemoved(id: string): void {
    if (!id || !this.knownSchedules.has(id)) return;
    this.knownSchedules.delete(id);
    for (const listener of this.scheduleListeners) listener.removed(id);
  }
}
