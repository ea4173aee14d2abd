/**
 * The Alerts form's rule: which tasks (every task, the chosen ones, or those of some types), on
 * what events, the failures in a row for `consecutive-failures`, and the quiet period.
 */
import { useEffect, type ReactElement } from 'react';
import { ALERT_EVENTS } from '../../../../shared/alerts';
import { TASK_TYPES } from '../../../../shared/domain';
import { Field } from '../../components/Field';
import { useTasks } from '../../stores/tasks';
import type { Draft, TasksKind } from './alert-draft';
import type { DraftFieldsProps } from './ChannelFields';

const TASK_CHOICES: { kind: TasksKind; label: string }[] = [
  { kind: 'all', label: 'Every task' },
  { kind: 'ids', label: 'Chosen tasks' },
  { kind: 'types', label: 'Tasks of some types' },
];

function ChosenTasks({ draft, set }: DraftFieldsProps): ReactElement {
  const tasks = useTasks((s) => s.items);
  const status = useTasks((s) => s.status);
  useEffect(() => {
    if (status === 'idle') void useTasks.getState().load();
  }, [status]);
  // A chosen task that was deleted stays chosen until unselected (the service keeps its id).
  const known = new Set(tasks.map((t) => t.id));
  const gone = draft.taskIds.filter((id) => !known.has(id));
  return (
    <Field label="Tasks" hint="Choose one or more (Ctrl or Shift to choose several).">
      {(props) => (
        <select
          {...props}
          multiple
          size={Math.min(8, Math.max(3, tasks.length + gone.length))}
          value={draft.taskIds}
          onChange={(e) =>
            set(
              'taskIds',
              [...e.target.selectedOptions].map((o) => o.value),
            )
          }
        >
          {tasks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
          {gone.map((id) => (
            <option key={id} value={id}>
              (deleted task {id})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function RuleFields(p: DraftFieldsProps): ReactElement {
  const { draft, set } = p;
  const number = (label: string, key: 'consecutiveFailures' | 'quietMinutes'): ReactElement => (
    <Field label={label}>
      {(props) => (
        <input
          {...props}
          type="number"
          value={draft[key]}
          onChange={(e) => set(key, e.target.value)}
        />
      )}
    </Field>
  );
  const toggle = <T extends string>(list: T[], item: T, on: boolean): T[] =>
    on ? [...list, item] : list.filter((x) => x !== item);
  return (
    <>
      <fieldset>
        <legend>For</legend>
        {TASK_CHOICES.map(({ kind, label }) => (
          <label key={kind}>
            <input
              type="radio"
              name="alert-tasks"
              checked={draft.tasks === kind}
              onChange={() => set('tasks', kind)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {draft.tasks === 'ids' ? <ChosenTasks {...p} /> : null}
      {draft.tasks === 'types' ? (
        <fieldset>
          <legend>Task types</legend>
          {TASK_TYPES.map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={draft.taskTypes.includes(type)}
                onChange={(e) => set('taskTypes', toggle(draft.taskTypes, type, e.target.checked))}
              />{' '}
              {type}
            </label>
          ))}
        </fieldset>
      ) : null}
      <fieldset>
        <legend>Send on</legend>
        {ALERT_EVENTS.map((event) => (
          <label key={event}>
            <input
              type="checkbox"
              checked={draft.on.includes(event)}
              onChange={(e) =>
                set('on', toggle<Draft['on'][number]>(draft.on, event, e.target.checked))
              }
            />{' '}
            {event}
          </label>
        ))}
      </fieldset>
      {draft.on.includes('consecutive-failures')
        ? number('Failures in a row', 'consecutiveFailures')
        : null}
      {number('Quiet period (minutes)', 'quietMinutes')}
    </>
  );
}
