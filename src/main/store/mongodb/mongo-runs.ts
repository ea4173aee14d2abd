/**
 * The mongodb store's run history: recording and updating runs, reading them one by one or a page
 * at a time (one index range scan), deleting, the ids of tasks with runs, runs left `running` by
 * instances that are gone, and retention. Which instances are alive is asked of the instances room
 * (`RunOwners`), which also heartbeats a runner's id before its first run is stored.
 */
import type { Filter } from 'mongodb';
import type { Run } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { toIso } from '../../core/clock';
import { childSearchFrom, decodeCursor, encodeCursor, literalPattern } from '../run-query';
import type { RetentionPolicy, RunDeletion, RunPage, RunQuery } from '../types';
import type { MongoConnection } from './mongo-connection';
import { COLLECTIONS, isDuplicateKey, runFromDoc, runToDoc, type Doc } from './mongo-docs';

/** What the run history needs to know about the instances that own runs. */
export interface RunOwners {
  /** Makes `instanceId` one of the ids this process heartbeats (a no-op when it already is). */
  adopt(instanceId: string): Promise<void>;
  /** The ids of instances whose lease has not expired. */
  liveInstanceIds(): Promise<Set<string>>;
}

export class MongoRuns {
  constructor(
    private readonly connection: MongoConnection,
    private readonly owners: RunOwners,
  ) {}

  async insertRun(run: Run): Promise<void> {
    if (run.status === 'running' && run.instanceId) {
      // Heartbeat the runner's id before its first run exists, so no sweep sees it ownerless.
      await this.owners.adopt(run.instanceId);
    }
    const doc = runToDoc(run);
    await this.connection.write(`record run ${run.id}`, async (attempt) => {
      try {
        await this.col().insertOne(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (attempt > 1) {
          // The first attempt was stored but its acknowledgement was lost: same run, done.
          const stored = await this.col().findOne({ _id: run.id });
          if (stored && JSON.stringify(runFromDoc(stored)) === JSON.stringify(runFromDoc(doc)))
            return;
        }
        throw new AppError(
          'CONFLICT',
          `MongoStore: run ${run.id} is already recorded; a new run needs a new id`,
        );
      }
    });
  }

  async updateRun(run: Run): Promise<void> {
    const doc = runToDoc(run);
    await this.connection.write(`update run ${run.id}`, async () => {
      const runs = this.col();
      const result = await runs.replaceOne({ _id: run.id, startedAt: run.startedAt }, doc);
      if (result.matchedCount === 1) return;
      const existing = await runs.findOne({ _id: run.id }, { projection: { startedAt: 1 } });
      if (!existing) {
        throw new AppError(
          'NOT_FOUND',
          `MongoStore: run ${run.id} does not exist; it may have been deleted`,
        );
      }
      throw new AppError(
        'VALIDATION',
        `MongoStore: run ${run.id} cannot change its startedAt (${String(existing.startedAt)} → ${run.startedAt})`,
      );
    });
  }

  async getRun(id: string): Promise<Run | undefined> {
    const doc = await this.connection.read(`read run ${id}`, () => this.col().findOne({ _id: id }));
    return doc ? runFromDoc(doc) : undefined;
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const filter: Filter<Doc> = {};
    if (query.taskId !== undefined) filter.taskId = query.taskId;
    if (query.type !== undefined) filter.type = query.type;
    if (query.status !== undefined) filter.status = query.status;
    if (query.parentRunId !== undefined) filter['trigger.parentRunId'] = query.parentRunId;
    if (query.configId !== undefined) filter.configId = query.configId;
    const either: Array<Filter<Doc>[]> = [];
    if (query.q !== undefined) {
      // Matched literally, case-insensitively (as matchesRunRecord does for the other stores).
      const text = { $regex: literalPattern(query.q), $options: 'i' };
      either.push([{ taskName: text }, { configName: text }, { 'error.message': text }]);
    }
    const range: Record<string, string> = {};
    // A run's children start after it: the startedAt index then scans only the runs since.
    const from = childSearchFrom(query);
    if (from !== undefined) range.$gte = from;
    if (query.to !== undefined) range.$lt = query.to;
    if (Object.keys(range).length) filter.startedAt = range;
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      either.push([
        { startedAt: { $lt: after.startedAt } },
        { startedAt: after.startedAt, _id: { $lt: after.id } },
      ]);
    }
    if (either.length === 1) filter.$or = either[0]!;
    else if (either.length > 1) filter.$and = either.map((ors) => ({ $or: ors }));
    const docs = await this.connection.read('list runs', () =>
      this.col()
        .find(filter)
        .sort({ startedAt: -1, _id: -1 })
        .limit(query.limit + 1)
        .toArray(),
    );
    const items = docs.slice(0, query.limit).map(runFromDoc);
    if (docs.length > query.limit) {
      const last = items[items.length - 1]!;
      return { items, nextCursor: encodeCursor(last) };
    }
    return { items };
  }

  async deleteRuns(which: RunDeletion): Promise<number> {
    const filter: Filter<Doc> =
      'ids' in which
        ? { _id: { $in: which.ids } }
        : 'taskId' in which
          ? { taskId: which.taskId }
          : { startedAt: { $gte: which.from, $lt: which.to } };
    return this.connection.write('delete runs', async () => {
      const result = await this.col().deleteMany(filter);
      return result.deletedCount;
    });
  }

  async taskIdsWithRuns(from?: string, to?: string): Promise<Set<string>> {
    const filter: Filter<Doc> = {};
    const range: Record<string, string> = {};
    if (from !== undefined) range.$gte = from;
    if (to !== undefined) range.$lt = to;
    if (Object.keys(range).length) filter.startedAt = range;
    const ids = await this.connection.read('list tasks with runs', () =>
      this.col().distinct('taskId', filter),
    );
    return new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''));
  }

  /**
   * Runs left `running` by instances that are gone (no live heartbeat). Runs of live instances
   * (including other machines) are theirs to finish.
   */
  async listRunningRuns(): Promise<Run[]> {
    const live = await this.owners.liveInstanceIds();
    const docs = await this.connection.read('list running runs', () =>
      this.col()
        .find({ status: 'running', instanceId: { $nin: [...live] } })
        .sort({ startedAt: 1, _id: 1 })
        .toArray(),
    );
    return docs.map(runFromDoc);
  }

  async applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    let dropped = 0;
    const runs = this.col();
    if (policy.maxAgeDays !== undefined) {
      const cutoff = toIso(nowMs - policy.maxAgeDays * 86_400_000);
      dropped += await this.connection.write('apply run retention', async () => {
        return (await runs.deleteMany({ startedAt: { $lt: cutoff } })).deletedCount;
      });
    }
    if (policy.maxRuns !== undefined) {
      const [oldestKept] = await this.connection.read('apply run retention', () =>
        runs
          .find({}, { projection: { startedAt: 1 } })
          .sort({ startedAt: -1, _id: -1 })
          .skip(policy.maxRuns! - 1)
          .limit(1)
          .toArray(),
      );
      if (oldestKept) {
        const at = String(oldestKept.startedAt);
        dropped += await this.connection.write('apply run retention', async () => {
          const result = await runs.deleteMany({
            $or: [{ startedAt: { $lt: at } }, { startedAt: at, _id: { $lt: oldestKept._id } }],
          });
          return result.deletedCount;
        });
      }
    }
    return dropped;
  }

  private col(): ReturnType<MongoConnection['col']> {
    return this.connection.col(COLLECTIONS.runs);
  }
}
