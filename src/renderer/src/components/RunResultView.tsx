/**
 * A run's result and error: JSON tree, text, or a table for CSV rows / arrays of objects; db
 * engine results get their own views (DbResultViews.tsx): SQL rows with column types, a Redis
 * reply as a value, write counts; the outcome of each of the task's checks as a table.
 */
import { useState, type KeyboardEvent as ReactKeyboardEvent, type ReactElement } from 'react';
import type { Run } from '../../../shared/domain';
import { ChecksOutcomeTable, checkOutcomesOf } from './ChecksOutcomeTable';
import { dbResultLabel, DbReplyView, DbRowsTable, DbWriteCounts, sqlRowsOf } from './DbResultViews';

function JsonNode({
  name,
  value,
  depth,
}: {
  name?: string;
  value: unknown;
  depth: number;
}): ReactElement {
  const [open, setOpen] = useState(depth < 2);
  const label = name !== undefined ? <span className="json-key">{name}: </span> : null;
  const prefix = name !== undefined ? `${name}: ` : '';
  // Only the root is in the tab order; arrow keys move between items (see JsonTree).
  const tabIndex = depth === 0 ? 0 : -1;
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return (
      <li role="treeitem" aria-level={depth + 1} aria-label={prefix + text} tabIndex={tabIndex}>
        {label}
        <span className={`json-${value === null ? 'null' : typeof value}`}>{text}</span>
      </li>
    );
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <li
      role="treeitem"
      aria-level={depth + 1}
      aria-expanded={open}
      aria-label={prefix + summary}
      tabIndex={tabIndex}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return;
        if (
          e.key === 'Enter' ||
          e.key === ' ' ||
          (e.key === 'ArrowRight' && !open) ||
          (e.key === 'ArrowLeft' && open)
        ) {
          e.preventDefault();
          e.stopPropagation();
          setOpen(!open);
        }
      }}
    >
      <button
        type="button"
        className="link"
        tabIndex={-1}
        aria-hidden="true"
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      {label}
      <span className="json-summary">{summary}</span>
      {open ? (
        <ul role="group">
          {entries.slice(0, 500).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > 500 ? (
            <li role="treeitem" aria-level={depth + 2} tabIndex={-1}>
              … {entries.length - 500} more
            </li>
          ) : null}
        </ul>
      ) : null}
    </li>
  );
}

/** Up/Down/Home/End move focus between the visible items of a tree. */
function moveInTree(e: ReactKeyboardEvent<HTMLUListElement>): void {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(e.key)) return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="treeitem"]')];
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? items.length - 1
        : Math.min(items.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)));
  e.preventDefault();
  items[next]?.focus();
}

export function JsonTree({
  value,
  label = 'JSON result',
}: {
  value: unknown;
  label?: string;
}): ReactElement {
  return (
    <ul className="json-tree" role="tree" aria-label={label} onKeyDown={moveInTree}>
      <JsonNode value={value} depth={0} />
    </ul>
  );
}

/** Rows of plain objects (or arrays) → a table; undefined when the data is not tabular. */
export function tableOf(data: unknown): { columns: string[]; rows: unknown[][] } | undefined {
  if (!Array.isArray(data) || data.length === 0) return undefined;
  if (data.every((r) => Array.isArray(r))) {
    const width = Math.max(...data.map((r) => (r as unknown[]).length));
    return {
      columns: Array.from({ length: width }, (_, i) => `#${i + 1}`),
      rows: data as unknown[][],
    };
  }
  if (!data.every((r) => r && typeof r === 'object' && !Array.isArray(r))) return undefined;
  const columns = [...new Set(data.flatMap((r) => Object.keys(r as object)))].slice(0, 50);
  return { columns, rows: data.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])) };
}

function cell(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

type View = 'tree' | 'text' | 'table' | 'value';
const VIEW_LABELS: Readonly<Record<View, string>> = {
  tree: 'JSON tree',
  text: 'Text',
  table: 'Table',
  value: 'Value',
};

export function RunResultView({ run }: { run: Run }): ReactElement {
  const data = run.result?.data ?? run.result?.['body'] ?? run.result?.['rows'];
  const sqlRows = sqlRowsOf(run.result);
  const reply = run.result !== undefined && typeof run.result['replyType'] === 'string';
  const table = sqlRows ? undefined : tableOf(data);
  const hasTable = Boolean(sqlRows ?? table);
  const views: View[] = reply ? ['value', 'tree', 'text'] : ['tree', 'text', 'table'];
  const [view, setView] = useState<View>(
    reply ? 'value' : hasTable ? 'table' : typeof data === 'string' ? 'text' : 'tree',
  );
  const dbLabel = dbResultLabel(run.result);
  const checks = checkOutcomesOf(run.result);
  return (
    <div className="run-result">
      {run.error ? (
        <div className="error-box" role="alert">
          <strong>{run.error.code}</strong>: {run.error.message}
        </div>
      ) : null}
      {dbLabel ? <p className="hint">{dbLabel}</p> : null}
      {run.result?.summary ? <p>{run.result.summary}</p> : null}
      {run.result ? <DbWriteCounts result={run.result} /> : null}
      {checks ? <ChecksOutcomeTable outcomes={checks} /> : null}
      {run.result?.truncated && !sqlRows && !reply ? (
        <p className="hint">The stored result was truncated to the size cap.</p>
      ) : null}
      {run.result ? (
        <>
          <div role="tablist" aria-label="Result view" className="tabs">
            {views.map((v) => (
              <button
                key={v}
                type="button"
                role="tab"
                aria-selected={view === v}
                disabled={v === 'table' && !hasTable}
                onClick={() => setView(v)}
              >
                {VIEW_LABELS[v]}
              </button>
            ))}
          </div>
          {view === 'value' && reply ? <DbReplyView result={run.result} /> : null}
          {view === 'table' && sqlRows ? <DbRowsTable view={sqlRows} /> : null}
          {view === 'tree' ? <JsonTree value={run.result} /> : null}
          {view === 'text' ? (
            <pre className="text-result">
              {typeof data === 'string' ? data : JSON.stringify(run.result, null, 2)}
            </pre>
          ) : null}
          {view === 'table' && table ? (
            <div className="table-wrap">
              <table aria-label="Result table">
                <thead>
                  <tr>
                    {table.columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.rows.slice(0, 1000).map((r, i) => (
                    <tr key={i}>
                      {r.map((v, j) => (
                        <td key={j}>{cell(v)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : !run.error ? (
        <p className="hint">No result recorded.</p>
      ) : null}
    </div>
  );
}
