/**
 * Headers, query parameters and variables as a table (issue #17): add and remove rows, switch a
 * row off (it stays in the form while it is open but is not sent, nor saved), mark a value secret
 * (the configuration's `secretHeaders` / `secretQuery` / `secretVariables` list). The draft keeps
 * the JSON object text of the rows that are on, so validation, saving and "Reveal secrets" work
 * as for the raw JSON field, which "Edit as JSON" still offers.
 */
import { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { CodeEditor } from './CodeEditor';
import { Field } from './Field';

interface Row {
  key: string;
  value: string;
  on: boolean;
  /** A row switched off keeps whether it was secret, for when it is switched on again. */
  secretWhenOn: boolean;
}

export interface SecretNames {
  /** Names separated by commas or spaces, as the draft holds them. */
  text: string;
  onChange: (text: string) => void;
  /** Header names match in any case. */
  anyCase: boolean;
  /** The list's error ("x" is not in headers), shown under the table. */
  error?: string | undefined;
}

interface KeyValueTableProps {
  /** "Headers": the table's name; the rows' controls are named after it. */
  label: string;
  /** "Headers (JSON object)": the raw field's label. */
  jsonLabel: string;
  /** "header": for "Add header". */
  noun: string;
  /** The JSON object text of the rows that are on ('' for none). */
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  secret?: SecretNames;
  /** `password` hides secret values until "Reveal secrets". */
  secretType: string;
  /** Shown with the raw field (the secret names as text). */
  jsonExtras?: ReactNode;
}

/** The rows of a JSON object of strings; undefined when the text is not one (edit it as JSON). */
export function rowsOfJson(text: string): Row[] | undefined {
  if (!text.trim()) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.some(([, v]) => typeof v !== 'string')) return undefined;
    return entries.map(([key, v]) => ({ key, value: v as string, on: true, secretWhenOn: false }));
  } catch {
    return undefined;
  }
}

/** The JSON object text of the rows that are on and named ('' for none); the last name wins. */
export function jsonOfRows(rows: readonly Row[]): string {
  const entries = rows.filter((r) => r.on && r.key !== '').map((r) => [r.key, r.value]);
  return entries.length ? JSON.stringify(Object.fromEntries(entries), null, 2) : '';
}

function namesOf(text: string): string[] {
  return text.split(/[\s,]+/).filter((n) => n !== '');
}

export function KeyValueTable(props: KeyValueTableProps): ReactElement {
  const { label, value, secret } = props;
  const [rows, setRows] = useState<Row[]>(() => rowsOfJson(value) ?? []);
  const [asJson, setAsJson] = useState(() => rowsOfJson(value) === undefined);
  const emitted = useRef(value);

  // A change from outside the table (the raw field, Reveal secrets, a placeholder): rows follow,
  // the rows switched off stay.
  useEffect(() => {
    if (value === emitted.current) return;
    emitted.current = value;
    const parsed = rowsOfJson(value);
    if (parsed) setRows((cur) => [...parsed, ...cur.filter((r) => !r.on)]);
  }, [value]);

  const same = (a: string, b: string): boolean =>
    secret?.anyCase ? a.toLowerCase() === b.toLowerCase() : a === b;
  const secretNames = namesOf(secret?.text ?? '');
  const isSecret = (key: string): boolean => key !== '' && secretNames.some((n) => same(n, key));
  const setSecretNames = (names: string[]): void => secret?.onChange(names.join(', '));

  const commit = (next: Row[]): void => {
    setRows(next);
    const json = jsonOfRows(next);
    emitted.current = json;
    props.onChange(json);
  };
  const change = (index: number, patch: Partial<Row>): void =>
    commit(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));

  const rename = (index: number, key: string): void => {
    const old = rows[index]?.key ?? '';
    if (isSecret(old)) setSecretNames(secretNames.map((n) => (same(n, old) ? key : n)));
    change(index, { key });
  };
  const toggleSecret = (row: Row, on: boolean): void => {
    if (on) setSecretNames([...secretNames, row.key]);
    else setSecretNames(secretNames.filter((n) => !same(n, row.key)));
  };
  // A secret name must be in the object sent: a row switched off leaves the list until it is on.
  const toggleOn = (index: number, row: Row, on: boolean): void => {
    if (!on && isSecret(row.key)) {
      setSecretNames(secretNames.filter((n) => !same(n, row.key)));
      change(index, { on, secretWhenOn: true });
      return;
    }
    if (on && row.secretWhenOn && row.key) setSecretNames([...secretNames, row.key]);
    change(index, { on, secretWhenOn: false });
  };
  const remove = (index: number, row: Row): void => {
    if (isSecret(row.key)) toggleSecret(row, false);
    commit(rows.filter((_, i) => i !== index));
  };

  const tableable = rowsOfJson(value) !== undefined;
  const toggle = (
    <button
      type="button"
      className="link-button"
      disabled={asJson && !tableable}
      title={
        asJson && !tableable
          ? 'fix the JSON (an object of strings) to edit it as a table'
          : undefined
      }
      onClick={() => setAsJson(!asJson)}
    >
      {asJson ? `Edit ${label} as a table` : `Edit ${label} as JSON`}
    </button>
  );

  if (asJson) {
    return (
      <div className="kv-field">
        <Field label={props.jsonLabel} error={props.error} hint={props.hint}>
          {(p) => (
            <CodeEditor
              {...p}
              label={props.jsonLabel}
              language="json"
              value={value}
              onChange={props.onChange}
            />
          )}
        </Field>
        {props.jsonExtras}
        {toggle}
      </div>
    );
  }
  const names = rows.map((r) => r.key);
  const error = props.error ?? secret?.error;
  return (
    <div className={`kv-field field${error ? ' field-invalid' : ''}`}>
      <table className="kv-table" aria-label={label}>
        <caption>{label}</caption>
        {rows.length === 0 ? null : (
          <thead>
            <tr>
              <th scope="col">Send</th>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              {secret ? <th scope="col">Secret</th> : null}
              <th scope="col">Remove</th>
            </tr>
          </thead>
        )}
        <tbody>
          {rows.map((row, i) => {
            const name = row.key || `row ${i + 1}`;
            const twice = row.key !== '' && names.indexOf(row.key) !== i;
            const secretRow = isSecret(row.key) || (!row.on && row.secretWhenOn);
            return (
              <tr key={i} className={row.on ? undefined : 'kv-off'}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Send ${label} ${name}`}
                    checked={row.on}
                    onChange={(e) => toggleOn(i, row, e.target.checked)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`${label} name ${i + 1}`}
                    className="mono"
                    spellCheck={false}
                    value={row.key}
                    aria-invalid={twice}
                    title={twice ? 'this name appears twice: the last row is sent' : undefined}
                    onChange={(e) => rename(i, e.target.value)}
                  />
                </td>
                <td>
                  <input
                    aria-label={`${label} value ${i + 1}`}
                    type={secretRow ? props.secretType : 'text'}
                    className="mono"
                    spellCheck={false}
                    value={row.value}
                    onChange={(e) => change(i, { value: e.target.value })}
                  />
                </td>
                {secret ? (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Secret ${label} ${name}`}
                      checked={secretRow}
                      disabled={row.key === '' || !row.on}
                      onChange={(e) => toggleSecret(row, e.target.checked)}
                    />
                  </td>
                ) : null}
                <td>
                  <button type="button" onClick={() => remove(i, row)}>
                    Remove {name}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          onClick={() => setRows([...rows, { key: '', value: '', on: true, secretWhenOn: false }])}
        >
          Add {props.noun}
        </button>
        {toggle}
      </div>
      {props.hint ? <div className="hint">{props.hint}</div> : null}
      {error ? (
        <div className="error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
