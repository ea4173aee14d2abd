import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dir,
  execute,
  failure,
  isRoot,
  listDir,
  target,
  useFileSandbox,
} from './support/file-executor';

useFileSandbox();

describe('FileExecutor refusals and file-system errors', () => {
  it('reports a missing file as NOT_FOUND naming the path', async () => {
    const file = path.join(dir, 'missing.txt');
    const error = await failure(execute({ location: file }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`cannot read "${file}": it does not exist; check the path`);
  });

  it('reports reading a folder clearly', async () => {
    const error = await failure(execute({ location: dir }));
    expect(error.code).toBe('IS_A_DIRECTORY');
    expect(error.message).toContain('it is a folder, not a file');
  });

  it('reports writing over a folder clearly and leaves it alone', async () => {
    await fs.mkdir(path.join(dir, 'sub'));
    const error = await failure(
      execute({ location: path.join(dir, 'sub'), content: 'x' }, 'write'),
    );
    expect(error.code).toBe('IS_A_DIRECTORY');
    expect(await listDir(dir)).toEqual(['sub']);
  });

  it('refuses relative paths, NUL bytes and non-http URLs before touching the disk', async () => {
    for (const [location, message] of [
      ['data/out.txt', 'relative path'],
      [`${dir}/a\0b.txt`, 'NUL byte'],
      ['ftp://example.com/x.txt', 'not http(s)'],
    ] as const) {
      for (const operation of ['read', 'write'] as const) {
        const error = await failure(execute({ location, content: 'x' }, operation));
        expect(error.code).toBe('INVALID_CONFIG');
        expect(error.message).toContain(message);
      }
    }
    expect(await listDir(dir)).toEqual([]);
  });

  it('reports a path through a regular file as NOT_A_DIRECTORY (works as root too)', async () => {
    const blocker = path.join(dir, 'plain-file');
    await fs.writeFile(blocker, 'I am a file');
    const write = await failure(
      execute({ location: path.join(blocker, 'out.txt'), content: 'x' }, 'write'),
    );
    expect(write.code).toBe('NOT_A_DIRECTORY');
    expect(write.message).toContain('is a file, not a folder');
    const createDirs = await failure(
      execute(
        { location: path.join(blocker, 'deeper', 'out.txt'), content: 'x', createDirs: true },
        'write',
      ),
    );
    expect(createDirs.code).toBe('NOT_A_DIRECTORY');
    const read = await failure(execute({ location: path.join(blocker, 'in.txt') }));
    expect(read.code).toBe('NOT_A_DIRECTORY');
    expect(await fs.readFile(blocker, 'utf8')).toBe('I am a file');
  });

  it('reports a folder without write permission as PERMISSION (needs a non-root user)', async (ctx) => {
    if (isRoot) ctx.skip('running as root: chmod does not stop root, see the NOT_A_DIRECTORY test');
    const locked = path.join(dir, 'locked');
    await fs.mkdir(locked);
    await fs.chmod(locked, 0o500);
    const error = await failure(
      execute({ location: path.join(locked, 'out.txt'), content: 'x' }, 'write'),
    );
    expect(error.code).toBe('PERMISSION');
    expect(error.message).toContain('permission denied');
    await fs.chmod(locked, 0o700);
    expect(await listDir(locked)).toEqual([]);
  });

  it('refuses a file larger than maxBytes', async () => {
    const file = path.join(dir, 'big.txt');
    await fs.writeFile(file, 'x'.repeat(2000));
    const error = await failure(execute({ location: file, maxBytes: 1000 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('raise params.maxBytes');
  });

  it('reports bad JSON and bad CSV as PARSE errors', async () => {
    const json = path.join(dir, 'bad.json');
    await fs.writeFile(json, '{"a": ');
    const jsonError = await failure(execute({ location: json, format: 'json' }));
    expect(jsonError.code).toBe('PARSE');
    expect(jsonError.message).toContain('is not valid JSON');
    const csv = path.join(dir, 'bad.csv');
    await fs.writeFile(csv, 'a,b\n1,2\n3\n');
    const csvError = await failure(execute({ location: csv, format: 'csv' }));
    expect(csvError.code).toBe('PARSE');
    expect(csvError.message).toContain('record 3 has 1 field but the header has 2');
  });

  it.each([
    [{ content: { a: 1 } }, 'format "text" needs a string'],
    [{ content: '{oops', format: 'json' as const }, 'not valid JSON'],
    [{ content: 'not base64!', format: 'binary' as const }, 'needs params.content as base64'],
    [{ content: { a: 1 }, format: 'csv' as const }, 'list of rows'],
    [{ content: [1, 2], format: 'csv' as const }, 'must all be objects'],
    [{}, 'needs params.content'],
  ])('refuses unwritable content %j and writes nothing', async (params, message) => {
    const file = path.join(dir, 'out.txt');
    const error = await failure(execute({ location: file, ...params }, 'write'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(message);
    expect(await listDir(dir)).toEqual([]);
  });

  it('never leaves an unhandled rejection behind failing reads and writes', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await fs.writeFile(path.join(dir, 'f'), 'x');
      const settled = await Promise.allSettled([
        execute({ location: path.join(dir, 'missing') }),
        execute({ location: path.join(dir, 'f', 'under-file'), content: 'x' }, 'write'),
        execute({ location: path.join(dir, 'f'), content: 'x', writeMode: 'create' }, 'write'),
        execute({ location: path.join(dir, 'f'), format: 'json' }),
        execute({ location: `${target.url}/status/500`, content: 'x' }, 'write'),
        execute({ location: 'http://nowhere.invalid/x' }),
      ]);
      expect(settled.map((s) => s.status)).toEqual(Array(6).fill('rejected'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('stops when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const file = path.join(dir, 'x.txt');
    const error = await failure(
      execute({ location: file, content: 'x' }, 'write', { signal: controller.signal }),
    );
    expect(error.code).toBe('CANCELLED');
    expect(await listDir(dir)).toEqual([]);
  });
});
