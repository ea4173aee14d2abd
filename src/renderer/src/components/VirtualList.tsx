/**
 * A small windowing list: fixed row height, only the visible rows (plus overscan) are in the DOM,
 * and `onNearEnd` fires when the user scrolls within a few screens of the last loaded row.
 */
import { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';

interface VirtualListProps<T> {
  items: T[];
  rowHeight: number;
  height: number;
  renderRow: (item: T, index: number) => ReactNode;
  onNearEnd?: () => void;
  label: string;
  /** Id of an element that describes the rows (e.g. a visible header naming the columns). */
  describedBy?: string;
  overscan?: number;
}

export function VirtualList<T>(props: VirtualListProps<T>): ReactElement {
  const { items, rowHeight, height, renderRow, onNearEnd, overscan = 8 } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const visible = Math.ceil(height / rowHeight) + overscan * 2;
  const last = Math.min(items.length, first + visible);

  useEffect(() => {
    // Near the end (or the page does not fill the view yet): ask for more.
    if (onNearEnd && last >= items.length - Math.ceil(height / rowHeight) * 2) onNearEnd();
  }, [last, items.length, height, rowHeight, onNearEnd]);

  return (
    <div
      ref={ref}
      className="virtual-list"
      role="list"
      aria-label={props.label}
      aria-describedby={props.describedBy}
      // `aria-rowcount` is for tables and grids; a list says its size on each item instead.
      data-count={items.length}
      tabIndex={0}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={(e) => {
        const el = ref.current;
        if (!el) return;
        if (e.key === 'PageDown') el.scrollTop += height;
        if (e.key === 'PageUp') el.scrollTop -= height;
        if (e.key === 'Home') el.scrollTop = 0;
        if (e.key === 'End') el.scrollTop = items.length * rowHeight;
      }}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div
            key={first + i}
            role="listitem"
            aria-setsize={items.length}
            aria-posinset={first + i + 1}
            style={{
              position: 'absolute',
              top: (first + i) * rowHeight,
              height: rowHeight,
              left: 0,
              right: 0,
            }}
          >
            {renderRow(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
