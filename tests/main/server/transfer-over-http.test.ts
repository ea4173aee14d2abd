/**
 * Export and import over HTTP, as the browser's Settings screen uses them (issue #17): two built
 * services (out/server/index.js), each with its own json data dir and key. `system.exportData`
 * answers the export, `system.importData` takes it in the body (up to 64 MiB, beyond the
 * service's 1 MiB limit for every other method), with the same checks as a file import.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedData, TransferSummary } from '../../../src/shared/contract';
import type { Alert } from '../../../src/shared/alerts';
import { killStarted, serveJson } from '../../support/serve-process';

const TOKEN = 'transfer-over-http-token';
const HOOK = 'https://hooks.slack.com/services/T1/B2/over-http-secret';

let dirs: string[] = [];
let source: string;
let target: string;

interface Answer<T> {
  status: number;
  result?: T;
  error?: { code: string; message: string; details?: unknown };
}

async function post<T>(base: string, method: string, params: unknown): Promise<Answer<T>> {
  const res = await fetch(`${base}api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: typeof params === 'string' ? params : JSON.stringify(params),
  });
  const body = (await res.json()) as Omit<Answer<T>, 'status'>;
  return { status: res.status, ...body };
}

async function ok<T>(base: string, method: string, params: unknown): Promise<T> {
  const answer = await post<T>(base, method, params);
  if (answer.status !== 200) throw new Error(`${method}: ${answer.error?.message}`);
  return answer.result!;
}

/** A request that declares `length` bytes and sends none: the answer comes before any body. */
function declaredOnly(base: string, method: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}api/${method}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'Content-Type': 'application/json',
        'Content-Length': String(length),
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

async function counts(base: string): Promise<Record<string, number>> {
  return {
    configs: (await ok<unknown[]>(base, 'configs.list', {})).length,
    tasks: (await ok<unknown[]>(base, 'tasks.list', {})).length,
    alerts: (await ok<unknown[]>(base, 'alerts.list', {})).length,
  };
}

async function made(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-transfer-http-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  source = (await serveJson(await made(), TOKEN)).base;
  target = (await serveJson(await made(), TOKEN)).base;
  const config = await ok<{ id: string }>(source, 'configs.save', {
    config: { name: 'Status page', type: 'api', params: { url: 'http://127.0.0.1:9/status' } },
  });
  await ok(source, 'tasks.save', {
    task: { name: 'Check status', type: 'api', configId: config.id, operation: 'read' },
  });
  await ok(source, 'alerts.save', {
    alert: {
      name: 'Team channel',
      channel: { kind: 'webhook', url: HOOK, preset: 'slack' },
      rule: { on: ['failed'] },
    },
  });
});

afterAll(async () => {
  killStarted();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

describe('export and import over HTTP', () => {
  it('answers the export with a file name, its secrets sealed, and the run history on request', async () => {
    const exported = await ok<ExportedData>(source, 'system.exportData', {});
    expect(exported.fileName).toMatch(/^task-scheduler-export-\d{4}-\d{2}-\d{2}\.json$/);
    expect(exported.secrets).toBe('sealed');
    expect(exported.counts).toMatchObject({ configs: 1, tasks: 1, alerts: 1, runs: 0 });
    expect(exported.dump).toMatchObject({ format: 'task-scheduler-export', version: 2 });
    expect(JSON.stringify(exported)).not.toContain(HOOK);
    const noRuns = await ok<ExportedData>(source, 'system.exportData', { runs: false });
    expect(noRuns.notes).toContain('The run history was left out of this export.');
  });

  it('refuses sealed secrets in a service with another key, naming the alert, and stores nothing', async () => {
    const { dump } = await ok<ExportedData>(source, 'system.exportData', {});
    const answer = await post(target, 'system.importData', { dump, fileName: 'backup.json' });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /^backup\.json: the secrets of alert "Team channel" were sealed with .* do not decrypt/,
      ),
    });
    expect(await counts(target)).toEqual({ configs: 0, tasks: 0, alerts: 0 });
  });

  it('imports an export with its secrets into a fresh service, counting every kind', async () => {
    const { dump } = await ok<ExportedData>(source, 'system.exportData', { includeSecrets: true });
    const summary = await ok<TransferSummary>(target, 'system.importData', {
      dump,
      fileName: 'with-secrets.json',
    });
    expect(summary).toMatchObject({
      file: 'with-secrets.json',
      counts: { configs: 1, tasks: 1, schedules: 0, alerts: 1, runs: 0 },
      secrets: 'clear',
    });
    const alerts = await ok<Alert[]>(target, 'alerts.list', {});
    expect(alerts).toMatchObject([
      { name: 'Team channel', channel: { url: 'https://hooks.slack.com/••••••' } },
    ]);
    // Upsert by id: a second import changes nothing.
    await ok(target, 'system.importData', { dump });
    expect(await counts(target)).toEqual({ configs: 1, tasks: 1, alerts: 1 });
  });

  it('takes an import body beyond the 1 MiB limit of other methods, up to 64 MiB', async () => {
    const { dump } = await ok<ExportedData>(source, 'system.exportData', { includeSecrets: true });
    const big = { ...dump, exportedAt: `${dump.exportedAt}${' '.repeat(2 * 1024 * 1024)}` };
    const answer = await post<TransferSummary>(target, 'system.importData', { dump: big });
    expect(answer.status).toBe(200);
    expect(answer.result?.file).toBe('the uploaded export');
    expect(
      (await post(target, 'system.info', { padding: ' '.repeat(2 * 1024 * 1024) })).status,
    ).toBe(413);
    expect(await declaredOnly(target, 'system.importData', 65 * 1024 * 1024)).toBe(413);
  });

  const refusals: Array<[string, unknown, RegExp]> = [
    ['a value that is not an export', 'not json', /is not a Task Scheduler export/],
    ['JSON that is not an export', { hello: 'world' }, /format: must be "task-scheduler-export"/],
    [
      'an export of another version',
      { format: 'task-scheduler-export', version: 9 },
      /version: must be 1 or 2/,
    ],
  ];
  it.each(refusals)('refuses %s as VALIDATION', async (_, dump, message) => {
    const before = await counts(target);
    const answer = await post(target, 'system.importData', { dump });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(message),
    });
    expect(await counts(target)).toEqual(before);
  });

  it('refuses an alert with a bad channel in the export and imports none of its records', async () => {
    const { dump } = await ok<ExportedData>(source, 'system.exportData', { includeSecrets: true });
    const fresh = { ...dump, alerts: [{ ...dump.alerts![0]!, channel: { kind: 'pager' } }] };
    const empty = (await serveJson(await made(), TOKEN)).base;
    const answer = await post(empty, 'system.importData', { dump: fresh });
    expect(answer.status).toBe(400);
    expect(answer.error?.message).toMatch(
      /1 record is not valid, so nothing was imported: alert ".*" channel\.kind/,
    );
    expect(await counts(empty)).toEqual({ configs: 0, tasks: 0, alerts: 0 });
  });
});
