/** Electron: the preload bridge (`window.taskScheduler`) answers with envelopes. */
import type { Bridge, DesktopBridge, Envelope } from '../../../shared/bridge';
import type { MethodName } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { DesktopSettingsApi, Transport } from './transport';

export function createBridgeTransport(bridge: Bridge): Transport {
  return {
    kind: 'bridge',
    async call(method: MethodName, params: unknown): Promise<unknown> {
      const fn = bridge.methods[method] as ((p: unknown) => Promise<unknown>) | undefined;
      if (!fn) {
        throw new AppError(
          'UNAVAILABLE',
          `bridge: the app does not expose method ${method}; update the app`,
        );
      }
      const envelope = (await fn(params)) as
        | { ok: true; result: unknown }
        | { ok: false; error: { code: AppError['code']; message: string; details?: unknown } };
      if (envelope.ok) return envelope.result;
      throw new AppError(envelope.error.code, envelope.error.message, envelope.error.details);
    },
    subscribe(listener, onState) {
      // IPC cannot drop while the window lives.
      onState?.('open');
      return bridge.onEvent(listener);
    },
    ...(bridge.pickPath ? { pickPath: bridge.pickPath.bind(bridge) } : {}),
    ...(bridge.desktop ? { desktop: unwrapDesktop(bridge.desktop) } : {}),
  };
}

function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.result;
  throw new AppError(envelope.error.code, envelope.error.message, envelope.error.details);
}

function unwrapDesktop(desktop: DesktopBridge): DesktopSettingsApi {
  return {
    getSettings: async () => unwrap(await desktop.getSettings()),
    saveSettings: async (patch) => unwrap(await desktop.saveSettings(patch)),
  };
}
