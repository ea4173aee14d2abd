/**
 * Windowing for a long table that scrolls with its screen (inside `<main>`): only the rows near
 * the viewport are rendered, and empty spacer rows stand for the others, so the scrollbar, the
 * page's height and the table's semantics stay those of the whole list (the table says
 * `aria-rowcount`, each row its `aria-rowindex`). A list of up to `minRows` rows renders whole,
 * exactly as without windowing.
 *
 * Hand-written rather than a virtualizer library: those window a scroll container of their own
 * with absolutely positioned rows (as History's VirtualList does), which a `<table>` with
 * sticky action cells and a header cannot use; this is the small part we need.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** What the tbody holds, top to bottom: runs of rendered rows, and gaps for a spacer row each. */
export type TableSegment =
  { kind: 'rows'; from: number; to: number } | { kind: 'gap'; height: number; at: number };

export interface TableWindow {
  /**
   * The rows in view (plus overscan), and the row that last held focus when it is elsewhere:
   * kept rendered so that a form or dialog it opened can give focus back to it on closing.
   */
  segments: TableSegment[];
  /** True past `minRows` rows: only the window (and the focused row) is rendered. */
  windowed: boolean;
  /**
   * While windowed, the column widths laid out for the first rows, to pin with a `<colgroup>`
   * and `table-layout: fixed` so the columns do not shift as other rows scroll in; measured
   * again when the window resizes.
   */
  columns: number[] | undefined;
  /**
   * Goes on the `<tbody>`; its position in the scroll container places the window. Each row says
   * its `aria-rowindex` (index + 2: the header is row 1), which is also how rows are measured.
   */
  bodyRef: RefObject<HTMLTableSectionElement | null>;
  /** Goes on the `<tbody>` too: notes the row focus is in. */
  onFocus: (event: { target: EventTarget }) => void;
}

export interface TableWindowOptions {
  /** Rows in the list. */
  count: number;
  /** Height of a row before one is measured, in px. */
  estimate?: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
  /** Lists of up to this many rows render whole. */
  minRows?: number;
}

/** The nearest ancestor that scrolls vertically (the screen's `<main>`), else the window. */
function scrollParent(el: HTMLElement | null): HTMLElement | undefined {
  for (let p = el?.parentElement; p; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY;
    if (y === 'auto' || y === 'scroll') return p;
  }
  return undefined;
}

export function useTableWindow({
  count,
  estimate = 37,
  overscan = 15,
  minRows = 60,
}: TableWindowOptions): TableWindow {
  const bodyRef = useRef<HTMLTableSectionElement | null>(null);
  const [rowHeight, setRowHeight] = useState(estimate);
  // The viewport's span over the tbody, in px from the tbody's top.
  const [span, setSpan] = useState<{ top: number; height: number }>({ top: 0, height: 0 });

  const measure = useCallback((): void => {
    const body = bodyRef.current;
    if (!body) return;
    const parent = scrollParent(body);
    const view = parent ? parent.getBoundingClientRect() : { top: 0, height: window.innerHeight };
    // No layout (jsdom) reports zero heights: fall back to the window's.
    const height = view.height || window.innerHeight;
    const top = view.top - body.getBoundingClientRect().top;
    setSpan((s) =>
      Math.abs(s.top - top) < 1 && Math.abs(s.height - height) < 1 ? s : { top, height },
    );
  }, []);

  const [columns, setColumns] = useState<number[] | undefined>();
  const [layoutKey, setLayoutKey] = useState(0);

  useEffect(() => {
    if (count <= minRows) return;
    const parent = scrollParent(bodyRef.current);
    const target: HTMLElement | Window = parent ?? window;
    let frame = 0;
    const onScroll = (): void => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        measure();
      });
    };
    const onResize = (): void => {
      setColumns(undefined);
      setLayoutKey((k) => k + 1);
      onScroll();
    };
    target.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onResize);
    const resize = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(onScroll);
    // The viewport resizing, or the screen around the table (a form opening above it moves it).
    if (parent) resize?.observe(parent);
    const screen = bodyRef.current?.closest('section');
    if (screen) resize?.observe(screen);
    measure();
    return () => {
      target.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onResize);
      resize?.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [count, minRows, measure]);

  const windowed = count > minRows;
  const height = span.height || (typeof window === 'undefined' ? 800 : window.innerHeight);
  let first = 0;
  let last = count;
  if (windowed) {
    first = Math.max(0, Math.floor(span.top / rowHeight) - overscan);
    last = Math.min(count, Math.ceil((span.top + height) / rowHeight) + overscan);
    if (last <= first) {
      // The viewport is past either end (the list shrank): render the end it is nearest to.
      const n = Math.min(count, Math.ceil(height / rowHeight) + overscan * 2);
      if (span.top > 0) first = count - n;
      last = first + n;
    }
  }

  // Rows are as tall as their content: the row height assumed is the mean of every row rendered
  // so far (it settles as rows are seen, so the window does not swing between two estimates).
  const heights = useRef(new Map<number, number>());
  useLayoutEffect(() => heights.current.clear(), [count]);
  useLayoutEffect(() => {
    const header = bodyRef.current?.parentElement?.querySelector('thead tr');
    if (!windowed || !header) {
      setColumns(undefined);
      return;
    }
    const widths = Array.from(header.children, (th) => th.getBoundingClientRect().width);
    setColumns(widths.every((w) => w > 0) ? widths : undefined);
  }, [windowed, layoutKey]);
  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (!windowed || !body) return;
    for (const row of Array.from(body.rows)) {
      const index = Number(row.getAttribute('aria-rowindex')) - 2;
      const h = row.getBoundingClientRect().height;
      if (index >= 0 && h > 0) heights.current.set(index, h);
    }
    if (heights.current.size === 0) return;
    let total = 0;
    for (const h of heights.current.values()) total += h;
    const mean = total / heights.current.size;
    if (Math.abs(mean - rowHeight) > 0.5) setRowHeight(mean);
  }, [windowed, rowHeight, first, last, count]);

  const [focused, setFocused] = useState<number | undefined>();
  const onFocus = useCallback((event: { target: EventTarget }): void => {
    const row = event.target instanceof Element ? event.target.closest('tr[aria-rowindex]') : null;
    if (row) setFocused(Number(row.getAttribute('aria-rowindex')) - 2);
  }, []);

  const segments: TableSegment[] = [];
  const gap = (from: number, to: number): void => {
    if (to > from) segments.push({ kind: 'gap', height: (to - from) * rowHeight, at: from });
  };
  const kept = focused !== undefined && focused < count ? focused : undefined;
  if (kept !== undefined && kept < first) {
    gap(0, kept);
    segments.push({ kind: 'rows', from: kept, to: kept + 1 });
    gap(kept + 1, first);
  } else gap(0, first);
  segments.push({ kind: 'rows', from: first, to: last });
  if (kept !== undefined && kept >= last) {
    gap(last, kept);
    segments.push({ kind: 'rows', from: kept, to: kept + 1 });
    gap(kept + 1, count);
  } else gap(last, count);

  return {
    segments,
    onFocus,
    windowed,
    columns: windowed ? columns : undefined,
    bodyRef,
  };
}
