/**
 * The Alerts form's channel fields: a webhook (URL, method, headers as a table, the preset or a
 * JSON body template), an email (SMTP server, login, addresses, subject and body templates) or a
 * desktop notification (optional title and body templates). Templates read the placeholders of
 * docs/alerts.md, "Templates".
 */
import type { ReactElement } from 'react';
import { WEBHOOK_METHODS } from '../../../../shared/alerts';
import { CodeEditor } from '../../components/CodeEditor';
import { Field } from '../../components/Field';
import { KeyValueTable } from '../../components/KeyValueTable';
import type { Draft } from './alert-draft';

export interface DraftFieldsProps {
  draft: Draft;
  set: <K extends keyof Draft>(key: K, value: Draft[K]) => void;
}

const PLACEHOLDER_HINT =
  'Placeholders such as {{task.name}}, {{event}}, {{status}}, {{error}}, {{duration}} and {{link}} are filled in.';

function TextField({
  draft,
  set,
  label,
  name,
  type = 'text',
  hint,
}: DraftFieldsProps & {
  label: string;
  name: keyof Draft;
  type?: string;
  hint?: string;
}): ReactElement {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(props) => (
        <input
          {...props}
          type={type}
          value={draft[name] as string}
          onChange={(e) => set(name, e.target.value as never)}
        />
      )}
    </Field>
  );
}

function TextArea({
  draft,
  set,
  label,
  name,
  rows,
}: DraftFieldsProps & {
  label: string;
  name: 'emailBody' | 'desktopBody';
  rows: number;
}): ReactElement {
  return (
    <Field label={label} hint={PLACEHOLDER_HINT}>
      {(props) => (
        <textarea
          {...props}
          rows={rows}
          value={draft[name]}
          onChange={(e) => set(name, e.target.value)}
        />
      )}
    </Field>
  );
}

function WebhookFields(p: DraftFieldsProps): ReactElement {
  const { draft, set } = p;
  return (
    <>
      <TextField {...p} label="Webhook URL" name="url" type="url" />
      <Field label="Method">
        {(props) => (
          <select
            {...props}
            value={draft.method}
            onChange={(e) => set('method', e.target.value as Draft['method'])}
          >
            {WEBHOOK_METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
      </Field>
      <KeyValueTable
        label="Headers"
        jsonLabel="Headers (JSON object)"
        noun="header"
        value={draft.headers}
        onChange={(value) => set('headers', value)}
        hint="Header values are kept secret: they show as •••••• and the stored value is kept."
        secretType="password"
      />
      <Field label="Preset">
        {(props) => (
          <select
            {...props}
            value={draft.preset}
            onChange={(e) => set('preset', e.target.value as Draft['preset'])}
          >
            <option value="slack">Slack-compatible text</option>
            <option value="generic">JSON summary of the run</option>
          </select>
        )}
      </Field>
      <Field
        label="Body template (JSON)"
        hint={`Empty: the preset's body. Any JSON; its strings may hold placeholders. ${PLACEHOLDER_HINT}`}
      >
        {(props) => (
          <CodeEditor
            {...props}
            label="Body template (JSON)"
            language="json"
            rows={6}
            value={draft.body}
            onChange={(value) => set('body', value)}
          />
        )}
      </Field>
    </>
  );
}

function EmailFields(p: DraftFieldsProps): ReactElement {
  const { draft, set } = p;
  return (
    <>
      <TextField {...p} label="SMTP host" name="host" />
      <TextField {...p} label="SMTP port" name="port" type="number" />
      <label>
        <input type="checkbox" checked={draft.tls} onChange={(e) => set('tls', e.target.checked)} />{' '}
        TLS from the start (port 465)
      </label>
      <TextField {...p} label="SMTP user" name="user" />
      <TextField {...p} label="SMTP password" name="password" type="password" />
      <TextField {...p} label="From" name="from" type="email" />
      <TextField {...p} label="To (comma-separated)" name="to" />
      <TextField {...p} label="Subject template" name="subject" hint={PLACEHOLDER_HINT} />
      <TextArea {...p} label="Body template" name="emailBody" rows={5} />
    </>
  );
}

function DesktopFields(p: DraftFieldsProps): ReactElement {
  return (
    <>
      <p className="hint">
        An OS notification on the computer running the desktop app; clicking it opens the run. Leave
        the templates empty for the usual texts (“Task failed: Export” and the error).
      </p>
      <TextField {...p} label="Title template" name="title" hint={PLACEHOLDER_HINT} />
      <TextArea {...p} label="Text template" name="desktopBody" rows={2} />
    </>
  );
}

export function ChannelFields(p: DraftFieldsProps): ReactElement {
  if (p.draft.kind === 'email') return <EmailFields {...p} />;
  if (p.draft.kind === 'desktop') return <DesktopFields {...p} />;
  return <WebhookFields {...p} />;
}
