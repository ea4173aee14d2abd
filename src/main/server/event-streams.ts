/**
 * `GET /api/events`: core events as Server-Sent Events, a heartbeat comment so proxies keep the
 * stream open, and a client that falls too far behind is dropped (it reconnects and refetches).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import type { Clock, TimerHandle } from '../core/clock';
import { SECURITY_HEADERS } from './http-responses';

/** How long an EventSource waits before reconnecting. */
export const SSE_RETRY_MS = 3_000;
/** A client this far behind on its event stream is dropped (it reconnects and refetches). */
const SSE_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface EventStreamsOptions {
  events: App['events'];
  clock: Clock;
  heartbeatMs: number;
  log: (message: string, error?: unknown) => void;
}

/** The open event streams of one server. */
export class EventStreams {
  private readonly ends = new Set<() => void>();
  private readonly options: EventStreamsOptions;

  constructor(options: EventStreamsOptions) {
    this.options = options;
  }

  /** How many streams are open. */
  get size(): number {
    return this.ends.size;
  }

  /** Answers the request with a stream of every core event until either side ends it. */
  open(req: IncomingMessage, res: ServerResponse): void {
    const { events, clock, heartbeatMs, log } = this.options;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${SSE_RETRY_MS}\n: connected\n\n`);
    let heartbeat: TimerHandle | undefined;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      unsubscribe();
      if (heartbeat !== undefined) clock.clearTimeout(heartbeat);
      this.ends.delete(end);
      res.end();
    };
    const write = (chunk: string): void => {
      if (ended) return;
      if (res.writableLength > SSE_MAX_BUFFERED_BYTES) {
        log('HTTP: an event-stream client fell too far behind; dropping it (it will reconnect)');
        end();
        req.socket.destroy();
        return;
      }
      res.write(chunk);
    };
    const unsubscribe = events.subscribe((event) => {
      write(`event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    const beat = (): void => {
      write(': heartbeat\n\n');
      if (!ended) heartbeat = clock.setTimeout(beat, heartbeatMs);
    };
    heartbeat = clock.setTimeout(beat, heartbeatMs);
    this.ends.add(end);
    res.on('close', end);
  }

  /** Ends every open stream (shutdown). */
  endAll(): void {
    for (const end of [...this.ends]) end();
  }
}
