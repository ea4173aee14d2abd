// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { placeMenu, RowMenu, type RowMenuItem } from '../../src/renderer/src/components/RowMenu';

function setup(extra: Partial<Record<'duplicate' | 'archive' | 'remove', () => void>> = {}): {
  user: ReturnType<typeof userEvent.setup>;
  button: HTMLElement;
  calls: string[];
} {
  const calls: string[] = [];
  const items: RowMenuItem[] = [
    { label: 'Delete', danger: true, onSelect: extra.remove ?? (() => calls.push('delete')) },
    { label: 'Duplicate', onSelect: extra.duplicate ?? (() => calls.push('duplicate')) },
    { label: 'Archive', onSelect: extra.archive ?? (() => calls.push('archive')) },
  ];
  render(
    <div>
      <button type="button">Before</button>
      <RowMenu name="Orders API" items={items} />
      <button type="button">After</button>
    </div>,
  );
  return {
    user: userEvent.setup(),
    button: screen.getByRole('button', { name: 'More actions for Orders API' }),
    calls,
  };
}

const items = (): HTMLElement[] => within(screen.getByRole('menu')).getAllByRole('menuitem');

describe('the row menu', () => {
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it('is a menu button named after its row that opens a menu labelled by it, focus on the first item', async () => {
    const { user, button } = setup();
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('menu')).toBeNull();
    await user.click(button);
    const menu = screen.getByRole('menu', { name: 'More actions for Orders API' });
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(button).toHaveAttribute('aria-controls', menu.id);
    expect(items()[0]).toHaveFocus();
  });

  it('puts destructive items last, after a separator, styled apart', async () => {
    const { user, button } = setup();
    await user.click(button);
    expect(items().map((i) => i.textContent)).toEqual(['Duplicate', 'Archive', 'Delete']);
    const menu = screen.getByRole('menu');
    expect(within(menu).getByRole('separator')).toBeInTheDocument();
    expect(within(menu).getByRole('menuitem', { name: 'Delete' })).toHaveClass('row-menu-danger');
    expect(within(menu).getByRole('menuitem', { name: 'Duplicate' })).not.toHaveClass(
      'row-menu-danger',
    );
  });

  it('moves with the arrow keys (wrapping), Home, End and a first letter', async () => {
    const { user, button } = setup();
    button.focus();
    await user.keyboard('{ArrowDown}');
    const [duplicate, archive, remove] = items();
    expect(duplicate).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(archive).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(duplicate).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(remove).toHaveFocus();
    await user.keyboard('{Home}');
    expect(duplicate).toHaveFocus();
    await user.keyboard('{End}');
    expect(remove).toHaveFocus();
    await user.keyboard('a');
    expect(archive).toHaveFocus();
  });

  it('opens on the last item with ArrowUp on the button', async () => {
    const { user, button } = setup();
    button.focus();
    await user.keyboard('{ArrowUp}');
    expect(items()[2]).toHaveFocus();
  });

  it('closes with Escape and gives focus back to its button, running nothing', async () => {
    const { user, button, calls } = setup();
    await user.click(button);
    await user.keyboard('{ArrowDown}{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(button).toHaveFocus();
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(calls).toEqual([]);
  });

  it('runs an item chosen with Enter, closes, and leaves focus on the button for what it opens', async () => {
    let focusedWhenRun: Element | null = null;
    const { user, button } = setup({
      archive: () => {
        focusedWhenRun = document.activeElement;
      },
    });
    button.focus();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(focusedWhenRun).toBe(button);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(button).toHaveFocus();
  });

  it('runs an item chosen with a click', async () => {
    const { user, button, calls } = setup();
    await user.click(button);
    await user.click(screen.getByRole('menuitem', { name: 'Delete' }));
    expect(calls).toEqual(['delete']);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('closes on a click outside without running anything or taking focus back', async () => {
    const { user, button, calls } = setup();
    await user.click(button);
    await user.click(screen.getByRole('button', { name: 'After' }));
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByRole('button', { name: 'After' })).toHaveFocus();
    expect(calls).toEqual([]);
  });

  it('closes when clicked again', async () => {
    const { user, button } = setup();
    await user.click(button);
    await user.click(button);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('closes with Tab and focus goes on to the next control', async () => {
    const { user, button } = setup();
    await user.click(button);
    await user.tab();
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByRole('button', { name: 'After' })).toHaveFocus();
  });

  it('keeps a disabled item focusable, says why, and does nothing when it is chosen', async () => {
    const calls: string[] = [];
    render(
      <RowMenu
        name="Used config"
        items={[
          { label: 'Duplicate', onSelect: () => calls.push('duplicate') },
          {
            label: 'Delete',
            danger: true,
            disabled: true,
            hint: 'In use: change the tasks that use it first.',
            onSelect: () => calls.push('delete'),
          },
        ]}
      />,
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'More actions for Used config' }));
    const del = screen.getByRole('menuitem', { name: 'Delete' });
    expect(del).toHaveAttribute('aria-disabled', 'true');
    expect(del).toHaveAccessibleDescription('In use: change the tasks that use it first.');
    await user.keyboard('{End}');
    expect(del).toHaveFocus();
    await user.keyboard('{Enter}');
    await user.click(del);
    expect(calls).toEqual([]);
    expect(screen.getByRole('menu')).toBeInTheDocument();
  });

  it('opens upwards when its button is near the bottom of the window', async () => {
    const { user, button } = setup();
    const rect = (top: number, height: number, right = 900): DOMRect =>
      ({ top, bottom: top + height, height, right, left: right - 30, width: 30 }) as DOMRect;
    vi.spyOn(button, 'getBoundingClientRect').mockReturnValue(rect(window.innerHeight - 40, 28));
    vi.spyOn(HTMLDivElement.prototype, 'getBoundingClientRect').mockReturnValue(rect(0, 120));
    await user.click(button);
    const menu = screen.getByRole('menu');
    expect(menu).toHaveAttribute('data-placement', 'up');
    expect(menu.style.top).toBe(`${window.innerHeight - 40 - 4 - 120}px`);
  });

  it('opens downwards where there is room below', async () => {
    const { user, button } = setup();
    await user.click(button);
    expect(screen.getByRole('menu')).toHaveAttribute('data-placement', 'down');
  });
});

describe('placeMenu', () => {
  const viewport = { width: 1000, height: 700 };
  it('puts the menu under the button, right-aligned with it', () => {
    expect(placeMenu({ top: 100, bottom: 128, right: 900 }, 120, viewport)).toEqual({
      top: 132,
      right: 100,
      up: false,
    });
  });
  it('flips it above the button when it would pass the bottom of the window', () => {
    expect(placeMenu({ top: 600, bottom: 628, right: 900 }, 120, viewport)).toEqual({
      top: 476,
      right: 100,
      up: true,
    });
  });
  it('keeps it below when it fits neither way (the window is too short), and inside the window', () => {
    expect(placeMenu({ top: 50, bottom: 78, right: 1200 }, 900, viewport)).toEqual({
      top: 82,
      right: 8,
      up: false,
    });
  });
});
