import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostPolicy, tokenMatches } from '../../../src/main/server/auth';
import { ok, raw, serve, TOKEN, type ErrorBody, type RawResponse, type Served } from './helpers';

let s: Served;
let dir: string;
let staticDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ts-server-'));
  staticDir = join(dir, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>UI</title>');
  await writeFile(join(staticDir, 'assets', 'app-1234.js'), 'console.log("ui")');
  await writeFile(join(staticDir, 'assets', 'style.css'), 'body{}');
  await writeFile(join(staticDir, 'favicon.svg'), '<svg/>');
  await writeFile(join(staticDir, '.env'), 'SECRET=1');
  await writeFile(join(dir, 'secret.txt'), 'top secret');
  await symlink(join(dir, 'secret.txt'), join(staticDir, 'link.txt'));
  s = await serve({ staticDir, bodyLimitBytes: 64 * 1024 });
});
afterEach(async () => {
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

const configBody = JSON.stringify({
  config: { name: 'A', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
});

function expectError(res: RawResponse, status: number, code: string, message?: RegExp): void {
  expect(res.status).toBe(status);
  const body = res.json as ErrorBody;
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
}

async function configCount(): Promise<number> {
  return (await ok<unknown[]>(s.port, 'configs.list')).length;
}

describe('authentication', () => {
  it('refuses a missing token with 401 and says where the token is printed', async () => {
    const res = await raw(s.port, {
      path: '/api/configs.save',
      headers: { Authorization: '' },
      body: configBody,
    });
    expectError(res, 401, 'UNAUTHORIZED', /missing access token.*printed by the service at start/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(await configCount()).toBe(0);
  });

  it('refuses a wrong token with 401 and stores nothing', async () => {
    const res = await raw(s.port, {
      path: '/api/configs.save',
      headers: { Authorization: 'Bearer not-the-token' },
      body: configBody,
    });
    expectError(res, 401, 'UNAUTHORIZED', /wrong access token/);
    const basic = await raw(s.port, {
      path: '/api/configs.save',
      headers: { Authorization: `Basic ${TOKEN}` },
      body: configBody,
    });
    expectError(basic, 401, 'UNAUTHORIZED');
    expect(await configCount()).toBe(0);
  });

  it('does not accept the token in the query string for API methods', async () => {
    const res = await raw(s.port, {
      path: `/api/configs.save?token=${TOKEN}`,
      headers: { Authorization: '' },
      body: configBody,
    });
    expectError(res, 401, 'UNAUTHORIZED');
    expect(await configCount()).toBe(0);
  });

  it('asks for the token before saying anything about the method', async () => {
    const res = await raw(s.port, {
      method: 'GET',
      path: '/api/tasks.list',
      headers: { Authorization: '' },
    });
    expectError(res, 401, 'UNAUTHORIZED');
  });

  it('answers the health probe without a token, whatever Host a probe sends', async () => {
    const res = await raw(s.port, {
      method: 'GET',
      path: '/api/health',
      bare: true,
      headers: { Host: '10.0.0.5:8787' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });
});

describe('Host and Origin checks', () => {
  it('refuses a foreign Host header with 403 and stores nothing', async () => {
    for (const host of [`evil.example:${s.port}`, 'evil.example', `127.0.0.1:${s.port + 1}`, '']) {
      const res = await raw(s.port, {
        path: '/api/configs.save',
        headers: { Host: host },
        body: configBody,
      });
      expectError(res, 403, 'UNAUTHORIZED', /DNS-rebinding protection.*--allowed-hosts/);
    }
    const page = await raw(s.port, { method: 'GET', path: '/', headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
    expect(await configCount()).toBe(0);
  });

  it('accepts localhost, 127.0.0.1 and [::1] with the server port', async () => {
    for (const host of [`localhost:${s.port}`, `127.0.0.1:${s.port}`, `[::1]:${s.port}`]) {
      const res = await raw(s.port, {
        path: '/api/tasks.list',
        headers: { Host: host },
        body: '{}',
      });
      expect(res.status).toBe(200);
    }
  });

  it('refuses a foreign Origin with 403 and stores nothing', async () => {
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${s.port}`,
      `https://127.0.0.1:${s.port}`,
      'null',
    ]) {
      const res = await raw(s.port, {
        path: '/api/configs.save',
        headers: { Origin: origin },
        body: configBody,
      });
      expectError(res, 403, 'UNAUTHORIZED', /cross-site protection/);
    }
    expect(await configCount()).toBe(0);
  });

  it("accepts the server's own origin", async () => {
    const res = await raw(s.port, {
      path: '/api/configs.save',
      headers: { Origin: `http://localhost:${s.port}` },
      body: configBody,
    });
    expect(res.status).toBe(200);
    expect(await configCount()).toBe(1);
  });

  it('answers hosts the user allowed, and HTTPS origins only through them', () => {
    const policy = new HostPolicy({
      boundHost: '0.0.0.0',
      allowedHosts: ['scheduler.lan', 'proxy.example:443'],
    });
    expect(policy.hostAllowed('scheduler.lan:8787', 8787)).toBe(true);
    expect(policy.hostAllowed('scheduler.lan:9999', 8787)).toBe(false);
    expect(policy.hostAllowed('proxy.example:443', 8787)).toBe(true);
    expect(policy.hostAllowed('0.0.0.0:8787', 8787)).toBe(true);
    expect(policy.hostAllowed('other.lan:8787', 8787)).toBe(false);
    // Behind a reverse proxy the public name arrives without a port.
    expect(policy.hostAllowed('scheduler.lan', 8787)).toBe(true);
    expect(policy.hostAllowed('proxy.example', 8787)).toBe(false);
    expect(policy.hostAllowed('localhost', 8787)).toBe(false);
    expect(policy.hostAllowed('other.lan', 8787)).toBe(false);
    expect(policy.originAllowed('https://proxy.example', 8787)).toBe(true);
    expect(policy.originAllowed('http://scheduler.lan:8787', 8787)).toBe(true);
    expect(policy.originAllowed('https://localhost:8787', 8787)).toBe(false);
    expect(() => new HostPolicy({ boundHost: '::1', allowedHosts: ['a b'] })).toThrow(
      /--allowed-hosts entry "a b"/,
    );
  });
});

describe('request bodies', () => {
  it('answers 413 VALIDATION for a declared body over the cap and stores nothing', async () => {
    const big = JSON.stringify({
      config: { name: 'x'.repeat(100 * 1024), type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const res = await raw(s.port, { path: '/api/configs.save', body: big });
    expectError(res, 413, 'VALIDATION', /larger than 65536 bytes/);
    expect(await configCount()).toBe(0);
  });

  it('stops reading a chunked body once it passes the cap', async () => {
    // Streams 64 KiB chunks until the server answers; a server that buffered everything would
    // never answer before the client gives up.
    const res = await new Promise<{ status: number; body: string; sent: number }>(
      (resolve, reject) => {
        let sent = 0;
        let answered = false;
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: s.port,
            method: 'POST',
            path: '/api/configs.save',
            headers: {
              Authorization: `Bearer ${TOKEN}`,
              'Content-Type': 'application/json',
              'Transfer-Encoding': 'chunked',
            },
          },
          (response) => {
            answered = true;
            let body = '';
            response.on('data', (c: Buffer) => (body += c.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body, sent }));
            response.on('error', () => resolve({ status: response.statusCode ?? 0, body, sent }));
          },
        );
        // The server closes the connection mid-upload: that is expected.
        req.on('error', (error) => {
          if (!answered) reject(error);
        });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = (): void => {
          while (!answered && sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          if (!answered) req.end();
        };
        req.write('{"config":"');
        pump();
      },
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'VALIDATION' } });
    expect(res.sent).toBeLessThan(64 * 1024 * 1024);
    expect(await configCount()).toBe(0);
  });
});

describe('static files', () => {
  async function get(path: string): Promise<RawResponse> {
    return raw(s.port, { method: 'GET', path });
  }

  it('serves index.html at / with the security headers', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>UI</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self' 'unsafe-inline'; connect-src 'self'",
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with their content types and long caching', async () => {
    const js = await get('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await get('/assets/style.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await get('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('falls back to index.html for client-side routes but not for missing files', async () => {
    const route = await get('/tasks/123/runs');
    expect(route.status).toBe(200);
    expect(route.text).toContain('<title>UI</title>');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('never serves files outside the directory, dotfiles or symlinks that leave it', async () => {
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/.env',
      '/link.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await get(path);
      expect(res.text, path).not.toContain('top secret');
      expect(res.text, path).not.toContain('SECRET=1');
      expect([400, 404], path).toContain(res.status);
    }
  });

  it('refuses other HTTP methods on static paths with 405', async () => {
    const res = await raw(s.port, { method: 'DELETE', path: '/index.html' });
    expect(res.status).toBe(405);
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = await serve({ staticDir: join(dir, 'not-built') });
    try {
      const res = await raw(bare.port, { method: 'GET', path: '/' });
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('npm run build:renderer');
    } finally {
      await bare.stop();
    }
  });
});
