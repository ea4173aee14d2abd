import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('json', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'json-store-contract-'));
  let store = new JsonStore({ dataDir: dir });
  await store.open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new JsonStore({ dataDir: dir });
      await store.open();
      return store;
    },
    cleanup: async () => {
      await store.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
});
