/** Configurations: the list (with who uses each) and its mutations. */
import { create } from 'zustand';
import type { ListedConfiguration } from '../../../shared/contract';
import type { Configuration, ConfigurationInput, Operation, Run } from '../../../shared/domain';
import { call } from '../api/current';
import { errorMessage, type LoadStatus } from './load-state';

interface ConfigsState {
  /** Secrets redacted; `usedBy` as of the last load (the list reloads when tasks or entries change). */
  items: ListedConfiguration[];
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
      const items = await call('configs.list', {});
      set({ items, status: 'ready', error: undefined });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  async save(config) {
    const saved = await call('configs.save', { config });
    set((s) => {
      // Saving a configuration changes nothing about who uses it.
      const before = s.items.find((c) => c.id === saved.id);
      const listed = { ...saved, usedBy: before?.usedBy ?? { tasks: [], entries: [] } };
      return {
        items: [...s.items.filter((c) => c.id !== saved.id), listed].sort((a, b) =>
          a.name.localeCompare(b.name),
        ),
      };
    });
    return saved;
  },
  async remove(id) {
    const { deleted } = await call('configs.delete', { id });
    set((s) => ({ items: s.items.filter((c) => c.id !== id) }));
    return deleted;
  },
  async removeUnused() {
    const { deleted } = await call('configs.deleteUnused', {});
    await get().load();
    return deleted;
  },
  reveal: (id) => call('configs.get', { id, reveal: true }),
  test: (config, operation) => call('configs.test', { config, operation }),
}));
