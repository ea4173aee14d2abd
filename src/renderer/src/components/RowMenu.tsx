/**
 * The overflow menu of a list row ("More actions for <name>"): a menu button and a `role="menu"`
 * of `menuitem`s (WAI-ARIA menu button pattern). ↓/Enter/Space open it on the first item, ↑ on
 * the last; ↑/↓ move (wrapping), Home/End jump, a letter goes to the next item starting with it,
 * Escape closes it and focus goes back to the button, Tab closes it and moves on, a click outside
 * closes it. It is fixed-positioned under the button (right-aligned, so no scroll container
 * clips it) and opens upwards when there is no room below. Destructive items come last, after a
 * separator, styled apart. A disabled item stays focusable and says why (its `hint`).
 */
import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactElement,
  type RefObject,
} from 'react';

export interface RowMenuItem {
  label: string;
  onSelect: () => void;
  /** Deletes something: shown last, after a separator, in the danger colour. */
  danger?: boolean;
  disabled?: boolean;
  /** Shown under the label (and read as its description): e.g. why the item is disabled. */
  hint?: string;
}

export interface Placement {
  top: number;
  right: number;
  up: boolean;
}

const GAP = 4;
const MARGIN = 8;

/** Where the menu goes: under the button, or above it when it does not fit below but does above. */
export function placeMenu(
  button: { top: number; bottom: number; right: number },
  menuHeight: number,
  viewport: { width: number; height: number },
): Placement {
  const fitsBelow = button.bottom + GAP + menuHeight + MARGIN <= viewport.height;
  const fitsAbove = button.top - GAP - menuHeight >= MARGIN;
  const up = !fitsBelow && fitsAbove;
  return {
    top: up ? button.top - GAP - menuHeight : button.bottom + GAP,
    right: Math.max(MARGIN, viewport.width - button.right),
    up,
  };
}

/**
 * The closed menu is only its button (one state, one ref, no effects), as 1,000 rows each have
 * one; the menu, its listeners and its placement exist only while it is open (`RowMenuList`).
 */
export function RowMenu({ name, items }: { name: string; items: RowMenuItem[] }): ReactElement {
  // Closed, or open with focus on the first or the last item.
  const [open, setOpen] = useState<'first' | 'last' | undefined>();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const menuId = `${id}-menu`;
  const buttonId = `${id}-button`;

  const onButtonKey = (event: ReactKeyboardEvent<HTMLButtonElement>): void => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(event.key === 'ArrowUp' ? 'last' : 'first');
    }
  };

  return (
    <span className="row-menu">
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        className="row-menu-button"
        aria-label={`More actions for ${name}`}
        title={`More actions for ${name}`}
        aria-haspopup="menu"
        aria-expanded={open !== undefined}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(open ? undefined : 'first')}
        onKeyDown={onButtonKey}
      >
        {/* Named by its aria-label: the sign is not read. */}
        {'⋯'}
      </button>
      {open ? (
        <RowMenuList
          id={id}
          items={items}
          initial={open}
          button={buttonRef}
          onClose={(refocus) => {
            setOpen(undefined);
            if (refocus) buttonRef.current?.focus();
          }}
        />
      ) : null}
    </span>
  );
}

/** The open menu: placed by its button, focus on an item, closed by a press outside. */
function RowMenuList({
  id,
  items,
  initial,
  button,
  onClose,
}: {
  id: string;
  items: RowMenuItem[];
  initial: 'first' | 'last';
  button: RefObject<HTMLButtonElement | null>;
  onClose: (refocus: boolean) => void;
}): ReactElement {
  const menuRef = useRef<HTMLDivElement>(null);
  // Safe ones first, destructive ones last (after a separator).
  const ordered = [...items.filter((i) => !i.danger), ...items.filter((i) => i.danger)];
  const firstDanger = ordered.findIndex((i) => i.danger);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  const itemEls = (): HTMLElement[] =>
    menuRef.current ? [...menuRef.current.querySelectorAll<HTMLElement>('[role="menuitem"]')] : [];

  // Place it before it is painted (measured, so it can flip up), focus an item, and keep it by
  // its button while anything scrolls or the window resizes.
  useLayoutEffect(() => {
    const menu = menuRef.current;
    if (!menu) return;
    const place = (): void => {
      const el = button.current;
      if (!el) return;
      const at = placeMenu(el.getBoundingClientRect(), menu.getBoundingClientRect().height, {
        width: document.documentElement.clientWidth || window.innerWidth,
        height: window.innerHeight,
      });
      menu.style.top = `${at.top}px`;
      menu.style.right = `${at.right}px`;
      menu.dataset.placement = at.up ? 'up' : 'down';
    };
    place();
    const els = [...menu.querySelectorAll<HTMLElement>('[role="menuitem"]')];
    (initial === 'last' ? els[els.length - 1] : els[0])?.focus();
    window.addEventListener('resize', place);
    document.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      document.removeEventListener('scroll', place, true);
    };
  }, [initial, button]);

  // A press outside the button and the menu closes it (focus goes where the press went).
  useEffect(() => {
    const onDown = (event: PointerEvent): void => {
      const target = event.target as Node | null;
      if (target && (menuRef.current?.contains(target) || button.current?.contains(target))) return;
      closeRef.current(false);
    };
    document.addEventListener('pointerdown', onDown, true);
    return () => document.removeEventListener('pointerdown', onDown, true);
  }, [button]);

  const choose = (item: RowMenuItem): void => {
    if (item.disabled) return;
    // Focus is back on the button before the action runs, so a dialog or form it opens gives
    // focus back to the button when it closes.
    onClose(true);
    item.onSelect();
  };

  const onMenuKey = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    const els = itemEls();
    const at = els.indexOf(document.activeElement as HTMLElement);
    const focus = (i: number): void => els[(i + els.length) % els.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        focus(at + 1);
        break;
      case 'ArrowUp':
        focus(at < 0 ? -1 : at - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(-1);
        break;
      case 'Escape':
        event.stopPropagation();
        onClose(true);
        break;
      case 'Tab':
        // From the button, the browser's Tab goes on to whatever follows the menu.
        onClose(true);
        return;
      default: {
        if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
        const key = event.key.toLowerCase();
        const next = [...els.slice(at + 1), ...els.slice(0, at + 1)].find((el) =>
          (el.dataset.label ?? '').toLowerCase().startsWith(key),
        );
        if (!next) return;
        next.focus();
      }
    }
    event.preventDefault();
  };

  return (
    <div
      ref={menuRef}
      id={`${id}-menu`}
      role="menu"
      aria-labelledby={`${id}-button`}
      className="row-menu-list"
      onKeyDown={onMenuKey}
    >
      {ordered.map((item, i) => (
        <div key={item.label} role="none" className="row-menu-entry">
          {i === firstDanger && i > 0 ? (
            <div role="separator" className="row-menu-separator" />
          ) : null}
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            data-label={item.label}
            className={item.danger ? 'row-menu-item row-menu-danger' : 'row-menu-item'}
            aria-disabled={item.disabled ? true : undefined}
            aria-describedby={item.hint ? `${id}-hint-${i}` : undefined}
            onClick={() => choose(item)}
          >
            {item.label}
            {item.hint ? (
              // Its description, not part of its name.
              <span id={`${id}-hint-${i}`} className="row-menu-hint" aria-hidden="true">
                {item.hint}
              </span>
            ) : null}
          </button>
        </div>
      ))}
    </div>
  );
}
