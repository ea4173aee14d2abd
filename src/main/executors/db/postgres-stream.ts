/**
 * One PostgreSQL statement with its rows streamed (postgres-engine.ts): sent through the extended
 * protocol (values bound, one statement), rows kept up to the result cap and the rest dropped as
 * they arrive, and the columns named with their types (built-in names, others looked up once in
 * pg_type).
 */
import type Pg from 'pg';
import {
  bindValue,
  RowCollector,
  type BoundQuery,
  type CallOptions,
  type SqlColumn,
} from './db-engine';
import type { PgDriver } from './drivers';
import { PG_TYPE_NAMES } from './postgres-values';

export interface PgField {
  name: string;
  dataTypeID: number;
}

export interface Streamed {
  collector: RowCollector;
  fields: PgField[];
  rowCount: number | null;
}

/** Runs `query` on `client`; resolves once the server ended it, with the rows up to the cap. */
export function streamQuery(
  pg: PgDriver,
  client: Pg.PoolClient,
  query: BoundQuery,
  options: CallOptions,
): Promise<Streamed> {
  return new Promise<Streamed>((resolve, reject) => {
    const collector = new RowCollector(options.cap);
    let named = false;
    const q = new pg.Query({
      text: query.sql,
      values: query.params.map((v) => bindValue(v, 'postgres')),
      rowMode: 'array',
      queryMode: 'extended',
    } as Pg.QueryConfig);
    const nameColumns = (result: unknown): void => {
      if (named) return;
      named = true;
      const fields = (result as { fields?: { name: string }[] } | undefined)?.fields ?? [];
      collector.setColumns(fields.map((f) => f.name));
    };
    q.on('row', (row, result) => {
      nameColumns(result);
      collector.add(row as unknown[]);
    });
    q.on('error', reject);
    q.on('end', (result) => {
      nameColumns(result);
      const r = result as unknown as Partial<Streamed>;
      resolve({ collector, fields: r.fields ?? [], rowCount: r.rowCount ?? null });
    });
    client.query(q);
  });
}

/** The columns of `fields` with their type names; `known` caches the names looked up. */
export async function columnsOf(
  client: Pg.PoolClient,
  fields: readonly PgField[],
  known: Map<number, string>,
): Promise<SqlColumn[]> {
  const missing = [
    ...new Set(
      fields.map((f) => f.dataTypeID).filter((oid) => !PG_TYPE_NAMES[oid] && !known.has(oid)),
    ),
  ];
  if (missing.length > 0) {
    const result = await client.query<[number, string]>({
      text: 'SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY($1::oid[])',
      values: [missing],
      rowMode: 'array',
    });
    for (const [oid, name] of result.rows) known.set(oid, name);
  }
  return fields.map((f) => ({
    name: f.name,
    type: PG_TYPE_NAMES[f.dataTypeID] ?? known.get(f.dataTypeID) ?? `oid ${f.dataTypeID}`,
  }));
}
