import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { SelfGuard } from '../../../src/main/executors/self-guard';
import type { ExecutionOutcome } from '../../../src/main/executors/types';
import type { ApiParams, FileParams, Operation } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';

const T0 = '2026-01-01T00:00:00.000Z';
const PORT = 47123;

function guardAt(
  host: string,
  options: ConstructorParameters<typeof SelfGuard>[0] = {},
): SelfGuard {
  const guard = new SelfGuard({
    lookup: async (name) => (name === 'alias.test' ? ['127.0.0.1'] : ['203.0.113.7']),
    localAddresses: () => ['192.0.2.10'],
    ...options,
  });
  guard.serviceListening({ host, port: PORT });
  return guard;
}

describe('SelfGuard for URLs', () => {
  it.each([
    `http://127.0.0.1:${PORT}/api/runs.get`,
    `http://localhost:${PORT}/`,
    `http://app.localhost:${PORT}/`,
    `http://[::1]:${PORT}/`,
    `http://127.0.0.2:${PORT}/`,
    `http://[::ffff:127.0.0.1]:${PORT}/`,
    `http://0.0.0.0:${PORT}/`,
    `http://2130706433:${PORT}/`,
    `http://alias.test:${PORT}/`,
  ])('refuses %s, which reaches the service', async (url) => {
    await expect(guardAt('127.0.0.1').checkUrl(url, 'ApiExecutor: url')).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(
        /^ApiExecutor: url http:\/\/\S+\/ is this Task Scheduler service itself .*; point the task at another server$/,
      ),
    });
  });

  it('allows other ports, other hosts, and every URL before the service listens', async () => {
    const guard = guardAt('127.0.0.1');
    await guard.checkUrl(`http://127.0.0.1:${PORT + 1}/`, 'x');
    await guard.checkUrl(`http://example.test:${PORT}/`, 'x');
    await guard.checkUrl(`http://192.0.2.10:${PORT}/`, 'x');
    await new SelfGuard().checkUrl(`http://127.0.0.1:${PORT}/`, 'x');
  });

  it('refuses this machine’s own addresses when the service listens on every interface', async () => {
    await expect(guardAt('0.0.0.0').checkUrl(`http://192.0.2.10:${PORT}/`, 'x')).rejects.toThrow(
      /is this Task Scheduler service itself/,
    );
  });
});

describe('SelfGuard for paths', () => {
  let root: string;
  let dataDir: string;
  beforeEach(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ts-guard-')));
    dataDir = path.join(root, 'data');
    await fs.mkdir(dataDir);
    await fs.writeFile(path.join(dataDir, 'secret.key'), 'key');
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('refuses the data directory, what is inside it, a symlink into it and a hard link to secret.key', async () => {
    const guard = new SelfGuard({ dataDir });
    await fs.symlink(dataDir, path.join(root, 'link'));
    await fs.link(path.join(dataDir, 'secret.key'), path.join(root, 'copy.key'));
    for (const file of [
      dataDir,
      path.join(dataDir, 'secret.key'),
      path.join(dataDir, 'new', 'file.txt'),
      path.join(root, 'link', 'secret.key'),
      path.join(root, 'copy.key'),
    ]) {
      await expect(guard.checkPath(file, 'FileExecutor: location'), file).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: `FileExecutor: location "${file}" is inside the Task Scheduler data directory (${dataDir}), which holds secret.key, the configurations and the run records; tasks may not read or write there; pick a location outside it`,
      });
    }
  });

  it('allows a folder beside it whose name starts the same', async () => {
    await new SelfGuard({ dataDir }).checkPath(path.join(root, 'data-export', 'a.txt'), 'x');
    await new SelfGuard({ dataDir }).checkPath(path.join(root, 'a.txt'), 'x');
  });
});

describe('executors with a SelfGuard', () => {
  let target: HttpTarget;
  let dataDir: string;
  beforeAll(async () => {
    target = await startHttpTarget();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-guard-exec-'));
    await fs.writeFile(path.join(dataDir, 'secret.key'), 'the-key-bytes');
  });
  afterAll(async () => {
    await target.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  const request = <P>(type: 'api' | 'file', params: P, operation: Operation = 'read') =>
    ({
      task: undefined,
      operation,
      config: { id: 'c', name: 'c', type, params, createdAt: T0, updatedAt: T0 },
      signal: new AbortController().signal,
      resultMaxBytes: 64 * 1024,
    }) as never;

  it('refuses an api task at the service before sending, and one redirected there after', async () => {
    // `target` plays the service: the guard is told it listens on the target's port.
    const outside = await startHttpTarget();
    const self = new SelfGuard();
    self.serviceListening({ host: '127.0.0.1', port: Number(new URL(target.url).port) });
    const api = new ApiExecutor({ self });
    try {
      const before = target.requests.length;
      const direct: Promise<ExecutionOutcome> = api.execute(
        request<ApiParams>('api', { url: `${target.url}/json` }),
      );
      await expect(direct).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/^url http:\/\/127\.0\.0\.1:\d+\/ is this/),
      });
      expect(target.requests.length).toBe(before);
      const to = encodeURIComponent(`${target.url}/json`);
      const redirected = api.execute(
        request<ApiParams>('api', { url: `${outside.url}/redirect?to=${to}` }),
      );
      await expect(redirected).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringContaining(`/redirect?to=${to} redirected to http://127.0.0.1:`),
      });
      expect(((await redirected.catch((e: unknown) => e)) as { result?: unknown }).result).toBe(
        undefined,
      );
    } finally {
      await api.close();
      await outside.close();
    }
  });

  it('refuses a file task reading or writing in the data directory before touching it', async () => {
    const file = new FileExecutor({ self: new SelfGuard({ dataDir }) });
    try {
      const key = path.join(dataDir, 'secret.key');
      await expect(
        file.execute(request<FileParams>('file', { location: key })),
      ).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.not.stringContaining('the-key-bytes'),
      });
      await expect(
        file.execute(request<FileParams>('file', { location: key, content: 'x' }, 'write')),
      ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
      expect(await fs.readFile(key, 'utf8')).toBe('the-key-bytes');
    } finally {
      await file.close();
    }
  });
});
