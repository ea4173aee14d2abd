/** Settings and system info. */
import { create } from 'zustand';
import type { SystemInfo } from '../../../shared/contract';
import type { Settings } from '../../../shared/domain';
import { call } from '../api/current';
import { errorMessage, type LoadStatus } from './load-state';

interface SettingsState {
  settings?: Settings;
  info?: SystemInfo;
  status: LoadStatus;
  error?: string;
  load(): Promise<void>;
  save(settings: Settings): Promise<Settings>;
}

export const useSettings = create<SettingsState>()((set) => ({
  status: 'idle',
  async load() {
    set((s) => ({ status: s.settings ? 'ready' : 'loading' }));
    try {
      const [settings, info] = await Promise.all([
        call('settings.get', {}),
        call('system.info', {}),
      ]);
      set({ settings, info, status: 'ready', error: undefined });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  async save(settings) {
    const saved = await call('settings.save', { settings });
    set({ settings: saved });
    return saved;
  },
}));
