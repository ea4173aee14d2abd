/**
 * The file configuration's fields: location (with the desktop's file and folder pickers), format,
 * encoding, content (a code editor for json and csv), the CSV delimiter, write mode, the largest
 * file to read (`maxBytes`), and for URLs the upload method, raw or multipart upload and headers.
 */
import type { ReactElement } from 'react';
import { FILE_FORMATS, WRITE_MODES } from '../../../shared/domain';
import { getClient } from '../api/current';
import type { DraftFieldKit } from './DbParamsFields';
import { Field } from './Field';
import { ENCODINGS_LIST } from './lists';

const CSV_DELIMITERS: readonly (readonly [string, string])[] = [
  ['', 'comma (default)'],
  [';', 'semicolon ;'],
  ['\t', 'tab'],
  ['|', 'pipe |'],
];

/** `params.csvDelimiter`: the character between cells of a csv file, read and written. */
function CsvDelimiterField({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { draft, err, update } = kit;
  const known = CSV_DELIMITERS.some(([value]) => value === draft.csvDelimiter);
  const options = known
    ? CSV_DELIMITERS
    : [...CSV_DELIMITERS, [draft.csvDelimiter, draft.csvDelimiter]];
  return (
    <Field label="CSV delimiter" error={err('csvDelimiter')}>
      {(p) => (
        <select
          {...p}
          value={draft.csvDelimiter}
          onChange={(e) => update({ csvDelimiter: e.target.value }, ['csvDelimiter'])}
        >
          {options.map(([value, label]) => (
            <option key={label} value={value}>
              {label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function LocationField({ kit }: { kit: DraftFieldKit }): ReactElement {
  const { text, update } = kit;
  const pickPath = getClient().pickPath;
  const pick = (kind: 'file' | 'folder'): void =>
    void pickPath?.({ kind }).then((p) => p && update({ location: p }, ['location']));
  return (
    <div className="row">
      {text(
        'location',
        'Path or URL',
        'an absolute path (or ~/…), or an http(s) URL; a relative path is refused at save',
      )}
      {pickPath ? (
        <>
          <button type="button" onClick={() => pick('file')}>
            Choose file…
          </button>
          <button type="button" onClick={() => pick('folder')}>
            Choose folder…
          </button>
        </>
      ) : null}
    </div>
  );
}

export function FileParamsFields({
  kit,
  headers,
  placeholders,
}: {
  kit: DraftFieldKit;
  /** The headers table (shared with the api fields). */
  headers: ReactElement;
  /** Variables, allowed env vars and their secrets (shared with the api fields). */
  placeholders: ReactElement;
}): ReactElement {
  const { draft, err, update, text, area, select, check } = kit;
  const structured = draft.format === 'json' || draft.format === 'csv';
  return (
    <fieldset>
      <legend>File</legend>
      <LocationField kit={kit} />
      {select('format', 'Format', FILE_FORMATS, 'default (text)')}
      {select('encoding', 'Encoding', ENCODINGS_LIST, 'default (utf8)')}
      {structured
        ? area('content', 'Content to write', 'JSON (an array of rows for csv)')
        : area('content', 'Content to write', 'text', 'text')}
      {draft.format === 'csv' ? <CsvDelimiterField kit={kit} /> : null}
      {select('writeMode', 'Write mode', WRITE_MODES, 'default (overwrite)')}
      {check('createDirs', 'Create missing folders')}
      {text(
        'maxBytes',
        'Largest file to read (bytes)',
        'a read (or download) of a bigger file fails instead of loading it; default 10 MiB',
      )}
      {select('uploadMethod', 'Upload method (URLs)', ['POST', 'PUT'], 'default')}
      <Field
        label="Upload as (URLs)"
        error={err('uploadAs')}
        hint="multipart sends the content as the file field of a form, as a browser uploads"
      >
        {(p) => (
          <select
            {...p}
            value={draft.uploadAs}
            onChange={(e) => update({ uploadAs: e.target.value }, ['uploadAs'])}
          >
            <option value="">raw body (default)</option>
            <option value="multipart">multipart/form-data</option>
          </select>
        )}
      </Field>
      {headers}
      {text('timeoutMs', 'Timeout (ms)')}
      {placeholders}
    </fieldset>
  );
}
