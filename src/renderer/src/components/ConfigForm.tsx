/**
 * Create/edit a configuration: per-type fields, validation as you type, server errors by field;
 * a placeholder picker that inserts at the cursor, and Test with the parent's last result as
 * input when a chained task runs with it (issue #15).
 */
import { useMemo, useState, type ReactElement } from 'react';
import { ENCODINGS_LIST } from './lists';
import {
  REDACTED,
  FILE_FORMATS,
  HTTP_METHODS,
  OPERATIONS,
  WRITE_MODES,
  type Configuration,
  type Operation,
  type Run,
  type TaskType,
} from '../../../shared/domain';
import { call, getClient } from '../api/current';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { serverFieldErrors, type FieldErrors } from '../util';
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
import { ErrorBox, SaveActions } from './common';
import { engineShown, suggestedTestOperation } from './db-draft';
import { DbParamsFields, type DraftFieldKit } from './DbParamsFields';
import { Field } from './Field';
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
  const pickPath = getClient().pickPath;
  const chain = useChainSample(draft.id);
  const placeholderTarget = usePlaceholderTarget();
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
    setServer((s) => Object.fromEntries(Object.entries(s).filter(([k]) => !keys.includes(k))));
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
  const area = (key: keyof ConfigDraft, label: string, hint?: string): ReactElement => (
    <Field label={label} error={err(key)} hint={hint}>
      {(p) => (
        <textarea
          {...p}
          rows={4}
          spellCheck={false}
          value={String(draft[key])}
          onChange={(e) => set(key, e.target.value as never)}
        />
      )}
    </Field>
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
  const serverErrors = (error: unknown): FieldErrors => {
    const mapped: FieldErrors = {};
    for (const [k, v] of Object.entries(serverFieldErrors(error, 'config')))
      mapped[k === '_' ? '_' : draftKeyOf(k, engine)] = v;
    return mapped;
  };

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
      const { _: _message, ...fields } = serverErrors(error);
      setServer((s) => ({ ...s, ...fields }));
      setTestError(errorMessage(error));
    } finally {
      setTesting(false);
    }
  };

  // Api and file configurations only: the db executor expands no placeholders.
  const placeholderFields = (
    <>
      {area(
        'variables',
        'Variables (JSON object)',
        'values for {{name}} placeholders, e.g. {"id": "42"}',
      )}
      {text(
        'secretVariables',
        'Secret variables',
        `names in Variables whose values are secrets: ${SECRET_HINT}`,
      )}
      {text(
        'allowEnv',
        'Allowed env vars',
        'names {{env.NAME}} may read, separated by commas or spaces, e.g. API_TOKEN, BASE_URL',
      )}
    </>
  );
  const secretHeadersField = text(
    'secretHeaders',
    'Secret headers',
    `header names (any case) whose values are secrets, beside Authorization, Cookie, X-Api-Key…: ${SECRET_HINT}`,
  );
  const secretType = revealed ? 'text' : 'password';
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
      onFocus={placeholderTarget.onFocus}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{config ? `Edit configuration “${config.name}”` : 'New configuration'}</h2>
      {text('name', 'Name')}
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
        onPick={placeholderTarget.insert}
      />

      {draft.type === 'api' ? (
        <fieldset>
          <legend>HTTP request</legend>
          {select('method', 'Method', HTTP_METHODS, 'default (GET to read, POST to write)')}
          {text('url', 'URL', 'http(s)://…; {{name}} placeholders come from variables')}
          {area('headers', 'Headers (JSON object)', '{"Accept": "application/json"}')}
          {secretHeadersField}
          {area('query', 'Query parameters (JSON object)')}
          {text(
            'secretQuery',
            'Secret query parameters',
            `keys in Query parameters whose values are secrets: ${SECRET_HINT}`,
          )}
          {select('bodyType', 'Body type', ['json', 'form', 'text'], 'default (json)')}
          {area('body', draft.bodyType === 'text' ? 'Body (text)' : 'Body (JSON)')}
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
        <fieldset>
          <legend>File</legend>
          <div className="row">
            {text('location', 'Path or URL', 'a local path, or an http(s) URL')}
            {pickPath ? (
              <>
                <button
                  type="button"
                  onClick={() =>
                    void pickPath({ kind: 'file' }).then((p) => p && set('location', p))
                  }
                >
                  Choose file…
                </button>
                <button
                  type="button"
                  onClick={() =>
                    void pickPath({ kind: 'folder' }).then((p) => p && set('location', p))
                  }
                >
                  Choose folder…
                </button>
              </>
            ) : null}
          </div>
          {select('format', 'Format', FILE_FORMATS, 'default (text)')}
          {select('encoding', 'Encoding', ENCODINGS_LIST, 'default (utf8)')}
          {area(
            'content',
            'Content to write',
            draft.format === 'json' || draft.format === 'csv'
              ? 'JSON (an array of rows for csv)'
              : 'text',
          )}
          {select('writeMode', 'Write mode', WRITE_MODES, 'default (overwrite)')}
          {check('createDirs', 'Create missing folders')}
          {select('uploadMethod', 'Upload method (URLs)', ['POST', 'PUT'], 'default')}
          {area('headers', 'Headers (JSON object, URLs)', '{"X-Token": "…"}')}
          {secretHeadersField}
          {text('timeoutMs', 'Timeout (ms)')}
          {placeholderFields}
        </fieldset>
      ) : null}

      {server._ ? <ErrorBox message={server._} /> : null}
      {submitted && invalidCount > 0 ? (
        <ErrorBox
          message={`Fix the ${invalidCount} highlighted field${invalidCount > 1 ? 's' : ''}; nothing was saved.`}
        />
      ) : null}
      <SaveActions label="Save configuration" saving={saving} onCancel={onCancel}>
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
