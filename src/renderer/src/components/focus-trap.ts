/** Keeps keyboard focus inside a modal dialog and gives it back to the opener afterwards. */
import { useEffect, type KeyboardEvent as ReactKeyboardEvent, type RefObject } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
}

/**
 * On mount focuses `initial` (else the first focusable element); on unmount returns focus to the
 * element that had it before, when that element is still in the page.
 */
export function useFocusTrap(
  dialog: RefObject<HTMLElement | null>,
  initial?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = dialog.current;
    (initial?.current ?? (root ? focusableIn(root)[0] : undefined))?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
    // Ref objects keep their identity across renders: this runs on mount and unmount only.
  }, [dialog, initial]);
}

/** Tab / Shift+Tab wrap around inside the dialog (a keydown handler for its root). */
export function trapTab(event: ReactKeyboardEvent<HTMLElement>): void {
  if (event.key !== 'Tab') return;
  const items = focusableIn(event.currentTarget);
  if (items.length === 0) {
    event.preventDefault();
    return;
  }
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const active = document.activeElement;
  const inside = active instanceof Node && event.currentTarget.contains(active);
  if (event.shiftKey && (active === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}
