/** What the dialog that deletes one task says (the Tasks list and the task page say the same). */
import type { ScheduleEntry, Task } from '../../../shared/domain';
import { unlinkedNotice } from '../components/ChainView';
import { countOf } from '../components/lists';

/** “Its 2 schedule entries will be deleted too. Its runs stay in History …” plus the chain notice. */
export function deleteTaskText(
  task: Pick<Task, 'id'>,
  entries: readonly ScheduleEntry[],
  tasks: readonly Task[],
): string {
  const one = new Set([task.id]);
  const n = entries.filter((e) => e.taskId === task.id).length;
  return `Its ${countOf(n, 'schedule entry', 'schedule entries')} will be deleted too. Its runs stay in History (delete them there).${unlinkedNotice(one, tasks)}`;
}
