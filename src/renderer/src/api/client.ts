/**
 * The one typed client the UI uses: every contract method as an async function over a transport
 * (preload bridge or HTTP), plus the event subscription. Errors always arrive as `AppError`.
 */
import { METHOD_NAMES, type Api, type MethodName } from '../../../shared/contract';
import { AppError, isErrorData, toErrorData } from '../../../shared/errors';
import type { AppEvent } from '../../../shared/events';
import type { ConnectionState, Transport } from './transport';

export interface Client {
  api: Api;
  transport: Transport['kind'];
  subscribe(
    listener: (event: AppEvent) => void,
    onState?: (state: ConnectionState) => void,
  ): () => void;
  pickPath?: Transport['pickPath'];
  desktop?: Transport['desktop'];
}

/** Normalizes anything a transport threw into an `AppError`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isErrorData(error)) return new AppError(error.code, error.message, error.details);
  const data = toErrorData(error);
  return new AppError(data.code, data.message, data.details);
}

export function createClient(transport: Transport): Client {
  const api = {} as Record<MethodName, (params: unknown) => Promise<unknown>>;
  for (const method of METHOD_NAMES) {
    api[method] = async (params: unknown) => {
      try {
        return await transport.call(method, params ?? {});
      } catch (error) {
        throw toAppError(error);
      }
    };
  }
  return {
    api: api as unknown as Api,
    transport: transport.kind,
    subscribe: (listener, onState) => transport.subscribe(listener, onState),
    ...(transport.pickPath ? { pickPath: transport.pickPath } : {}),
    ...(transport.desktop ? { desktop: transport.desktop } : {}),
  };
}
