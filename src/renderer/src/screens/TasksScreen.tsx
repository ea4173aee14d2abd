/**
 * Tasks: list with live last run and next run, filters, deep link (with the task's chain), run
 * now, delete (one/type; the dialog names the tasks that ran after them).
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import { TASK_TYPES, type Configuration, type Task, type TaskType } from '../../../shared/domain';
import { call } from '../api/current';
import { useAllTasks } from '../components/ChainHooks';
import { ChainView, unlinkedNotice } from '../components/ChainView';
import { ConfirmDialog } from '../components/ConfirmDialog';
import {
  Countdown,
  EmptyState,
  ErrorBox,
  FilterSelect,
  Loading,
  StatusBadge,
} from '../components/common';
import { countOf, nameList } from '../components/lists';
import { RunResultView } from '../components/RunResultView';
import { useConfirmation } from '../hooks/useConfirmation';
import { useFormKeyboard } from '../hooks/useFormKeyboard';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useSchedules } from '../stores/schedules';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { formatDuration, formatTime, isoToLocalInput, localInputToIso } from '../util';
import { TaskForm } from './TaskForm';

/**
 * "Run with another configuration": the options are mounted only once the control is focused or
 * pressed, so 1,000 rows do not put 1,000 × (configurations of that type) options in the DOM.
 */
function RunWithPicker({
  task,
  others,
  value,
  onChange,
}: {
  task: Task;
  others: Configuration[];
  value: string;
  onChange: (configId: string) => void;
}): ReactElement {
  const [active, setActive] = useState(false);
  const shown = active ? others : others.filter((c) => c.id === value);
  return (
    <select
      aria-label={`Configuration for running ${task.name}`}
      value={value}
      onFocus={() => setActive(true)}
      onPointerDown={() => setActive(true)}
      onChange={(e) => onChange(e.target.value)}
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

type Confirm = { kind: 'one'; task: Task } | { kind: 'type'; type: TaskType };

export function TasksScreen({ openId }: { openId?: string }): ReactElement {
  const { items, status, error, filter, lastRun, load, setFilter } = useTasks();
  const configs = useConfigs((s) => s.items);
  const entries = useSchedules((s) => s.items);
  const toast = useUi((s) => s.toast);
  const {
    pending: confirm,
    ask: setConfirm,
    busy,
    confirm: runConfirmed,
  } = useConfirmation<Confirm>();
  const [runWith, setRunWith] = useState<Record<string, string>>({});
  const [notFound, setNotFound] = useState<string | undefined>();
  const [opened, setOpened] = useState<Task | undefined>();
  const allTasks = useAllTasks();

  const configName = useMemo(() => new Map(configs.map((c) => [c.id, c.name])), [configs]);
  const byType = useMemo(() => {
    const m = new Map<TaskType, Configuration[]>();
    for (const c of configs) {
      const list = m.get(c.type);
      if (list) list.push(c);
      else m.set(c.type, [c]);
    }
    return m;
  }, [configs]);
  const nextRun = useMemo(() => {
    const m = new Map<string, string>();
    for (const e of entries) {
      if (!e.enabled || !e.nextRunAt) continue;
      const cur = m.get(e.taskId);
      if (!cur || e.nextRunAt < cur) m.set(e.taskId, e.nextRunAt);
    }
    return m;
  }, [entries]);

  // Deep link: #/tasks/<id> opens that task even when a filter hides it.
  useEffect(() => {
    setNotFound(undefined);
    if (!openId || openId === 'new') {
      setOpened(undefined);
      return;
    }
    const local = useTasks.getState().items.find((t) => t.id === openId);
    if (local) {
      setOpened(local);
      return;
    }
    call('tasks.get', { id: openId }).then(setOpened, (e: unknown) => setNotFound(errorMessage(e)));
  }, [openId, items]);

  const text = filter.text?.toLowerCase() ?? '';
  const shown = items.filter(
    (t) =>
      !text ||
      t.name.toLowerCase().includes(text) ||
      (t.description ?? '').toLowerCase().includes(text) ||
      (configName.get(t.configId) ?? '').toLowerCase().includes(text),
  );

  const runNow = async (task: Task): Promise<void> => {
    try {
      await useTasks.getState().run(task.id, runWith[task.id] || undefined);
    } catch (e) {
      toast('error', `Could not run ${task.name}: ${errorMessage(e)}`);
    }
  };

  const entriesOf = (ids: ReadonlySet<string>): string => {
    const n = entries.filter((e) => ids.has(e.taskId)).length;
    return countOf(n, 'schedule entry', 'schedule entries');
  };

  const doDelete = (): Promise<void> =>
    runConfirmed(async (c) => {
      const n =
        c.kind === 'one'
          ? await useTasks.getState().remove(c.task.id)
          : await useTasks.getState().removeType(c.type);
      void useSchedules.getState().load();
      if (openId) navigate('/tasks');
      return `Deleted ${n} task${n === 1 ? '' : 's'}`;
    });

  const confirmText = (): string => {
    if (!confirm) return '';
    if (confirm.kind === 'one') {
      const one = new Set([confirm.task.id]);
      return `Its ${entriesOf(one)} will be deleted too. Its runs stay in History (delete them there).${unlinkedNotice(one, allTasks)}`;
    }
    // Every task of the type goes, also those the "ran between" filter hides.
    const ofType = allTasks.filter((t) => t.type === confirm.type);
    const doomed = new Set(ofType.map((t) => t.id));
    return `${countOf(ofType.length, `${confirm.type} task`)} will be deleted: ${nameList(ofType.map((t) => t.name))}, and their ${entriesOf(doomed)}. Their runs stay in History.${unlinkedNotice(doomed, allTasks)}`;
  };

  const editing = openId === 'new' ? 'new' : opened && openId ? opened : undefined;
  const formKeys = useFormKeyboard(editing === 'new' ? 'new' : editing?.id, () =>
    navigate('/tasks'),
  );

  return (
    <section aria-labelledby="tasks-title">
      <header className="screen-header">
        <h1 id="tasks-title">Tasks</h1>
        <div className="toolbar" role="search" aria-label="Filter tasks">
          <FilterSelect
            label="Type"
            ariaLabel="Filter by type"
            value={filter.type}
            options={TASK_TYPES}
            onChange={(type) => void setFilter({ ...filter, type })}
          />
          <label className="inline">
            Ran from{' '}
            <input
              type="datetime-local"
              aria-label="Ran from"
              value={isoToLocalInput(filter.ranFrom)}
              onChange={(e) =>
                void setFilter({ ...filter, ranFrom: localInputToIso(e.target.value) })
              }
            />
          </label>
          <label className="inline">
            to{' '}
            <input
              type="datetime-local"
              aria-label="Ran to"
              value={isoToLocalInput(filter.ranTo)}
              onChange={(e) =>
                void setFilter({ ...filter, ranTo: localInputToIso(e.target.value) })
              }
            />
          </label>
          <input
            type="search"
            aria-label="Search tasks"
            placeholder="Search…"
            value={filter.text ?? ''}
            onChange={(e) => void setFilter({ ...filter, text: e.target.value })}
          />
          <button type="button" className="primary" onClick={() => navigate('/tasks/new')}>
            New task
          </button>
          {filter.type ? (
            <button
              type="button"
              className="danger"
              onClick={() => setConfirm({ kind: 'type', type: filter.type! })}
            >
              Delete all {filter.type} tasks
            </button>
          ) : null}
        </div>
      </header>
      {notFound ? <ErrorBox message={notFound} /> : null}
      {editing ? (
        <div {...formKeys}>
          <TaskForm
            key={editing === 'new' ? 'new' : editing.id}
            {...(editing !== 'new' ? { task: editing } : {})}
            onDone={(saved) => {
              if (saved) toast('info', `Saved task ${saved.name}`);
              navigate('/tasks');
            }}
          />
        </div>
      ) : null}
      {opened ? (
        <ChainView task={allTasks.find((t) => t.id === opened.id) ?? opened} tasks={allTasks} />
      ) : null}
      {opened && lastRun[opened.id] ? (
        <section aria-label={`Last run of ${opened.name}`} className="panel">
          <h2>
            Last run of {opened.name}: <StatusBadge status={lastRun[opened.id]!.status} />
          </h2>
          <RunResultView
            key={lastRun[opened.id]!.id + lastRun[opened.id]!.status}
            run={lastRun[opened.id]!}
          />
        </section>
      ) : null}
      {status === 'loading' ? <Loading what="tasks" /> : null}
      {status === 'error' ? (
        <ErrorBox message={error ?? 'failed'} onRetry={() => void load()} />
      ) : null}
      {status === 'ready' && items.length === 0 ? (
        <EmptyState
          title={
            filter.type || filter.ranFrom || filter.ranTo
              ? 'No task matches these filters'
              : 'No tasks yet'
          }
        >
          {filter.type || filter.ranFrom || filter.ranTo
            ? 'Clear a filter to see more.'
            : 'A task does one thing with a configuration: read an API, query a collection, write a file. Create a configuration first, then “New task”.'}
        </EmptyState>
      ) : null}
      {shown.length > 0 ? (
        <table aria-label="Tasks">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Operation</th>
              <th>Configuration</th>
              <th>Last run</th>
              <th>Next run</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => {
              const run = lastRun[t.id];
              const others = (byType.get(t.type) ?? []).filter((c) => c.id !== t.configId);
              return (
                <tr key={t.id} aria-current={openId === t.id ? 'true' : undefined}>
                  <td>
                    <a href={`#/tasks/${encodeURIComponent(t.id)}`}>{t.name}</a>
                  </td>
                  <td>{t.type}</td>
                  <td>{t.operation}</td>
                  <td>{configName.get(t.configId) ?? t.configId}</td>
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
                    <Countdown to={nextRun.get(t.id)} />
                  </td>
                  <td className="actions">
                    {others.length > 0 ? (
                      <RunWithPicker
                        task={t}
                        others={others}
                        value={runWith[t.id] ?? ''}
                        onChange={(v) => setRunWith((r) => ({ ...r, [t.id]: v }))}
                      />
                    ) : null}
                    <button
                      type="button"
                      aria-label={`Run ${t.name} now`}
                      disabled={run?.status === 'running'}
                      onClick={() => void runNow(t)}
                    >
                      {run?.status === 'running' ? 'Running…' : 'Run now'}
                    </button>
                    <button
                      type="button"
                      aria-label={`Edit ${t.name}`}
                      onClick={() => navigate(`/tasks/${encodeURIComponent(t.id)}`)}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      aria-label={`Delete ${t.name}`}
                      onClick={() => setConfirm({ kind: 'one', task: t })}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : status === 'ready' && items.length > 0 ? (
        <EmptyState title="No task matches the search">
          Clear the search box to see all tasks.
        </EmptyState>
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={
            confirm.kind === 'one'
              ? `Delete task ${confirm.task.name}?`
              : `Delete all ${confirm.type} tasks?`
          }
          confirmLabel="Delete"
          busy={busy}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => void doDelete()}
        >
          {confirmText()}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
