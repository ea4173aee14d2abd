/**
 * Create/edit a task; validates with the shared schema as you type, shows server errors by field.
 * Chains and checks (issue #15): "Run after" rows, "Checks" evaluated live against the last
 * result, and a placeholder picker for the task's configuration (it copies; the configuration
 * form inserts). Retry backoff and factor, and the HTTP statuses that count as success (api tasks
 * and file tasks over http(s)), issue #17.
 */
import { useMemo, useState, type ReactElement } from 'react';
import { compatibilityProblem } from '../../../shared/compatibility';
import {
  OPERATIONS,
  TASK_TYPES,
  taskInputSchema,
  type Task,
  type TaskInput,
  type TaskType,
  type Operation,
} from '../../../shared/domain';
import { useAllTasks, useLatestResult } from '../components/ChainHooks';
import { ChecksFields, checkRowsOf, checksOf, type CheckRow } from '../components/ChecksFields';
import { ErrorBox, SaveActions } from '../components/common';
import { Field } from '../components/Field';
import { copyPlaceholder, PlaceholderPicker } from '../components/PlaceholderPicker';
import { useDuplicateName } from '../hooks/useDuplicateName';
import {
  RunAfterFields,
  runAfterOf,
  runAfterRowsOf,
  type ChainOptions,
  type RunAfterRow,
} from '../components/RunAfterFields';
import { useConfigs } from '../stores/configs';
import { useTasks } from '../stores/tasks';
import { serverErrors } from '../components/field-errors';
import { zodFieldErrors, type FieldErrors } from '../util';
import { ZOD_USER_MESSAGES } from '../../../shared/zod-messages';

interface Draft {
  name: string;
  type: TaskType;
  operation: Operation;
  configId: string;
  description: string;
  timeoutMs: string;
  attempts: string;
  backoffMs: string;
  factor: string;
  /** `successStatuses` as patterns separated by commas or spaces ('' = the default 2xx). */
  successStatuses: string;
  maxConcurrent: string;
  runAfter: RunAfterRow[];
  chain: ChainOptions;
  checks: CheckRow[];
}

type TextKey = Exclude<keyof Draft, 'runAfter' | 'chain' | 'checks'>;
type NumberKey = 'timeoutMs' | 'attempts' | 'backoffMs' | 'factor' | 'maxConcurrent';

/** The error key of a draft field: Attempts shows the errors of `retry` as a whole. */
function errorKeyOf(key: TextKey): string {
  return key === 'attempts' ? 'retry' : key;
}

/** The form's fields a refusal can point at; the rest goes to the banner. */
const TASK_FIELDS = new Set([
  'name',
  'type',
  'operation',
  'configId',
  'description',
  'timeoutMs',
  'retry',
  'backoffMs',
  'factor',
  'successStatuses',
  'maxConcurrent',
  'chainOverlap',
]);

/** `task.…` path → this form's field key (as `build` keys its own errors), or none. */
function taskFieldOf(path: string): string | undefined {
  if (/^(runAfter|checks)\.\d+/.test(path)) return path;
  const key =
    path === 'retry.backoffMs' || path === 'retry.factor'
      ? path.slice(6)
      : path.startsWith('retry')
        ? 'retry'
        : path.startsWith('successStatuses')
          ? 'successStatuses'
          : path;
  return TASK_FIELDS.has(key) ? key : undefined;
}

function build(task: Task | undefined, d: Draft): { input?: TaskInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const num = (key: NumberKey): number | undefined => {
    if (!d[key].trim()) return undefined;
    const n = Number(d[key]);
    if (!Number.isFinite(n)) errors[errorKeyOf(key)] = 'must be a number';
    return n;
  };
  const timeoutMs = num('timeoutMs');
  const attempts = num('attempts');
  const backoffMs = num('backoffMs');
  const factor = num('factor');
  const maxConcurrent = num('maxConcurrent');
  // Backoff and factor alone make a policy of one attempt: saved, and it never waits.
  const retried = attempts !== undefined || backoffMs !== undefined || factor !== undefined;
  const successStatuses = d.type === 'db' ? [] : d.successStatuses.split(/[\s,]+/).filter(Boolean);
  const chained = runAfterOf(d.runAfter);
  Object.assign(errors, chained.errors);
  const checks = checksOf(d.checks);
  const candidate = {
    ...(task ? { id: task.id, createdAt: task.createdAt, updatedAt: task.updatedAt } : {}),
    name: d.name,
    type: d.type,
    operation: d.operation,
    configId: d.configId,
    ...(d.description ? { description: d.description } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retried
      ? {
          retry: {
            attempts: attempts ?? 1,
            ...(backoffMs !== undefined ? { backoffMs } : {}),
            ...(factor !== undefined ? { factor } : {}),
          },
        }
      : {}),
    ...(successStatuses.length > 0 ? { successStatuses } : {}),
    ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
    ...(chained.runAfter.length > 0
      ? {
          runAfter: chained.runAfter,
          ...(d.chain.allowTruncatedInput ? { allowTruncatedInput: true } : {}),
          ...(d.chain.chainOverlap ? { chainOverlap: d.chain.chainOverlap } : {}),
        }
      : {}),
    ...(checks.length > 0 ? { checks } : {}),
  };
  const parsed = taskInputSchema.safeParse(candidate, ZOD_USER_MESSAGES);
  if (!parsed.success) {
    for (const [k, v] of Object.entries(zodFieldErrors(parsed.error))) {
      const key =
        k === 'retry.backoffMs' || k === 'retry.factor'
          ? k.slice(6)
          : k.startsWith('retry')
            ? 'retry'
            : k.startsWith('successStatuses')
              ? 'successStatuses'
              : k;
      if (!errors[key]) errors[key] = k === 'configId' ? 'pick a configuration' : v;
    }
  }
  return Object.keys(errors).length ? { errors } : { input: candidate as TaskInput, errors };
}

export function TaskForm({
  task,
  onDone,
}: {
  task?: Task;
  onDone: (task?: Task) => void;
}): ReactElement {
  const configs = useConfigs((s) => s.items);
  const [d, setD] = useState<Draft>(() => ({
    name: task?.name ?? '',
    type: task?.type ?? 'api',
    operation: task?.operation ?? 'read',
    configId: task?.configId ?? '',
    description: task?.description ?? '',
    timeoutMs: task?.timeoutMs ? String(task.timeoutMs) : '',
    attempts: task?.retry ? String(task.retry.attempts) : '',
    backoffMs: task?.retry ? String(task.retry.backoffMs) : '',
    factor: task?.retry ? String(task.retry.factor) : '',
    successStatuses: task?.successStatuses?.join(', ') ?? '',
    maxConcurrent: task?.maxConcurrent ? String(task.maxConcurrent) : '',
    runAfter: runAfterRowsOf(task?.runAfter),
    chain: {
      allowTruncatedInput: task?.allowTruncatedInput ?? false,
      chainOverlap: task?.chainOverlap ?? '',
    },
    checks: checkRowsOf(task?.checks),
  }));
  const others = useAllTasks().filter((t) => t.id !== task?.id);
  const lastResult = useLatestResult(task?.id);
  const firstParent = d.runAfter.find((r) => r.taskId);
  const parentResult = useLatestResult(firstParent?.taskId, firstParent?.when === 'succeeded');
  const parentName = others.find((t) => t.id === firstParent?.taskId)?.name;
  const duplicateName = useDuplicateName('task', d.name, task?.id);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const built = useMemo(() => build(task, d), [task, d]);
  const set = (key: TextKey, value: string): void => {
    setD((cur) => ({ ...cur, [key]: value, ...(key === 'type' ? { configId: '' } : {}) }));
    setTouched((t) => ({ ...t, [errorKeyOf(key)]: true }));
    setServer({});
  };
  const setParts = (patch: Partial<Draft>, touchedKey: string): void => {
    setD((cur) => ({ ...cur, ...patch }));
    setTouched((t) => ({ ...t, [touchedKey]: true }));
    setServer({});
  };
  const err = (key: string): string | undefined =>
    server[key] ?? (touched[key] || submitted ? built.errors[key] : undefined);
  const ofType = configs.filter((c) => !compatibilityProblem(d, c));
  const numberField = (key: NumberKey, label: string, hint?: string): ReactElement => (
    <Field label={label} error={err(errorKeyOf(key))} hint={hint}>
      {(p) => (
        <input
          {...p}
          inputMode="numeric"
          value={d[key]}
          onChange={(e) => set(key, e.target.value)}
        />
      )}
    </Field>
  );

  const submit = async (): Promise<void> => {
    setSubmitted(true);
    if (!built.input) return;
    setSaving(true);
    try {
      onDone(await useTasks.getState().save(built.input));
    } catch (error) {
      setServer(serverErrors(error, 'task', taskFieldOf));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="form"
      aria-label={task ? `Edit task ${task.name}` : 'New task'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{task ? `Edit task “${task.name}”` : 'New task'}</h2>
      <Field label="Name" error={err('name')} hint={duplicateName}>
        {(p) => <input {...p} value={d.name} onChange={(e) => set('name', e.target.value)} />}
      </Field>
      <Field label="Type" error={err('type')}>
        {(p) => (
          <select {...p} value={d.type} onChange={(e) => set('type', e.target.value)}>
            {TASK_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Operation" error={err('operation')}>
        {(p) => (
          <select {...p} value={d.operation} onChange={(e) => set('operation', e.target.value)}>
            {OPERATIONS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Configuration"
        error={err('configId')}
        hint={
          ofType.length === 0
            ? `No ${d.type} configuration yet: create one under Configurations first.`
            : undefined
        }
      >
        {(p) => (
          <select {...p} value={d.configId} onChange={(e) => set('configId', e.target.value)}>
            <option value="">choose…</option>
            {ofType.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Description" error={err('description')}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={d.description}
            onChange={(e) => set('description', e.target.value)}
          />
        )}
      </Field>
      {numberField('timeoutMs', 'Timeout (ms)')}
      {numberField('attempts', 'Attempts (1 = no retry)')}
      {numberField(
        'backoffMs',
        'Retry backoff (ms)',
        'the wait before the second attempt; default 1000',
      )}
      {numberField(
        'factor',
        'Backoff factor',
        'each later wait is the previous one times this (1 keeps it constant); default 2; waits are capped at 1 hour',
      )}
      {d.type === 'db' ? null : (
        <Field
          label="Success statuses"
          error={err('successStatuses')}
          hint="HTTP statuses that count as success, separated by commas: 2xx, 404, 400-499; empty: 2xx"
        >
          {(p) => (
            <input
              {...p}
              value={d.successStatuses}
              onChange={(e) => set('successStatuses', e.target.value)}
            />
          )}
        </Field>
      )}
      {numberField(
        'maxConcurrent',
        'Runs at once (this task)',
        "At most this many runs of this task execute at once, manual and scheduled; the rest wait in the order they came. Empty: no limit of its own (the global one in Settings applies, and a schedule entry's overlap policy still runs one at a time for skip and queue).",
      )}
      <RunAfterFields
        rows={d.runAfter}
        tasks={others}
        options={d.chain}
        onChange={(runAfter, chain, key) => setParts({ runAfter, chain }, key)}
        err={err}
      />
      <PlaceholderPicker
        chained={Boolean(firstParent)}
        parent={
          parentResult.run
            ? {
                result: parentResult.run.result,
                from: `the last result of “${parentName ?? firstParent?.taskId}”`,
              }
            : undefined
        }
        note="For the fields of this task's configuration (Configurations): a placeholder picked here is copied to the clipboard."
        onPick={(text) => copyPlaceholder(text, 'a field of the configuration')}
      />
      <ChecksFields
        rows={d.checks}
        onChange={(checks, key) => setParts({ checks }, key)}
        err={err}
        lastRun={lastResult.run}
      />
      {server._ ? <ErrorBox message={server._} /> : null}
      {submitted && !built.input ? (
        <ErrorBox message="Fix the highlighted fields; nothing was saved." />
      ) : null}
      <SaveActions label="Save task" saving={saving} onCancel={() => onDone()}>
        {duplicateName ? (
          <span className="hint">This name is in use already (see Name); you can still save.</span>
        ) : null}
      </SaveActions>
    </form>
  );
}
