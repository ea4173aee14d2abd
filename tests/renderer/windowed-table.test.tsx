// @vitest-environment jsdom
/**
 * The windowed list table's boundaries, in jsdom (no layout: the window's height stands in for
 * the viewport). Scrolling, measured row heights and pinned columns are driven in Chromium by
 * e2e/long-lists.spec.ts.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { WindowedTable } from '../../src/renderer/src/components/WindowedTable';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `Row ${i + 1}`);

function renderTable(items: string[]): HTMLElement {
  render(
    <section>
      <WindowedTable
        label="Things"
        headers={['Name', 'Actions']}
        items={items}
        renderRow={(item, rowIndex) => (
          <tr key={item} aria-rowindex={rowIndex}>
            <td>{item}</td>
            <td>
              <button type="button">Run {item}</button>
            </td>
          </tr>
        )}
      />
    </section>,
  );
  return screen.getByRole('table', { name: 'Things' });
}

describe('WindowedTable', () => {
  afterEach(cleanup);

  it('renders a list of up to 60 rows whole, with no stand-in rows', () => {
    const table = renderTable(names(60));
    expect(table).toHaveAttribute('aria-rowcount', '61');
    // The header row and the 60 rows, each with its index.
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(61);
    expect(rows[60]).toHaveAttribute('aria-rowindex', '61');
    expect(table.querySelector('tr[data-spacer]')).toBeNull();
  });

  it('renders the first rows of a longer list and a hidden stand-in for the rest', () => {
    const table = renderTable(names(1000));
    expect(table).toHaveAttribute('aria-rowcount', '1001');
    const rows = within(table).getAllByRole('row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    expect(rows[1]).toHaveAttribute('aria-rowindex', '2');
    expect(within(table).getByRole('button', { name: 'Run Row 1' })).toBeInTheDocument();
    expect(within(table).queryByRole('button', { name: 'Run Row 1000' })).toBeNull();
    const spacers = table.querySelectorAll('tr[data-spacer]');
    expect(spacers).toHaveLength(1);
    expect(spacers[0]).toHaveAttribute('aria-hidden', 'true');
    // It stands for the rows not rendered, at the assumed row height.
    expect(parseFloat((spacers[0] as HTMLElement).style.height)).toBeGreaterThan(900 * 30);
  });

  it('renders the whole list again when a search shrinks it to a few rows', () => {
    const table = (items: string[]): ReactElement => (
      <WindowedTable
        label="Things"
        headers={['Name']}
        items={items}
        renderRow={(item, rowIndex) => (
          <tr key={item} aria-rowindex={rowIndex}>
            <td>{item}</td>
          </tr>
        )}
      />
    );
    const { rerender } = render(table(names(1000)));
    expect(screen.getByRole('table').querySelector('tr[data-spacer]')).not.toBeNull();
    rerender(table(['Row 998', 'Row 999', 'Row 1000']));
    const rows = within(screen.getByRole('table')).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual(['Name', 'Row 998', 'Row 999', 'Row 1000']);
    expect(screen.getByRole('table')).toHaveAttribute('aria-rowcount', '4');
    expect(screen.getByRole('table').querySelector('tr[data-spacer]')).toBeNull();
  });
});
