/** What the client needs from a transport: call a method, receive events, report the link state. */
import type {
  DesktopSettingsPatch,
  DesktopSettingsView,
  PickPathOptions,
} from '../../../shared/bridge';
import type { MethodName } from '../../../shared/contract';
import type { AppEvent } from '../../../shared/events';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Transport {
  readonly kind: 'bridge' | 'http';
  /** Resolves with the method's result; rejects with an `AppError`. */
  call(method: MethodName, params: unknown): Promise<unknown>;
  /** Subscribes to core events; `onState` reports the live link (SSE) state. */
  subscribe(
    listener: (event: AppEvent) => void,
    onState?: (state: ConnectionState) => void,
  ): () => void;
  /** Native file/folder picker (Electron only). */
  pickPath?: (options: PickPathOptions) => Promise<string | undefined>;
  /** Desktop-only settings (Electron only); rejects with an `AppError`. */
  desktop?: DesktopSettingsApi;
}

export interface DesktopSettingsApi {
  getSettings(): Promise<DesktopSettingsView>;
  saveSettings(patch: DesktopSettingsPatch): Promise<DesktopSettingsView>;
}
