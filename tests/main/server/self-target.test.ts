import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/shared/domain';
import { killStarted, serveCli, type Proc } from '../../support/serve-process';

const TOKEN = 'self-target-token';

let dataDir: string;
let proc: Proc;
let base: string;

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

/** Saves the configuration and a task using it, runs it, and returns the stored run. */
async function runOnce(type: 'api' | 'file', params: Record<string, unknown>): Promise<Run> {
  const config = await call<{ id: string }>('configs.save', {
    config: { name: `${type} at the service`, type, params },
  });
  const task = await call<{ id: string }>('tasks.save', {
    task: { name: `${type} task`, type, operation: 'read', configId: config.id },
  });
  const run = await call<Run>('tasks.run', { id: task.id });
  return call<Run>('runs.get', { id: run.id });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'self-target-'));
  proc = serveCli('--port', '0', '--store', 'json', '--data-dir', dataDir, '--token', TOKEN);
  [, base] = (await proc.line(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/)) as [string, string];
});

afterAll(async () => {
  killStarted();
  await rm(dataDir, { recursive: true, force: true });
});

describe('tasks aimed at the service itself', () => {
  it.each([
    ['its own URL', (url: string) => `${url}api/runs.list`],
    ['localhost and its port', (url: string) => `${url.replace('127.0.0.1', 'localhost')}api`],
  ])('refuse an api task calling %s and record nothing of the answer', async (_what, urlOf) => {
    const run = await runOnce('api', {
      url: urlOf(base),
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: {},
    });
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(
        /^url http:\/\/(127\.0\.0\.1|localhost):\d+\/ is this Task Scheduler service itself \(it listens on port \d+ here\); a task may not call the service it runs in, since its run record would expose the service's token-protected data/,
      ),
    });
    expect(run.result).toBeUndefined();
    expect(JSON.stringify(run)).not.toContain(TOKEN);
  });

  it('refuse a file task reading secret.key of the data directory and keep the key out of the run', async () => {
    const keyFile = join(dataDir, 'secret.key');
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key.length).toBeGreaterThan(20);
    const run = await runOnce('file', { location: keyFile });
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'INVALID_CONFIG',
      message: `location "${keyFile}" is inside the Task Scheduler data directory (${dataDir}), which holds secret.key, the configurations and the run records; tasks may not read or write there; pick a location outside it`,
    });
    expect(run.result).toBeUndefined();
    expect(JSON.stringify(run)).not.toContain(key);
  });
});
