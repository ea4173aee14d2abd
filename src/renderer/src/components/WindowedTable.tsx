/**
 * A list table that renders only the rows near the viewport once it is long
 * (hooks/useTableWindow.ts): the Tasks, Configurations and Schedules lists. Spacer rows stand
 * for the rows not rendered, hidden from assistive technology; the table says `aria-rowcount`
 * and `renderRow` puts the `aria-rowindex` it is given on its `<tr>`.
 */
import type { ReactElement } from 'react';
import { useTableWindow } from '../hooks/useTableWindow';

interface WindowedTableProps<T> {
  label: string;
  headers: readonly string[];
  items: readonly T[];
  /**
   * One `<tr key={…} aria-rowindex={rowIndex}>` (the header is row 1, so the first item is row 2),
   * keyed by the item.
   */
  renderRow: (item: T, rowIndex: number) => ReactElement;
}

function SpacerRow({ height, columns }: { height: number; columns: number }): ReactElement {
  return (
    <tr aria-hidden="true" data-spacer="" className="spacer-row" style={{ height }}>
      <td colSpan={columns} />
    </tr>
  );
}

export function WindowedTable<T>({
  label,
  headers,
  items,
  renderRow,
}: WindowedTableProps<T>): ReactElement {
  const rows = useTableWindow({ count: items.length });
  return (
    <table
      aria-label={label}
      aria-rowcount={items.length + 1}
      style={rows.columns ? { tableLayout: 'fixed' } : undefined}
    >
      {rows.columns ? (
        <colgroup>
          {rows.columns.map((width, i) => (
            <col key={i} style={{ width }} />
          ))}
        </colgroup>
      ) : null}
      <thead>
        <tr aria-rowindex={1}>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody ref={rows.bodyRef} onFocus={rows.onFocus}>
        {/* One flat list of keyed rows, so a row keeps its DOM (and focus) when the window
            moves and it passes from the window to the kept row or back. */}
        {rows.segments.flatMap((s) =>
          s.kind === 'gap'
            ? [<SpacerRow key={`gap-${s.at}`} height={s.height} columns={headers.length} />]
            : items.slice(s.from, s.to).map((item, i) => renderRow(item, s.from + i + 2)),
        )}
      </tbody>
    </table>
  );
}
