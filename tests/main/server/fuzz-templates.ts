/** The valid params the service fuzz suite (fuzz-service.test.ts) starts from, per method. */
import { join } from 'node:path';

/** Methods that only read: their answers need no before/after comparison. */
export const READS: ReadonlySet<string> = new Set([
  'tasks.list',
  'tasks.get',
  'runs.list',
  'runs.get',
  'runs.latest',
  'runs.deletedTasks',
  'runs.stats',
  'system.exportData',
  'configs.list',
  'configs.get',
  'schedules.list',
  'schedules.get',
  'schedules.preview',
  'settings.get',
  'system.info',
]);

/** Valid params per method over the seeded data; the fuzzer edits them. */
export function fuzzTemplates(
  seed: Record<string, string>,
  dir: string,
): Record<string, unknown[]> {
  const api = {
    name: 'Fuzz api',
    type: 'api',
    params: {
      url: 'http://127.0.0.1:1/',
      method: 'POST',
      body: { a: [1, 'x'] },
      variables: { x: '1' },
    },
  };
  const file = {
    name: 'Fuzz file',
    type: 'file',
    params: {
      location: join(dir, 'out.json'),
      format: 'json',
      content: { a: 1 },
      writeMode: 'overwrite',
    },
  };
  const db = {
    name: 'Fuzz db',
    type: 'db',
    params: {
      uri: 'mongodb://127.0.0.1:1',
      database: 'd',
      collection: 'c',
      find: { filter: { a: 1 }, sort: { a: 1 }, limit: 5 },
      update: { filter: { a: 1 }, update: { $set: { b: 2 } } },
      timeoutMs: 1000,
    },
  };
  const entry = {
    taskId: seed.apiTask,
    kind: 'frequency',
    everySeconds: 86_400,
    enabled: false,
    startAt: '2030-01-01T00:00:00Z',
    endAt: '2031-01-01T00:00:00Z',
    overlap: 'skip',
    missed: 'skip',
  };
  const task = {
    name: 'Fuzz task',
    type: 'api',
    operation: 'read',
    configId: seed.apiConfig,
    timeoutMs: 2000,
    retry: { attempts: 2, backoffMs: 10, factor: 2 },
    successStatuses: ['2xx'],
  };
  return {
    'tasks.list': [{ type: 'api', ranFrom: '2026-01-01T00:00:00Z', ranTo: '2036-01-01T00:00:00Z' }],
    'tasks.get': [{ id: seed.apiTask }],
    'tasks.save': [{ task }, { task: { ...task, id: seed.apiTask, name: 'Seed api task' } }],
    'tasks.run': [
      { id: seed.fileTask, wait: true },
      { id: seed.apiTask, wait: false },
    ],
    'tasks.delete': [{ id: 'no-such-task' }],
    'runs.list': [
      { taskId: seed.fileTask, status: 'succeeded', from: '2026-01-01T00:00:00Z', limit: 5 },
      { q: 'fuzz', configId: seed.apiConfig, limit: 5 },
    ],
    'runs.get': [{ id: seed.run }],
    'runs.cancel': [{ id: seed.run }],
    'runs.deletedTasks': [{}],
    'runs.stats': [
      { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', buckets: 30 },
      { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', taskId: seed.apiTask },
    ],
    'runs.latest': [{ taskIds: [seed.fileTask, seed.apiTask] }],
    'runs.delete': [
      { ids: ['no-such-run'] },
      { from: '1990-01-01T00:00:00Z', to: '1990-01-02T00:00:00Z' },
    ],
    'configs.list': [{ type: 'file', unused: false }],
    'configs.get': [{ id: seed.apiConfig, reveal: true }],
    'configs.save': [{ config: api }, { config: file }, { config: db }],
    'configs.delete': [{ id: 'no-such-config' }],
    'configs.deleteUnused': [{}],
    'configs.test': [
      {
        config: { name: 'Read', type: 'file', params: { location: join(dir, 'in.txt') } },
        operation: 'read',
      },
      { config: file, operation: 'write' },
      { config: api, operation: 'write' },
    ],
    'schedules.list': [{ taskId: seed.apiTask, enabled: false }],
    'schedules.get': [{ id: seed.entry }],
    'schedules.save': [
      { entry },
      {
        entry: {
          ...entry,
          kind: 'cron',
          everySeconds: undefined,
          cron: '0 9 * * 1-5',
          timezone: 'Europe/Berlin',
        },
      },
    ],
    'schedules.delete': [{ id: 'no-such-entry' }],
    'schedules.preview': [
      { kind: 'frequency', everySeconds: 60, startAt: '2030-01-01T00:00:00Z', count: 5 },
      { kind: 'cron', cron: '*/5 * * * *', timezone: 'UTC', count: 3 },
    ],
    'settings.get': [{}],
    'settings.save': [
      {
        settings: {
          retention: { maxAgeDays: 90 },
          concurrency: 4,
          resultMaxBytes: 65_536,
          shutdownGraceMs: 1000,
          notifications: 'never',
          notifyAfterFailures: 3,
        },
      },
    ],
    'system.info': [{}],
    'system.export': [{ file: join(dir, 'export.json'), includeSecrets: false }],
    'system.import': [{ file: join(dir, 'export.json') }],
    'system.exportData': [{ includeSecrets: false, runs: false }],
    // A valid, empty export: the fuzzer's edits of it must be refused with nothing stored.
    'system.importData': [
      {
        dump: {
          format: 'task-scheduler-export',
          version: 2,
          exportedAt: '2026-01-01T00:00:00.000Z',
          secrets: 'clear',
          counts: { configs: 0, tasks: 0, schedules: 0, alerts: 0, settings: 0, runs: 0 },
          configs: [],
          tasks: [],
          schedules: [],
          alerts: [],
          runs: [],
        },
        fileName: 'fuzz.json',
      },
    ],
  };
}
