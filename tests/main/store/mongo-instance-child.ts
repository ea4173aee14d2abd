/**
 * One scheduler instance in its own process, built by the product's composition root, for the
 * multi-instance tests that kill an instance.
 * argv: <uri> <database> <instanceId> <leaseMs> <heartbeatMs>. Prints "ready" once started.
 */
import { composeApp } from '../../../src/main/compose';
import { uriWithDatabase } from '../../support/mongo-target';

const [uri, database, instanceId, leaseMs, heartbeatMs] = process.argv.slice(2);
const app = composeApp({
  store: 'mongodb',
  dataDir: '',
  mongoUri: uriWithDatabase(uri!, database!),
  instanceId: instanceId!,
  mongo: {
    leaseMs: Number(leaseMs),
    heartbeatMs: Number(heartbeatMs),
    pollMs: 200,
    changeDetection: 'poll',
  },
});
await app.start();
process.stdout.write('ready\n');
// Kept alive by the MongoDB connection; the test ends this process with SIGKILL.
setInterval(() => undefined, 60_000);
