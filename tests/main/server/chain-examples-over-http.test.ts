/**
 * The worked examples of docs/chains.md ("Worked examples") and docs/executors-db.md ("Chained
 * inserts"), proven through the built service's HTTP API (issues #15 and #16): API → MongoDB,
 * file → API upload, API → PostgreSQL insert (upserted, an injection attempt stored as text) and
 * a check on that chain's parent. Real parts: a local endpoint on 127.0.0.1, the MongoDB
 * stand-in (or MONGODB_URI), the machine's PostgreSQL (TEST_PG_URI), a temp directory.
 *
 * The docs show the configurations and tasks below as the JSON a user posts to configs.save and
 * tasks.save, with example addresses for the endpoint, the servers and the temp paths, `shop` for
 * the suite's database and `rates` for its table: change the docs with these objects.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, Task } from '../../../src/shared/domain';
import { mongoTestTarget, type MongoTestTarget } from '../../support/mongo-target';
import { killStarted, serveJson } from '../../support/serve-process';
import { PG_URI, uniqueName } from '../executors/db/db-support';
import { ok, TOKEN } from './helpers';

/** What the endpoint was sent. */
interface Received {
  method: string;
  path: string;
  contentType: string;
  text: string;
}

/** A local endpoint: GET answers the JSON set for the path; anything else is recorded. */
interface Endpoint {
  url: string;
  answers: Map<string, unknown>;
  received: Received[];
  close: () => Promise<void>;
}

async function startEndpoint(): Promise<Endpoint> {
  const answers = new Map<string, unknown>();
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const answer = req.method === 'GET' ? answers.get(path) : { received: true };
      if (req.method !== 'GET') {
        const contentType = req.headers['content-type'] ?? '';
        received.push({
          method: req.method!,
          path,
          contentType,
          text: String(Buffer.concat(chunks)),
        });
      }
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { error: `nothing at ${path}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let port = 0;
let dir = '';
let endpoint: Endpoint;

beforeAll(async () => {
  endpoint = await startEndpoint();
  dir = await mkdtemp(join(tmpdir(), 'chain-examples-'));
  const { base } = await serveJson(join(dir, 'data'), TOKEN);
  port = Number(new URL(base).port);
});
afterAll(async () => {
  killStarted();
  await endpoint.close();
  await rm(dir, { recursive: true, force: true });
});

type Body = Record<string, unknown>;

/**
 * Posts `{ config }` to configs.save, then `{ task }` to tasks.save with the saved
 * configuration's id: the two requests each worked example shows.
 */
async function save(config: Body, task: Body): Promise<Task> {
  const saved = await ok<{ id: string }>(port, 'configs.save', { config });
  return ok<Task>(port, 'tasks.save', { task: { ...task, configId: saved.id } });
}

/** The runs `parent` started, once `count` of them have ended. */
async function childrenOf(parent: Run, count: number): Promise<Run[]> {
  let children: Run[] = [];
  await expect
    .poll(
      async () => {
        const page = await ok<{ items: Run[] }>(port, 'runs.list', { parentRunId: parent.id });
        children = page.items.filter((run) => run.status !== 'running');
        return children.length;
      },
      { timeout: 10_000, interval: 50 },
    )
    .toBeGreaterThanOrEqual(count);
  return children;
}

/** The one run of `task` among the children of a run. */
function runOf(task: Task, children: Run[]): Run {
  const runs = children.filter((run) => run.taskId === task.id);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

const chainedAfter = (parent: Task, when: 'succeeded' | 'failed' = 'succeeded'): Body => ({
  runAfter: [{ taskId: parent.id, when }],
});

describe('API → MongoDB', () => {
  let mongo: MongoTestTarget;
  let client: MongoClient;
  beforeAll(async () => {
    mongo = await mongoTestTarget();
    client = new MongoClient(mongo.uri);
  });
  afterAll(async () => {
    await client.close();
    await mongo.stop();
  });

  it('an api read of orders chained to two MongoDB inserts stores each order and a log of the import', async () => {
    endpoint.answers.set('/orders', {
      orders: [
        { id: 'A-1', customer: 'Ada', total: 12.5 },
        { id: 'A-2', customer: 'Bo', total: 30 },
      ],
    });
    const where = { uri: mongo.uri, database: mongo.database };
    const fetchOrders = await save(
      { name: 'Fetch orders', type: 'api', params: { url: `${endpoint.url}/orders` } },
      { name: 'Fetch orders', type: 'api', operation: 'read' },
    );
    const saveOrders = await save(
      {
        name: 'Save orders',
        type: 'db',
        params: { ...where, collection: 'orders', insert: { documents: '{{input.body.orders}}' } },
      },
      { name: 'Save orders', type: 'db', operation: 'write', ...chainedAfter(fetchOrders) },
    );
    const logImport = await save(
      {
        name: 'Log the import',
        type: 'db',
        params: {
          ...where,
          collection: 'imports',
          insert: {
            documents: [
              {
                run: '{{run.id}}',
                parentRun: '{{parent.id}}',
                fetchedFor: { $date: '{{parent.scheduledFor}}' },
                orders: '{{input.body.orders.length}}',
              },
            ],
          },
        },
      },
      { name: 'Log the import', type: 'db', operation: 'write', ...chainedAfter(fetchOrders) },
    );

    const parent = await ok<Run>(port, 'tasks.run', { id: fetchOrders.id });
    const children = await childrenOf(parent, 2);
    const saved = runOf(saveOrders, children);
    expect(saved).toMatchObject({
      status: 'succeeded',
      trigger: { kind: 'chain', parentRunId: parent.id, parentTaskId: fetchOrders.id },
      result: { action: 'insert', collection: 'orders', inserted: 2 },
    });
    const logged = runOf(logImport, children);
    expect(logged).toMatchObject({ status: 'succeeded', result: { inserted: 1 } });

    const db = client.db(mongo.database);
    const noId = { projection: { _id: 0 } };
    expect(await db.collection('orders').find({}, noId).toArray()).toEqual(
      (endpoint.answers.get('/orders') as { orders: unknown[] }).orders,
    );
    expect(await db.collection('imports').find({}, noId).toArray()).toEqual([
      {
        run: logged.id,
        parentRun: parent.id,
        fetchedFor: new Date(parent.startedAt),
        orders: 2,
      },
    ]);
  });
});

describe('file → API upload', () => {
  it('a CSV file read chained to an api POST and a file upload sends its rows as JSON and as CSV', async () => {
    const csv = 'id,customer,total\r\nA-1,Ada,12.50\r\nA-2,Bo,30.00\r\n';
    const location = join(dir, 'orders.csv');
    await writeFile(location, csv);
    const readCsv = await save(
      { name: 'Read orders CSV', type: 'file', params: { location, format: 'csv' } },
      { name: 'Read orders CSV', type: 'file', operation: 'read' },
    );
    const postRows = await save(
      {
        name: 'Upload orders',
        type: 'api',
        params: {
          url: `${endpoint.url}/uploads`,
          method: 'POST',
          body: { rows: '{{input.rows}}', source: '{{task.name}}' },
        },
      },
      { name: 'Upload orders', type: 'api', operation: 'write', ...chainedAfter(readCsv) },
    );
    const uploadFile = await save(
      {
        name: 'Upload orders file',
        type: 'file',
        params: {
          location: `${endpoint.url}/uploads/orders-{{run.scheduledFor | date: "yyyy-MM-dd"}}.csv`,
          format: 'csv',
          content: '{{input.rows}}',
        },
      },
      { name: 'Upload orders file', type: 'file', operation: 'write', ...chainedAfter(readCsv) },
    );

    const parent = await ok<Run>(port, 'tasks.run', { id: readCsv.id });
    expect(parent.result).toMatchObject({ rowCount: 2, columns: ['id', 'customer', 'total'] });
    const children = await childrenOf(parent, 2);
    const rows = [
      { id: 'A-1', customer: 'Ada', total: '12.50' },
      { id: 'A-2', customer: 'Bo', total: '30.00' },
    ];
    expect(runOf(postRows, children)).toMatchObject({
      status: 'succeeded',
      result: { statusCode: 200, method: 'POST' },
    });
    const posted = endpoint.received.find((request) => request.path === '/uploads');
    expect(posted?.contentType).toBe('application/json');
    expect(JSON.parse(posted!.text)).toEqual({ rows, source: 'Upload orders' });

    const uploaded = runOf(uploadFile, children);
    const path = `/uploads/orders-${uploaded.startedAt.slice(0, 10)}.csv`;
    expect(uploaded).toMatchObject({
      status: 'succeeded',
      result: { mode: 'raw', statusCode: 200 },
    });
    const sent = endpoint.received.find((request) => request.path === path);
    expect(sent).toMatchObject({
      method: 'POST',
      contentType: 'text/csv; charset=utf-8',
      text: csv,
    });
  });
});

describe('API → PostgreSQL insert, with a check on the parent', () => {
  const table = uniqueName('rates');
  let db: pg.Client;
  let fetchRates: Task;
  let saveRates: Task;
  let alert: Task;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: PG_URI });
    await db.connect();
    await db.query(`CREATE TABLE ${table} (code text PRIMARY KEY, rate double precision NOT NULL)`);
    fetchRates = await save(
      { name: 'Fetch rates', type: 'api', params: { url: `${endpoint.url}/rates` } },
      {
        name: 'Fetch rates',
        type: 'api',
        operation: 'read',
        checks: [{ path: 'body.items.length', op: 'gte', value: 1 }],
      },
    );
    saveRates = await save(
      {
        name: 'Save rates',
        type: 'db',
        params: {
          uri: PG_URI,
          insert: { table, rows: '{{input.body.items}}', onConflict: { update: ['rate'] } },
        },
      },
      { name: 'Save rates', type: 'db', operation: 'write', ...chainedAfter(fetchRates) },
    );
    alert = await save(
      {
        name: 'Alert on bad rates',
        type: 'api',
        params: {
          url: `${endpoint.url}/alerts`,
          method: 'POST',
          body: { text: 'Fetch rates failed', run: '{{parent.id}}', checks: '{{input.checks}}' },
        },
      },
      {
        name: 'Alert on bad rates',
        type: 'api',
        operation: 'write',
        ...chainedAfter(fetchRates, 'failed'),
      },
    );
  });
  afterAll(async () => {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  });

  const stored = async (): Promise<Array<{ code: string; rate: number }>> =>
    (await db.query(`SELECT code, rate FROM ${table} ORDER BY code`)).rows;

  /** Runs "Fetch rates" with the endpoint answering these items; the parent and its one child. */
  async function fetchAnswering(items: unknown[]): Promise<{ parent: Run; child: Run }> {
    endpoint.answers.set('/rates', { items });
    const parent = await ok<Run>(port, 'tasks.run', { id: fetchRates.id });
    const [child] = await childrenOf(parent, 1);
    return { parent, child: child! };
  }

  it('stores the rates it read and, run again, updates them without duplicates', async () => {
    const first = await fetchAnswering([
      { code: 'EUR', rate: 1 },
      { code: 'USD', rate: 1.08 },
    ]);
    expect(first.child).toMatchObject({
      taskId: saveRates.id,
      status: 'succeeded',
      trigger: { kind: 'chain', parentRunId: first.parent.id },
      result: { engine: 'postgres', action: 'insert', inserted: 2, updated: 0 },
    });
    const second = await fetchAnswering([
      { code: 'EUR', rate: 1 },
      { code: 'USD', rate: 1.09 },
      { code: 'GBP', rate: 0.86 },
    ]);
    expect(second.child).toMatchObject({
      status: 'succeeded',
      result: { inserted: 1, updated: 2, affectedRows: 3 },
    });
    expect(await stored()).toEqual([
      { code: 'EUR', rate: 1 },
      { code: 'GBP', rate: 0.86 },
      { code: 'USD', rate: 1.09 },
    ]);
  });

  it('stores an SQL injection attempt arriving through the input as text, and the table survives', async () => {
    const attack = `'; DROP TABLE ${table}; --`;
    const { child } = await fetchAnswering([{ code: attack, rate: 0 }]);
    expect(child).toMatchObject({ status: 'succeeded', result: { inserted: 1 } });
    expect(await stored()).toContainEqual({ code: attack, rate: 0 });
  });

  it('an empty answer fails the parent with CHECK_FAILED: the insert does not run, the alert does', async () => {
    const before = await stored();
    const { parent, child } = await fetchAnswering([]);
    expect(parent).toMatchObject({
      status: 'failed',
      error: { code: 'CHECK_FAILED', message: 'body.items.length gte 1 failed: actual 0' },
      result: { checks: [{ path: 'body.items.length', op: 'gte', actual: 0, passed: false }] },
    });
    // The runs a parent starts are started together, so once the alert ran, all of them did.
    expect(child).toMatchObject({ taskId: alert.id, status: 'succeeded' });
    const page = await ok<{ items: Run[] }>(port, 'runs.list', { parentRunId: parent.id });
    expect(page.items.map((run) => run.taskId)).toEqual([alert.id]);
    const sent = endpoint.received.filter((request) => request.path === '/alerts');
    expect(sent.map((request) => JSON.parse(request.text))).toEqual([
      { text: 'Fetch rates failed', run: parent.id, checks: parent.result!['checks'] },
    ]);
    expect(await stored()).toEqual(before);
  });
});
