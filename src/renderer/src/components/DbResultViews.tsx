/**
 * Result views of the db engines (issue #16): a table for SQL rows (column names and types in the
 * header, shown a page at a time), a value view for Redis replies, and write results as counts.
 * The result shapes are those of src/main/executors/db/engine-runner.ts.
 */
import { Fragment, useState, type ReactElement } from 'react';
import { DB_ENGINE_LABELS, DB_ENGINES, type DbEngine } from '../../../shared/db-params';
import type { RunResult } from '../../../shared/domain';

export interface SqlColumn {
  name: string;
  type: string;
}

/** The rows of a SQL result, or undefined when the result has none. */
export interface SqlRowsView {
  columns: SqlColumn[];
  rows: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
}

/** Rows rendered at first, and added by each "Show more rows". */
export const ROWS_PAGE = 200;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function sqlRowsOf(result: RunResult | undefined): SqlRowsView | undefined {
  const columns = result?.['columns'];
  const rows = result?.['rows'];
  if (!Array.isArray(columns) || !Array.isArray(rows)) return undefined;
  if (!columns.every((c) => isObject(c) && typeof c['name'] === 'string')) return undefined;
  const count = result?.['rowCount'];
  return {
    columns: (columns as Record<string, unknown>[]).map((c) => ({
      name: String(c['name']),
      type: typeof c['type'] === 'string' ? c['type'] : '',
    })),
    rows: rows.filter(isObject),
    rowCount: typeof count === 'number' ? count : rows.length,
    truncated: result?.truncated === true,
  };
}

/** "PostgreSQL — 127.0.0.1:5432" for a db engine's result, else undefined. */
export function dbResultLabel(result: RunResult | undefined): string | undefined {
  const engine = result?.['engine'];
  const host = result?.['host'];
  if (typeof engine !== 'string' || !(DB_ENGINES as readonly string[]).includes(engine)) {
    return undefined;
  }
  const name = DB_ENGINE_LABELS[engine as DbEngine];
  return typeof host === 'string' && host !== '' ? `${name} — ${host}` : name;
}

function cellText(v: unknown): string {
  return v === undefined ? '' : v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v);
}

export function DbRowsTable({ view }: { view: SqlRowsView }): ReactElement {
  const [shown, setShown] = useState(ROWS_PAGE);
  const { columns, rows, rowCount, truncated } = view;
  const visible = rows.slice(0, shown);
  const kept = rows.length < rowCount ? ` (${rowCount} returned, ${rows.length} kept)` : '';
  return (
    <div>
      <p className="hint" role="status">
        {rows.length} row{rows.length === 1 ? '' : 's'}
        {kept}
        {truncated
          ? '; the query had more rows: it stopped at the result cap (add LIMIT to choose how many)'
          : ''}
      </p>
      {columns.length === 0 ? (
        <p className="hint">The statement returned no columns.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Result rows">
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col">
                    {c.name}
                    {c.type ? (
                      <>
                        {' '}
                        <span className="hint">{c.type}</span>
                      </>
                    ) : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((row, i) => (
                <tr key={i}>
                  {columns.map((c, j) => (
                    <td key={j} className={row[c.name] === null ? 'json-null' : undefined}>
                      {cellText(row[c.name])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + ROWS_PAGE)}>
          Show {Math.min(ROWS_PAGE, rows.length - shown)} more rows (of {rows.length - shown})
        </button>
      ) : null}
    </div>
  );
}

/** Items of a Redis array or fields of a map shown at first per level. */
const ITEMS_SHOWN = 200;

function ReplyValue({ value, depth }: { value: unknown; depth: number }): ReactElement {
  if (value === null) return <span className="json-null">(nil)</span>;
  if (typeof value === 'string') return <span style={{ whiteSpace: 'pre-wrap' }}>{value}</span>;
  if (typeof value !== 'object') {
    return <span className={`json-${typeof value}`}>{String(value)}</span>;
  }
  if (isObject(value) && typeof value['$base64'] === 'string' && Object.keys(value).length === 1) {
    return (
      <span>
        <span className="hint">bytes (base64) </span>
        <code>{value['$base64']}</code>
      </span>
    );
  }
  if (depth > 6) return <code>{JSON.stringify(value)}</code>;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i + 1), v] as const)
    : Object.entries(value);
  if (entries.length === 0) return <span className="json-null">(empty)</span>;
  const more = entries.length - ITEMS_SHOWN;
  return (
    <table
      className="reply-table"
      aria-label={Array.isArray(value) ? 'Reply items' : 'Reply fields'}
    >
      <tbody>
        {entries.slice(0, ITEMS_SHOWN).map(([key, item]) => (
          <tr key={key}>
            <th scope="row" className={Array.isArray(value) ? 'hint' : 'json-key'}>
              {key}
            </th>
            <td>
              <ReplyValue value={item} depth={depth + 1} />
            </td>
          </tr>
        ))}
        {more > 0 ? (
          <tr>
            <td colSpan={2} className="hint">
              … {more} more (see the JSON tree)
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

/** A Redis reply: its type and its value, strings as text, arrays numbered, maps as fields. */
export function DbReplyView({ result }: { result: RunResult }): ReactElement {
  const type = typeof result['replyType'] === 'string' ? result['replyType'] : 'reply';
  const data = result.data;
  const size = Array.isArray(data)
    ? `, ${data.length} item${data.length === 1 ? '' : 's'}`
    : isObject(data) && type === 'map'
      ? `, ${Object.keys(data).length} field${Object.keys(data).length === 1 ? '' : 's'}`
      : '';
  return (
    <section aria-label="Redis reply" className="text-result">
      <p className="hint">
        {typeof result['command'] === 'string' ? `${result['command']} → ` : ''}
        {type}
        {size}
        {result.truncated ? ' (stopped at the result cap)' : ''}
      </p>
      <ReplyValue value={data ?? null} depth={0} />
    </section>
  );
}

const COUNTS = [
  ['inserted', 'Inserted'],
  ['updated', 'Updated'],
  ['skipped', 'Skipped'],
  ['affectedRows', 'Affected rows'],
  ['matchedRows', 'Matched rows'],
] as const;

/** The counts a SQL write reports (inserted, updated, skipped, affected, matched), if any. */
export function DbWriteCounts({ result }: { result: RunResult }): ReactElement | null {
  const counts = COUNTS.filter(([key]) => typeof result[key] === 'number');
  if (counts.length === 0) return null;
  return (
    <dl className="facts" aria-label="Rows written">
      {counts.map(([key, label]) => (
        <Fragment key={key}>
          <dt>{label}</dt>
          <dd>{String(result[key])}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
