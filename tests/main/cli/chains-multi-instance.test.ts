/**
 * Chains with several instances (issue #15): three processes of the built service
 * (`out/server/index.js serve --store mongodb`) on one database (the wire-protocol stand-in, or
 * the server in MONGODB_URI). A task scheduled every second has a task that runs after it, which
 * has one of its own: each chained task runs exactly once per parent run, on the instance whose
 * runner ended the parent run, and each of its runs is one request to the target.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import type { Run } from '../../../src/shared/domain';
import { allRuns } from '../../support/fixtures';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { mongoTestTarget, uriWithDatabase, type MongoTestTarget } from '../../support/mongo-target';
import { killStarted, SERVE, start, type Proc } from '../../support/serve-process';

/** Parent runs that ended this long before the services were told to stop have their children. */
const SETTLED_MS = 1_000;

let mongo: MongoTestTarget;
let target: HttpTarget;
const dirs: string[] = [];
beforeAll(async () => {
  mongo = await mongoTestTarget();
  target = await startHttpTarget();
});
afterEach(async () => {
  killStarted();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await target.close();
  await mongo.stop();
});

/** The runs of `taskId`'s task that each run started, keyed by the parent run's id. */
function childrenByParent(runs: Run[], taskId: string): Map<string, Run[]> {
  const children = new Map<string, Run[]>();
  for (const run of runs) {
    if (run.taskId !== taskId || run.trigger.kind !== 'chain') continue;
    const list = children.get(run.trigger.parentRunId!) ?? [];
    list.push(run);
    children.set(run.trigger.parentRunId!, list);
  }
  return children;
}

describe('three service processes on one MongoDB', () => {
  it('run each chained task exactly once per parent run, on the instance that ended the parent', async () => {
    const database = `${mongo.database}_chains${randomBytes(2).toString('hex')}`;
    const mongoUri = uriWithDatabase(mongo.uri, database);
    const seeder = composeApp({ store: 'mongodb', dataDir: '', mongoUri, schedule: false });
    await seeder.start();
    const saveTask = async (name: string, runAfter?: string): Promise<string> => {
      const config = await seeder.core.call('configs.save', {
        config: { name, type: 'api', params: { url: `${target.url}/echo?task=${name}` } },
      });
      const task = await seeder.core.call('tasks.save', {
        task: {
          name,
          type: 'api',
          operation: 'read',
          configId: config.id,
          ...(runAfter ? { runAfter: [{ taskId: runAfter, when: 'succeeded' as const }] } : {}),
        },
      });
      return task.id;
    };
    const fetch = await saveTask('fetch');
    const save = await saveTask('save', fetch);
    const report = await saveTask('report', save);
    await seeder.core.call('schedules.save', {
      entry: { taskId: fetch, kind: 'frequency', everySeconds: 1 },
    });
    await seeder.stop();

    const dataDirs = await Promise.all([0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'chains-'))));
    dirs.push(...dataDirs);
    const env = { TASK_SCHEDULER_SECRET_KEY: randomBytes(32).toString('base64') };
    const services: Proc[] = dataDirs.map((dataDir) =>
      start(
        [SERVE, 'serve', '--store', 'mongodb', '--mongo-uri', mongoUri, '--port', '0'].concat([
          '--token',
          'chains-multi-instance-token',
          '--data-dir',
          dataDir,
        ]),
        env,
      ),
    );
    await Promise.all(services.map((s) => s.line(/listening on (http:\/\/\S+\/)\n/)));
    const reader = new MongoStore({ uri: mongoUri });
    await reader.open();
    try {
      await expect
        .poll(
          async () =>
            (await allRuns(reader)).filter((r) => r.taskId === report && r.status === 'succeeded')
              .length,
          { timeout: 30_000, interval: 250 },
        )
        .toBeGreaterThanOrEqual(8);
      const stoppingAt = Date.now();
      for (const service of services) service.child.kill('SIGTERM');
      expect(await Promise.all(services.map((s) => s.exited))).toEqual([0, 0, 0]);

      const runs = await allRuns(reader);
      const byId = new Map(runs.map((r) => [r.id, r]));
      for (const [parentTask, childTask] of [
        [fetch, save],
        [save, report],
      ] as const) {
        const children = childrenByParent(runs, childTask);
        const parents = runs.filter((r) => r.taskId === parentTask && r.status === 'succeeded');
        const settled = parents.filter((r) => Date.parse(r.finishedAt!) < stoppingAt - SETTLED_MS);
        expect(settled.length).toBeGreaterThanOrEqual(5);
        expect(settled.filter((p) => children.get(p.id)?.length !== 1).map((p) => p.id)).toEqual(
          [],
        );
        expect([...children.values()].filter((list) => list.length > 1)).toEqual([]);
        for (const [parentId, [child]] of children) {
          expect(child!.instanceId).toBe(byId.get(parentId)!.instanceId);
        }
      }
      // Every run that executed is one request to the target, for its task.
      for (const [task, name] of [
        [save, 'save'],
        [report, 'report'],
      ] as const) {
        const executed = runs.filter((r) => r.taskId === task && r.status !== 'skipped').length;
        const requests = target.requests.filter((r) => r.url === `/echo?task=${name}`).length;
        expect(requests).toBe(executed);
      }
      const instances = new Set(runs.filter((r) => r.taskId === fetch).map((r) => r.instanceId));
      expect(instances.size).toBeGreaterThanOrEqual(2);
    } finally {
      await reader.close().catch(() => undefined);
    }
  }, 90_000);
});
