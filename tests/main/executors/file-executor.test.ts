import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { CsvError, parseCsv, stringifyCsv } from '../../../src/main/executors/csv';
import { FileExecutor, resolveLocalPath } from '../../../src/main/executors/file-executor';
import { TaskError, type ExecutionOutcome } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { FileParams, Run, Task } from '../../../src/shared/domain';
import {
  BINARY_BODY,
  CSV_BODY,
  JSON_BODY,
  TEXT_BODY,
  startHttpTarget,
  type HttpTarget,
  type MultipartPart,
} from '../../support/http-target';

const T0 = '2026-01-01T00:00:00.000Z';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const UNICODE = 'Zoë & Björk — 東京 🚀\r\nline two\n';

let target: HttpTarget;
let dir: string;
const executor = new FileExecutor({ homeDir: os.tmpdir() });

beforeAll(async () => {
  target = await startHttpTarget();
});

afterAll(async () => {
  await executor.close();
  await target.close();
});

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-executor-'));
});

afterEach(async () => {
  await fs.chmod(dir, 0o700).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

function execute(
  params: FileParams,
  operation: 'read' | 'write' = 'read',
  options: {
    signal?: AbortSignal;
    resultMaxBytes?: number;
    task?: Partial<Task>;
    executor?: FileExecutor;
  } = {},
): Promise<ExecutionOutcome> {
  return (options.executor ?? executor).execute({
    task: {
      id: 't1',
      name: 'task',
      type: 'file',
      operation,
      configId: 'c1',
      createdAt: T0,
      updatedAt: T0,
      ...options.task,
    },
    operation,
    config: { id: 'c1', name: 'cfg', type: 'file', params, createdAt: T0, updatedAt: T0 },
    signal: options.signal ?? new AbortController().signal,
    resultMaxBytes: options.resultMaxBytes ?? 64 * 1024,
  });
}

async function failure(promise: Promise<unknown>): Promise<TaskError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error('expected the execution to fail');
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function listDir(where: string): Promise<string[]> {
  return (await fs.readdir(where)).sort();
}

describe('FileExecutor local writes and reads', () => {
  it('writes UTF-8 text with non-ASCII characters and reads it back byte for byte', async () => {
    const file = path.join(dir, 'note.txt');
    const written = await execute({ location: file, content: UNICODE }, 'write');
    expect(written.result).toMatchObject({
      location: file,
      bytes: Buffer.byteLength(UNICODE),
      mode: 'overwrite',
    });
    expect((await fs.readFile(file)).equals(Buffer.from(UNICODE, 'utf8'))).toBe(true);
    const read = await execute({ location: file });
    expect(read.result.data).toBe(UNICODE);
    expect(read.result.bytes).toBe(Buffer.byteLength(UNICODE));
    expect(read.result.encoding).toBe('utf8');
    expect(await listDir(dir)).toEqual(['note.txt']);
  });

  it('honours other encodings on write and read', async () => {
    const file = path.join(dir, 'latin.txt');
    await execute({ location: file, content: 'Grüße', encoding: 'latin1' }, 'write');
    expect(await fs.readFile(file)).toEqual(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]));
    expect((await execute({ location: file, encoding: 'latin1' })).result.data).toBe('Grüße');
  });

  it('overwrites an existing file atomically, keeping its permissions and leaving no temp file', async () => {
    const file = path.join(dir, 'data.txt');
    await fs.writeFile(file, 'old content that is longer');
    await fs.chmod(file, 0o640);
    await execute({ location: file, content: 'new' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect(await listDir(dir)).toEqual(['data.txt']);
  });

  it('appends to a file, creating it when missing', async () => {
    const file = path.join(dir, 'log.txt');
    await execute({ location: file, content: 'one\n', writeMode: 'append' }, 'write');
    const second = await execute(
      { location: file, content: 'two\n', writeMode: 'append' },
      'write',
    );
    expect(second.result.mode).toBe('append');
    expect(await fs.readFile(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('creates a new file in create mode and refuses to replace an existing one', async () => {
    const file = path.join(dir, 'once.txt');
    await execute({ location: file, content: 'first', writeMode: 'create' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('first');
    const error = await failure(
      execute({ location: file, content: 'second', writeMode: 'create' }, 'write'),
    );
    expect(error.code).toBe('EXISTS');
    expect(error.message).toContain(file);
    expect(error.message).toContain('"overwrite"');
    expect(await fs.readFile(file, 'utf8')).toBe('first');
    expect(await listDir(dir)).toEqual(['once.txt']);
  });

  it('reports a missing parent folder and says to set createDirs, creating nothing', async () => {
    const file = path.join(dir, 'a', 'b', 'out.txt');
    const error = await failure(execute({ location: file, content: 'x' }, 'write'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(path.join(dir, 'a', 'b'));
    expect(error.message).toContain('createDirs');
    expect(await listDir(dir)).toEqual([]);
  });

  it('creates missing parent folders when createDirs is set', async () => {
    const file = path.join(dir, 'a', 'b', 'out.txt');
    await execute({ location: file, content: 'x', createDirs: true }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('writes JSON values pretty-printed and reads them back parsed', async () => {
    const file = path.join(dir, 'data.json');
    const value = { name: 'Zoë', list: [1, { b: null }] };
    await execute({ location: file, content: value, format: 'json' }, 'write');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(value);
    const read = await execute({ location: file, format: 'json' });
    expect(read.result.data).toEqual(value);
    expect(read.result.format).toBe('json');
  });

  it('writes CSV rows from objects and reads them back as the same rows', async () => {
    const file = path.join(dir, 'rows.csv');
    const rows = [
      { name: 'Anna', note: 'says "hi", twice' },
      { name: 'Bo', note: 'multi\nline' },
      { name: ' padded ', note: '' },
    ];
    await execute({ location: file, content: rows, format: 'csv' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe(
      'name,note\r\nAnna,"says ""hi"", twice"\r\nBo,"multi\nline"\r\n" padded ",\r\n',
    );
    const read = await execute({ location: file, format: 'csv' });
    expect(read.result.rows).toEqual(rows);
    expect(read.result.columns).toEqual(['name', 'note']);
    expect(read.result.rowCount).toBe(3);
  });

  it('reads CSV with another delimiter', async () => {
    const file = path.join(dir, 'semi.csv');
    await fs.writeFile(file, '\uFEFFa;b\n1;"2;3"\n');
    const read = await execute({ location: file, format: 'csv', csvDelimiter: ';' });
    expect(read.result.rows).toEqual([{ a: '1', b: '2;3' }]);
  });

  it('writes base64 content as binary and reads it back as base64 with a checksum', async () => {
    const file = path.join(dir, 'blob.bin');
    await execute(
      { location: file, content: BINARY_BODY.toString('base64'), format: 'binary' },
      'write',
    );
    expect((await fs.readFile(file)).equals(BINARY_BODY)).toBe(true);
    const read = await execute({ location: file, format: 'binary' });
    expect(Buffer.from(read.result.data as string, 'base64').equals(BINARY_BODY)).toBe(true);
    expect(read.result.sha256).toBe(sha256(BINARY_BODY));
    expect(read.result.truncated).toBeUndefined();
  });

  it('bounds binary data to the result size, keeping valid base64', async () => {
    const file = path.join(dir, 'big.bin');
    const data = Buffer.alloc(10_000, 7);
    await fs.writeFile(file, data);
    const read = await execute({ location: file, format: 'binary' }, 'read', {
      resultMaxBytes: 1000,
    });
    const kept = Buffer.from(read.result.data as string, 'base64');
    expect((read.result.data as string).length).toBeLessThanOrEqual(998);
    expect(kept.equals(data.subarray(0, kept.length))).toBe(true);
    expect(read.result.truncated).toBe(true);
    expect(read.result.bytes).toBe(10_000);
    expect(read.result.sha256).toBe(sha256(data));
  });

  it('resolves ~/ against the home folder', async () => {
    expect(resolveLocalPath('~/x/y.txt', '/home/anna')).toBe('/home/anna/x/y.txt');
    const name = `${path.basename(dir)}/home.txt`;
    await execute({ location: `~/${name}`, content: 'home' }, 'write');
    expect(await fs.readFile(path.join(os.tmpdir(), name), 'utf8')).toBe('home');
  });
});

describe('FileExecutor refusals and file-system errors', () => {
  it('reports a missing file as NOT_FOUND naming the path', async () => {
    const file = path.join(dir, 'missing.txt');
    const error = await failure(execute({ location: file }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      `FileExecutor: cannot read "${file}": it does not exist; check the path`,
    );
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

describe('FileExecutor over http(s)', () => {
  it('downloads text, JSON and CSV files', async () => {
    const text = await execute({ location: `${target.url}/text` });
    expect(text.result.data).toBe(TEXT_BODY);
    expect(text.result.statusCode).toBe(200);
    const json = await execute({ location: `${target.url}/redirect?to=/json`, format: 'json' });
    expect(json.result.data).toEqual(JSON_BODY);
    expect(json.result.url).toBe(`${target.url}/json`);
    const csv = await execute({ location: `${target.url}/csv`, format: 'csv' });
    expect(csv.result.rows).toEqual([
      { name: 'Anna', city: 'Köln', note: 'says "hi", twice' },
      { name: 'Bo', city: 'New\nYork', note: '' },
    ]);
    expect(CSV_BODY).toContain('Köln');
  });

  it('downloads binary files as base64', async () => {
    const { result } = await execute({ location: `${target.url}/binary`, format: 'binary' });
    expect(Buffer.from(result.data as string, 'base64').equals(BINARY_BODY)).toBe(true);
  });

  it('reports a download that answers 404 as HTTP_STATUS with the response', async () => {
    const error = await failure(execute({ location: `${target.url}/status/404` }));
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.result?.statusCode).toBe(404);
  });

  it('reports an unresolvable host and a slow server clearly', async () => {
    const dns = await failure(execute({ location: 'https://files.invalid/a.csv' }));
    expect(dns.code).toBe('DNS');
    expect(dns.message).toContain('files.invalid');
    const slow = await failure(execute({ location: `${target.url}/slow?ms=5000`, timeoutMs: 100 }));
    expect(slow.code).toBe('TIMEOUT');
  });

  it('caps downloads at maxBytes', async () => {
    const error = await failure(
      execute({ location: `${target.url}/huge?bytes=100000`, maxBytes: 1000 }),
    );
    expect(error.code).toBe('TOO_LARGE');
  });

  it('uploads a raw body with a content type from the format', async () => {
    const { result } = await execute(
      {
        location: `${target.url}/upload`,
        content: { a: 'ü' },
        format: 'json',
        uploadMethod: 'PUT',
      },
      'write',
    );
    const received = result.body as { method: string; contentType: string; sha256: string };
    const expected = Buffer.from(JSON.stringify({ a: 'ü' }, null, 2) + '\n', 'utf8');
    expect(received.method).toBe('PUT');
    expect(received.contentType).toBe('application/json; charset=utf-8');
    expect(received.sha256).toBe(sha256(expected));
    expect(result).toMatchObject({ statusCode: 200, bytes: expected.length, mode: 'raw' });
  });

  it('uploads a multipart file named after the URL', async () => {
    const { result } = await execute(
      { location: `${target.url}/upload?name=x`, content: UNICODE, uploadAs: 'multipart' },
      'write',
    );
    const parts = (result.body as { parts: MultipartPart[] }).parts;
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({
      name: 'file',
      filename: 'upload.txt',
      contentType: 'text/plain; charset=utf-8',
      sha256: sha256(Buffer.from(UNICODE, 'utf8')),
    });
    expect(result.mode).toBe('multipart');
  });

  it('reports a rejected upload as HTTP_STATUS', async () => {
    const error = await failure(
      execute({ location: `${target.url}/status/500`, content: 'x' }, 'write'),
    );
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toContain('the upload was not accepted');
    expect(error.result?.statusCode).toBe(500);
  });
});

describe('FileExecutor placeholders', () => {
  const env: NodeJS.ProcessEnv = { UPLOAD_TOKEN: 'tok-123', NOT_LISTED: 'hidden' };
  const withEnv = new FileExecutor({ homeDir: os.tmpdir(), env });
  const run = (
    params: FileParams,
    operation: 'read' | 'write' = 'read',
  ): Promise<ExecutionOutcome> => execute(params, operation, { executor: withEnv });

  beforeAll(() => {
    env.UPLOAD_HOST = target.url;
  });

  afterAll(async () => {
    await withEnv.close();
  });

  it('fills a local path for a write and a read of the same file', async () => {
    const location = path.join(dir, '{{customer}}-{{ day }}.json');
    const variables = { customer: 'acme', day: '2026-01-02' };
    const file = path.join(dir, 'acme-2026-01-02.json');
    const written = await run({ location, variables, format: 'json', content: { n: 1 } }, 'write');
    expect(written.result.location).toBe(file);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ n: 1 });
    const read = await run({ location, variables, format: 'json' });
    expect(read.result.data).toEqual({ n: 1 });
    expect(read.result.location).toBe(file);
    expect(await listDir(dir)).toEqual(['acme-2026-01-02.json']);
  });

  it('fills a path under ~/ and then resolves it against the home folder', async () => {
    const location = `~/${path.basename(dir)}/{{customer}}.txt`;
    await run({ location, variables: { customer: 'acme' }, content: 'home' }, 'write');
    expect(await fs.readFile(path.join(dir, 'acme.txt'), 'utf8')).toBe('home');
  });

  it('fills an upload URL and header values from variables and allowed env vars', async () => {
    const { result } = await run(
      {
        location: '{{env.UPLOAD_HOST}}/upload?customer={{customer}}',
        variables: { customer: 'acme' },
        allowEnv: ['UPLOAD_HOST', 'UPLOAD_TOKEN'],
        headers: { Authorization: 'Bearer {{env.UPLOAD_TOKEN}}', 'X-Customer': '{{customer}}' },
        content: 'payload',
      },
      'write',
    );
    expect(result.statusCode).toBe(200);
    expect(result.location).toBe(`${target.url}/upload?customer=acme`);
    const request = target.requests.at(-1)!;
    expect(request.url).toBe('/upload?customer=acme');
    expect(request.headers['authorization']).toBe('Bearer tok-123');
    expect(request.headers['x-customer']).toBe('acme');
    expect(request.body.toString('utf8')).toBe('payload');
  });

  it('refuses an upload whose filled header would carry a line break, and sends nothing', async () => {
    const before = target.requests.length;
    await expect(
      run(
        {
          location: `${target.url}/upload`,
          variables: { id: 'a\r\nX-Injected: yes' },
          headers: { 'X-Customer': '{{id}}' },
          content: 'payload',
        },
        'write',
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'FileExecutor: header "X-Customer" has a name or value a request cannot carry (line breaks, NUL or spaces in the name); fix it',
    });
    expect(target.requests.length).toBe(before);
  });

  it('fills a download URL', async () => {
    const { result } = await run({
      location: '{{env.UPLOAD_HOST}}/{{what}}',
      variables: { what: 'json' },
      allowEnv: ['UPLOAD_HOST'],
      format: 'json',
    });
    expect(result.data).toEqual(JSON_BODY);
    expect(result.url).toBe(`${target.url}/json`);
  });

  it('fills text content, inserting each value once as it is', async () => {
    const file = path.join(dir, 'greeting.txt');
    await run(
      {
        location: file,
        variables: { customer: 'Zoë', raw: '{{customer}}' },
        allowEnv: ['UPLOAD_TOKEN'],
        content: 'Hello {{customer}}, token {{env.UPLOAD_TOKEN}}, raw {{raw}}',
      },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('Hello Zoë, token tok-123, raw {{customer}}');
  });

  it('fills every string inside JSON content and leaves object keys alone', async () => {
    const file = path.join(dir, 'data.json');
    await run(
      {
        location: file,
        format: 'json',
        variables: { customer: 'acme', id: '42' },
        content: {
          customer: '{{customer}}',
          '{{id}}': 'key stays',
          list: ['#{{id}}', 7, true, null, { deep: '{{customer}}/{{id}}' }],
        },
      },
      'write',
    );
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      customer: 'acme',
      '{{id}}': 'key stays',
      list: ['#42', 7, true, null, { deep: 'acme/42' }],
    });
  });

  it('fills JSON text content and checks the filled text is still JSON', async () => {
    const file = path.join(dir, 'text.json');
    await run(
      { location: file, format: 'json', variables: { n: '5' }, content: '{"n": {{n}}}' },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('{"n": 5}');
    const error = await failure(
      run(
        { location: file, format: 'json', variables: { n: 'five' }, content: '{"n": {{n}}}' },
        'write',
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('not valid JSON');
    expect(await fs.readFile(file, 'utf8')).toBe('{"n": 5}');
  });

  it('fills the cells of CSV rows', async () => {
    const file = path.join(dir, 'rows.csv');
    await run(
      {
        location: file,
        format: 'csv',
        variables: { who: 'Anna' },
        content: [{ name: '{{who}}', note: 'hi {{who}}' }],
      },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('name,note\r\nAnna,hi Anna\r\n');
  });

  it('refuses an env var that allowEnv does not list, and one that is allowed but unset', async () => {
    await fs.writeFile(path.join(dir, 'keep.txt'), 'old');
    const hidden = await failure(
      run({ location: path.join(dir, '{{env.NOT_LISTED}}.txt'), content: 'x' }, 'write'),
    );
    expect(hidden.code).toBe('INVALID_CONFIG');
    expect(hidden.message).toBe(
      'FileExecutor: location: placeholder {{env.NOT_LISTED}} has no value: environment variable NOT_LISTED is not allowed; add "NOT_LISTED" to params.allowEnv',
    );
    const unset = await failure(
      run(
        {
          location: path.join(dir, 'keep.txt'),
          allowEnv: ['NEVER_SET_VAR'],
          content: '{{env.NEVER_SET_VAR}}',
        },
        'write',
      ),
    );
    expect(unset.code).toBe('INVALID_CONFIG');
    expect(unset.message).toBe(
      'FileExecutor: content: placeholder {{env.NEVER_SET_VAR}} has no value: environment variable NEVER_SET_VAR is not set; set it before starting the app or use params.variables',
    );
    expect(await listDir(dir)).toEqual(['keep.txt']);
    expect(await fs.readFile(path.join(dir, 'keep.txt'), 'utf8')).toBe('old');
  });

  it('refuses an unknown name, naming the field, and writes or sends nothing', async () => {
    const file = path.join(dir, 'keep.txt');
    await fs.writeFile(file, 'old');
    const cases: [FileParams, string][] = [
      [{ location: path.join(dir, '{{nope}}.txt'), content: 'x' }, 'location'],
      [{ location: file, content: 'new {{nope}}' }, 'content'],
      [{ location: file, format: 'json', content: { a: ['{{nope}}'] } }, 'content'],
      [
        { location: `${target.url}/upload`, content: 'x', headers: { 'X-Id': '{{nope}}' } },
        'headers',
      ],
    ];
    const requestsBefore = target.requests.length;
    for (const [params, field] of cases) {
      const error = await failure(run(params, 'write'));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message).toBe(
        `FileExecutor: ${field}: placeholder {{nope}} has no value; add it to params.variables or allow the env var in params.allowEnv`,
      );
    }
    expect(target.requests.length).toBe(requestsBefore);
    expect(await listDir(dir)).toEqual(['keep.txt']);
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    const read = await failure(run({ location: path.join(dir, '{{nope}}.txt') }));
    expect(read.message).toContain('FileExecutor: location: placeholder {{nope}} has no value');
  });

  it('refuses a lone {{ and braces that hold no name', async () => {
    const file = path.join(dir, 'out.txt');
    const open = await failure(run({ location: file, content: 'a {{ b' }, 'write'));
    expect(open.code).toBe('INVALID_CONFIG');
    expect(open.message).toContain('FileExecutor: content: "{{" at position 2 has no closing "}}"');
    const notName = await failure(run({ location: path.join(dir, '{{a b}}.txt') }));
    expect(notName.code).toBe('INVALID_CONFIG');
    expect(notName.message).toContain(
      'FileExecutor: location: "{{a b}}" is not a placeholder name',
    );
    expect(await listDir(dir)).toEqual([]);
  });

  it('checks a filled location like a typed one: relative paths, NUL bytes and other schemes', async () => {
    for (const [value, message] of [
      ['data', 'relative path'],
      [`${dir}/a\0b`, 'NUL byte'],
      ['ftp://example.com', 'not http(s)'],
    ] as const) {
      for (const operation of ['read', 'write'] as const) {
        const error = await failure(
          run(
            { location: '{{base}}/out.txt', variables: { base: value }, content: 'x' },
            operation,
          ),
        );
        expect(error.code).toBe('INVALID_CONFIG');
        expect(error.message).toContain(message);
      }
    }
    const relative = await failure(
      run({ location: '{{base}}/out.txt', variables: { base: 'data' }, content: 'x' }, 'write'),
    );
    expect(relative.message).toContain('location "data/out.txt" is a relative path');
    expect(await listDir(dir)).toEqual([]);
  });

  it('keeps \\{{ as literal braces in the location and the content', async () => {
    await run(
      {
        location: path.join(dir, '\\{{literal}}.txt'),
        variables: { x: 'X' },
        content: 'keep \\{{this}} but fill {{x}}',
      },
      'write',
    );
    expect(await listDir(dir)).toEqual(['{{literal}}.txt']);
    expect(await fs.readFile(path.join(dir, '{{literal}}.txt'), 'utf8')).toBe(
      'keep {{this}} but fill X',
    );
  });

  it('does not fill headers of a local file, which are never sent', async () => {
    const file = path.join(dir, 'local.txt');
    await fs.writeFile(file, 'local');
    const read = await run({ location: file, headers: { 'X-Unused': '{{nope}}' } });
    expect(read.result.data).toBe('local');
  });
});

describe('CSV', () => {
  it('parses RFC 4180 quoting, CRLF and LF line ends, and a missing final line end', () => {
    expect(parseCsv('a,b\r\n"x,1","y""2"\n"multi\r\nline",\n3,4').rows).toEqual([
      { a: 'x,1', b: 'y"2' },
      { a: 'multi\r\nline', b: '' },
      { a: '3', b: '4' },
    ]);
  });

  it('names empty and repeated header cells so no column is lost', () => {
    expect(parseCsv('a,,a\n1,2,3\n').header).toEqual(['a', 'column2', 'a_2']);
  });

  it('skips blank lines and returns no rows for empty text', () => {
    expect(parseCsv('a\n\n1\n\n').rows).toEqual([{ a: '1' }]);
    expect(parseCsv('')).toEqual({ header: [], rows: [] });
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a\n"open\n')).toThrow(CsvError);
    expect(() => parseCsv('a\n"open\n')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/line 2: unexpected "y" after a closing quote/);
  });

  it('writes arrays of arrays as they are', () => {
    expect(
      stringifyCsv(
        [
          ['h1', 'h2'],
          [1, 'a;b'],
        ],
        ';',
      ),
    ).toBe('h1;h2\r\n1;"a;b"\r\n');
  });

  it('round-trips arbitrary string tables', () => {
    const rows = [
      { 'col "1"': 'a\r\nb', c2: ',,', c3: '"' },
      { 'col "1"': '', c2: ' x', c3: 'ü' },
    ];
    expect(parseCsv(stringifyCsv(rows)).rows).toEqual(rows);
  });
});

describe('file tasks through the core', () => {
  let app: App;

  beforeAll(async () => {
    app = createApp({
      store: new MemoryStore(),
      executors: { api: new ApiExecutor(), file: new FileExecutor() },
    });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
  });

  async function runFileTask(
    params: FileParams,
    operation: 'read' | 'write',
    extra: Partial<Task> = {},
  ): Promise<Run> {
    const config = await app.core.call('configs.save', {
      config: { name: `file ${operation}`, type: 'file', params },
    });
    const task = await app.core.call('tasks.save', {
      task: {
        name: `file ${operation} task`,
        type: 'file',
        operation,
        configId: config.id,
        ...extra,
      },
    });
    const run = await app.core.call('tasks.run', { id: task.id });
    return app.core.call('runs.get', { id: run.id });
  }

  it('records a write and a read of the same file', async () => {
    const file = path.join(dir, 'core.txt');
    const write = await runFileTask({ location: file, content: UNICODE }, 'write');
    expect(write.status).toBe('succeeded');
    expect(write.result).toMatchObject({ location: file, bytes: Buffer.byteLength(UNICODE) });
    const read = await runFileTask({ location: file }, 'read');
    expect(read.status).toBe('succeeded');
    expect(read.result?.data).toBe(UNICODE);
  });

  it('records a missing file as a failed run with a clear error', async () => {
    const file = path.join(dir, 'nope.txt');
    const run = await runFileTask({ location: file }, 'read');
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'NOT_FOUND',
      message: `FileExecutor: cannot read "${file}": it does not exist; check the path`,
    });
  });

  it('records an upload with its response and keeps a secret header out of the record', async () => {
    const run = await runFileTask(
      {
        location: `${target.url}/upload`,
        content: 'payload',
        headers: { Authorization: 'Bearer upload-secret' },
      },
      'write',
    );
    expect(run.status).toBe('succeeded');
    expect(run.result?.statusCode).toBe(200);
    expect(target.requests.at(-1)?.headers['authorization']).toBe('Bearer upload-secret');
    expect(JSON.stringify(run)).not.toContain('upload-secret');
  });

  it('retries a failing read once per attempt', async () => {
    const run = await runFileTask({ location: path.join(dir, 'later.txt') }, 'read', {
      retry: { attempts: 2, backoffMs: 1, factor: 1 },
    });
    expect(run.attempt).toBe(2);
    const { items } = await app.core.call('runs.list', { taskId: run.taskId });
    expect(items.map((r) => r.attempt).sort()).toEqual([1, 2]);
  });

  it('refuses a relative path without retrying', async () => {
    const run = await runFileTask({ location: 'relative.txt', content: 'x' }, 'write', {
      retry: { attempts: 3, backoffMs: 1, factor: 1 },
    });
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INVALID_CONFIG');
    expect(run.attempt).toBe(1);
  });

  it('records a filled location in the result and keeps the template in the config snapshot', async () => {
    const params: FileParams = {
      location: path.join(dir, '{{name}}.txt'),
      variables: { name: 'report' },
      content: 'for {{name}}',
    };
    const run = await runFileTask(params, 'write');
    expect(run.status).toBe('succeeded');
    expect(run.result?.location).toBe(path.join(dir, 'report.txt'));
    expect(run.config).toMatchObject({ location: params.location, content: 'for {{name}}' });
    expect(await fs.readFile(path.join(dir, 'report.txt'), 'utf8')).toBe('for report');
  });

  it('records an unknown placeholder as INVALID_CONFIG without retrying', async () => {
    const run = await runFileTask(
      { location: path.join(dir, '{{missing}}.txt'), content: 'x' },
      'write',
      { retry: { attempts: 3, backoffMs: 1, factor: 1 } },
    );
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      code: 'INVALID_CONFIG',
      message:
        'FileExecutor: location: placeholder {{missing}} has no value; add it to params.variables or allow the env var in params.allowEnv',
    });
    expect(run.attempt).toBe(1);
    expect(await listDir(dir)).toEqual([]);
  });

  it('records a task timeout against a slow download as timed-out', async () => {
    const run = await runFileTask({ location: `${target.url}/slow?ms=5000` }, 'read', {
      timeoutMs: 150,
    });
    expect(run.status).toBe('timed-out');
  });
});
