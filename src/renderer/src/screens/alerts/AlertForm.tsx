/**
 * The Alerts form: name, channel (ChannelFields.tsx), rule (RuleFields.tsx), with Save and a Test
 * button that sends one sample message with what the form holds, saved or not. The desktop
 * channel is offered in the desktop app (the service refuses it) and kept when editing one.
 */
import { useState, type FormEvent, type ReactElement } from 'react';
import type { Alert } from '../../../../shared/alerts';
import { call, getClient } from '../../api/current';
import { SaveActions } from '../../components/common';
import { Field } from '../../components/Field';
import { errorMessage } from '../../stores/load-state';
import { draftOf, inputOf, type ChannelKind, type Draft } from './alert-draft';
import { ChannelFields } from './ChannelFields';
import { RuleFields } from './RuleFields';

const CHANNELS: { kind: ChannelKind; label: string }[] = [
  { kind: 'webhook', label: 'Webhook' },
  { kind: 'email', label: 'Email' },
  { kind: 'desktop', label: 'Desktop notification' },
];

function inDesktopApp(): boolean {
  try {
    return getClient().transport === 'bridge';
  } catch {
    return false;
  }
}

export function AlertForm({
  alert,
  onDone,
}: {
  alert: Alert | undefined;
  onDone: (saved: boolean) => void;
}): ReactElement {
  const [draft, setDraft] = useState(() => draftOf(alert));
  const [problem, setProblem] = useState<string>();
  const [testResult, setTestResult] = useState<string>();
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]): void =>
    setDraft((d) => ({ ...d, [key]: value }));
  const channels = CHANNELS.filter(
    (c) => c.kind !== 'desktop' || inDesktopApp() || alert?.channel.kind === 'desktop',
  );

  /** The input, or undefined with the problem shown. */
  const converted = (): (ReturnType<typeof inputOf> & { ok: true }) | undefined => {
    const result = inputOf(draft, alert);
    if (result.ok) return result;
    setProblem(`${result.field}: ${result.message}`);
    return undefined;
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setProblem(undefined);
    const result = converted();
    if (!result) return;
    setSaving(true);
    try {
      await call('alerts.save', { alert: result.input });
      onDone(true);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };
  const test = async (): Promise<void> => {
    setTestResult(undefined);
    setProblem(undefined);
    const result = converted();
    if (!result) return;
    try {
      const delivery = await call('alerts.test', { alert: result.input });
      setTestResult(
        delivery.status === 'sent'
          ? 'The test message was sent.'
          : `The test message failed: ${delivery.reason}`,
      );
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return (
    <form
      className="card"
      aria-label={alert ? `Edit alert ${alert.name}` : 'New alert'}
      onSubmit={(e) => void submit(e)}
    >
      <Field label="Name">
        {(props) => (
          <input {...props} value={draft.name} onChange={(e) => set('name', e.target.value)} />
        )}
      </Field>
      <label>
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
        />{' '}
        Enabled
      </label>
      <Field label="Channel">
        {(props) => (
          <select
            {...props}
            value={draft.kind}
            onChange={(e) => set('kind', e.target.value as ChannelKind)}
          >
            {channels.map((c) => (
              <option key={c.kind} value={c.kind}>
                {c.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ChannelFields draft={draft} set={set} />
      <RuleFields draft={draft} set={set} />
      {problem ? (
        <div className="error" role="alert">
          {problem}
        </div>
      ) : null}
      {testResult ? <div role="status">{testResult}</div> : null}
      <SaveActions label="Save alert" saving={saving} onCancel={() => onDone(false)}>
        <button type="button" onClick={() => void test()}>
          Test
        </button>
      </SaveActions>
    </form>
  );
}
