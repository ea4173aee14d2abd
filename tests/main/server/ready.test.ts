/**
 * `GET /api/ready`: 200 while the store is open and answers and the scheduler runs, 503 naming
 * the part that is not. The built service on a json store and on a MongoDB stand-in that
 * crashes and comes back; in process, an instance without a scheduler and one whose store closed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMongoStandin } from '../../support/mongo-standin/index';
import { killStarted, SERVE, serveJson, start } from '../../support/serve-process';
import { raw, serve } from './helpers';

const TOKEN = 'ready-test-token';
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ready-'));
});
afterEach(() => killStarted());
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function ready(base: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}api/ready`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

describe('GET /api/ready on the built service', () => {
  it('answers 200 without a token once the json store is open and the scheduler runs', async () => {
    const { base } = await serveJson(join(dataDir, 'json'), TOKEN);
    expect(await ready(base)).toEqual({
      status: 200,
      body: { ready: true, store: 'open', scheduler: 'running' },
    });
  });

  it('answers 503 with the store unreachable while its MongoDB server is down, 200 once back', async () => {
    const standin = await startMongoStandin();
    try {
      const proc = start([
        SERVE,
        'serve',
        '--store',
        'mongodb',
        '--mongo-uri',
        `${standin.uri}/ready_test`,
        '--port',
        '0',
        '--token',
        TOKEN,
        '--data-dir',
        join(dataDir, 'mongo'),
      ]);
      const [, base] = (await proc.line(/listening on (http:\/\/\S+\/)\n/)) as [string, string];
      expect((await ready(base)).status).toBe(200);

      standin.kill();
      const down = await ready(base);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ ready: false, store: 'unreachable', scheduler: 'running' });
      expect((down.body as { storeError: string }).storeError).toMatch(/\S/);

      await standin.restart();
      await expect.poll(async () => (await ready(base)).status, { timeout: 15_000 }).toBe(200);
    } finally {
      await standin.stop();
    }
  });
});

describe('GET /api/ready in process', () => {
  it('answers 503 naming the scheduler when the instance has none, whatever the Host', async () => {
    const s = await serve();
    try {
      const res = await raw(s.port, {
        method: 'GET',
        path: '/api/ready',
        bare: true,
        headers: { Host: 'probe.internal:9999' },
      });
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ ready: false, store: 'open', scheduler: 'none' });
    } finally {
      await s.stop();
    }
  });

  it('answers 503 with the store closed once the app stopped, and refuses other HTTP methods', async () => {
    const s = await serve();
    await s.app.stop();
    try {
      const res = await raw(s.port, { method: 'GET', path: '/api/ready' });
      expect(res.json).toEqual({ ready: false, store: 'closed', scheduler: 'none' });
      expect(res.status).toBe(503);
      const posted = await raw(s.port, { method: 'POST', path: '/api/ready', body: '{}' });
      expect(posted.status).toBe(405);
      expect(posted.headers.allow).toBe('GET, HEAD');
    } finally {
      await s.http.close({ forceAfterMs: 1000 });
    }
  });
});
