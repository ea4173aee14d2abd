/** App-wide UI state: connection, token prompt, toasts. */
import { create } from 'zustand';
import type { ConnectionState } from '../api/transport';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** Hash route the toast links to. */
  href?: string;
}

interface UiState {
  connection: ConnectionState;
  transport: 'bridge' | 'http';
  needToken: boolean;
  toasts: Toast[];
  setConnection(state: ConnectionState): void;
  setTransport(kind: 'bridge' | 'http'): void;
  setNeedToken(need: boolean): void;
  toast(kind: Toast['kind'], message: string, href?: string): void;
  dismiss(id: number): void;
}

let nextToast = 1;

export const useUi = create<UiState>()((set) => ({
  connection: 'connecting',
  transport: 'http',
  needToken: false,
  toasts: [],
  setConnection: (connection) => set({ connection }),
  setTransport: (transport) => set({ transport }),
  setNeedToken: (needToken) => set({ needToken }),
  toast: (kind, message, href) =>
    set((s) => ({
      // Keep the newest few so a burst of failures does not bury the screen.
      toasts: [...s.toasts, { id: nextToast++, kind, message, ...(href ? { href } : {}) }].slice(
        -5,
      ),
    })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));
