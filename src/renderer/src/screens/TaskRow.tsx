/**
 * One row of the Tasks list, memoised: the list re-renders (a run finished, a dialog opened) without
 * rendering its rows again; only the rows whose props changed do (a long list renders only the
 * rows near the viewport: hooks/useTableWindow.ts). The screen passes stable
 * callbacks (the task as their argument) so unchanged rows keep equal props.
 */
import { memo, useState, type ReactElement } from 'react';
import type { Configuration, Run, Task } from '../../../shared/domain';
import { Countdown, StatusBadge } from '../components/common';
import { RowMenu } from '../components/RowMenu';
import { navigate } from '../router';
import { formatDuration, formatTime } from '../util';

/**
 * "Run with another configuration": the options are mounted only once the control is focused or
 * pressed, so 1,000 rows do not put 1,000 × (configurations of that type) options in the DOM.
 */
function RunWithPicker({
  task,
  sameType,
  value,
  onChange,
}: {
  task: Task;
  /** The configurations of the task's type (its own is left out here). */
  sameType: Configuration[];
  value: string;
  onChange: (task: Task, configId: string) => void;
}): ReactElement {
  const [active, setActive] = useState(false);
  const shown = active
    ? sameType.filter((c) => c.id !== task.configId)
    : value
      ? sameType.filter((c) => c.id === value)
      : [];
  return (
    <select
      aria-label={`Configuration for running ${task.name}`}
      value={value}
      onFocus={() => setActive(true)}
      onPointerDown={() => setActive(true)}
      onChange={(e) => onChange(task, e.target.value)}
    >
      <option value="">default configuration</option>
      {shown.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </select>
  );
}

export interface TaskRowProps {
  /** The row's `aria-rowindex` in the whole list (the header is 1). */
  rowIndex: number;
  task: Task;
  run: Run | undefined;
  configName: string;
  nextRunAt: string | undefined;
  current: boolean;
  /** The configurations of the task's type (the picker offers the others). */
  sameType: Configuration[];
  runWith: string;
  onRunWith: (task: Task, configId: string) => void;
  onRun: (task: Task) => void;
  onDelete: (task: Task) => void;
}

export const TaskRow = memo(function TaskRow({
  rowIndex,
  task: t,
  run,
  configName,
  nextRunAt,
  current,
  sameType,
  runWith,
  onRunWith,
  onRun,
  onDelete,
}: TaskRowProps): ReactElement {
  const hasOthers =
    sameType.length > 1 || (sameType.length === 1 && sameType[0]!.id !== t.configId);
  return (
    <tr aria-rowindex={rowIndex} aria-current={current ? 'true' : undefined}>
      <td>
        <a href={`#/tasks/${encodeURIComponent(t.id)}`}>{t.name}</a>
      </td>
      <td>{t.type}</td>
      <td>{t.operation}</td>
      <td>{configName}</td>
      <td aria-label={`Last run of ${t.name}`}>
        <StatusBadge status={run?.status} />{' '}
        {run ? (
          <a href={`#/history/${encodeURIComponent(run.id)}`}>
            {formatTime(run.startedAt)}
            {run.durationMs !== undefined ? ` (${formatDuration(run.durationMs)})` : ''}
          </a>
        ) : null}
      </td>
      <td>
        <Countdown to={nextRunAt} />
      </td>
      <td className="actions">
        <div className="row-actions">
          {hasOthers ? (
            <RunWithPicker task={t} sameType={sameType} value={runWith} onChange={onRunWith} />
          ) : null}
          <button
            type="button"
            aria-label={`Run ${t.name} now`}
            disabled={run?.status === 'running'}
            onClick={() => onRun(t)}
          >
            {run?.status === 'running' ? 'Running…' : 'Run now'}
          </button>
          <RowMenu
            name={t.name}
            items={[
              {
                label: 'Edit',
                // The task's page with its form on top.
                onSelect: () => navigate(`/tasks/${encodeURIComponent(t.id)}/edit`),
              },
              { label: 'Delete', danger: true, onSelect: () => onDelete(t) },
            ]}
          />
        </div>
      </td>
    </tr>
  );
});
