/** Browser: `POST /api/<method>` with a bearer token, events over Server-Sent Events. */
import type { MethodName } from '../../../shared/contract';
import { AppError, isErrorData } from '../../../shared/errors';
import { EVENT_NAMES, type AppEvent, type EventName } from '../../../shared/events';
import type { Transport } from './transport';

export interface HttpTransportOptions {
  /** Origin + path prefix of the service, e.g. `http://127.0.0.1:8787` ('' = same origin). */
  baseUrl?: string;
  getToken: () => string | undefined;
  /** Called on a 401 so the UI can ask for the token again. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

/** Accepts both framings: `data: {name, data}` and `event: <name>` + `data: <payload>`. */
export function parseEventData(type: string, raw: string): AppEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (parsed && typeof parsed === 'object') {
    const obj = parsed as { name?: unknown; data?: unknown };
    if (typeof obj.name === 'string' && (EVENT_NAMES as string[]).includes(obj.name)) {
      return { name: obj.name as EventName, data: obj.data } as AppEvent;
    }
    if ((EVENT_NAMES as string[]).includes(type)) {
      const data = 'data' in obj && obj.name === undefined ? obj.data : parsed;
      return { name: type as EventName, data } as AppEvent;
    }
  }
  return undefined;
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return {
    kind: 'http',
    async call(method: MethodName, params: unknown): Promise<unknown> {
      const token = options.getToken();
      let response: Response;
      try {
        response = await doFetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(params ?? {}),
        });
      } catch (error) {
        throw new AppError(
          'UNAVAILABLE',
          `client: cannot reach the Task Scheduler service (${error instanceof Error ? error.message : String(error)}); check that it is running`,
        );
      }
      let body: unknown;
      const text = await response.text();
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      if (response.ok && body && typeof body === 'object' && 'result' in body) {
        return (body as { result: unknown }).result;
      }
      const error =
        body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
      if (response.status === 401) options.onUnauthorized?.();
      if (isErrorData(error)) throw new AppError(error.code, error.message, error.details);
      throw new AppError(
        response.status === 401
          ? 'UNAUTHORIZED'
          : response.status === 413
            ? 'VALIDATION'
            : 'INTERNAL',
        `client: ${method} answered HTTP ${response.status} without an error body${text ? `: ${text.slice(0, 200)}` : ''}`,
      );
    },
    subscribe(listener, onState) {
      const ES = options.EventSource ?? globalThis.EventSource;
      if (!ES) {
        onState?.('closed');
        return () => undefined;
      }
      let source: EventSource | undefined;
      let closed = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let delay = 1000;
      const connect = (): void => {
        const token = options.getToken() ?? '';
        onState?.('connecting');
        source = new ES(`${base}/api/events?token=${encodeURIComponent(token)}`);
        source.onopen = () => {
          delay = 1000;
          onState?.('open');
        };
        source.onerror = () => {
          if (closed) return;
          onState?.(source?.readyState === 0 ? 'connecting' : 'closed');
          // The browser retries on its own unless the stream was refused; then retry with backoff.
          if (source?.readyState === 2) {
            source.close();
            retry = setTimeout(connect, delay);
            delay = Math.min(delay * 2, 15_000);
          }
        };
        const handle = (type: string) => (message: MessageEvent<string>) => {
          const event = parseEventData(type, message.data);
          if (event) listener(event);
        };
        for (const name of EVENT_NAMES)
          source.addEventListener(name, handle(name) as EventListener);
        source.onmessage = handle('message');
      };
      connect();
      return () => {
        closed = true;
        if (retry) clearTimeout(retry);
        source?.close();
        onState?.('closed');
      };
    },
  };
}
