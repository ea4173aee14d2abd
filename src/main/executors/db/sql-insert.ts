/**
 * The INSERT statements of a structured `insert` (issue #16), per SQL dialect: quoted names,
 * bound values ($n or ?), the onConflict clause, and rows split into statements that stay under
 * the engines' limits on bound values. Every value is bound; no value is ever put into SQL text.
 */
import type { SqlEngine } from '../../../shared/db-params';
import { bindValue, type BoundQuery, type InsertAction } from './db-engine';

/** Bound values per statement: under SQLite's 32,766 and the 65,535 of PostgreSQL and MySQL. */
const MAX_VALUES_PER_STATEMENT = 30_000;
/** Rows per statement, so one statement's text stays small. */
const MAX_ROWS_PER_STATEMENT = 1_000;

/** `name` quoted for the dialect: "a""b" (PostgreSQL, SQLite) or `a``b` (MySQL). */
export function quoteName(engine: SqlEngine, name: string): string {
  return engine === 'mysql'
    ? `\`${name.replaceAll('`', '``')}\``
    : `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` with each part quoted. */
export function quoteTable(engine: SqlEngine, table: string): string {
  return table
    .split('.')
    .map((part) => quoteName(engine, part.trim()))
    .join('.');
}

function conflictClause(
  engine: SqlEngine,
  action: InsertAction,
  key: readonly string[] | undefined,
): { prefix: string; suffix: string } {
  const q = (name: string): string => quoteName(engine, name);
  const { onConflict, columns } = action;
  if (onConflict === 'error') return { prefix: 'INSERT', suffix: '' };
  if (engine === 'mysql') {
    // A no-op update (first column = itself) skips duplicates without INSERT IGNORE, which would
    // also turn bad values into warnings.
    const sets =
      onConflict === 'ignore'
        ? [`${q(columns[0]!)} = ${q(columns[0]!)}`]
        : onConflict.update.map((c) => `${q(c)} = VALUES(${q(c)})`);
    return { prefix: 'INSERT', suffix: ` ON DUPLICATE KEY UPDATE ${sets.join(', ')}` };
  }
  const target = key && key.length > 0 ? ` (${key.map(q).join(', ')})` : '';
  if (onConflict === 'ignore')
    return { prefix: 'INSERT', suffix: ` ON CONFLICT${target} DO NOTHING` };
  const sets = onConflict.update.map((c) => `${q(c)} = excluded.${q(c)}`);
  return { prefix: 'INSERT', suffix: ` ON CONFLICT${target} DO UPDATE SET ${sets.join(', ')}` };
}

/**
 * The statements inserting `action.rows`; `key` is the conflict target (PostgreSQL needs one for
 * an update). `returning` is appended to each statement (PostgreSQL's insert/update split).
 */
export function insertStatements(
  engine: SqlEngine,
  action: InsertAction,
  key?: readonly string[],
  returning = '',
): BoundQuery[] {
  const { columns, rows } = action;
  const perStatement = Math.max(
    1,
    Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_VALUES_PER_STATEMENT / columns.length)),
  );
  const head = `INTO ${quoteTable(engine, action.table)} (${columns.map((c) => quoteName(engine, c)).join(', ')}) VALUES `;
  const { prefix, suffix } = conflictClause(engine, action, key);
  const statements: BoundQuery[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = columns.map((column) => {
        params.push(bindValue(row[column], engine));
        return engine === 'postgres' ? `$${params.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    statements.push({ sql: `${prefix} ${head}${tuples.join(', ')}${suffix}${returning}`, params });
  }
  return statements;
}
