/**
 * The limits through the built service as users run it (out/server/index.js, json store, HTTP
 * API): a task's maxConcurrent, the per-host connection limit from the settings, and the
 * back-pressure system.info and the run records report. A slow server on 127.0.0.1 holds every
 * request until the test releases it and counts what it sees at once.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemInfo } from '../../../src/shared/contract';
import type { Run, Settings } from '../../../src/shared/domain';
import { killStarted, serveCli, type Proc } from '../../support/serve-process';

const TOKEN = 'limits-over-http-token';

let dataDir: string;
let proc: Proc;
let base: string;
let server: http.Server;
let target: string;
let held: Array<() => void> = [];
let releasing = false;
let inFlight = 0;
let peakRequests = 0;
let openSockets = 0;
let peakSockets = 0;

async function call<T>(method: string, params: unknown): Promise<T> {
  const res = await fetch(`${base}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${body.error?.message}`);
  return body.result!;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function release(): void {
  releasing = true;
  for (const answer of held.splice(0)) answer();
}

/** Counts from zero, holding requests again. */
function resetTarget(): void {
  releasing = false;
  peakRequests = inFlight;
  peakSockets = openSockets;
}

async function apiTask(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const config = await call<{ id: string }>('configs.save', {
    config: { name, type: 'api', params: { url: `${target}/${name}` } },
  });
  const task = await call<{ id: string }>('tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id, ...extra },
  });
  return task.id;
}

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    inFlight++;
    peakRequests = Math.max(peakRequests, inFlight);
    const answer = (): void => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    if (releasing) answer();
    else held.push(answer);
  });
  server.on('connection', (socket) => {
    openSockets++;
    peakSockets = Math.max(peakSockets, openSockets);
    socket.on('close', () => openSockets--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'limits-over-http-'));
  proc = serveCli('--port', '0', '--store', 'json', '--data-dir', dataDir, '--token', TOKEN);
  [, base] = (await proc.line(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/)) as [string, string];
});

afterAll(async () => {
  killStarted();
  held = [];
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('limits through the service', () => {
  it('runs at most maxConcurrent runs of a task at once and reports the rest as queued', async () => {
    resetTarget();
    const id = await apiTask('two-at-a-time', { maxConcurrent: 2 });
    const runs = Array.from({ length: 6 }, () => call<Run>('tasks.run', { id }));
    await until(() => inFlight === 2, 'two requests reach the server');
    const scheduler = async (): Promise<SystemInfo['scheduler']> =>
      (await call<SystemInfo>('system.info', {})).scheduler;
    // The six requests reach the service in any order and time: wait until all four wait.
    await until(async () => (await scheduler()).queuedRuns === 4, 'the other four wait');
    expect(await scheduler()).toMatchObject({ activeRuns: 2, queuedRuns: 4 });
    await until(async () => (await scheduler()).oldestQueuedMs >= 50, 'the oldest wait grows');
    expect(peakRequests).toBe(2);

    release();
    const finished = await Promise.all(runs);
    expect(finished.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(peakRequests).toBe(2);
    const waited = finished.filter((r) => (r.queuedMs ?? 0) >= 50);
    expect(waited.length).toBeGreaterThanOrEqual(4);
    // The stored record keeps the wait.
    expect((await call<Run>('runs.get', { id: waited[0]!.id })).queuedMs).toBe(waited[0]!.queuedMs);
    expect(await scheduler()).toMatchObject({ queuedRuns: 0, oldestQueuedMs: 0 });
  });

  it('opens at most connectionsPerHost sockets to one server, whatever the runs', async () => {
    const settings = await call<Settings>('settings.get', {});
    await call('settings.save', { settings: { ...settings, connectionsPerHost: 3 } });
    // Sockets kept alive from the test before close first, so the count starts from nothing.
    await until(() => openSockets <= 3, 'idle sockets are within the new limit');
    resetTarget();
    const id = await apiTask('burst');
    const runs = Array.from({ length: 10 }, () => call<Run>('tasks.run', { id }));
    await until(() => inFlight === 3, 'three requests reach the server');
    expect(peakSockets).toBeLessThanOrEqual(3);
    release();
    const finished = await Promise.all(runs);
    expect(finished.map((r) => r.status)).toEqual(Array(10).fill('succeeded'));
    expect(peakRequests).toBe(3);
    expect(peakSockets).toBeLessThanOrEqual(3);
  });
});
