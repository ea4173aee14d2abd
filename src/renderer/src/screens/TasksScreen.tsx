/**
 * Tasks: list with live last run and next run, filters, run now, delete (one/type; the dialog
 * names the tasks that ran after them). A name links to the task's page (TaskPage.tsx; the shell
 * routes `#/tasks/<id>` there); `openId` opens the form (`new`, or a task with its chain).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { TASK_TYPES, type Configuration, type Task, type TaskType } from '../../../shared/domain';
import { call } from '../api/current';
import { useAllTasks } from '../components/ChainHooks';
import { ChainView, unlinkedNotice } from '../components/ChainView';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState, ErrorBox, FilterSelect, Loading, StatusBadge } from '../components/common';
import { countOf, nameList } from '../components/lists';
import { RunResultView } from '../components/RunResultView';
import { WindowedTable } from '../components/WindowedTable';
import { useConfirmation } from '../hooks/useConfirmation';
import { useFormKeyboard } from '../hooks/useFormKeyboard';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useSchedules } from '../stores/schedules';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { isoToLocalInput, localInputToIso } from '../util';
import { TaskForm } from './TaskForm';
import { TaskRow } from './TaskRow';
import { deleteTaskText } from './task-delete';

const NONE: Configuration[] = [];
const TASK_HEADERS = [
  'Name',
  'Type',
  'Operation',
  'Configuration',
  'Last run',
  'Next run',
  'Actions',
] as const;

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

  // The rows' callbacks stay the same across renders (TaskRow is memoised); "run now" reads the
  // chosen configuration when pressed.
  const runWithNow = useRef(runWith);
  runWithNow.current = runWith;
  const onRun = useCallback(
    (task: Task): void => {
      useTasks
        .getState()
        .run(task.id, runWithNow.current[task.id] || undefined)
        .catch((e: unknown) => toast('error', `Could not run ${task.name}: ${errorMessage(e)}`));
    },
    [toast],
  );
  const onRunWith = useCallback(
    (task: Task, configId: string): void => setRunWith((r) => ({ ...r, [task.id]: configId })),
    [],
  );
  const onDelete = useCallback(
    (task: Task): void => setConfirm({ kind: 'one', task }),
    [setConfirm],
  );

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
    if (confirm.kind === 'one') return deleteTaskText(confirm.task, entries, allTasks);
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
        <WindowedTable
          label="Tasks"
          headers={TASK_HEADERS}
          items={shown}
          renderRow={(t, rowIndex) => (
            <TaskRow
              key={t.id}
              rowIndex={rowIndex}
              task={t}
              run={lastRun[t.id]}
              configName={configName.get(t.configId) ?? t.configId}
              nextRunAt={nextRun.get(t.id)}
              current={openId === t.id}
              sameType={byType.get(t.type) ?? NONE}
              runWith={runWith[t.id] ?? ''}
              onRunWith={onRunWith}
              onRun={onRun}
              onDelete={onDelete}
            />
          )}
        />
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
