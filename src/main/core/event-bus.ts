import type { AppEvent, EventMap, EventName } from '../../shared/events';

export type EventListener = (event: AppEvent) => void;

/**
 * In-process fan-out of core events to the transports (IPC, SSE) and the core's own listeners.
 * Event data is shared by every listener and read-only: a listener that needs to change it copies
 * it first (`copyData`). The transports serialize it anyway, so the core makes no copy per event,
 * which counts at thousands of runs a second.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, data: EventMap[E]): void {
    if (this.listeners.size === 0) return;
    const event = { name, data } as AppEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken subscriber must not stop the core or the other subscribers.
        console.error(`EventBus: a listener for ${name} threw:`, error);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
