/**
 * A task's chain on its page (issue #15): the tasks it runs after → the task → the tasks that
 * run after it, each a link to its own page. Nothing when the task is in no chain.
 */
import type { ReactElement } from 'react';
import type { Task } from '../../../shared/domain';
import { chainLinksOf } from './ChainHooks';

const taskHref = (id: string): string => `#/tasks/${encodeURIComponent(id)}`;

export function ChainView({
  task,
  tasks,
}: {
  task: Task;
  tasks: readonly Task[];
}): ReactElement | null {
  const { parents, children } = chainLinksOf(task, tasks);
  if (parents.length === 0 && children.length === 0) return null;
  return (
    <section aria-label={`Chain of ${task.name}`} className="panel">
      <h2>Chain</h2>
      <div className="row chain-view">
        <div>
          <div className="hint">Runs after</div>
          {parents.length === 0 ? (
            <span className="hint">no task (schedules and Run now)</span>
          ) : (
            <ul aria-label="Runs after">
              {parents.map((p) => (
                <li key={p.taskId}>
                  {p.task ? <a href={taskHref(p.taskId)}>{p.task.name}</a> : p.taskId} (when it{' '}
                  {p.when})
                </li>
              ))}
            </ul>
          )}
        </div>
        <span aria-hidden="true">→</span>
        <strong>{task.name}</strong>
        <span aria-hidden="true">→</span>
        <div>
          <div className="hint">Then runs</div>
          {children.length === 0 ? (
            <span className="hint">no task</span>
          ) : (
            <ul aria-label="Then runs">
              {children.map((c) => (
                <li key={c.task.id}>
                  <a href={taskHref(c.task.id)}>{c.task.name}</a> (when this one {c.when})
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

/**
 * The sentence a delete dialog adds when other tasks run after the doomed ones: they will no
 * longer run after them. Empty when none does.
 */
export function unlinkedNotice(doomed: ReadonlySet<string>, tasks: readonly Task[]): string {
  const names = tasks
    .filter((t) => !doomed.has(t.id) && t.runAfter?.some((p) => doomed.has(p.taskId)))
    .map((t) => `“${t.name}”`);
  if (names.length === 0) return '';
  const list =
    names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return ` ${list} ${names.length === 1 ? 'runs' : 'run'} after ${doomed.size === 1 ? 'it' : 'them'}: ${names.length === 1 ? 'it' : 'they'} will no longer run after ${doomed.size === 1 ? 'it' : 'them'} (${names.length === 1 ? 'its' : 'their'} schedules stay).`;
}
