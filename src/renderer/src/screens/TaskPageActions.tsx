/**
 * The task page's actions: Run now, Run with… (a picker of the other configurations that can run
 * the task), Edit, Duplicate (saves "<name> (copy)" and opens it), Delete (the Tasks list's
 * confirmation, chain notice included; then back to the list).
 */
import { useId, useRef, useState, type ReactElement } from 'react';
import { compatibilityProblem } from '../../../shared/compatibility';
import type { Task, TaskInput } from '../../../shared/domain';
import { useAllTasks } from '../components/ChainHooks';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { pickerOptions } from '../components/lists';
import { useConfirmation } from '../hooks/useConfirmation';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useSchedules } from '../stores/schedules';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { deleteTaskText } from './task-delete';

/** "Fetch (copy)", or "Fetch (copy 2)" … when a task already has that name. */
export function copyName(name: string, taken: ReadonlySet<string>): string {
  let candidate = `${name} (copy)`;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name} (copy ${n})`;
  return candidate;
}

/** The task as a new one: everything but its id and times (schedule entries are not copied). */
function copyOf(task: Task, name: string): TaskInput {
  const input: TaskInput = { ...task, name };
  delete input.id;
  delete input.createdAt;
  delete input.updatedAt;
  return input;
}

/** Run with…: a picker of the task's other compatible configurations and a Run button. */
function RunWith({ task, onClose }: { task: Task; onClose: () => void }): ReactElement {
  const configs = useConfigs((s) => s.items);
  const toast = useUi((s) => s.toast);
  const others = configs.filter((c) => c.id !== task.configId && !compatibilityProblem(task, c));
  const [configId, setConfigId] = useState(others[0]?.id ?? '');
  const selectId = useId();
  const run = async (): Promise<void> => {
    const config = others.find((c) => c.id === configId);
    if (!config) return;
    try {
      await useTasks.getState().run(task.id, config.id);
      onClose();
    } catch (e) {
      toast('error', `Could not run ${task.name} with ${config.name}: ${errorMessage(e)}`);
    }
  };
  return (
    <form
      id="run-with-panel"
      className="panel run-with"
      aria-label={`Run ${task.name} with another configuration`}
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        onClose();
      }}
    >
      <label htmlFor={selectId}>Configuration</label>{' '}
      <select
        id={selectId}
        autoFocus
        value={configId}
        onChange={(e) => setConfigId(e.target.value)}
      >
        {pickerOptions(others).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>{' '}
      <button type="submit" className="primary">
        Run
      </button>{' '}
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </form>
  );
}

export function TaskActions({ task }: { task: Task }): ReactElement {
  const lastRun = useTasks((s) => s.lastRun[task.id]);
  const configs = useConfigs((s) => s.items);
  const entries = useSchedules((s) => s.items);
  const toast = useUi((s) => s.toast);
  const allTasks = useAllTasks();
  const [runWithOpen, setRunWithOpen] = useState(false);
  const runWithButton = useRef<HTMLButtonElement>(null);
  const closeRunWith = (): void => {
    setRunWithOpen(false);
    runWithButton.current?.focus();
  };
  const [copying, setCopying] = useState(false);
  const { pending, ask, busy, confirm } = useConfirmation<Task>();
  const running = lastRun?.status === 'running';
  const others = configs.filter((c) => c.id !== task.configId && !compatibilityProblem(task, c));

  const runNow = async (): Promise<void> => {
    try {
      await useTasks.getState().run(task.id);
    } catch (e) {
      toast('error', `Could not run ${task.name}: ${errorMessage(e)}`);
    }
  };

  const duplicate = async (): Promise<void> => {
    setCopying(true);
    try {
      const name = copyName(task.name, new Set(allTasks.map((t) => t.name)));
      const saved = await useTasks.getState().save(copyOf(task, name));
      toast('info', `Saved task ${saved.name}`);
      navigate(`/tasks/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      toast('error', `Could not duplicate ${task.name}: ${errorMessage(e)}`);
    } finally {
      setCopying(false);
    }
  };

  const doDelete = (): Promise<void> =>
    confirm(async (t) => {
      const n = await useTasks.getState().remove(t.id);
      void useSchedules.getState().load();
      navigate('/tasks');
      return `Deleted ${n} task${n === 1 ? '' : 's'}`;
    });

  return (
    <>
      <div className="toolbar" role="toolbar" aria-label={`Actions for ${task.name}`}>
        <button type="button" className="primary" disabled={running} onClick={() => void runNow()}>
          {running ? 'Running…' : 'Run now'}
        </button>
        <button
          ref={runWithButton}
          type="button"
          aria-expanded={runWithOpen}
          aria-controls={runWithOpen ? 'run-with-panel' : undefined}
          disabled={others.length === 0}
          title={
            others.length === 0
              ? `No other ${task.type} configuration can run it`
              : 'Run once with another configuration'
          }
          onClick={() => setRunWithOpen((open) => !open)}
        >
          Run with…
        </button>
        <button
          type="button"
          onClick={() => navigate(`/tasks/${encodeURIComponent(task.id)}/edit`)}
        >
          Edit
        </button>
        <button type="button" disabled={copying} onClick={() => void duplicate()}>
          {copying ? 'Duplicating…' : 'Duplicate'}
        </button>
        <button type="button" className="danger" onClick={() => ask(task)}>
          Delete
        </button>
      </div>
      {runWithOpen && others.length > 0 ? <RunWith task={task} onClose={closeRunWith} /> : null}
      {pending ? (
        <ConfirmDialog
          title={`Delete task ${pending.name}?`}
          confirmLabel="Delete"
          busy={busy}
          onCancel={() => ask(undefined)}
          onConfirm={() => void doDelete()}
        >
          {deleteTaskText(pending, entries, allTasks)}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
