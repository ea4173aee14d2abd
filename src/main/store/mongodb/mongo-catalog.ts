/**
 * The mongodb store's catalog: configurations, tasks, schedule entries (with their tombstones and
 * the scheduler's state writes) and settings. Every document read back goes through the record
 * gate; every write goes through the connection's retry wrapper and is idempotent.
 */
import type { Alert } from '../../../shared/alerts';
import type { Configuration, ScheduleEntry, Settings, Task } from '../../../shared/domain';
import { toIso, type Clock } from '../../core/clock';
import { checkAlertRecord, checkConfigRecord, checkTaskRecord } from '../record-checks';
import type { ScheduleState } from '../types';
import type { MongoConnection } from './mongo-connection';
import {
  ALERT_JSON_FIELDS,
  alertFromDoc,
  checkEntry,
  COLLECTIONS,
  CONFIG_JSON_FIELDS,
  configFromDoc,
  isDuplicateKey,
  plainFromDoc,
  SETTINGS_ID,
  toDoc,
  type Doc,
} from './mongo-docs';
import type { RecordGate } from './record-gate';

export class MongoCatalog {
  constructor(
    private readonly connection: MongoConnection,
    private readonly clock: Clock,
    private readonly gate: RecordGate,
  ) {}

  async listConfigs(): Promise<Configuration[]> {
    const docs = await this.connection.read('list configurations', () =>
      this.col(COLLECTIONS.configs).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('config', COLLECTIONS.configs, docs, configFromDoc, checkConfigRecord);
  }
  async getConfig(id: string): Promise<Configuration | undefined> {
    const doc = await this.connection.read(`read configuration ${id}`, () =>
      this.col(COLLECTIONS.configs).findOne({ _id: id }),
    );
    if (!doc) return undefined;
    return this.gate.one('config', COLLECTIONS.configs, doc, configFromDoc, checkConfigRecord);
  }
  async putConfig(config: Configuration): Promise<void> {
    await this.replace(COLLECTIONS.configs, toDoc(config, CONFIG_JSON_FIELDS), 'configuration');
  }
  async deleteConfigs(ids: string[]): Promise<number> {
    return this.deleteIds(COLLECTIONS.configs, ids, 'configurations');
  }

  async listTasks(): Promise<Task[]> {
    const docs = await this.connection.read('list tasks', () =>
      this.col(COLLECTIONS.tasks).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('task', COLLECTIONS.tasks, docs, plainFromDoc, checkTaskRecord);
  }
  async getTask(id: string): Promise<Task | undefined> {
    const doc = await this.connection.read(`read task ${id}`, () =>
      this.col(COLLECTIONS.tasks).findOne({ _id: id }),
    );
    return doc
      ? this.gate.one('task', COLLECTIONS.tasks, doc, plainFromDoc, checkTaskRecord)
      : undefined;
  }
  async putTask(task: Task): Promise<void> {
    await this.replace(COLLECTIONS.tasks, toDoc(task), 'task');
  }
  async deleteTasks(ids: string[]): Promise<number> {
    return this.deleteIds(COLLECTIONS.tasks, ids, 'tasks');
  }

  async listSchedules(): Promise<ScheduleEntry[]> {
    const docs = await this.connection.read('list schedule entries', () =>
      this.col(COLLECTIONS.schedules).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('schedule', COLLECTIONS.schedules, docs, plainFromDoc, checkEntry);
  }
  async getSchedule(id: string): Promise<ScheduleEntry | undefined> {
    const doc = await this.connection.read(`read schedule entry ${id}`, () =>
      this.col(COLLECTIONS.schedules).findOne({ _id: id }),
    );
    return doc
      ? this.gate.one('schedule', COLLECTIONS.schedules, doc, plainFromDoc, checkEntry)
      : undefined;
  }

  /**
   * Last edit wins by `updatedAt`: a stale copy (an instance that fired an entry another instance
   * just edited or deleted) only advances `lastRunAt`, and never brings a deleted entry back.
   */
  async putSchedule(entry: ScheduleEntry): Promise<void> {
    const doc = toDoc(entry);
    const schedules = this.col(COLLECTIONS.schedules);
    await this.connection.write(`save schedule entry ${entry.id}`, async () => {
      const tombstone = await this.col(COLLECTIONS.scheduleTombstones).findOne({ _id: entry.id });
      if (tombstone && String(tombstone.deletedAt) > entry.updatedAt) return;
      try {
        await schedules.replaceOne({ _id: entry.id, updatedAt: { $lte: entry.updatedAt } }, doc, {
          upsert: true,
        });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A newer edit is stored: keep it, and only record that this copy fired.
        if (entry.lastRunAt !== undefined) {
          await schedules.updateOne(
            {
              _id: entry.id,
              $or: [{ lastRunAt: { $exists: false } }, { lastRunAt: { $lt: entry.lastRunAt } }],
            },
            { $set: { lastRunAt: entry.lastRunAt } },
          );
        }
        return;
      }
      if (tombstone) await this.col(COLLECTIONS.scheduleTombstones).deleteOne({ _id: entry.id });
    });
  }

  /** Leaves a tombstone per id (so a stale copy cannot revive it), then deletes the entries. */
  async deleteSchedules(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const now = this.clock.now();
    await this.connection.write('record deleted schedule entries', () =>
      this.col(COLLECTIONS.scheduleTombstones).bulkWrite(
        ids.map((id) => ({
          replaceOne: {
            filter: { _id: id },
            replacement: { _id: id, deletedAt: toIso(now), deletedAtDate: new Date(now) },
            upsert: true,
          },
        })),
      ),
    );
    return this.deleteIds(COLLECTIONS.schedules, ids, 'schedule entries');
  }

  /**
   * One bulk write of field updates: `$max` keeps the latest lastRunAt whichever instance writes
   * last, nothing is upserted (a deleted entry stays deleted), and `updatedAt` is untouched, so
   * other instances do not see an edit.
   */
  async saveScheduleState(states: ScheduleState[]): Promise<void> {
    if (states.length === 0) return;
    await this.connection.write('save schedule state', () =>
      this.col(COLLECTIONS.schedules).bulkWrite(
        states.map((state) => ({
          updateOne: {
            filter: { _id: state.id },
            update: {
              ...(state.lastRunAt !== undefined ? { $max: { lastRunAt: state.lastRunAt } } : {}),
              ...(state.nextRunAt !== undefined
                ? { $set: { nextRunAt: state.nextRunAt } }
                : { $unset: { nextRunAt: '' } }),
            },
          },
        })),
        { ordered: false },
      ),
    );
  }

  /**
   * Lets `putSchedule` bring back entries deleted earlier (an import restoring a backup); the
   * tombstones otherwise stop stale copies from reviving them.
   */
  async forgetScheduleDeletions(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.connection.write('restore deleted schedule entries', () =>
      this.col(COLLECTIONS.scheduleTombstones).deleteMany({ _id: { $in: ids } }),
    );
  }

  async getSettings(): Promise<Settings | undefined> {
    const doc = await this.connection.read('read settings', () =>
      this.col(COLLECTIONS.settings).findOne({ _id: SETTINGS_ID }),
    );
    if (!doc) return undefined;
    const { _id: _ignored, ...settings } = doc;
    return this.gate.settings(COLLECTIONS.settings, settings);
  }
  async putSettings(settings: Settings): Promise<void> {
    await this.replace(COLLECTIONS.settings, { ...settings, _id: SETTINGS_ID }, 'settings');
  }

  async listAlerts(): Promise<Alert[]> {
    const docs = await this.connection.read('list alerts', () =>
      this.col(COLLECTIONS.alerts).find({}).sort({ _id: 1 }).toArray(),
    );
    return this.gate.all('alert', COLLECTIONS.alerts, docs, alertFromDoc, checkAlertRecord);
  }
  async getAlert(id: string): Promise<Alert | undefined> {
    const doc = await this.connection.read(`read alert ${id}`, () =>
      this.col(COLLECTIONS.alerts).findOne({ _id: id }),
    );
    return doc
      ? this.gate.one('alert', COLLECTIONS.alerts, doc, alertFromDoc, checkAlertRecord)
      : undefined;
  }
  async putAlert(alert: Alert): Promise<void> {
    await this.replace(COLLECTIONS.alerts, toDoc(alert, ALERT_JSON_FIELDS), 'alert');
  }
  async deleteAlerts(ids: string[]): Promise<number> {
    return this.deleteIds(COLLECTIONS.alerts, ids, 'alerts');
  }

  private col(name: string): ReturnType<MongoConnection['col']> {
    return this.connection.col(name);
  }

  private async replace(name: string, doc: Doc, what: string): Promise<void> {
    await this.connection.write(`save ${what} ${doc._id}`, () =>
      this.col(name).replaceOne({ _id: doc._id }, doc, { upsert: true }),
    );
  }

  private async deleteIds(name: string, ids: string[], what: string): Promise<number> {
    if (ids.length === 0) return 0;
    // Counted before deleting, so a retried delete still reports what existed.
    let existed: number | undefined;
    return this.connection.write(`delete ${what}`, async () => {
      existed ??= await this.col(name).countDocuments({ _id: { $in: ids } });
      await this.col(name).deleteMany({ _id: { $in: ids } });
      return existed;
    });
  }
}
