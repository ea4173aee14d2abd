/**
 * Db tasks through the built service's HTTP API (issue #16) that cannot work: servers that
 * cannot be reached or refuse the credentials, and configurations refused at configs.save and
 * configs.test.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, type Configuration } from '../../../src/shared/domain';
import { MYSQL_URI, PG_URI, REDIS_URI, closedPort, uniqueName } from '../executors/db/db-support';
import {
  CONNECT_TIMEOUT_MS,
  dir,
  ok,
  post,
  runTask,
  sqliteFile,
  useDbEnginesService,
} from './support/db-engines-service';
import { mysqlTarget } from './support/sql-targets';

useDbEnginesService();

describe('db tasks that cannot reach their server', () => {
  let port = 0;
  beforeAll(async () => {
    port = await closedPort();
  });

  it.each([
    { label: 'PostgreSQL', uri: (p: number) => `postgres://root:s3cret-pw@127.0.0.1:${p}/test` },
    { label: 'MySQL', uri: (p: number) => `mysql://root:s3cret-pw@127.0.0.1:${p}/test` },
    { label: 'Redis', uri: (p: number) => `redis://:s3cret-pw@127.0.0.1:${p}` },
  ])(
    'fails a $label task on a closed port at once, naming engine and host, never the password',
    async ({ label, uri }) => {
      const run = await runTask(
        'read',
        label === 'Redis'
          ? { uri: uri(port), command: ['PING'] }
          : { uri: uri(port), query: { sql: 'SELECT 1' } },
      );
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('CONNECTION');
      expect(run.error?.message).toContain(`${label} at 127.0.0.1:${port} cannot be reached`);
      expect(run.error?.message).not.toContain('s3cret-pw');
      expect(run.config['uri']).toBe(uri(port).replace('s3cret-pw', REDACTED));
      expect(run.durationMs).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
    },
  );

  it('fails a MariaDB task with a wrong password as AUTH, and keeps the password sealed', async () => {
    const admin = await mysqlTarget();
    const user = uniqueName('u').slice(0, 32);
    await admin.exec(`CREATE USER '${user}'@'%' IDENTIFIED BY 'right-pw-123'`);
    await admin.exec(`GRANT SELECT ON *.* TO '${user}'@'%'`);
    try {
      const uri = (password: string): string =>
        MYSQL_URI.replace(/\/\/[^@/]*@/, `//${user}:${password}@`);
      const wrong = await runTask('read', { uri: uri('wrong-pw-456'), query: { sql: 'SELECT 1' } });
      expect(wrong.status).toBe('failed');
      expect(wrong.error?.code).toBe('AUTH');
      expect(wrong.error?.message).toContain('MySQL at 127.0.0.1:3306 rejected the credentials');
      expect(wrong.error?.message).not.toContain('wrong-pw-456');
      expect(wrong.durationMs).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);

      const right = await runTask('read', {
        uri: uri('right-pw-123'),
        query: { sql: 'SELECT CURRENT_USER() AS me' },
      });
      expect(right.error?.message).toBeUndefined();
      expect(right.status).toBe('succeeded');
      expect(right.config['uri']).not.toContain('right-pw-123');
      // Sealed at rest: no file of the data directory holds a password in clear.
      for (const file of await readdir(join(dir, 'data'), { recursive: true })) {
        const text = await readFile(join(dir, 'data', file)).catch(() => Buffer.alloc(0));
        expect(text.includes('right-pw-123'), file).toBe(false);
        expect(text.includes('wrong-pw-456'), file).toBe(false);
      }
    } finally {
      await admin.exec(`DROP USER IF EXISTS '${user}'@'%'`);
      await admin.close();
    }
  });
});

describe('bad db configurations are refused at configs.save and configs.test', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['an unknown scheme', { uri: 'oracle://127.0.0.1/x', query: { sql: 'SELECT 1' } }, ['uri']],
    ['a uri without a host', { uri: 'postgres:///test', query: { sql: 'SELECT 1' } }, ['uri']],
    [
      'a placeholder inside sql',
      { uri: PG_URI, query: { sql: 'SELECT * FROM t WHERE id = {{id}}' } },
      ['query', 'sql'],
    ],
    [
      'params that is not an array',
      { uri: PG_URI, query: { sql: 'SELECT $1', params: { id: 1 } } },
      ['query', 'params'],
    ],
    [
      'an insert with no rows',
      { uri: MYSQL_URI, insert: { table: 't', rows: [] } },
      ['insert', 'rows'],
    ],
    [
      'insert rows with differing keys',
      { uri: MYSQL_URI, insert: { table: 't', rows: [{ a: 1 }, { b: 2 }] } },
      ['insert', 'rows', '1'],
    ],
    ['a SQL configuration without query or insert', { uri: sqliteFile.uri }, ['query']],
    ['an empty Redis command', { uri: REDIS_URI, command: [] }, ['command']],
    ['an admin Redis command', { uri: REDIS_URI, command: ['FLUSHALL'] }, ['command', '0']],
  ];

  it.each(cases)(
    'refuses %s with VALIDATION naming the field, storing nothing',
    async (_, params, path) => {
      const before = await ok<Configuration[]>('configs.list', {});
      const config = { name: 'bad', type: 'db', params };
      for (const [method, extra] of [
        ['configs.save', {}],
        ['configs.test', { operation: 'write' }],
      ] as const) {
        const answer = await post(method, { config, ...extra });
        expect(answer.status, method).toBe(400);
        expect(answer.error?.code).toBe('VALIDATION');
        expect(answer.error?.message).toMatch(
          new RegExp(`^config\\.params\\.${path.join('\\.')}: \\S`),
        );
        expect(answer.error?.details?.issues?.[0]?.path).toEqual(['config', 'params', ...path]);
      }
      expect(await ok<Configuration[]>('configs.list', {})).toEqual(before);
    },
  );
});
