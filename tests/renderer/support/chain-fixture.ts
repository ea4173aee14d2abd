/**
 * A chain to drive the UI with (issue #15): the real core (memory store) with the real api
 * executor against a small HTTP server on 127.0.0.1 that answers `GET /items` with
 * `{"items":[1,2,3]}` (held until released when asked) and echoes `GET /echo`'s query.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { handleEvent } from '../../../src/renderer/src/hooks/useEvents';
import { useConfigs } from '../../../src/renderer/src/stores/configs';
import { useTasks } from '../../../src/renderer/src/stores/tasks';
import type { MethodParams } from '../../../src/shared/contract';
import type { Run, Task } from '../../../src/shared/domain';
import { startCoreClient, type CoreClient } from './core-client';
import { resetStores } from './reset';

export const ITEMS = { items: [1, 2, 3] };

export interface ChainTarget {
  url: string;
  /** Holds the answers of `/items` until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

export async function startChainTarget(): Promise<ChainTarget> {
  let gate: Promise<void> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/items') void gate.then(() => send(ITEMS));
    else if (url.pathname === '/echo') send({ query: Object.fromEntries(url.searchParams) });
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hold: () => {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type TaskFields = Partial<MethodParams<'tasks.save'>['task']>;

export interface ChainFixture {
  core: CoreClient;
  target: ChainTarget;
  /** The api configuration that reads `/items`. */
  itemsConfigId: string;
  /** The api configuration that sends `/echo?n={{input.body.items.length}}`. */
  echoConfigId: string;
  /** "Fetch items": an api read of `/items`, in no chain. */
  fetch: Task;
  saveTask(name: string, configId: string, fields?: TaskFields): Promise<Task>;
  /** Saves "Send count" (the echo configuration) to run after "Fetch items" when it succeeds. */
  saveSendAfterFetch(fields?: TaskFields): Promise<Task>;
  /** Loads the configurations and tasks stores. */
  loadStores(): Promise<void>;
  /** Runs `task` by hand and waits for it to end. */
  run(task: Task): Promise<Run>;
  /** The runs `parent` started, once `count` of them have ended. */
  childrenOf(parent: Run, count?: number): Promise<Run[]>;
  close(): Promise<void>;
}

export async function startChainFixture(): Promise<ChainFixture> {
  resetStores();
  const target = await startChainTarget();
  const core = await startCoreClient({ api: new ApiExecutor() });
  const unsubscribe = core.client.subscribe(handleEvent);
  const call = core.app.core.call.bind(core.app.core);
  const save = async (name: string, url: string): Promise<string> =>
    (await call('configs.save', { config: { name, type: 'api', params: { url } } })).id;
  const itemsConfigId = await save('items api', `${target.url}/items`);
  const echoConfigId = await save('echo api', `${target.url}/echo?n={{input.body.items.length}}`);
  const ended = (r: Run): boolean => r.status !== 'running';
  const saveTask = (name: string, configId: string, fields: TaskFields = {}): Promise<Task> =>
    call('tasks.save', { task: { name, type: 'api', operation: 'read', configId, ...fields } });
  const fetch = await saveTask('Fetch items', itemsConfigId);
  return {
    core,
    target,
    itemsConfigId,
    echoConfigId,
    fetch,
    saveTask,
    saveSendAfterFetch: (fields = {}) =>
      saveTask('Send count', echoConfigId, {
        runAfter: [{ taskId: fetch.id, when: 'succeeded' }],
        ...fields,
      }),
    loadStores: async () => {
      await Promise.all([useConfigs.getState().load(), useTasks.getState().load()]);
    },
    run: (task) => call('tasks.run', { id: task.id, wait: true }),
    childrenOf: async (parent, count = 1) => {
      const done = new Promise<Run[]>((resolve) => {
        const check = async (): Promise<void> => {
          const { items } = await call('runs.list', { parentRunId: parent.id });
          if (items.filter(ended).length >= count) {
            stop();
            resolve(items);
          }
        };
        const stop = core.app.events.subscribe((event) => {
          if (event.name === 'run.finished') void check();
        });
        void check();
      });
      return done;
    },
    close: async () => {
      unsubscribe();
      await core.close();
      await target.close();
    },
  };
}
