/**
 * Keyboard for an inline form (create / edit panels): opening it moves focus to its first field,
 * Escape closes it, and closing gives focus back to the control that opened it. Spread the
 * returned props on an element that wraps the form.
 */
import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent, type RefObject } from 'react';
import { focusableIn } from '../components/focus-trap';

export interface FormKeyboardProps {
  ref: RefObject<HTMLDivElement | null>;
  onKeyDown: (event: ReactKeyboardEvent<HTMLElement>) => void;
}

/** True when `target` sits in a popup of the form (an element some expanded control controls). */
function inOpenPopup(target: Element, root: HTMLElement): boolean {
  const popups = [...root.querySelectorAll('[aria-expanded="true"][aria-controls]')].map((el) =>
    el.getAttribute('aria-controls'),
  );
  for (let el: Element | null = target; el && el !== root; el = el.parentElement) {
    if (el.id && popups.includes(el.id)) return true;
  }
  return false;
}

/**
 * `openKey` names what is open (undefined: nothing); each new key focuses the first field again.
 * Escape in a popup of the form (a menu it opened) or one already handled is left alone.
 */
export function useFormKeyboard(
  openKey: string | undefined,
  onClose: () => void,
): FormKeyboardProps {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (openKey === undefined || !ref.current) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const fields = focusableIn(ref.current).filter((el) => !(el instanceof HTMLAnchorElement));
    (fields.find((el) => el.matches('input, select, textarea')) ?? fields[0])?.focus();
    return () => {
      // Closed (focus fell to the body with the form): back to the button that opened it.
      const lost = !document.activeElement || document.activeElement === document.body;
      if (lost && opener?.isConnected) opener.focus();
    };
  }, [openKey]);
  const onKeyDown = (event: ReactKeyboardEvent<HTMLElement>): void => {
    if (event.key !== 'Escape' || event.defaultPrevented || !ref.current) return;
    if (event.target instanceof Element && inOpenPopup(event.target, ref.current)) return;
    event.preventDefault();
    onClose();
  };
  return { ref, onKeyDown };
}
