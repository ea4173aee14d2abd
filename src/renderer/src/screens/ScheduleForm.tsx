/** The schedule entry form: cron helper, zone picker, preview of the next fire times. */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import { compatibilityProblem } from '../../../shared/compatibility';
import {
  scheduleEntryInputSchema,
  type ScheduleEntry,
  type ScheduleEntryInput,
} from '../../../shared/domain';
import { call } from '../api/current';
import { ErrorBox, SaveActions } from '../components/common';
import { CronPresets } from '../components/CronPresets';
import { Field } from '../components/Field';
import { pickerOptions } from '../components/lists';
import { ZonePicker } from '../components/ZonePicker';
import { checkCron } from '../../../shared/cron-syntax';
import { FireTimes } from '../components/FireTimes';
import { describeCron } from '../cron-text';
import { serverErrors } from '../components/field-errors';
import { errorMessage } from '../stores/load-state';
import { ZOD_USER_MESSAGES } from '../../../shared/zod-messages';
import { useConfigs } from '../stores/configs';
import { useSchedules } from '../stores/schedules';
import { useSettings } from '../stores/settings';
import { useTasks } from '../stores/tasks';
import { isoToLocalInput, localInputToIso, zodFieldErrors, type FieldErrors } from '../util';
import { emptyZoneRule, safeZone, systemZone, zoneChoiceError } from '../zones';

interface Draft {
  taskId: string;
  configId: string;
  kind: 'frequency' | 'cron';
  everySeconds: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  overlap: 'skip' | 'queue' | 'allow';
  missed: 'skip' | 'run-once';
  name: string;
  /** `<input type="datetime-local">` values (local time); empty = none. */
  startAt: string;
  endAt: string;
}

/** The entry's stored zone, offered by the picker even when `Intl` lists it under another name. */
const storedZone = (entry: ScheduleEntry | undefined): string[] =>
  entry?.timezone ? [entry.timezone] : [];

function build(
  entry: ScheduleEntry | undefined,
  d: Draft,
): { input?: ScheduleEntryInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let everySeconds: number | undefined;
  if (d.kind === 'frequency') {
    everySeconds = Number(d.everySeconds);
    if (!d.everySeconds.trim()) errors.everySeconds = 'enter how many seconds between runs';
    else if (!Number.isFinite(everySeconds)) errors.everySeconds = 'must be a number of seconds';
  } else if (!d.cron.trim()) errors.cron = 'enter a cron expression such as 0 9 * * 1-5';
  else {
    // The core's own syntax check (src/shared/cron-syntax.ts): the same verdict and words.
    const check = checkCron(d.cron);
    if (!check.ok) errors.cron = check.message;
  }
  const zoneError = d.kind === 'cron' ? zoneChoiceError(d.timezone, storedZone(entry)) : undefined;
  if (zoneError) errors.timezone = zoneError;
  const startAt = d.startAt ? localInputToIso(d.startAt) : undefined;
  const endAt = d.endAt ? localInputToIso(d.endAt) : undefined;
  if (d.startAt && !startAt) errors.startAt = 'enter a date and time, or leave it empty';
  if (d.endAt && !endAt) errors.endAt = 'enter a date and time, or leave it empty';
  else if (startAt && endAt && endAt <= startAt) errors.endAt = 'must be after the start';
  const name = d.name.trim();
  const candidate: ScheduleEntryInput = {
    ...(entry ? { id: entry.id, createdAt: entry.createdAt, updatedAt: entry.updatedAt } : {}),
    ...(startAt ? { startAt } : {}),
    ...(endAt ? { endAt } : {}),
    ...(name ? { name } : {}),
    taskId: d.taskId,
    ...(d.configId ? { configId: d.configId } : {}),
    kind: d.kind,
    ...(d.kind === 'frequency' && everySeconds !== undefined && !errors.everySeconds
      ? { everySeconds }
      : {}),
    ...(d.kind === 'cron' ? { cron: d.cron } : {}),
    ...(d.kind === 'cron' && d.timezone ? { timezone: d.timezone } : {}),
    enabled: d.enabled,
    overlap: d.overlap,
    missed: d.missed,
  };
  const parsed = scheduleEntryInputSchema.safeParse(candidate, ZOD_USER_MESSAGES);
  if (!parsed.success) {
    for (const [k, v] of Object.entries(zodFieldErrors(parsed.error)))
      if (!errors[k]) errors[k] = k === 'taskId' ? 'pick a task' : v;
  }
  return Object.keys(errors).length ? { errors } : { input: candidate, errors };
}

/** The form's fields a refusal can point at (`entry.cron` …); the rest goes to the banner. */
const ENTRY_FIELDS = new Set([
  'name',
  'taskId',
  'configId',
  'kind',
  'everySeconds',
  'cron',
  'timezone',
  'startAt',
  'endAt',
  'overlap',
  'missed',
]);

export function ScheduleForm({
  entry,
  initialTaskId,
  onDone,
}: {
  entry?: ScheduleEntry;
  /** A new entry's task chosen beforehand (a task page's "Schedule this"). */
  initialTaskId?: string;
  onDone: (saved?: ScheduleEntry) => void;
}): ReactElement {
  const tasks = useTasks((s) => s.items);
  const configs = useConfigs((s) => s.items);
  const settings = useSettings((s) => s.settings);
  useEffect(() => {
    if (useSettings.getState().status === 'idle') void useSettings.getState().load();
  }, []);
  const [d, setD] = useState<Draft>(() => ({
    taskId: entry?.taskId ?? initialTaskId ?? '',
    configId: entry?.configId ?? '',
    kind: entry?.kind ?? 'frequency',
    everySeconds: entry?.everySeconds ? String(entry.everySeconds) : '60',
    cron: entry?.cron ?? '',
    timezone: entry?.timezone ?? '',
    enabled: entry?.enabled ?? true,
    overlap: entry?.overlap ?? 'skip',
    missed: entry?.missed ?? 'run-once',
    name: entry?.name ?? '',
    startAt: isoToLocalInput(entry?.startAt),
    endAt: isoToLocalInput(entry?.endAt),
  }));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [preview, setPreview] = useState<
    { times: string[] } | { error: string; fields: FieldErrors } | undefined
  >();
  const built = useMemo(() => build(entry, d), [entry, d]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]): void => {
    setD((cur) => ({ ...cur, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
    setServer({});
  };
  // The preview's refusal of a well-formed expression ("never fires") belongs to its field.
  const previewFields = preview && 'fields' in preview ? preview.fields : {};
  const err = (key: string): string | undefined =>
    server[key] ??
    (touched[key] || submitted ? built.errors[key] : undefined) ??
    (key === 'cron' || key === 'endAt' ? previewFields[key] : undefined);

  // The zone the server uses for a cron entry saved without one (and stores with it).
  const info = useSettings((s) => s.info);
  const defaultZone = safeZone(settings?.defaultTimezone || info?.timezone || systemZone());
  const zoneProblem = d.kind === 'cron' ? built.errors.timezone : undefined;
  const cronProblem = d.kind === 'cron' ? built.errors.cron : undefined;
  const previewZone = d.kind === 'cron' && !zoneProblem ? d.timezone : '';

  // Preview the next 10 fire times as the expression changes (debounced; never blocks typing).
  const previewStart = d.startAt ? localInputToIso(d.startAt) : undefined;
  const previewEnd = d.endAt ? localInputToIso(d.endAt) : undefined;
  useEffect(() => {
    const every = Number(d.everySeconds);
    if (d.kind === 'cron' ? !d.cron.trim() || zoneProblem || cronProblem : !(every >= 1)) {
      setPreview(undefined);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      call('schedules.preview', {
        kind: d.kind,
        count: 10,
        ...(d.kind === 'cron'
          ? { cron: d.cron, ...(previewZone ? { timezone: previewZone } : {}) }
          : { everySeconds: Math.floor(every) }),
        ...(previewStart ? { startAt: previewStart } : {}),
        ...(previewEnd && (!previewStart || previewEnd > previewStart)
          ? { endAt: previewEnd }
          : {}),
      }).then(
        (r) => !stale && setPreview(r),
        (e: unknown) =>
          !stale && setPreview({ error: errorMessage(e), fields: serverErrors(e, '') }),
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [
    d.kind,
    d.cron,
    d.everySeconds,
    previewZone,
    zoneProblem,
    cronProblem,
    previewStart,
    previewEnd,
  ]);

  let description: string | undefined;
  if (d.kind === 'cron' && d.cron.trim() && !cronProblem && !previewFields.cron) {
    try {
      description = describeCron(d.cron);
    } catch {
      description = undefined;
    }
  }
  const task = tasks.find((t) => t.id === d.taskId);
  const zone = d.kind === 'cron' ? previewZone || defaultZone : systemZone();

  const submit = async (): Promise<void> => {
    setSubmitted(true);
    if (!built.input) return;
    setSaving(true);
    try {
      onDone(await useSchedules.getState().save(built.input));
    } catch (e) {
      // The core's refusals carry the field path in details (entry.cron, entry.endAt, …).
      setServer(serverErrors(e, 'entry', (path) => (ENTRY_FIELDS.has(path) ? path : undefined)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="form"
      aria-label={entry ? 'Edit schedule entry' : 'New schedule entry'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{entry ? 'Edit schedule entry' : 'New schedule entry'}</h2>
      <Field
        label="Name"
        error={err('name')}
        hint="Optional; a label for this entry, shown under its task in the list."
      >
        {(p) => <input {...p} value={d.name} onChange={(e) => set('name', e.target.value)} />}
      </Field>
      <Field
        label="Task"
        error={err('taskId')}
        hint={tasks.length === 0 ? 'No tasks yet: create a task first.' : undefined}
      >
        {(p) => (
          <select {...p} value={d.taskId} onChange={(e) => set('taskId', e.target.value)}>
            <option value="">choose…</option>
            {pickerOptions(tasks).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Configuration override" error={err('configId')}>
        {(p) => (
          <select {...p} value={d.configId} onChange={(e) => set('configId', e.target.value)}>
            <option value="">the task's configuration</option>
            {configs
              .filter((c) => !task || !compatibilityProblem(task, c))
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        )}
      </Field>
      <Field label="Kind" error={err('kind')}>
        {(p) => (
          <select
            {...p}
            value={d.kind}
            onChange={(e) => set('kind', e.target.value as Draft['kind'])}
          >
            <option value="frequency">every N seconds</option>
            <option value="cron">cron expression</option>
          </select>
        )}
      </Field>
      {d.kind === 'frequency' ? (
        <Field label="Every (seconds)" error={err('everySeconds')}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={d.everySeconds}
              onChange={(e) => set('everySeconds', e.target.value)}
            />
          )}
        </Field>
      ) : (
        <>
          <CronPresets onPick={(cron) => set('cron', cron)} />
          <Field
            label="Cron expression"
            error={err('cron')}
            hint={
              description
                ? `Runs: ${description}.`
                : 'minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5; or @hourly, @daily, @weekly, @monthly, @yearly'
            }
          >
            {(p) => (
              <input
                {...p}
                className="mono"
                value={d.cron}
                onChange={(e) => set('cron', e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Time zone"
            error={err('timezone')}
            hint={`Type to search, pick from the list. ${emptyZoneRule(settings, info)}`}
          >
            {(p) => (
              <ZonePicker
                {...p}
                value={d.timezone}
                placeholder={defaultZone}
                extra={storedZone(entry)}
                onChange={(zone) => set('timezone', zone)}
              />
            )}
          </Field>
        </>
      )}
      <Field
        label="Start at"
        error={err('startAt')}
        hint="Optional; no fire before this time (a frequency entry counts its interval from it)."
      >
        {(p) => (
          <input
            {...p}
            type="datetime-local"
            value={d.startAt}
            onChange={(e) => set('startAt', e.target.value)}
          />
        )}
      </Field>
      <Field label="End at" error={err('endAt')} hint="Optional; no fire after this time.">
        {(p) => (
          <input
            {...p}
            type="datetime-local"
            value={d.endAt}
            onChange={(e) => set('endAt', e.target.value)}
          />
        )}
      </Field>
      <Field label="When a run is still going" error={err('overlap')}>
        {(p) => (
          <select
            {...p}
            value={d.overlap}
            onChange={(e) => set('overlap', e.target.value as Draft['overlap'])}
          >
            <option value="skip">skip this fire (recorded as skipped)</option>
            <option value="queue">queue it</option>
            <option value="allow">run in parallel</option>
          </select>
        )}
      </Field>
      <Field label="Missed fire times (app was off)" error={err('missed')}>
        {(p) => (
          <select
            {...p}
            value={d.missed}
            onChange={(e) => set('missed', e.target.value as Draft['missed'])}
          >
            <option value="run-once">run once on start</option>
            <option value="skip">skip them</option>
          </select>
        )}
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={d.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
        />{' '}
        Enabled
      </label>
      <section aria-label="Next fire times" className="preview">
        <h3>Next 10 fire times ({zone})</h3>
        {preview === undefined ? (
          <p className="hint">
            {zoneProblem
              ? 'Pick a time zone from the list to see when it fires.'
              : 'Enter an expression to see when it fires.'}
          </p>
        ) : null}
        {preview && 'error' in preview && !previewFields.cron && !previewFields.endAt ? (
          <div className="error" role="alert">
            {preview.error}
          </div>
        ) : null}
        {preview && 'times' in preview ? <FireTimes times={preview.times} zone={zone} /> : null}
      </section>
      {server._ && Object.keys(server).every((k) => k === '_') ? (
        <ErrorBox message={server._} />
      ) : null}
      {submitted && !built.input ? (
        <ErrorBox message="Fix the highlighted fields; nothing was saved." />
      ) : null}
      <SaveActions label="Save schedule entry" saving={saving} onCancel={() => onDone()} />
    </form>
  );
}
