/**
 * Create/edit a configuration: per-type fields, validation as you type, server errors by field
 * (a field's cleared when it changes, the error above the buttons when any field changes); a
 * placeholder picker that inserts at the cursor, and Test with the parent's last result as input
 * when a chained task runs with it (issue #15); key/value tables for headers, query and
 * variables, code editors for bodies, content and db fields (issue #17).
 */
import { useMemo, useRef, useState, type ReactElement } from 'react';
import {
  REDACTED,
  HTTP_METHODS,
  OPERATIONS,
  type Configuration,
  type Operation,
  type Run,
  type TaskType,
} from '../../../shared/domain';
import { call } from '../api/current';
import { useDuplicateName } from '../hooks/useDuplicateName';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { serverErrors as fieldErrorsOf, type FieldErrors } from './field-errors';
import {
  buildConfig,
  draftFromConfig,
  draftKeyOf,
  emptyDraft,
  type ConfigDraft,
} from './config-draft';
import { revealDraft } from './config-reveal';
import { useChainSample } from './ChainHooks';
import { ChainTestInput } from './ChainTestInput';
import { CodeEditor, insertIntoCodeEditor, type CodeLanguage } from './CodeEditor';
import { ErrorBox, SaveActions } from './common';
import { engineShown, suggestedTestOperation } from './db-draft';
import { DbParamsFields, type DraftFieldKit } from './DbParamsFields';
import { Field } from './Field';
import { FileParamsFields } from './FileParamsFields';
import { KeyValueTable } from './KeyValueTable';
import { PlaceholderPicker, usePlaceholderTarget } from './PlaceholderPicker';
import { RunResultView } from './RunResultView';

const SECRET_HINT = 'sealed at rest and shown as ••••••; separate names by commas or spaces';

interface ConfigFormProps {
  /** Existing config (as listed, secrets redacted), or undefined to create. */
  config?: Configuration;
  /** Prefilled draft (duplicate). */
  initial?: ConfigDraft;
  onSaved: (config: Configuration) => void;
  onCancel: () => void;
}

export function ConfigForm({ config, initial, onSaved, onCancel }: ConfigFormProps): ReactElement {
  const [draft, setDraft] = useState<ConfigDraft>(
    () => initial ?? (config ? draftFromConfig(config) : emptyDraft('api')),
  );
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [revealed, setRevealed] = useState(false);
  const [chosenTestOp, setTestOp] = useState<Operation | undefined>();
  const [testing, setTesting] = useState(false);
  const [testRun, setTestRun] = useState<Run | undefined>();
  const [testError, setTestError] = useState<string | undefined>();
  const built = useMemo(() => buildConfig(draft), [draft]);
  const duplicateName = useDuplicateName('config', draft.name, config?.id);
  const chain = useChainSample(draft.id);
  const placeholderTarget = usePlaceholderTarget();
  const codeTarget = useRef<Element | null>(null);
  const [testWithoutInput, setTestWithoutInput] = useState(false);
  const sampleInput = testWithoutInput ? undefined : chain?.run?.result;

  const update = (patch: Partial<ConfigDraft>, keys: readonly string[]): void => {
    // The db fields follow the engine the uri names (kept while it names none).
    setDraft((d) => ({
      ...d,
      ...patch,
      ...(patch.uri !== undefined ? { dbEngine: engineShown(patch.uri, d.dbEngine) } : {}),
    }));
    setTouched((t) => ({ ...t, ...Object.fromEntries(keys.map((k) => [k, true])) }));
    // A server error is stale once its field changes; the message above the buttons once any does.
    setServer((s) =>
      Object.fromEntries(Object.entries(s).filter(([k]) => k !== '_' && !keys.includes(k))),
    );
  };
  const set = <K extends keyof ConfigDraft>(key: K, value: ConfigDraft[K]): void =>
    update({ [key]: value } as Partial<ConfigDraft>, [key]);
  const err = (key: string): string | undefined =>
    server[key] ?? (touched[key] || submitted ? built.errors[key] : undefined);

  const text = (
    key: keyof ConfigDraft,
    label: string,
    hint?: string,
    type = 'text',
  ): ReactElement => (
    <Field label={label} error={err(key)} hint={hint}>
      {(p) => (
        <input
          {...p}
          type={type}
          value={String(draft[key])}
          onChange={(e) => set(key, e.target.value as never)}
        />
      )}
    </Field>
  );
  const area = (
    key: keyof ConfigDraft,
    label: string,
    hint?: string,
    language: CodeLanguage = 'json',
  ): ReactElement => (
    <Field label={label} error={err(key)} hint={hint}>
      {(p) => (
        <CodeEditor
          {...p}
          label={label}
          language={language}
          value={String(draft[key])}
          onChange={(value) => set(key, value as never)}
        />
      )}
    </Field>
  );
  const table = (
    key: 'headers' | 'query' | 'variables',
    labels: { label: string; json: string; noun: string },
    secret: { key: 'secretHeaders' | 'secretQuery' | 'secretVariables'; field: ReactElement },
    hint?: string,
  ): ReactElement => (
    <KeyValueTable
      key={`${draft.type}-${key}`}
      label={labels.label}
      jsonLabel={labels.json}
      noun={labels.noun}
      value={draft[key]}
      onChange={(value) => set(key, value)}
      error={err(key)}
      {...(hint ? { hint } : {})}
      secret={{
        text: draft[secret.key],
        onChange: (names) => set(secret.key, names),
        anyCase: key === 'headers',
        error: err(secret.key),
      }}
      secretType={secretType}
      jsonExtras={secret.field}
    />
  );
  const select = (
    key: keyof ConfigDraft,
    label: string,
    options: readonly string[],
    emptyLabel?: string,
  ): ReactElement => (
    <Field label={label} error={err(key)}>
      {(p) => (
        <select
          {...p}
          value={String(draft[key])}
          onChange={(e) => set(key, e.target.value as never)}
        >
          {emptyLabel !== undefined ? <option value="">{emptyLabel}</option> : null}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const check = (
    key: 'upsert' | 'many' | 'createDirs' | 'insertOn',
    label: string,
  ): ReactElement => (
    <label className="check">
      <input type="checkbox" checked={draft[key]} onChange={(e) => set(key, e.target.checked)} />{' '}
      {label}
    </label>
  );

  const reveal = async (): Promise<void> => {
    if (revealed || !draft.id) {
      setRevealed((r) => !r);
      return;
    }
    try {
      const clear = draftFromConfig(await useConfigs.getState().reveal(draft.id));
      // Only fields still showing the redaction marker take the clear value; edits stay.
      setDraft((cur) => revealDraft(cur, clear, REDACTED));
      setRevealed(true);
    } catch (error) {
      setServer({ _: errorMessage(error) });
    }
  };

  const engine = draft.type === 'db' ? draft.dbEngine : undefined;
  // A refusal's issues sit at the draft's fields; what has no field goes to the banner.
  const serverErrors = (error: unknown, outcome?: string): FieldErrors =>
    fieldErrorsOf(
      error,
      'config',
      (path) => {
        const key = path && draftKeyOf(path, engine);
        return key && (key.split('.')[0] ?? '') in draft ? key : undefined;
      },
      outcome,
    );

  const submit = async (): Promise<void> => {
    setSubmitted(true);
    if (!built.input) return;
    setSaving(true);
    try {
      const saved = await useConfigs.getState().save(built.input);
      onSaved(saved);
    } catch (error) {
      setServer(serverErrors(error));
    } finally {
      setSaving(false);
    }
  };

  // A db test runs what the configuration can do unless another operation is picked.
  const testOp = chosenTestOp ?? (draft.type === 'db' ? suggestedTestOperation(draft) : 'read');
  const test = async (): Promise<void> => {
    setSubmitted(true);
    setTestRun(undefined);
    setTestError(undefined);
    if (!built.input) return;
    setTesting(true);
    try {
      setTestRun(
        sampleInput === undefined
          ? await useConfigs.getState().test(built.input, testOp)
          : await call('configs.test', {
              config: built.input,
              operation: testOp,
              input: sampleInput,
            }),
      );
    } catch (error) {
      const { _: banner, ...fields } = serverErrors(error, 'the test did not run');
      setServer((s) => ({ ...s, ...fields }));
      setTestError(banner ?? errorMessage(error));
    } finally {
      setTesting(false);
    }
  };

  const secretType = revealed ? 'text' : 'password';
  // Api and file configurations only: the db executor expands no placeholders.
  const placeholderFields = (
    <>
      {table(
        'variables',
        { label: 'Variables', json: 'Variables (JSON object)', noun: 'variable' },
        {
          key: 'secretVariables',
          field: text(
            'secretVariables',
            'Secret variables',
            `names in Variables whose values are secrets: ${SECRET_HINT}`,
          ),
        },
        'values for {{name}} placeholders, e.g. id = 42',
      )}
      {text(
        'allowEnv',
        'Allowed env vars',
        'names {{env.NAME}} may read, separated by commas or spaces, e.g. API_TOKEN, BASE_URL',
      )}
    </>
  );
  const headersTable = (json: string, hint?: string): ReactElement =>
    table(
      'headers',
      { label: 'Headers', json, noun: 'header' },
      {
        key: 'secretHeaders',
        field: text(
          'secretHeaders',
          'Secret headers',
          `header names (any case) whose values are secrets, beside Authorization, Cookie, X-Api-Key…: ${SECRET_HINT}`,
        ),
      },
      hint,
    );
  const hasSecrets =
    draft.authKind !== 'none' ||
    draft.type === 'db' ||
    [draft.secretVariables, draft.secretHeaders, draft.secretQuery].some((l) => l.trim() !== '') ||
    [draft.url, draft.location, draft.headers].some((f) => f.includes(REDACTED));
  const invalidCount = Object.keys(built.errors).length;
  const kit: DraftFieldKit = { draft, err, update, text, area, select, check, secretType };
  return (
    <form
      aria-label={config ? `Edit configuration ${config.name}` : 'New configuration'}
      className="form"
      onFocus={(e) => {
        // A code editor's content is no text field: remembered here, filled by its own event.
        codeTarget.current = e.target.closest('.code-editor-rich') ? e.target : null;
        placeholderTarget.onFocus(e);
      }}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{config ? `Edit configuration “${config.name}”` : 'New configuration'}</h2>
      {text('name', 'Name', duplicateName)}
      <Field label="Type">
        {(p) => (
          <select
            {...p}
            value={draft.type}
            disabled={Boolean(draft.id)}
            onChange={(e) => setDraft((d) => ({ ...d, type: e.target.value as TaskType }))}
          >
            <option value="api">api (HTTP request)</option>
            <option value="db">db (MongoDB, PostgreSQL, MySQL, SQLite, Redis)</option>
            <option value="file">file (local path or URL)</option>
          </select>
        )}
      </Field>
      <PlaceholderPicker
        chained={Boolean(chain)}
        parent={
          chain?.run
            ? {
                result: chain.run.result,
                from: `the last result of “${chain.parent?.name ?? '?'}”`,
              }
            : undefined
        }
        note="Click into a text field of the form, then pick one: it is inserted at the cursor."
        onPick={(text) =>
          insertIntoCodeEditor(codeTarget.current, text)
            ? `Inserted ${text} into “${codeTarget.current?.getAttribute('aria-label') ?? ''}”.`
            : placeholderTarget.insert(text)
        }
      />

      {draft.type === 'api' ? (
        <fieldset>
          <legend>HTTP request</legend>
          {select('method', 'Method', HTTP_METHODS, 'default (GET to read, POST to write)')}
          {text('url', 'URL', 'http(s)://…; {{name}} placeholders come from variables')}
          {headersTable('Headers (JSON object)', 'e.g. Accept = application/json')}
          {table(
            'query',
            {
              label: 'Query parameters',
              json: 'Query parameters (JSON object)',
              noun: 'parameter',
            },
            {
              key: 'secretQuery',
              field: text(
                'secretQuery',
                'Secret query parameters',
                `keys in Query parameters whose values are secrets: ${SECRET_HINT}`,
              ),
            },
          )}
          {select('bodyType', 'Body type', ['json', 'form', 'text'], 'default (json)')}
          {draft.bodyType === 'text'
            ? area('body', 'Body (text)', undefined, 'text')
            : area('body', 'Body (JSON)')}
          {select('authKind', 'Authentication', ['none', 'bearer', 'basic'])}
          {draft.authKind === 'bearer'
            ? text('token', 'Bearer token', undefined, secretType)
            : null}
          {draft.authKind === 'basic' ? (
            <>
              {text('username', 'Username')}
              {text('password', 'Password', undefined, secretType)}
            </>
          ) : null}
          {text('timeoutMs', 'Timeout (ms)')}
          {placeholderFields}
        </fieldset>
      ) : null}

      {draft.type === 'db' ? <DbParamsFields kit={kit} /> : null}

      {draft.type === 'file' ? (
        <FileParamsFields
          kit={kit}
          headers={headersTable('Headers (JSON object, URLs)', 'sent with downloads and uploads')}
          placeholders={placeholderFields}
        />
      ) : null}

      {server._ ? <ErrorBox message={server._} /> : null}
      {submitted && invalidCount > 0 ? (
        <ErrorBox
          message={`Fix the ${invalidCount} highlighted field${invalidCount > 1 ? 's' : ''}; nothing was saved.`}
        />
      ) : null}
      <SaveActions label="Save configuration" saving={saving} onCancel={onCancel}>
        {duplicateName ? (
          <span className="hint">This name is in use already (see Name); you can still save.</span>
        ) : null}
        {hasSecrets ? (
          <button type="button" aria-pressed={revealed} onClick={() => void reveal()}>
            {revealed ? 'Hide secrets' : 'Reveal secrets'}
          </button>
        ) : null}
        <span className="spacer" />
        <label className="inline">
          Test as{' '}
          <select
            aria-label="Test operation"
            value={testOp}
            onChange={(e) => setTestOp(e.target.value as Operation)}
          >
            {OPERATIONS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={testing} onClick={() => void test()}>
          {testing ? 'Testing…' : draft.type === 'db' ? 'Test connection' : 'Test'}
        </button>
        <ChainTestInput sample={chain} without={testWithoutInput} onWithout={setTestWithoutInput} />
      </SaveActions>
      {testError ? <ErrorBox message={`Test failed to start: ${testError}`} /> : null}
      {testRun ? (
        <section aria-label="Test result" className="test-result">
          <h3>
            Test run: <span className={`badge badge-${testRun.status}`}>{testRun.status}</span>{' '}
            (recorded in history as a test)
          </h3>
          <RunResultView run={testRun} />
        </section>
      ) : null}
    </form>
  );
}
