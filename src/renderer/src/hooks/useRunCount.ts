/**
 * How many runs a delete would remove, counted with `runs.list` (there is no count method):
 * pages of 1,000 up to COUNT_CAP, past that "more than" the cap.
 */
import { useEffect, useState } from 'react';
import type { MethodParams } from '../../../shared/contract';
import { call } from '../api/current';

export const COUNT_CAP = 20_000;

export type RunCount =
  | { state: 'counting' }
  | { state: 'counted'; count: number; capped: boolean }
  | { state: 'unknown' };

type CountParams = Pick<MethodParams<'runs.list'>, 'from' | 'to' | 'taskId'>;

export async function countRuns(params: CountParams): Promise<{ count: number; capped: boolean }> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await call('runs.list', { ...params, limit: 1000, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && count < COUNT_CAP);
  return { count, capped: cursor !== undefined };
}

/** Counts the runs matching `params` while `params` is set (a dialog is open). */
export function useRunCount(params: CountParams | undefined): RunCount {
  const [count, setCount] = useState<RunCount>({ state: 'counting' });
  const key = params ? JSON.stringify(params) : '';
  useEffect(() => {
    if (!key) return;
    let stale = false;
    setCount({ state: 'counting' });
    countRuns(JSON.parse(key) as CountParams).then(
      (c) => !stale && setCount({ state: 'counted', ...c }),
      () => !stale && setCount({ state: 'unknown' }),
    );
    return () => {
      stale = true;
    };
  }, [key]);
  return count;
}

/** "151 runs", "more than 20,000 runs", "the runs" (while counting or when the count failed). */
export function describeRunCount(count: RunCount): string {
  if (count.state !== 'counted') return 'the runs';
  const n = count.count.toLocaleString();
  if (count.capped) return `more than ${n} runs`;
  return `${n} run${count.count === 1 ? '' : 's'}`;
}
