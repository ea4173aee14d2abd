/**
 * A destructive action behind a confirmation dialog: what is pending, whether it is running, and
 * one way to run it (a toast says what happened or why it failed; the dialog closes either way).
 */
import { useState } from 'react';
import { errorMessage } from '../stores/load-state';
import { useUi } from '../stores/ui';

export interface Confirmation<T> {
  /** What the dialog asks about; undefined when no dialog is open. */
  pending: T | undefined;
  busy: boolean;
  /** Opens the dialog for `value` (undefined closes it). */
  ask: (value: T | undefined) => void;
  /** Runs `action` on the pending value; it returns the message to show. */
  confirm: (action: (value: T) => Promise<string>) => Promise<void>;
}

export function useConfirmation<T>(): Confirmation<T> {
  const toast = useUi((s) => s.toast);
  const [pending, ask] = useState<T | undefined>();
  const [busy, setBusy] = useState(false);
  const confirm = async (action: (value: T) => Promise<string>): Promise<void> => {
    if (pending === undefined) return;
    setBusy(true);
    try {
      toast('info', await action(pending));
    } catch (e) {
      toast('error', errorMessage(e));
    } finally {
      setBusy(false);
      ask(undefined);
    }
  };
  return { pending, busy, ask, confirm };
}
