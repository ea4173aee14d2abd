// PLACEHOLDER: replaced by the json store implementation (lowdb catalog + segmented run log).
import type { Clock } from '../../core/clock';
import { MemoryStore } from '../memory/memory-store';

export interface JsonStoreOptions {
  dataDir: string;
  clock?: Clock;
}

export class JsonStore extends MemoryStore {
  constructor(readonly options: JsonStoreOptions) {
    super();
  }
}
