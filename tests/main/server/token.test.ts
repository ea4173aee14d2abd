/**
 * The access token the built service keeps in its data dir (issue #17): a generated token is
 * reused at the next start, `--new-token` replaces it, a token given by the user never reaches
 * the disk, and the memory store keeps nothing.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStarted, serveCli, type Proc } from '../../support/serve-process';

const dirs: string[] = [];
afterEach(async () => {
  killStarted();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'serve-token-'));
  dirs.push(dir);
  return dir;
}

interface Started {
  proc: Proc;
  url: string;
  /** The token printed, or undefined when the service printed that it was given one. */
  token: string | undefined;
}

async function serve(...args: string[]): Promise<Started> {
  const proc = serveCli('--port', '0', ...args);
  const [, url] = await proc.line(/listening on (http:\/\/127\.0\.0\.1:\d+\/)\n/);
  const [, token] = await proc.line(/Access token: (\S+)/);
  await proc.line(/Press Ctrl\+C to stop/); // the last start line
  return { proc, url: url!, token: token === 'the' ? undefined : token };
}

async function stop({ proc }: Started): Promise<void> {
  proc.child.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
}

async function statusWith(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}api/system.info`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  return res.status;
}

describe('the access token kept in the data dir', () => {
  it('is generated at the first start, kept 0600 in <data dir>/token, and reused after a restart', async () => {
    const dir = await dataDir();
    const first = await serve('--data-dir', dir);
    expect(first.token!.length).toBeGreaterThanOrEqual(32);
    expect(first.proc.out()).toContain(`The token is kept in ${join(dir, 'token')}`);
    expect((await readFile(join(dir, 'token'), 'utf8')).trim()).toBe(first.token);
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    await stop(first);

    const second = await serve('--data-dir', dir);
    expect(second.token).toBe(first.token);
    expect(await statusWith(second.url, first.token!)).toBe(200);
    await stop(second);
    // Written whole: no temp file is left beside it.
    expect((await readdir(dir)).filter((name) => name.startsWith('token'))).toEqual(['token']);
  });

  it('is replaced by --new-token: the old token is refused and the new one kept', async () => {
    const dir = await dataDir();
    const first = await serve('--data-dir', dir);
    await stop(first);

    const renewed = await serve('--data-dir', dir, '--new-token');
    expect(renewed.token).not.toBe(first.token);
    expect(await statusWith(renewed.url, first.token!)).toBe(401);
    expect(await statusWith(renewed.url, renewed.token!)).toBe(200);
    expect((await readFile(join(dir, 'token'), 'utf8')).trim()).toBe(renewed.token);
    await stop(renewed);

    const after = await serve('--data-dir', dir);
    expect(after.token).toBe(renewed.token);
    await stop(after);
  });

  it('is not written when the user gives one, and a kept one is left as it was', async () => {
    const dir = await dataDir();
    const given = await serve('--data-dir', dir, '--token', 'given-by-the-user');
    expect(given.token).toBeUndefined();
    expect(await statusWith(given.url, 'given-by-the-user')).toBe(200);
    await stop(given);
    expect(await readdir(dir)).not.toContain('token');

    await writeFile(join(dir, 'token'), 'kept-token-0123456789\n', { mode: 0o600 });
    const again = await serve('--data-dir', dir, '--token', 'given-by-the-user');
    await stop(again);
    expect(await readFile(join(dir, 'token'), 'utf8')).toBe('kept-token-0123456789\n');

    const kept = await serve('--data-dir', dir);
    expect(kept.token).toBe('kept-token-0123456789');
    await stop(kept);
  });

  it('is replaced when the kept file holds no usable token', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'token'), 'not a token\n', { mode: 0o600 });
    const started = await serve('--data-dir', dir);
    expect(started.token).not.toBe('not');
    expect(await statusWith(started.url, started.token!)).toBe(200);
    await stop(started);
    expect((await readFile(join(dir, 'token'), 'utf8')).trim()).toBe(started.token);
  });

  it('is a new one at every start of the memory store, which writes nothing', async () => {
    const dir = await dataDir();
    const first = await serve('--store', 'memory', '--data-dir', dir);
    await stop(first);
    const second = await serve('--store', 'memory', '--data-dir', dir);
    await stop(second);
    expect(second.token).not.toBe(first.token);
    expect(second.proc.out()).not.toContain('The token is kept in');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses --new-token together with a given token (exit 2)', async () => {
    const proc = serveCli('--port', '0', '--new-token', '--token', 't');
    expect(await proc.exited).toBe(2);
    expect(proc.err()).toMatch(/--new-token makes a token and --token gives one; use one of them/);
  });
});
