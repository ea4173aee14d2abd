/**
 * `runs.stats` for a chart: fetched when the params change, and again when runs finish (the
 * tasks store's `lastRun` changes), at most once per REFRESH_MS so a busy scheduler does not
 * turn into a stream of whole-period queries. The first fetch goes out right away (in the same
 * moment as the screen's list, so the service computes the figures while the page renders); a
 * change of period or filters waits FETCH_DELAY_MS, so the list goes first and a quick run of
 * changes asks once.
 */
import { useEffect, useRef, useState } from 'react';
import type { MethodParams } from '../../../shared/contract';
import type { RunStats } from '../../../shared/run-stats';
import { call } from '../api/current';
import { chartPeriod } from '../components/run-stats-view';
import { errorMessage } from '../stores/load-state';
import { useTasks } from '../stores/tasks';

/** Shortest time between two refetches caused by runs. */
export const REFRESH_MS = 5_000;
/** How long after a change of period or filters the figures are asked for. */
export const FETCH_DELAY_MS = 150;

export interface RunStatsState {
  stats?: RunStats;
  error?: string;
  loading: boolean;
  /** The period asked for was longer than runs.stats covers: its newest part is shown. */
  clipped?: boolean;
}

/** What a chart shows: an open end means "until now" (resolved at each fetch). */
export type ChartQuery = Omit<MethodParams<'runs.stats'>, 'from' | 'to'> & {
  from?: string;
  to?: string;
  /** Without `from`: the last this many days (default 30). */
  days?: number;
};

export function useRunStats(query: ChartQuery | undefined): RunStatsState {
  const key = query ? JSON.stringify(query) : '';
  const lastRun = useTasks((s) => s.lastRun);
  const [state, setState] = useState<RunStatsState>({ loading: query !== undefined });
  const [tick, setTick] = useState(0);
  const lastFetch = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const firstRun = useRef(true);
  // The first query of this chart is not delayed (see the header).
  const asked = useRef(false);

  // Runs finished: refetch now, or once the throttle window is over.
  useEffect(() => {
    if (firstRun.current) {
      firstRun.current = false;
      return;
    }
    if (timer.current) return;
    const wait = Math.max(0, lastFetch.current + REFRESH_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setTick((t) => t + 1);
    }, wait);
  }, [lastRun]);
  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    if (!key) {
      setState({ loading: false });
      return;
    }
    let stale = false;
    lastFetch.current = Date.now();
    const { from, to, days, ...filters } = JSON.parse(key) as ChartQuery;
    const period = chartPeriod(from, to, Date.now(), days);
    if (!period) {
      setState({ loading: false });
      return;
    }
    setState((s) => ({ ...s, loading: true }));
    // After a change, a moment later, so the list of the new filter is asked first (and a quick
    // run of filter changes asks for the last one only). The first time, on the next task: the
    // screen's own effects (its list) have asked by then.
    const delay = asked.current ? FETCH_DELAY_MS : 0;
    asked.current = true;
    const wait = setTimeout(() => {
      call('runs.stats', { ...filters, from: period.from, to: period.to }).then(
        (stats) => !stale && setState({ stats, loading: false, clipped: period.clipped }),
        (e: unknown) => !stale && setState({ error: errorMessage(e), loading: false }),
      );
    }, delay);
    return () => {
      stale = true;
      clearTimeout(wait);
    };
  }, [key, tick]);
  return state;
}
