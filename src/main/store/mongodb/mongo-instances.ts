/**
 * The mongodb store's instances: claims of scheduled fires (one unique `_id` per entry and slot),
 * this process's heartbeats in `instances` (its own id plus the runners' ids it adopts), which
 * instances are alive, the sweep that marks runs of dead instances `interrupted`, the background
 * heartbeat-and-sweep round with its last error, and giving the lease up on close.
 */
import { toIso, type Clock, type TimerHandle } from '../../core/clock';
import type { MongoConnection } from './mongo-connection';
import { COLLECTIONS, isDuplicateKey, messageOf, runFromDoc, type Doc } from './mongo-docs';
import type { RunOwners } from './mongo-runs';

export interface MongoInstancesOptions {
  instanceId: string;
  clock: Clock;
  /** How often the background round heartbeats and sweeps. */
  heartbeatMs: number;
  /** An instance whose heartbeat is older than this is dead. */
  leaseMs: number;
}

export class MongoInstances implements RunOwners {
  private readonly instanceId: string;
  private readonly clock: Clock;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  /** Instance ids whose runs this process writes (its own, plus the runner's). */
  private readonly liveIds = new Set<string>();
  private heartbeatTimer: TimerHandle | undefined;
  private heartbeatRunning: Promise<void> | undefined;
  /** Failures of the background heartbeat/sweep, surfaced by `lastBackgroundError`. */
  private backgroundError: string | undefined;

  constructor(
    private readonly connection: MongoConnection,
    options: MongoInstancesOptions,
  ) {
    this.instanceId = options.instanceId;
    this.clock = options.clock;
    this.heartbeatMs = options.heartbeatMs;
    this.leaseMs = options.leaseMs;
    this.liveIds.add(this.instanceId);
  }

  /** The last error of the background heartbeat or sweep, if the last round failed. */
  get lastBackgroundError(): string | undefined {
    return this.backgroundError;
  }

  /** Heartbeats once, then every `heartbeatMs` (with a sweep) until the connection closes. */
  async start(): Promise<void> {
    await this.heartbeat();
    this.scheduleHeartbeat();
  }

  /** Stops the background round from firing again (a round in flight finishes; see `idle`). */
  stopTimer(): void {
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
  }

  /** Resolves once the background round in flight, if any, has ended. */
  async idle(): Promise<void> {
    await this.heartbeatRunning?.catch(() => undefined);
  }

  /** A clean stop gives up the lease at once, so others need not wait for it to expire. */
  async release(): Promise<void> {
    await this.connection
      .col(COLLECTIONS.instances)
      .deleteMany({ _id: { $in: [...this.liveIds] } })
      .catch(() => undefined);
  }

  /**
   * Claims one scheduled fire for this instance. The claim's `_id` is "<entryId>|<scheduledFor>",
   * so of any number of instances exactly one insert succeeds.
   */
  async claim(entryId: string, scheduledFor: string): Promise<boolean> {
    const id = `${entryId}|${scheduledFor}`;
    const now = this.clock.now();
    const doc: Doc = {
      _id: id,
      entryId,
      scheduledFor,
      instanceId: this.instanceId,
      claimedAt: new Date(now),
      leaseUntil: new Date(now + this.leaseMs),
    };
    return this.connection.write(`claim ${id}`, async (attempt) => {
      try {
        await this.connection.col(COLLECTIONS.claims).insertOne(doc);
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (attempt === 1) return false;
        // After a lost acknowledgement the winner may be this very instance.
        const stored = await this.connection.col(COLLECTIONS.claims).findOne({ _id: id });
        return stored?.instanceId === this.instanceId;
      }
    });
  }

  async adopt(instanceId: string): Promise<void> {
    if (this.liveIds.has(instanceId)) return;
    this.liveIds.add(instanceId);
    await this.heartbeat();
  }

  async liveInstanceIds(): Promise<Set<string>> {
    const now = new Date(this.clock.now());
    const docs = await this.connection.read('list live instances', () =>
      this.connection
        .col(COLLECTIONS.instances)
        .find({ leaseUntil: { $gt: now } }, { projection: { _id: 1 } })
        .toArray(),
    );
    return new Set(docs.map((d) => d._id));
  }

  /** Runs of instances whose lease expired become `interrupted` (each run exactly once). */
  async sweepDeadInstances(): Promise<number> {
    const live = await this.liveInstanceIds();
    const nowMs = this.clock.now();
    // Runs with no owner are only swept once they are older than a lease (they may be brand new).
    const ownerless = toIso(nowMs - this.leaseMs);
    const runs = this.connection.col(COLLECTIONS.runs);
    const doomed = await runs
      .find({
        status: 'running',
        $or: [
          { instanceId: { $exists: true, $nin: [...live] } },
          { instanceId: { $exists: false }, startedAt: { $lt: ownerless } },
        ],
      })
      .toArray();
    let swept = 0;
    for (const doc of doomed) {
      const run = runFromDoc(doc);
      const finishedMs = Math.max(nowMs, Date.parse(run.startedAt));
      const result = await runs.updateOne(
        { _id: run.id, status: 'running' },
        {
          $set: {
            status: 'interrupted',
            finishedAt: toIso(finishedMs),
            durationMs: finishedMs - Date.parse(run.startedAt),
            error: {
              code: 'INTERRUPTED',
              message: `The instance running this run (${run.instanceId ?? 'unknown'}) stopped heartbeating for over ${Math.round(this.leaseMs / 1000)} s (crash, kill or lost connection); it was not run again`,
            },
          },
        },
      );
      swept += result.modifiedCount;
    }
    return swept;
  }

  private async heartbeat(): Promise<void> {
    const now = this.clock.now();
    await this.connection.col(COLLECTIONS.instances).bulkWrite(
      [...this.liveIds].map((id) => ({
        replaceOne: {
          filter: { _id: id },
          replacement: {
            _id: id,
            heartbeatAt: new Date(now),
            leaseUntil: new Date(now + this.leaseMs),
            store: this.instanceId,
          },
          upsert: true,
        },
      })),
    );
  }

  private scheduleHeartbeat(): void {
    if (this.connection.closing || !this.connection.isOpen) return;
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatRunning = (async () => {
        try {
          await this.heartbeat();
          await this.sweepDeadInstances();
          this.backgroundError = undefined;
        } catch (error) {
          // The database may be away for a while; the next round tries again.
          this.backgroundError = this.connection.scrub(messageOf(error));
        }
      })();
      void this.heartbeatRunning.finally(() => this.scheduleHeartbeat());
    }, this.heartbeatMs);
  }
}
