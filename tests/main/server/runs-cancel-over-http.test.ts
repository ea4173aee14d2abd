/**
 * Cancelling a run, searching runs and the runs of deleted tasks through the built service's
 * HTTP API (POST /api/<method>), against a local endpoint that holds its answer for a minute.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, Task } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import { killStarted, postJson, serveJson } from '../../support/serve-process';

const TOKEN = 'cancel-over-http-token';
let base = '';
let dir = '';
let target: HttpTarget;

beforeAll(async () => {
  target = await startHttpTarget();
  dir = await mkdtemp(join(tmpdir(), 'cancel-http-'));
  ({ base } = await serveJson(join(dir, 'data'), TOKEN));
});
afterAll(async () => {
  killStarted();
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

async function ok<T>(method: string, params: unknown): Promise<T> {
  const answer = await postJson(base, TOKEN, method, params);
  if (answer.error) throw new Error(`${method}: ${answer.error.code} ${answer.error.message}`);
  return answer.result as T;
}

async function slowTask(name: string): Promise<Task> {
  const config = await ok<{ id: string }>('configs.save', {
    config: { name: `${name} API`, type: 'api', params: { url: `${target.url}/slow?ms=60000` } },
  });
  return ok<Task>('tasks.save', {
    task: { name, type: 'api', operation: 'read', configId: config.id, timeoutMs: 120_000 },
  });
}

describe('runs over HTTP', () => {
  it('cancels a run that waits for a slow answer, and refuses to cancel it twice', async () => {
    const task = await slowTask('Slow fetch');
    const seen = target.requests.length;
    const running = await ok<Run>('tasks.run', { id: task.id, wait: false });
    expect(running.status).toBe('running');
    await expect.poll(() => target.requests.length, { timeout: 10_000 }).toBeGreaterThan(seen);

    const cancel = await postJson(base, TOKEN, 'runs.cancel', { id: running.id });
    expect(cancel.status).toBe(200);
    expect(cancel.result).toMatchObject({
      id: running.id,
      status: 'cancelled',
      error: { code: 'CANCELLED', message: expect.stringMatching(/^Cancelled by the user at /) },
    });
    expect(await ok<Run>('runs.get', { id: running.id })).toMatchObject({ status: 'cancelled' });

    const again = await postJson(base, TOKEN, 'runs.cancel', { id: running.id });
    expect(again).toMatchObject({
      status: 409,
      error: {
        code: 'CONFLICT',
        message: expect.stringMatching(/is not running \(it is cancelled\)/),
      },
    });
    const unknown = await postJson(base, TOKEN, 'runs.cancel', { id: 'no-such-run' });
    expect(unknown).toMatchObject({ status: 404, error: { code: 'NOT_FOUND' } });
    const invalid = await postJson(base, TOKEN, 'runs.cancel', { id: 5 });
    expect(invalid).toMatchObject({ status: 400, error: { code: 'VALIDATION' } });
  });

  it('searches runs, lists the deleted tasks that have runs and deletes their runs by name', async () => {
    const task = await slowTask('Nightly export');
    const running = await ok<Run>('tasks.run', { id: task.id, wait: false });
    await ok<Run>('runs.cancel', { id: running.id });
    const found = await ok<{ items: Run[] }>('runs.list', { q: 'NIGHTLY EXP' });
    expect(found.items.map((r) => r.id)).toEqual([running.id]);
    const byConfig = await ok<{ items: Run[] }>('runs.list', { configId: task.configId });
    expect(byConfig.items.map((r) => r.id)).toEqual([running.id]);
    const tooLong = await postJson(base, TOKEN, 'runs.list', { q: 'x'.repeat(201) });
    expect(tooLong).toMatchObject({ status: 400, error: { code: 'VALIDATION' } });

    await ok('tasks.delete', { id: task.id });
    const { tasks } = await ok<{ tasks: Array<{ id: string; name: string }> }>(
      'runs.deletedTasks',
      {},
    );
    expect(tasks).toContainEqual({ id: task.id, name: 'Nightly export' });
    expect(await ok('runs.delete', { taskName: 'Nightly export' })).toEqual({ deleted: 1 });
    expect((await ok<{ items: Run[] }>('runs.list', { q: 'nightly' })).items).toEqual([]);
  });
});
