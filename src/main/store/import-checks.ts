/**
 * What an import must pass before anything is stored: every catalog record meets the rules of
 * record-checks.ts (the schemas and the `*.save` rules), and every reference holds in the store as
 * it will be after the import (the file's records over the store's): a task's configuration
 * exists, is of the task's type and serves its operation, the tasks it runs after meet the chain
 * rules (src/main/core/chain-rules.ts), an entry's task and configuration exist and fit. A bad
 * file is refused as one `VALIDATION` naming every bad record.
 */
import { compatibilityProblem } from '../../shared/compatibility';
import type { Configuration, ScheduleEntry, Settings, Task } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { ChainGraph } from '../core/chain-rules';
import { checkOperation } from '../core/config-rules';
import { EncryptingStore } from '../secrets/encrypting-store';
import {
  checkConfigRecord,
  checkEntryRecord,
  checkSettingsRecord,
  checkTaskRecord,
  describeIssue,
  idOf,
  type Checked,
  type RecordIssue,
  type RecordKind,
} from './record-checks';
import type { Store } from './types';

/** How many bad records the message names; all of them are in the error's details. */
export const ISSUES_SHOWN = 10;

export interface RawRecords {
  configs: readonly unknown[];
  tasks: readonly unknown[];
  schedules: readonly unknown[];
  settings?: unknown;
}

export interface CheckedRecords {
  configs: Configuration[];
  tasks: Task[];
  schedules: ScheduleEntry[];
  settings?: Settings;
  issues: RecordIssue[];
  /** Ids of records that failed their own checks (references to them are not reported again). */
  invalid: Record<Exclude<RecordKind, 'settings' | 'alert'>, Set<string>>;
}

function checkAll<T>(
  kind: RecordKind,
  values: readonly unknown[],
  check: (value: unknown) => Checked<T>,
  invalid: Set<string>,
  issues: RecordIssue[],
): T[] {
  const good: T[] = [];
  values.forEach((value, index) => {
    const checked = check(value);
    if (checked.ok) {
      good.push(checked.record);
      return;
    }
    const id = idOf(value);
    if (id !== undefined) invalid.add(id);
    issues.push(...checked.issues.map((issue) => ({ ...issue, kind, index })));
  });
  return good;
}

/** Checks each record on its own. */
export function checkRecords(raw: RawRecords): CheckedRecords {
  const issues: RecordIssue[] = [];
  const invalid = {
    config: new Set<string>(),
    task: new Set<string>(),
    schedule: new Set<string>(),
  };
  let settings: Settings | undefined;
  if (raw.settings !== undefined) {
    const checked = checkSettingsRecord(raw.settings);
    if (checked.ok) settings = checked.record;
    else issues.push(...checked.issues);
  }
  const defaultTimezone = settings?.defaultTimezone;
  return {
    configs: checkAll('config', raw.configs, checkConfigRecord, invalid.config, issues),
    tasks: checkAll('task', raw.tasks, checkTaskRecord, invalid.task, issues),
    schedules: checkAll(
      'schedule',
      raw.schedules,
      (value) => checkEntryRecord(value, defaultTimezone),
      invalid.schedule,
      issues,
    ),
    ...(settings ? { settings } : {}),
    issues,
    invalid,
  };
}

/** The store's configurations for type checks (sealed secrets are fine for that). */
async function storeConfigs(store: Store): Promise<Configuration[]> {
  try {
    return await store.listConfigs();
  } catch (error) {
    // A secret that will not decrypt must not hide every other problem of the file.
    if (store instanceof EncryptingStore) return store.listStoredConfigs();
    throw error;
  }
}

/**
 * The references of the catalog after the import (the file's records replacing the store's by id).
 * Only references that involve a record of the file are checked: the store's own are its business.
 */
export async function checkReferences(
  checked: CheckedRecords,
  store: Store,
): Promise<RecordIssue[]> {
  const issues: RecordIssue[] = [];
  const fromFile = {
    configs: new Map(checked.configs.map((c) => [c.id, c])),
    tasks: new Map(checked.tasks.map((t) => [t.id, t])),
  };
  const configs = new Map((await storeConfigs(store)).map((c) => [c.id, c]));
  for (const config of checked.configs) configs.set(config.id, config);
  const tasks = new Map((await store.listTasks()).map((t) => [t.id, t]));
  for (const task of checked.tasks) tasks.set(task.id, task);
  const chains = new ChainGraph(tasks);
  for (const task of checked.tasks) {
    for (const { index, message } of chains.issuesOf(tasks.get(task.id)!)) {
      // A parent that failed its own checks was reported already.
      if (checked.invalid.task.has(task.runAfter![index]!.taskId)) continue;
      issues.push({
        kind: 'task',
        id: task.id,
        field: `runAfter.${index}.taskId`,
        problem: message,
      });
    }
  }
  const schedules = new Map((await store.listSchedules()).map((e) => [e.id, e]));
  for (const entry of checked.schedules) schedules.set(entry.id, entry);
  const fileEntries = new Set(checked.schedules.map((e) => e.id));
  const where = (id: string, kind: 'config' | 'task'): string =>
    (kind === 'config' ? fromFile.configs : fromFile.tasks).has(id)
      ? 'in the file'
      : 'in the store';

  for (const task of tasks.values()) {
    const config = configs.get(task.configId);
    const involved = fromFile.tasks.has(task.id) || fromFile.configs.has(task.configId);
    if (!involved || checked.invalid.config.has(task.configId)) continue;
    // A store task made invalid by a configuration of the file: report it on the configuration.
    const blame: RecordIssue = fromFile.tasks.has(task.id)
      ? { kind: 'task', id: task.id, field: 'configId', problem: '' }
      : { kind: 'config', id: task.configId, field: 'type', problem: '' };
    if (!config) {
      issues.push({
        ...blame,
        problem: `no configuration "${task.configId}" in the file or the store; add it to the file or pick another one`,
      });
    } else {
      const problem = compatibilityProblem(task, config, checkOperation);
      if (problem?.kind === 'type') {
        issues.push({
          ...blame,
          problem: `configuration "${config.name}" (${where(config.id, 'config')}) is for ${config.type} tasks, but task "${task.name}" (${where(task.id, 'task')}) is a ${task.type} task`,
        });
      } else if (problem) {
        issues.push({ ...blame, problem: `task "${task.name}": ${problem.message}` });
      }
    }
  }

  for (const entry of schedules.values()) {
    const task = tasks.get(entry.taskId);
    const config = entry.configId !== undefined ? configs.get(entry.configId) : undefined;
    const involved =
      fileEntries.has(entry.id) ||
      fromFile.tasks.has(entry.taskId) ||
      (entry.configId !== undefined && fromFile.configs.has(entry.configId));
    if (!involved || checked.invalid.task.has(entry.taskId)) continue;
    if (entry.configId !== undefined && checked.invalid.config.has(entry.configId)) continue;
    const blame = (field: string): RecordIssue =>
      fileEntries.has(entry.id)
        ? { kind: 'schedule', id: entry.id, field, problem: '' }
        : fromFile.tasks.has(entry.taskId)
          ? { kind: 'task', id: entry.taskId, field: 'type', problem: '' }
          : { kind: 'config', id: entry.configId!, field: 'type', problem: '' };
    if (!task) {
      issues.push({
        ...blame('taskId'),
        problem: `no task "${entry.taskId}" in the file or the store; add the task to the file`,
      });
      continue;
    }
    if (entry.configId === undefined) continue;
    if (!config) {
      issues.push({
        ...blame('configId'),
        problem: `no configuration "${entry.configId}" in the file or the store`,
      });
    } else {
      const problem = compatibilityProblem(task, config, checkOperation);
      if (problem?.kind === 'type') {
        issues.push({
          ...blame('configId'),
          problem: `schedule entry ${entry.id} overrides task "${task.name}" (a ${task.type} task) with configuration "${config.name}", which is for ${config.type} tasks`,
        });
      } else if (problem) {
        issues.push({ ...blame('configId'), problem: problem.message });
      }
    }
  }
  return issues;
}

/** One `VALIDATION` naming the bad records (the first ISSUES_SHOWN; all in `details.records`). */
export function recordsRefused(where: string, issues: RecordIssue[]): AppError {
  const records = new Set(issues.map((i) => `${i.kind}\u0000${i.id ?? `#${i.index}`}`)).size;
  const shown = issues.slice(0, ISSUES_SHOWN).map(describeIssue);
  const more = issues.length - shown.length;
  return new AppError(
    'VALIDATION',
    `${where}: ${records} record${records === 1 ? ' is' : 's are'} not valid, so nothing was imported: ${shown.join('; ')}${more > 0 ? `; and ${more} more (all are listed in the error's details)` : ''}. Fix ${records === 1 ? 'it' : 'them'} in the file and import again`,
    { records: issues },
  );
}
