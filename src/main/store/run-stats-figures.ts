/**
 * Exact duration percentiles for `runs.stats` (nearest rank: the ⌈p·n⌉-th smallest): over loose
 * durations by quickselect, and over the union of already sorted slices (the json store's
 * per-hour aggregates, src/main/store/json/hour-stats.ts) by a selection that never copies them:
 * a weighted median of the slices' medians as pivot drops at least a quarter of what is left per
 * round, so a rank costs O(slices · log(size) · log(total)).
 */
import type { DurationFigures } from '../../shared/run-stats';

/** Part of a sorted column: `data[lo..hi)` in ascending order. */
export interface SortedSlice {
  data: Float64Array;
  lo: number;
  hi: number;
}

/**
 * Puts the k-th smallest of a[lo..hi] at a[k], smaller ones before it and larger after
 * (quickselect with a three-way partition, so the many equal durations of a task stay linear).
 */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i] = a[lt]!;
        a[lt++] = v;
        i++;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return;
  }
}

const rankOf = (p: number, n: number): number => Math.max(0, Math.ceil(p * n) - 1);

/** p50, p95 and max of the durations, exact, in linear time; reorders `a`. */
export function figuresOf(a: Float64Array): DurationFigures {
  const n = a.length;
  if (n === 0) return {};
  let max = a[0]!;
  for (let i = 1; i < n; i++) if (a[i]! > max) max = a[i]!;
  const k95 = rankOf(0.95, n);
  const k50 = rankOf(0.5, n);
  select(a, 0, n - 1, k95);
  const p95 = a[k95]!;
  // Everything before k95 is ≤ p95: the median is among them (or is p95 itself).
  if (k50 < k95) select(a, 0, k95 - 1, k50);
  return { p50: a[k50]!, p95, max };
}

/** First index in data[lo..hi) whose value is > v (or ≥ v when `strict` is false). */
function bound(data: Float64Array, lo: number, hi: number, v: number, strict: boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? data[mid]! <= v : data[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The k-th smallest (0-based) of the union of the slices; `k` < their total size. */
export function kthOfSorted(slices: readonly SortedSlice[], k: number): number {
  const data: Float64Array[] = [];
  const lo = new Int32Array(slices.length);
  const hi = new Int32Array(slices.length);
  let m = 0;
  for (const s of slices) {
    if (s.hi <= s.lo) continue;
    data[m] = s.data;
    lo[m] = s.lo;
    hi[m++] = s.hi;
  }
  const medians = new Float64Array(m);
  const order = new Uint32Array(m);
  const lows = new Int32Array(m);
  const highs = new Int32Array(m);
  for (;;) {
    if (m === 1) return data[0]![lo[0]! + k]!;
    let total = 0;
    for (let i = 0; i < m; i++) {
      medians[i] = data[i]![(lo[i]! + hi[i]!) >>> 1]!;
      order[i] = i;
      total += hi[i]! - lo[i]!;
    }
    // The weighted median of the medians: at least a quarter of the values on each side.
    order.subarray(0, m).sort((x, y) => medians[x]! - medians[y]!);
    let pivot = medians[order[0]!]!;
    for (let j = 0, seen = 0; j < m; j++) {
      const i = order[j]!;
      seen += hi[i]! - lo[i]!;
      pivot = medians[i]!;
      if (2 * seen >= total) break;
    }
    let below = 0; // values < pivot
    let upTo = 0; // values ≤ pivot
    for (let i = 0; i < m; i++) {
      lows[i] = bound(data[i]!, lo[i]!, hi[i]!, pivot, false);
      highs[i] = bound(data[i]!, lows[i]!, hi[i]!, pivot, true);
      below += lows[i]! - lo[i]!;
      upTo += highs[i]! - lo[i]!;
    }
    if (k >= below && k < upTo) return pivot;
    if (k < below) hi.set(lows.subarray(0, m));
    else {
      k -= upTo;
      lo.set(highs.subarray(0, m));
    }
    let kept = 0;
    for (let i = 0; i < m; i++) {
      if (hi[i]! <= lo[i]!) continue;
      data[kept] = data[i]!;
      lo[kept] = lo[i]!;
      hi[kept++] = hi[i]!;
    }
    m = kept;
  }
}

/** p50, p95 and max over the union of sorted slices, exact, without copying them. */
export function figuresOfSorted(slices: readonly SortedSlice[]): DurationFigures {
  let n = 0;
  let max = -Infinity;
  for (const s of slices) {
    if (s.hi <= s.lo) continue;
    n += s.hi - s.lo;
    if (s.data[s.hi - 1]! > max) max = s.data[s.hi - 1]!;
  }
  if (n === 0) return {};
  return {
    p50: kthOfSorted(slices, rankOf(0.5, n)),
    p95: kthOfSorted(slices, rankOf(0.95, n)),
    max,
  };
}
