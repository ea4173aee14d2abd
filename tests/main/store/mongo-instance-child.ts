/**
 * One scheduler instance in its own process, for the multi-instance tests that kill an instance.
 * argv: <uri> <database> <instanceId> <leaseMs> <heartbeatMs>. Prints "ready" once started.
 */
import { createApp } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { Scheduler } from '../../../src/main/scheduler/scheduler';
import { MongoStore } from '../../../src/main/store/mongodb/mongo-store';

const [uri, database, instanceId, leaseMs, heartbeatMs] = process.argv.slice(2);
const store = new MongoStore({
  uri: uri!,
  database: database!,
  instanceId: instanceId!,
  leaseMs: Number(leaseMs),
  heartbeatMs: Number(heartbeatMs),
  pollMs: 200,
  changeDetection: 'poll',
});
const app = createApp({
  store,
  instanceId: instanceId!,
  executors: { api: new ApiExecutor() },
  createScheduler: (deps) =>
    new Scheduler({ ...deps, claim: (entryId, slot) => store.claim(entryId, slot) }),
});
await app.start();
await store.watchSchedules({
  changed: (entry) => app.scheduler?.entryChanged(entry),
  removed: (id) => app.scheduler?.entryRemoved(id),
});
process.stdout.write('ready\n');
// Kept alive by the MongoDB connection; the test ends this process with SIGKILL.
setInterval(() => undefined, 60_000);
