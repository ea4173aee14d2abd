/**
 * deploy/nginx-task-scheduler.conf in front of the service configured by
 * deploy/task-scheduler.env.example: the proxy forwards to the address the service listens on,
 * and the requests it forwards (its Host header, a browser's https Origin) pass the service's
 * Host and Origin checks, on the built service.
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';
import { killStarted, SERVE, startProcess } from '../../support/serve-process';
import { parseEnvFile, readRepoFile } from './deploy-files';

const nginx = readRepoFile('deploy/nginx-task-scheduler.conf').replace(/#.*$/gm, '');
const directives = (name: string): string[] =>
  [...nginx.matchAll(new RegExp(`^\\s*${name}\\s+([^;]+);`, 'gm'))].map((m) => m[1]!.trim());
const serverName = directives('server_name')[0]!;
/** The Host header nginx sends, with its `$host` (the server name) filled in. */
const forwardedHosts = directives('proxy_set_header')
  .filter((d) => /^Host\s/.test(d))
  .map((d) => d.replace(/^Host\s+/, '').replace('$host', serverName));
const env = parseEnvFile(readRepoFile('deploy/task-scheduler.env.example')).set;
const token = env.TASK_SCHEDULER_TOKEN!;

let dataDir: string;
let port: number;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ts-proxy-data-'));
  const service = startProcess(process.execPath, [SERVE, 'serve'], {
    env: { ...env, TASK_SCHEDULER_PORT: '0', TASK_SCHEDULER_DATA_DIR: dataDir },
  });
  port = Number((await service.line(/listening on http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
});
afterAll(async () => {
  killStarted();
  await rm(dataDir, { recursive: true, force: true });
});

/** A request as the proxy forwards it; resolves with the status and content type. */
function forwarded(
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      resolve({ status: res.statusCode!, type: res.headers['content-type'] });
      res.destroy();
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('the nginx example in front of the example environment', () => {
  it('forwards to the address and port the service listens on', () => {
    const settings = parseServeSettings([], env, '/nowhere');
    const targets = directives('proxy_pass');
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target).toBe(`http://${settings.host}:${settings.port}`);
  });

  it('turns buffering off for the event stream', () => {
    const events = /location = \/api\/events \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    expect(events).toMatch(/proxy_buffering off;/);
  });

  it('sends a Host header and a browser https Origin that the service accepts', async () => {
    expect(forwardedHosts.length).toBeGreaterThan(0);
    for (const host of new Set(forwardedHosts)) {
      const answer = await forwarded('POST', '/api/settings.get', {
        Host: host,
        Origin: `https://${serverName}`,
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      });
      expect(answer.status).toBe(200);
      const events = await forwarded('GET', `/api/events?token=${token}`, { Host: host });
      expect(events).toEqual({ status: 200, type: expect.stringMatching(/^text\/event-stream/) });
    }
  });

  it('would be refused with the bare name as Host, which is why the proxy adds the port', async () => {
    const answer = await forwarded('POST', '/api/settings.get', {
      Host: serverName,
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    });
    expect(answer.status).toBe(403);
  });
});
