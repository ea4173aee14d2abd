/**
 * A task's page (`#/tasks/<id>`, issue #17): what it is (type, operation, default configuration,
 * limits), its actions (Run now, Run with…, Edit, Duplicate, Delete), its recent runs (live), its
 * success rate and duration over time (TaskStats), its schedule entries with their next fire
 * times, and its chain. `#/tasks/<id>/edit` opens the task form on top of the page. An id that
 * names no task says so, with a way back to the list.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { Task } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { call } from '../api/current';
import { useAllTasks } from '../components/ChainHooks';
import { ChainView } from '../components/ChainView';
import { ErrorBox, Loading } from '../components/common';
import { TaskStats } from '../components/TaskStats';
import { useFormKeyboard } from '../hooks/useFormKeyboard';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { formatDuration } from '../util';
import { TaskForm } from './TaskForm';
import { TaskActions } from './TaskPageActions';
import { TaskRecentRuns } from './TaskPageRuns';
import { TaskSchedules } from './TaskPageSchedules';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; task: Task }
  | { kind: 'missing' }
  | { kind: 'error'; message: string };

/**
 * The task, from the tasks store when it holds it (kept live by events), else `tasks.get`; asked
 * again whenever the store changes, so a task deleted elsewhere turns into "not found".
 */
function useTask(taskId: string): Loaded & { reload: () => void } {
  const items = useTasks((s) => s.items);
  const local = items.find((t) => t.id === taskId);
  const [fetched, setFetched] = useState<Loaded>({ kind: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (local) return;
    let stale = false;
    call('tasks.get', { id: taskId }).then(
      (task) => !stale && setFetched({ kind: 'ready', task }),
      (e: unknown) => {
        if (stale) return;
        const missing = e instanceof AppError && e.code === 'NOT_FOUND';
        setFetched(missing ? { kind: 'missing' } : { kind: 'error', message: errorMessage(e) });
      },
    );
    return () => {
      stale = true;
    };
  }, [taskId, local, items, generation]);
  const reload = (): void => setGeneration((g) => g + 1);
  if (local) return { kind: 'ready', task: local, reload };
  // A fetched task of another id (the route changed) is not this one.
  if (fetched.kind === 'ready' && fetched.task.id !== taskId) return { kind: 'loading', reload };
  return { ...fetched, reload };
}

function TaskNotFound({ taskId }: { taskId: string }): ReactElement {
  return (
    <section aria-labelledby="task-missing-title" className="empty">
      <h1 id="task-missing-title">Task not found</h1>
      <p>There is no task with the id “{taskId}”: it may have been deleted.</p>
      <p>
        <a href="#/tasks">Back to Tasks</a>
      </p>
    </section>
  );
}

function retryText(task: Task): string {
  const retry = task.retry;
  if (!retry || retry.attempts <= 1) return 'no retries';
  const backoff = retry.backoffMs !== undefined ? `, ${formatDuration(retry.backoffMs)} apart` : '';
  return `up to ${retry.attempts} attempts${backoff}`;
}

/** What the task is: type, operation, default configuration (a link), limits and checks. */
function TaskFacts({ task }: { task: Task }): ReactElement {
  const config = useConfigs((s) => s.items.find((c) => c.id === task.configId));
  return (
    <section aria-label="Details" className="panel">
      {task.description ? <p>{task.description}</p> : null}
      <dl className="facts">
        <dt>Type</dt>
        <dd>{task.type}</dd>
        <dt>Operation</dt>
        <dd>{task.operation}</dd>
        <dt>Default configuration</dt>
        <dd>
          <a href={`#/configs/${encodeURIComponent(task.configId)}`}>
            {config?.name ?? `configuration ${task.configId}`}
          </a>
        </dd>
        <dt>Timeout</dt>
        <dd>{task.timeoutMs !== undefined ? formatDuration(task.timeoutMs) : '5 min (default)'}</dd>
        <dt>Retries</dt>
        <dd>{retryText(task)}</dd>
        <dt>At once</dt>
        <dd>
          {task.maxConcurrent !== undefined ? `at most ${task.maxConcurrent} runs` : 'no limit'}
        </dd>
        <dt>Checks</dt>
        <dd>
          {task.checks?.length
            ? `${task.checks.length} on each result`
            : 'none (a run succeeds when it completes)'}
        </dd>
      </dl>
    </section>
  );
}

export function TaskPage({
  taskId,
  editing = false,
}: {
  taskId: string;
  /** `#/tasks/<id>/edit`: the task form is open on top of the page. */
  editing?: boolean;
}): ReactElement {
  const loaded = useTask(taskId);
  const allTasks = useAllTasks();
  const toast = useUi((s) => s.toast);
  const pageHref = `/tasks/${encodeURIComponent(taskId)}`;
  useEffect(() => {
    if (useConfigs.getState().status === 'idle') void useConfigs.getState().load();
  }, []);
  const formKeys = useFormKeyboard(
    editing && loaded.kind === 'ready' ? loaded.task.id : undefined,
    () => navigate(pageHref),
  );

  if (loaded.kind === 'loading') return <Loading what="the task" />;
  if (loaded.kind === 'missing') return <TaskNotFound taskId={taskId} />;
  if (loaded.kind === 'error') return <ErrorBox message={loaded.message} onRetry={loaded.reload} />;
  const { task } = loaded;

  return (
    <section aria-labelledby="task-title" className="task-page">
      <p className="breadcrumb">
        <a href="#/tasks">Tasks</a> <span aria-hidden="true">›</span>
      </p>
      <header className="screen-header">
        <h1 id="task-title">{task.name}</h1>
        <TaskActions task={task} />
      </header>
      {editing ? (
        <div {...formKeys}>
          <TaskForm
            key={task.id}
            task={task}
            onDone={(saved) => {
              if (saved) toast('info', `Saved task ${saved.name}`);
              navigate(pageHref);
            }}
          />
        </div>
      ) : null}
      <TaskFacts task={task} />
      <TaskRecentRuns task={task} />
      <TaskStats taskId={task.id} />
      <TaskSchedules task={task} />
      <ChainView task={allTasks.find((t) => t.id === task.id) ?? task} tasks={allTasks} />
    </section>
  );
}
