import type { AppEvent, EventMap, EventName } from '../../shared/events';
import { messageOf } from '../../shared/errors';

export type EventListener = (event: AppEvent) => void;

/**
 * In-process fan-out of core events to the transports (IPC, SSE) and the core's own listeners.
 * Event data is shared by every listener and read-only: a listener that needs to change it copies
 * it first (`copyData`). The transports serialize it anyway, so the core makes no copy per event,
 * which counts at thousands of runs a second.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  /** `log`: where a throwing listener is reported (the app's logger; default `console.error`). */
  constructor(
    private readonly log: (message: string) => void = (message) => console.error(message),
  ) {}

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
        this.log(`EventBus: a listener for ${name} threw: ${describe(error)}`);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** The message with the top of the stack, so the broken listener can be found. */
function describe(error: unknown): string {
  const stack = error instanceof Error ? error.stack?.split('\n').slice(1, 4) : undefined;
  return stack?.length
    ? `${messageOf(error)} (${stack.map((l) => l.trim()).join(' ← ')})`
    : messageOf(error);
}
