/**
 * Several instances as operators deploy them: three processes of the built service
 * (`out/server/index.js serve --store mongodb`) on one database (the wire-protocol stand-in, or
 * the server in MONGODB_URI). Every (entry, slot) runs exactly once across them, the target gets
 * one request per run, and edits made on one instance apply on the others within the documented
 * delay (change polling every 2 s where the server has no change streams, plus one slot).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/main/compose';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';
import type { Run, ScheduleEntry } from '../../../src/shared/domain';
import { allRuns } from '../../support/fixtures';
import { mongoTestTarget, uriWithDatabase, type MongoTestTarget } from '../../support/mongo-target';
import { killStarted, SERVE, start, type Proc } from '../../support/serve-process';

/** How long an edit on one instance may take to apply on the others (docs/mongodb.md). */
const EDIT_DELAY_MS = 2_000 + 1_000;
const TOKEN = 'multi-instance-token';

let target: MongoTestTarget;
const dirs: string[] = [];
beforeAll(async () => {
  target = await mongoTestTarget();
});
afterEach(async () => {
  killStarted();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await target.stop();
});

/** A target counting requests per path. */
async function startTarget(): Promise<{
  url: string;
  hits: Map<string, number>;
  close: () => Promise<void>;
}> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((res) => server.close(res));
    },
  };
}

async function call<T>(base: string, method: string, params: unknown): Promise<T> {
  const res = await fetch(`${base}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { result?: T; error?: unknown };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(body.error)}`);
  return body.result!;
}

function slotsPerEntry(runs: Run[]): Map<string, number[]> {
  const perEntry = new Map<string, number[]>();
  for (const run of runs) {
    if (!run.trigger.scheduleId || !run.scheduledFor) continue;
    const list = perEntry.get(run.trigger.scheduleId) ?? [];
    list.push(Date.parse(run.scheduledFor));
    perEntry.set(run.trigger.scheduleId, list);
  }
  for (const list of perEntry.values()) list.sort((a, b) => a - b);
  return perEntry;
}

/** Steps between consecutive slots that differ from `stepMs`. */
function gaps(slots: number[], stepMs: number): string[] {
  const found: string[] = [];
  for (let i = 1; i < slots.length; i++) {
    if (slots[i]! - slots[i - 1]! !== stepMs) {
      found.push(`${new Date(slots[i - 1]!).toISOString()} → ${new Date(slots[i]!).toISOString()}`);
    }
  }
  return found;
}

describe('three service processes on one MongoDB', () => {
  it('run every (entry, slot) exactly once between them, and apply an edit or a disable made on any one', async () => {
    const database = `${target.database}_serve${randomBytes(2).toString('hex')}`;
    const mongoUri = uriWithDatabase(target.uri, database);
    const work = await startTarget();
    const reader = new MongoStore({ uri: mongoUri });
    try {
      // Entries that exist before any service starts: five every second, one cron every second.
      const seeder = composeApp({ store: 'mongodb', dataDir: '', mongoUri, schedule: false });
      await seeder.start();
      const configIds: string[] = [];
      const config = async (path: string): Promise<string> => {
        const saved = await seeder.core.call('configs.save', {
          config: { name: path, type: 'api', params: { url: `${work.url}${path}` } },
        });
        configIds.push(saved.id);
        return saved.id;
      };
      const task = await seeder.core.call('tasks.save', {
        task: { name: 'Ping', type: 'api', operation: 'read', configId: await config('/task') },
      });
      const entries: ScheduleEntry[] = [];
      for (let i = 0; i < 6; i++) {
        entries.push(
          await seeder.core.call('schedules.save', {
            entry: {
              taskId: task.id,
              configId: await config(`/e${i}`),
              ...(i === 5
                ? { kind: 'cron' as const, cron: '* * * * * *', timezone: 'UTC' }
                : { kind: 'frequency' as const, everySeconds: 1 }),
              overlap: 'skip' as const,
            },
          }),
        );
      }
      await seeder.stop();

      const dataDirs = await Promise.all(
        [0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'multi-serve-'))),
      );
      dirs.push(...dataDirs);
      const env = { TASK_SCHEDULER_SECRET_KEY: randomBytes(32).toString('base64') };
      // One secret key for all: instances sharing a database must read each other's secrets.
      const services: Proc[] = dataDirs.map((dataDir) =>
        start(
          [SERVE, 'serve', '--store', 'mongodb', '--mongo-uri', mongoUri, '--port', '0'].concat([
            '--token',
            TOKEN,
            '--data-dir',
            dataDir,
          ]),
          env,
        ),
      );
      const urls = await Promise.all(
        services.map(async (s) => (await s.line(/listening on (http:\/\/\S+\/)\n/))[1]!),
      );

      // One entry added after they started, through the second instance.
      entries.push(
        await call<ScheduleEntry>(urls[1]!, 'schedules.save', {
          entry: {
            taskId: task.id,
            configId: (
              await call<{ id: string }>(urls[1]!, 'configs.save', {
                config: { name: '/late', type: 'api', params: { url: `${work.url}/late` } },
              })
            ).id,
            kind: 'frequency',
            everySeconds: 1,
          },
        }),
      );
      await reader.open();

      const finishedSlots = async (): Promise<Map<string, number[]>> =>
        slotsPerEntry((await allRuns(reader)).filter((r) => r.status !== 'running'));
      // Ten seconds of slots of every entry.
      await expect
        .poll(
          async () => {
            const per = await finishedSlots();
            return Math.min(...entries.map((e) => per.get(e.id)?.length ?? 0));
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBeGreaterThanOrEqual(10);

      // Disable one entry on the first instance, and slow another to every 2 s on the third.
      const [disabled, slowed] = [entries[0]!, entries[1]!];
      const editedAt = Date.now();
      await call(urls[0]!, 'schedules.save', { entry: { ...disabled, enabled: false } });
      await call(urls[2]!, 'schedules.save', { entry: { ...slowed, everySeconds: 2 } });
      const settledAt = editedAt + EDIT_DELAY_MS;
      await expect
        .poll(
          async () =>
            ((await finishedSlots()).get(slowed.id) ?? []).filter((s) => s > settledAt).length,
          { timeout: 20_000, interval: 250 },
        )
        .toBeGreaterThanOrEqual(3);

      for (const service of services) service.child.kill('SIGTERM');
      expect(await Promise.all(services.map((s) => s.exited))).toEqual([0, 0, 0]);

      const runs = await allRuns(reader);
      const perSlot = new Map<string, number>();
      for (const run of runs) {
        const key = `${run.trigger.scheduleId}|${run.scheduledFor}`;
        perSlot.set(key, (perSlot.get(key) ?? 0) + 1);
      }
      expect([...perSlot].filter(([, n]) => n > 1)).toEqual([]);
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      const unexpected = runs.filter(
        (r) => r.status !== 'succeeded' && !(r.status === 'skipped' && r.error?.code === 'OVERLAP'),
      );
      expect(unexpected.map((r) => `${r.status} ${r.error?.message}`)).toEqual([]);

      const perEntry = slotsPerEntry(runs);
      for (const entry of entries.slice(2)) {
        expect(gaps(perEntry.get(entry.id)!, 1000), entry.id).toEqual([]);
      }
      const disabledSlots = perEntry.get(disabled.id)!;
      expect(disabledSlots.filter((s) => s > settledAt)).toEqual([]);
      expect(gaps(disabledSlots, 1000)).toEqual([]);
      const slowedSlots = perEntry.get(slowed.id)!;
      expect(
        gaps(
          slowedSlots.filter((s) => s < editedAt),
          1000,
        ),
      ).toEqual([]);
      expect(
        gaps(
          slowedSlots.filter((s) => s > settledAt),
          2000,
        ),
      ).toEqual([]);

      // Every run that was not skipped is exactly one request to the target, for its entry.
      const ranPerConfig = new Map<string, number>();
      for (const run of runs) {
        if (run.status === 'skipped') continue;
        ranPerConfig.set(run.configId, (ranPerConfig.get(run.configId) ?? 0) + 1);
      }
      const requested = new Map<string, number>();
      for (const [path, n] of work.hits) requested.set(path, n);
      const configs = await reader.listConfigs();
      const pathOf = new Map(configs.map((c) => [c.id, c.name]));
      expect(Object.fromEntries([...ranPerConfig].map(([id, n]) => [pathOf.get(id), n]))).toEqual(
        Object.fromEntries(requested),
      );

      const byInstance = new Map<string, number>();
      for (const run of runs)
        byInstance.set(run.instanceId!, (byInstance.get(run.instanceId!) ?? 0) + 1);
      console.info('runs per instance:', Object.fromEntries(byInstance), 'total', runs.length);
      expect(byInstance.size).toBeGreaterThanOrEqual(2);
    } finally {
      await reader.close().catch(() => undefined);
      await work.close();
    }
  }, 90_000);
});
