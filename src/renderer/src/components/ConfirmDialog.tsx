import {
  useRef,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactElement,
  type ReactNode,
} from 'react';
import { trapTab, useFocusTrap } from './focus-trap';

/**
 * The keydown handler of a modal dialog's root: Escape closes it (and goes no further, so a form
 * behind it stays open), Tab stays inside.
 */
export function modalKeys(onClose: () => void): (event: ReactKeyboardEvent<HTMLElement>) => void {
  return (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      onClose();
    } else trapTab(event);
  };
}

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}

/**
 * A modal confirmation: focus starts on Cancel so Enter is never destructive, Tab stays inside,
 * Escape cancels, and focus goes back to the control that opened it.
 */
export function ConfirmDialog(props: ConfirmDialogProps): ReactElement {
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useFocusTrap(dialogRef, cancelRef);
  return (
    <div className="backdrop">
      <div
        ref={dialogRef}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-body"
        className="dialog"
        onKeyDown={modalKeys(props.onCancel)}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <div id="confirm-body">{props.children}</div>
        <div className="actions">
          <button ref={cancelRef} type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
