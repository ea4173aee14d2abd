/**
 * The db params of the engines beside MongoDB (src/shared/db-params.ts): the engine a uri picks
 * and the "Bad input" refusals of issue #16 that need no server, each with its field path.
 */
import { describe, expect, it } from 'vitest';
import { dbEngineOf, dbOperationProblems, dbUriParts } from '../../../../src/shared/db-params';
import { dbParamsSchema } from '../../../../src/shared/domain';

/** What a db configuration's params are checked with (dbParamsSchemaWith(mongoParamsSchema)). */
const schema = dbParamsSchema;

/** The issues of parsing `params`: "path: message" each. */
function problems(params: unknown): string[] {
  const result = schema.safeParse(params);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('dbEngineOf', () => {
  it.each([
    ['mongodb://h/db', 'mongodb'],
    ['mongodb+srv://cluster.example/db', 'mongodb'],
    ['postgres://u@h/db', 'postgres'],
    ['postgresql://u@h:5433/db', 'postgres'],
    ['mysql://u@h/db', 'mysql'],
    ['mariadb://u@h/db', 'mysql'],
    ['sqlite:///home/me/data.db', 'sqlite'],
    ['sqlite::memory:', 'sqlite'],
    ['redis://h:6379/2', 'redis'],
    ['rediss://:pw@h', 'redis'],
  ])('picks the engine of %s', (uri, engine) => {
    expect(dbEngineOf(uri)).toEqual({ engine });
  });

  it.each([
    ['ftp://h/x', 'uses the scheme "ftp:"'],
    ['just text', 'is not a connection string'],
    ['postgres:///db', 'has no host'],
    ['mysql:h/db', 'needs a host'],
    ['redis://h:99999', 'port'],
    ['redis://h/abc', 'a Redis database is a number'],
    ['sqlite:data.db', 'is relative'],
    ['sqlite://host/data.db', 'names a file, not a host'],
    ['postgres://u@h/db?password=secret', 'holds a password in its query'],
    ['mysql://u@h/db?multipleStatements=true', 'does not read'],
  ])('refuses %s with a sentence', (uri, part) => {
    expect(dbEngineOf(uri).problem).toContain(part);
  });

  it('takes a password holding @ and : whole, and never shows it in host', () => {
    const parts = dbUriParts('postgres://me:p@ss:w0rd@db.example:5432/shop');
    expect(parts).toMatchObject({
      host: 'db.example:5432',
      user: 'me',
      password: 'p@ss:w0rd',
      database: 'shop',
    });
    expect(dbUriParts('redis://:a%40b@127.0.0.1')).toMatchObject({ password: 'a@b', port: 6379 });
    expect(dbUriParts('sqlite:///C:/data/x.db')).toMatchObject({ file: 'C:/data/x.db' });
  });
});

describe('db params schema', () => {
  const pg = 'postgres://root@127.0.0.1:5432/test';

  it('accepts SQL, Redis and MongoDB configurations', () => {
    expect(problems({ uri: pg, query: { sql: 'SELECT $1', params: ['{{input.id}}'] } })).toEqual(
      [],
    );
    expect(
      problems({
        uri: 'sqlite::memory:',
        insert: { table: 'main.t', rows: '{{input.rows}}', onConflict: 'ignore' },
      }),
    ).toEqual([]);
    expect(problems({ uri: 'redis://h', command: ['HGETALL', 'user:{{id}}'] })).toEqual([]);
    expect(problems({ uri: 'mongodb://h', database: 'd', collection: 'c', find: {} })).toEqual([]);
  });

  it.each([
    [{ uri: 'ftp://h', query: { sql: 'x' } }, 'uri: uses the scheme "ftp:"'],
    [{ uri: 'postgres:///db', query: { sql: 'x' } }, 'uri: has no host'],
    [{ uri: pg }, 'query: a SQL configuration needs query'],
    [{ uri: pg, query: { sql: 'SELECT 1', params: 5 } }, 'query.params: must be an array'],
    [
      { uri: pg, query: { sql: "SELECT * FROM t WHERE id = '{{input.id}}'" } },
      'query.sql: holds the placeholder {{input.id}}',
    ],
    [{ uri: pg, query: { sql: '/* go */ BEGIN' } }, 'query.sql: starts with BEGIN'],
    [{ uri: pg, insert: { table: 't', rows: [] } }, 'insert.rows: needs at least one row'],
    [
      { uri: pg, insert: { table: 't', rows: [{ a: 1 }, { b: 2 }] } },
      'insert.rows.1: has the columns b but row 0 has a',
    ],
    [
      { uri: pg, insert: { table: 't', rows: 'not a placeholder' } },
      'insert.rows: must be an array of row objects',
    ],
    [
      { uri: pg, insert: { table: 't', rows: [{ a: 1 }], onConflict: 'merge' } },
      'insert.onConflict: must be "error"',
    ],
    [
      { uri: 'sqlite::memory:', query: { sql: 'SELECT 1' }, tls: true },
      'tls: SQLite is a local file',
    ],
    [{ uri: 'redis://h', command: [] }, 'command: must not be empty'],
    [{ uri: 'redis://h', command: ['FLUSHALL'] }, 'command.0: FLUSHALL is an admin command'],
    [{ uri: 'redis://h', command: ['{{cmd}}', 'k'] }, 'command.0: must be a command name'],
    [
      { uri: 'redis://h', command: ['SUBSCRIBE', 'ch'] },
      'command.0: SUBSCRIBE turns the connection',
    ],
    [{ uri: 'redis://h', command: 'GET k' }, 'command: must be an array'],
    [{ uri: pg, query: { sql: 'SELECT 1' }, extra: 1 }, 'Unrecognized key'],
  ])('refuses %j', (params, part) => {
    expect(problems(params).join('; ')).toContain(part);
  });

  it('accepts rows with differing keys when columns are given', () => {
    expect(
      problems({
        uri: pg,
        insert: { table: 't', columns: ['a', 'b'], rows: [{ a: 1 }, { b: 2 }] },
      }),
    ).toEqual([]);
  });
});

describe('dbOperationProblems', () => {
  it('needs query for a SQL read, and insert or query for a write', () => {
    const insertOnly = { uri: 'sqlite::memory:', insert: { table: 't', rows: [{ a: 1 }] } };
    expect(dbOperationProblems(insertOnly, 'read')[0]).toMatchObject({ path: ['query'] });
    expect(dbOperationProblems(insertOnly, 'write')).toEqual([]);
  });

  it('refuses a Redis command that writes in a read task', () => {
    expect(
      dbOperationProblems({ uri: 'redis://h', command: ['SET', 'k', 'v'] }, 'read')[0]?.message,
    ).toContain('SET is not a read-only command');
    expect(dbOperationProblems({ uri: 'redis://h', command: ['SET', 'k', 'v'] }, 'write')).toEqual(
      [],
    );
    expect(
      dbOperationProblems({ uri: 'redis://h', command: ['OBJECT', 'ENCODING', 'k'] }, 'read'),
    ).toEqual([]);
  });
});
