// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../../src/renderer/src/components/ConfirmDialog';
import { JsonTree } from '../../src/renderer/src/components/RunResultView';

function Harness({ onConfirm }: { onConfirm: () => void }): ReactElement {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button">Before</button>
      <button type="button" onClick={() => setOpen(true)}>
        Delete everything
      </button>
      {open ? (
        <ConfirmDialog
          title="Delete everything?"
          confirmLabel="Delete"
          onCancel={() => setOpen(false)}
          onConfirm={() => {
            onConfirm();
            setOpen(false);
          }}
        >
          Gone for good. <a href="#/help">Read more</a>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

afterEach(cleanup);

describe('ConfirmDialog', () => {
  it('keeps Tab inside the dialog, closes on Escape and gives focus back to the opener', async () => {
    const user = userEvent.setup();
    let confirmed = 0;
    render(<Harness onConfirm={() => confirmed++} />);
    const opener = screen.getByRole('button', { name: 'Delete everything' });
    await user.click(opener);
    const dialog = screen.getByRole('alertdialog', { name: 'Delete everything?' });
    const link = within(dialog).getByRole('link', { name: 'Read more' });
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    const del = within(dialog).getByRole('button', { name: 'Delete' });
    expect(cancel).toHaveFocus();
    await user.tab();
    expect(del).toHaveFocus();
    await user.tab();
    expect(link).toHaveFocus(); // wrapped to the first control, never out to the page
    await user.tab({ shift: true });
    expect(del).toHaveFocus(); // and backwards from the first to the last
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
    expect(confirmed).toBe(0);
  });

  it('returns focus to the opener after confirming too', async () => {
    const user = userEvent.setup();
    let confirmed = 0;
    render(<Harness onConfirm={() => confirmed++} />);
    const opener = screen.getByRole('button', { name: 'Delete everything' });
    await user.click(opener);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(confirmed).toBe(1);
    expect(opener).toHaveFocus();
  });
});

describe('JsonTree', () => {
  const value = { name: 'a', nested: { list: [1, 2], flag: true } };

  it('exposes tree items with levels, and aria-expanded only on expandable nodes', () => {
    render(<JsonTree value={value} />);
    const tree = screen.getByRole('tree', { name: 'JSON result' });
    const root = within(tree).getByRole('treeitem', { name: '{2}' });
    expect(root).toHaveAttribute('aria-expanded', 'true');
    expect(root).toHaveAttribute('aria-level', '1');
    const leaf = within(tree).getByRole('treeitem', { name: 'name: "a"' });
    expect(leaf).not.toHaveAttribute('aria-expanded');
    expect(leaf).toHaveAttribute('aria-level', '2');
    expect(within(tree).getByRole('treeitem', { name: 'nested: {2}' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    // Third level starts collapsed: its children are not rendered.
    const list = within(tree).getByRole('treeitem', { name: 'list: [2]' });
    expect(list).toHaveAttribute('aria-expanded', 'false');
    expect(within(tree).queryByRole('treeitem', { name: '0: 1' })).not.toBeInTheDocument();
    // Children of an item sit in a group.
    expect(list.parentElement).toHaveAttribute('role', 'group');
  });

  it('moves with the arrow keys and expands with Enter or ArrowRight', async () => {
    const user = userEvent.setup();
    render(<JsonTree value={value} />);
    const tree = screen.getByRole('tree');
    await user.tab();
    expect(within(tree).getByRole('treeitem', { name: '{2}' })).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    const list = within(tree).getByRole('treeitem', { name: 'list: [2]' });
    expect(list).toHaveFocus();
    await user.keyboard('{ArrowRight}');
    expect(list).toHaveAttribute('aria-expanded', 'true');
    expect(within(list).getByRole('treeitem', { name: '1: 2' })).toHaveAttribute('aria-level', '4');
    await user.keyboard('{Enter}');
    expect(list).toHaveAttribute('aria-expanded', 'false');
    await user.keyboard('{End}');
    expect(within(tree).getByRole('treeitem', { name: 'flag: true' })).toHaveFocus();
  });
});
