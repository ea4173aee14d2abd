/**
 * Beside the configuration form's Test button (issue #15, "Test a chain"): when the
 * configuration is the default of a task that runs after another, Test sends the parent's last
 * result as `configs.test`'s `input`, as a chained run would receive it; unticked, it tests
 * without one.
 */
import type { ReactElement } from 'react';
import { formatTime } from '../util';
import type { ChainSample } from './ChainHooks';

interface ChainTestInputProps {
  sample: ChainSample | undefined;
  /** The user chose to test without the sample input. */
  without: boolean;
  onWithout: (without: boolean) => void;
}

export function ChainTestInput({
  sample,
  without,
  onWithout,
}: ChainTestInputProps): ReactElement | null {
  if (!sample) return null;
  const parentName = `“${sample.parent?.name ?? sample.task.runAfter?.[0]?.taskId ?? '?'}”`;
  if (!sample.run) {
    return (
      <span className="hint">
        {sample.loading
          ? `Reading the last result of ${parentName}…`
          : `“${sample.task.name}” runs after ${parentName}, which has no result yet: Test runs without an input, so {{input…}} cannot be filled.`}
      </span>
    );
  }
  return (
    <label className="inline" title="{{input…}} reads it, and {{parent.id}} is sample-parent">
      <input type="checkbox" checked={!without} onChange={(e) => onWithout(!e.target.checked)} />
      Test with the last result of {parentName} ({formatTime(sample.run.startedAt)}) as input
    </label>
  );
}
