/**
 * Placeholders through the built service's HTTP API (issue #15): a file write task whose location
 * is named after the run's slot and whose content holds the run's own values, saved and run with
 * `tasks.run` over `/api`, writes that file. The runner builds the values; the file executor
 * fills them in.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/shared/domain';
import { killStarted, serveJson } from '../../support/serve-process';

const TOKEN = 'templates-over-http-token-0123456789';

let base = '';
let dir = '';

async function ok<T>(method: string, params: unknown): Promise<T> {
  const res = await fetch(`${base}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  expect(body.error?.message, method).toBeUndefined();
  expect(res.status).toBe(200);
  return body.result as T;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'templates-http-'));
  ({ base } = await serveJson(join(dir, 'data'), TOKEN));
});
afterAll(async () => {
  killStarted();
  await rm(dir, { recursive: true, force: true });
});

describe('placeholders through the built service', () => {
  it('a file write named items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json writes the file with the date of its run (UTC)', async () => {
    const out = join(dir, 'out');
    const config = await ok<{ id: string }>('configs.save', {
      config: {
        name: 'dated file',
        type: 'file',
        params: {
          location: join(out, 'items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json'),
          format: 'json',
          createDirs: true,
          content: { run: '{{run.id}}', task: '{{task.name}}', at: '{{now}}' },
        },
      },
    });
    const task = await ok<{ id: string }>('tasks.save', {
      task: { name: 'Save items', type: 'file', operation: 'write', configId: config.id },
    });
    const today = (): string => new Date().toISOString().slice(0, 10);
    const before = today();
    const run = await ok<Run>('tasks.run', { id: task.id });
    const after = today();
    expect(run.status).toBe('succeeded');

    const day = run.startedAt.slice(0, 10);
    expect([before, after]).toContain(day);
    const name = `items-${day}.json`;
    expect(await readdir(out)).toEqual([name]);
    expect(run.result?.location).toBe(join(out, name));
    expect(JSON.parse(await readFile(join(out, name), 'utf8'))).toEqual({
      run: run.id,
      task: 'Save items',
      at: run.startedAt,
    });
    // The run records the configuration as saved: placeholders unfilled.
    expect((await ok<Run>('runs.get', { id: run.id })).config).toMatchObject({
      location: join(out, 'items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json'),
      content: { run: '{{run.id}}' },
    });
  });
});
