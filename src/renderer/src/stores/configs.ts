/** Configurations: the list and its mutations. */
import { create } from 'zustand';
import type { Configuration, ConfigurationInput, Operation } from '../../../shared/domain';
import type { Run } from '../../../shared/domain';
import { api } from '../api/current';
import { errorMessage, type LoadStatus } from './load-state';

interface ConfigsState {
  items: Configuration[];
  status: LoadStatus;
  error?: string;
  load(): Promise<void>;
  save(config: ConfigurationInput): Promise<Configuration>;
  remove(id: string): Promise<number>;
  removeUnused(): Promise<number>;
  reveal(id: string): Promise<Configuration>;
  test(config: ConfigurationInput, operation: Operation): Promise<Run>;
}

export const useConfigs = create<ConfigsState>()((set, get) => ({
  items: [],
  status: 'idle',
  async load() {
    set({ status: get().items.length ? 'ready' : 'loading' });
    try {
      const items = await api()['configs.list']({});
      set({ items, status: 'ready', error: undefined });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  async save(config) {
    const saved = await api()['configs.save']({ config });
    set((s) => ({
      items: [...s.items.filter((c) => c.id !== saved.id), saved].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    }));
    return saved;
  },
  async remove(id) {
    const { deleted } = await api()['configs.delete']({ id });
    set((s) => ({ items: s.items.filter((c) => c.id !== id) }));
    return deleted;
  },
  async removeUnused() {
    const { deleted } = await api()['configs.deleteUnused']({});
    await get().load();
    return deleted;
  },
  reveal: (id) => api()['configs.get']({ id, reveal: true }),
  test: (config, operation) => api()['configs.test']({ config, operation }),
}));
