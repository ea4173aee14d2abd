/** Schedule entries, kept live by `schedule.changed` events. */
import { create } from 'zustand';
import type { ScheduleEntry, ScheduleEntryInput } from '../../../shared/domain';
import { call } from '../api/current';
import { errorMessage, type LoadStatus } from './load-state';

interface SchedulesState {
  items: ScheduleEntry[];
  status: LoadStatus;
  error?: string;
  load(): Promise<void>;
  save(entry: ScheduleEntryInput): Promise<ScheduleEntry>;
  remove(id: string): Promise<number>;
  removeAll(): Promise<number>;
  applyChange(id: string, entry: ScheduleEntry | undefined): void;
}

const byCreated = (a: ScheduleEntry, b: ScheduleEntry): number =>
  a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export const useSchedules = create<SchedulesState>()((set, get) => ({
  items: [],
  status: 'idle',
  async load() {
    set({ status: get().status === 'ready' ? 'ready' : 'loading' });
    try {
      const items = await call('schedules.list', {});
      set({ items: items.sort(byCreated), status: 'ready', error: undefined });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  async save(entry) {
    const saved = await call('schedules.save', { entry });
    get().applyChange(saved.id, saved);
    return saved;
  },
  async remove(id) {
    const { deleted } = await call('schedules.delete', { id });
    get().applyChange(id, undefined);
    return deleted;
  },
  async removeAll() {
    const { deleted } = await call('schedules.delete', { all: true });
    set({ items: [] });
    return deleted;
  },
  applyChange(id, entry) {
    set((s) => {
      const rest = s.items.filter((e) => e.id !== id);
      return { items: entry ? [...rest, entry].sort(byCreated) : rest };
    });
  },
}));
