import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startMongoStandin, type MongoStandin } from './mongo-standin/index';
import { clientOptions, until } from './mongo-standin-tests';

describe('MongoDB stand-in lifecycle', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** `retry: false` makes a dropped connection fail the operation at once. */
  async function setup(retry: boolean): Promise<{ standin: MongoStandin; client: MongoClient }> {
    const standin = await startMongoStandin();
    const client = new MongoClient(standin.uri, {
      ...clientOptions,
      ...(retry ? {} : { retryReads: false, retryWrites: false, serverSelectionTimeoutMS: 500 }),
    });
    cleanups.push(() => standin.stop());
    cleanups.push(() => client.close());
    await client.connect();
    return { standin, client };
  }

  it('keeps data and the port across a restart', async () => {
    const { standin, client } = await setup(true);
    const coll = client.db('keep').collection('c');
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertOne({ k: 1 });
    const port = standin.port;
    await standin.restart();
    expect(standin.port).toBe(port);
    expect(await coll.findOne({ k: 1 }, { projection: { _id: 0 } })).toEqual({ k: 1 });
    await expect(coll.insertOne({ k: 1 })).rejects.toMatchObject({ code: 11000 });
  });

  it('fails in-flight operations on kill and serves the client again after restart', async () => {
    const { standin, client } = await setup(false);
    const coll = client.db('crash').collection('c');
    await coll.insertOne({ k: 1 });
    standin.pause();
    const inFlight = coll.findOne({ k: 1 });
    await until(() => standin.pendingCount > 0, 'the find to reach the stand-in');
    standin.kill();
    await expect(inFlight).rejects.toThrow();
    await expect(coll.findOne({ k: 1 })).rejects.toThrow(/ECONNREFUSED|Server selection/);
    await standin.restart();
    // The driver resets its pool after the crash; a connection attempt it started while the
    // server was down may still fail the first operation, so recovery gets a few tries.
    let found: unknown;
    for (let attempt = 0; attempt < 5 && found === undefined; attempt++) {
      found = await coll.findOne({ k: 1 }, { projection: { _id: 0 } }).catch(() => undefined);
    }
    expect(found).toEqual({ k: 1 });
  });

  it('authenticates users with SCRAM-SHA-256 and rejects a wrong password', async () => {
    const standin = await startMongoStandin({ users: [{ user: 'app', password: 'p@ss w0rd' }] });
    cleanups.push(() => standin.stop());
    const good = new MongoClient(
      `mongodb://app:${encodeURIComponent('p@ss w0rd')}@127.0.0.1:${standin.port}/`,
      clientOptions,
    );
    cleanups.push(() => good.close());
    await good.db('x').collection('c').insertOne({ a: 1 });
    expect(await good.db('x').collection('c').countDocuments()).toBe(1);

    const bad = new MongoClient(`mongodb://app:wrong@127.0.0.1:${standin.port}/`, clientOptions);
    cleanups.push(() => bad.close());
    await expect(bad.connect()).rejects.toMatchObject({ code: 18 });

    const anonymous = new MongoClient(standin.uri, clientOptions);
    cleanups.push(() => anonymous.close());
    await expect(anonymous.db('x').collection('c').findOne()).rejects.toMatchObject({ code: 13 });
  });
});
