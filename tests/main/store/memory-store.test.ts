import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('memory', async () => {
  const store = new MemoryStore();
  await store.open();
  return { store, cleanup: () => store.close() };
});
