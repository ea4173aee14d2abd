/**
 * The built service after its secret.key was lost: configurations stay listed and editable,
 * system.info (and so the UI's banner) says which secrets no longer decrypt, a run of them fails
 * with SECRETS_UNREADABLE without sending anything, and typing the secret again (or deleting the
 * configuration) repairs it. The stored ciphertext is never replaced by a marker.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/shared/domain';
import { killStarted, serveCli, type Proc } from '../../support/serve-process';

const TOKEN = 'lost-key-token';
const dirs: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  killStarted();
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

type Answer = {
  status: number;
  body: { result?: unknown; error?: { code: string; message: string } };
};

async function start(
  dataDir: string,
): Promise<{ proc: Proc; call: (m: string, p: unknown) => Promise<Answer> }> {
  const proc = serveCli('--port', '0', '--data-dir', dataDir, '--token', TOKEN);
  const [, url] = await proc.line(/listening on (http:\/\/\S+\/)\n/);
  const call = async (method: string, params: unknown): Promise<Answer> => {
    const res = await fetch(`${url}api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  return { proc, call };
}

async function stop(proc: Proc): Promise<void> {
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
}

describe('a service whose secret.key was lost', () => {
  it('lists, reports and refuses to run the configurations whose secrets no longer decrypt, until the secret is typed again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ts-lost-key-'));
    dirs.push(dataDir);
    const seen: string[] = [];
    const target = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((res) => target.listen(0, '127.0.0.1', res));
    closers.push(() => new Promise((res) => target.close(res)));
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;

    const first = await start(dataDir);
    const config = (
      await first.call('configs.save', {
        config: {
          name: 'Keyed',
          type: 'api',
          params: { url, auth: { kind: 'bearer', token: 'old-secret' } },
        },
      })
    ).body.result as { id: string };
    const other = (
      await first.call('configs.save', {
        config: {
          name: 'Other',
          type: 'api',
          params: { url, auth: { kind: 'bearer', token: 'other' } },
        },
      })
    ).body.result as { id: string };
    const task = (
      await first.call('tasks.save', {
        task: { name: 'Call', type: 'api', operation: 'read', configId: config.id },
      })
    ).body.result as { id: string };
    await stop(first.proc);

    await rm(join(dataDir, 'secret.key'));
    const catalogBefore = await readFile(join(dataDir, 'catalog.json'), 'utf8');
    const second = await start(dataDir);

    const listed = await second.call('configs.list', {});
    expect(listed.status).toBe(200);
    expect((listed.body.result as Array<{ name: string }>).map((c) => c.name).sort()).toEqual([
      'Keyed',
      'Other',
    ]);
    const info = (await second.call('system.info', {})).body.result as {
      problems: Array<{ id: string; recordId?: string; message: string }>;
    };
    expect(info.problems.find((p) => p.recordId === config.id)?.message).toMatch(
      /the secrets of configuration "Keyed" do not decrypt .*type each secret again/,
    );

    const run = (await second.call('tasks.run', { id: task.id })).body.result as {
      status: string;
      error: { code: string };
    };
    expect(run.status).toBe('failed');
    expect(run.error.code).toBe('SECRETS_UNREADABLE');
    expect(seen).toEqual([]);

    // Saving it back unchanged (the UI sends the redacted value) keeps the ciphertext as it was.
    const unchanged = await second.call('configs.save', {
      config: {
        id: config.id,
        name: 'Keyed',
        type: 'api',
        params: { url, auth: { kind: 'bearer', token: REDACTED } },
      },
    });
    expect(unchanged.status).toBe(400);
    expect(unchanged.body.error?.message).toMatch(/type each secret again.*nothing was saved/);
    expect(await readFile(join(dataDir, 'catalog.json'), 'utf8')).toBe(catalogBefore);

    // Typing the secret again repairs it; deleting the other one drops its problem.
    expect(
      (
        await second.call('configs.save', {
          config: {
            id: config.id,
            name: 'Keyed',
            type: 'api',
            params: { url, auth: { kind: 'bearer', token: 'new-secret' } },
          },
        })
      ).status,
    ).toBe(200);
    expect((await second.call('configs.delete', { id: other.id })).status).toBe(200);
    const after = (await second.call('system.info', {})).body.result as { problems: unknown[] };
    expect(after.problems).toEqual([]);
    const again = (await second.call('tasks.run', { id: task.id })).body.result as {
      status: string;
    };
    expect(again.status).toBe('succeeded');
    expect(seen).toEqual(['Bearer new-secret']);
    await stop(second.proc);
  }, 30_000);
});
