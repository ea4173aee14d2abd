/** Problems with the stored data (system.info), shown as a banner until acknowledged. */
import { create } from 'zustand';
import type { DataProblem } from '../../../shared/contract';
import { call } from '../api/current';
import { errorMessage } from './load-state';

interface ProblemsState {
  problems: DataProblem[];
  /** Why the last load or acknowledgement failed. */
  error?: string;
  load(): Promise<void>;
  acknowledge(id: string): Promise<void>;
}

export const useProblems = create<ProblemsState>()((set) => ({
  problems: [],
  async load() {
    try {
      const info = await call('system.info', {});
      // An older service has no problems field.
      set({ problems: info.problems ?? [], error: undefined });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async acknowledge(id) {
    try {
      const { problems } = await call('system.acknowledge', { id });
      set({ problems, error: undefined });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
}));
