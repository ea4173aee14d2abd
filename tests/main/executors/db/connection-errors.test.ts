/**
 * What a run says when it cannot get to the database: a closed port, a server that accepts but
 * never answers, bad credentials, an unknown database, a SQLite file that is not there, a TLS
 * mismatch. Each error names the engine and host, never the password, and comes within the
 * connect timeout.
 */
import net from 'node:net';
import { existsSync } from 'node:fs';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbEngineRunner } from '../../../../src/main/executors/db/engine-runner';
import {
  MYSQL_URI,
  PG_URI,
  REDIS_URI,
  closedPort,
  failure,
  run,
  tempSqlite,
  uniqueName,
} from './db-support';

const CONNECT_TIMEOUT_MS = 800;
const runner = new DbEngineRunner({ poolOptions: { connectTimeoutMs: CONNECT_TIMEOUT_MS } });
let port = 0;
let silent: net.Server;
let silentPort = 0;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  port = await closedPort();
  // Accepts connections and never says a word, as a firewalled or hung server would.
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await runner.close();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const read = (uri: string, extra: Record<string, unknown> = {}): ReturnType<typeof run> =>
  run(
    runner,
    uri.startsWith('redis')
      ? { uri, command: ['PING'], ...extra }
      : { uri, query: { sql: 'SELECT 1' }, ...extra },
    'read',
  );

async function timed(
  promise: Promise<unknown>,
): Promise<{ error: Awaited<ReturnType<typeof failure>>; ms: number }> {
  const started = performance.now();
  const error = await failure(promise);
  return { error, ms: performance.now() - started };
}

describe.each([
  { label: 'PostgreSQL', uri: (p: number) => `postgres://root:s3cret-pw@127.0.0.1:${p}/test` },
  { label: 'MySQL', uri: (p: number) => `mysql://root:s3cret-pw@127.0.0.1:${p}/test` },
  { label: 'Redis', uri: (p: number) => `redis://:s3cret-pw@127.0.0.1:${p}` },
])('$label unreachable', ({ label, uri }) => {
  it('reports a closed port at once, naming the engine and host but not the password', async () => {
    const { error, ms } = await timed(read(uri(port)));
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toContain(`${label} at 127.0.0.1:${port} cannot be reached`);
    expect(error.message).not.toContain('s3cret-pw');
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
  });

  it('gives up on a server that never answers within the connect timeout', async () => {
    const { error, ms } = await timed(read(uri(silentPort)));
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toContain(`127.0.0.1:${silentPort}`);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
  });

  it('keeps no engine for a uri that failed, so the next run tries afresh', async () => {
    await failure(read(uri(port)));
    await failure(read(uri(port)));
    expect(runner.pools.size).toBe(0);
  });
});

describe('bad credentials and unknown databases', () => {
  it('reports an unknown PostgreSQL user as rejected credentials', async () => {
    const error = await failure(read(PG_URI.replace('root@', `${uniqueName('nobody')}:pw@`)));
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('PostgreSQL at 127.0.0.1:5432 rejected the credentials');
  });

  it('reports a wrong MySQL password as rejected credentials, without the password', async () => {
    const { error, ms } = await timed(read(MYSQL_URI.replace('root@', 'root:wrong-pw-123@')));
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('Access denied');
    expect(error.message).not.toContain('wrong-pw-123');
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
  });

  it('reports a wrong Redis password as rejected credentials', async () => {
    const user = uniqueName('user');
    const admin = createClient({ url: REDIS_URI });
    admin.on('error', () => undefined);
    await admin.connect();
    await admin.sendCommand(['ACL', 'SETUSER', user, 'on', '>right-pw', '~*', '+@all']);
    try {
      const { error, ms } = await timed(read(`redis://${user}:wrong-pw-123@127.0.0.1:6379`));
      expect(error.code).toBe('AUTH');
      expect(error.message).toContain('WRONGPASS');
      expect(error.message).not.toContain('wrong-pw-123');
      expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
      const ok = await read(`redis://${user}:right-pw@127.0.0.1:6379`);
      expect(ok['data']).toBe('PONG');
    } finally {
      await admin.sendCommand(['ACL', 'DELUSER', user]);
      await admin.close();
    }
  });

  it('reports an unknown database on PostgreSQL and MySQL', async () => {
    const name = uniqueName('nodb');
    for (const uri of [
      PG_URI.replace(/\/test$/, `/${name}`),
      MYSQL_URI.replace(/\/test$/, `/${name}`),
    ]) {
      const error = await failure(read(uri));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain(name);
    }
  });

  it('does not create a missing SQLite file for a read task', async () => {
    const sqlite = tempSqlite();
    try {
      const error = await failure(read(sqlite.uri));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain(sqlite.file);
      expect(existsSync(sqlite.file)).toBe(false);
    } finally {
      sqlite.remove();
    }
  });

  it('reports TLS asked of a PostgreSQL server that has none', async () => {
    const error = await failure(read(PG_URI, { tls: true }));
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toContain('PostgreSQL at 127.0.0.1:5432');
    expect(error.message).toMatch(/SSL|TLS/);
  });
});
