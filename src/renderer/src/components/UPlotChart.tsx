/**
 * One uPlot chart in a React tree. uPlot (and its CSS) is imported on first use, so the initial
 * bundle does not carry it; the chart is rebuilt when `build` changes and follows its box's
 * width. Drawing needs a canvas and ResizeObserver: without them (jsdom) nothing is drawn and
 * only the text alternative that callers render beside it remains.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type uPlot from 'uplot';

export type UPlotModule = typeof uPlot;
/** Options (without size) and data for the chart, given uPlot and a resolver of CSS colours. */
export type ChartBuild = (
  U: UPlotModule,
  color: (cssColor: string) => string,
) => { opts: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData };

let loading: Promise<UPlotModule> | undefined;

/** uPlot and its stylesheet, loaded once. */
export function loadUPlot(): Promise<UPlotModule> {
  loading ??= import('./uplot-lazy').then((mod) => mod.default);
  return loading;
}

/** False where charts cannot be drawn (no ResizeObserver or canvas, as in jsdom). */
export function canDraw(): boolean {
  return typeof ResizeObserver !== 'undefined' && typeof HTMLCanvasElement !== 'undefined';
}

/** `var(--x)` resolved against the document (canvas needs real colours). */
function resolver(el: Element): (cssColor: string) => string {
  const style = getComputedStyle(el);
  return (c) => {
    const m = /^var\((--[\w-]+)\)$/.exec(c);
    return m ? style.getPropertyValue(m[1]!).trim() || '#888' : c;
  };
}

/** Changes when the colour scheme does, so charts are drawn again in the new colours. */
function useColorScheme(): boolean {
  const query =
    typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const changed = (): void => setDark(query.matches);
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, [query]);
  return dark;
}

export function UPlotChart({
  build,
  height,
  name,
  label,
}: {
  build: ChartBuild;
  height: number;
  /** Names the chart for tests and the bench (`data-chart`). */
  name: string;
  /** What the chart shows, for screen readers (the tables beside it give the figures). */
  label: string;
}): ReactElement {
  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);
  const dark = useColorScheme();
  useEffect(() => {
    const el = box.current;
    if (!el || !canDraw()) return;
    let chart: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let gone = false;
    void loadUPlot().then((U) => {
      if (gone) return;
      const { opts, data } = build(U, resolver(el));
      const width = Math.max(200, el.clientWidth);
      chart = new U({ ...opts, width, height }, data, el);
      setDrawn(true);
      observer = new ResizeObserver(() => {
        const w = Math.max(200, el.clientWidth);
        if (chart && w !== chart.width) chart.setSize({ width: w, height });
      });
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [build, height, dark]);
  return (
    <div
      ref={box}
      className="chart-canvas"
      role="img"
      aria-label={label}
      data-chart={name}
      data-drawn={drawn ? 'true' : undefined}
    />
  );
}
