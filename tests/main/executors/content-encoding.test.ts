import os from 'node:os';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { TaskError, type ExecutionOutcome } from '../../../src/main/executors/types';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { ApiParams, FileParams, Run } from '../../../src/shared/domain';
import { rawResponse, startRawServer, type RawServer } from './raw-http-server';

const T0 = '2026-01-01T00:00:00.000Z';
/** Compressible, and long enough that cutting the end off loses real data. */
const TEXT = Array.from({ length: 400 }, (_, i) => `line ${i}: the quick brown fox`).join('\n');
const JSON_VALUE = { hello: 'wörld', items: [1, 2, 3] };
const JSON_BYTES = Buffer.from(JSON.stringify(JSON_VALUE));

const encoders: Record<string, (data: Buffer) => Buffer> = {
  gzip: (data) => zlib.gzipSync(data),
  deflate: (data) => zlib.deflateSync(data),
  br: (data) => zlib.brotliCompressSync(data),
};

const cut = (data: Buffer, bytes: number): Buffer => data.subarray(0, data.length - bytes);

let server: RawServer;
const api = new ApiExecutor();
const file = new FileExecutor({ homeDir: os.tmpdir() });

beforeAll(async () => {
  server = await startRawServer(({ path, headers }) => {
    const [route = '', query = ''] = path.split('?');
    const param = new URLSearchParams(query);
    const text = { 'content-type': 'text/plain; charset=utf-8' };
    switch (route) {
      case '/cut': {
        // Framing is fine (the body ends when the connection closes); the coded data is not.
        const coding = param.get('coding') ?? 'gzip';
        const body = cut(encoders[coding]!(Buffer.from(TEXT)), 40);
        return rawResponse({ ...text, 'content-encoding': coding, connection: 'close' }, body);
      }
      case '/short': {
        // Content-Length promises more than is sent before the connection closes.
        return rawResponse({ ...text, 'content-length': 100, connection: 'close' }, 'hello');
      }
      case '/gzip-short': {
        const body = encoders.gzip!(Buffer.from(TEXT));
        return rawResponse(
          {
            ...text,
            'content-encoding': 'gzip',
            'content-length': body.length,
            connection: 'close',
          },
          body.subarray(0, Math.floor(body.length / 2)),
        );
      }
      case '/chunked-cut':
        return rawResponse(
          { ...text, 'transfer-encoding': 'chunked', connection: 'close' },
          '5\r\nhello\r\n',
        );
      case '/stacked': {
        // "gzip, br": gzip was applied first, then br.
        const codings = (param.get('codings') ?? 'gzip, br').split(',').map((c) => c.trim());
        let body: Buffer = JSON_BYTES;
        for (const coding of codings) body = encoders[coding]!(body);
        return rawResponse(
          {
            'content-type': 'application/json',
            'content-encoding': codings.join(', '),
            'content-length': body.length,
            connection: 'close',
          },
          body,
        );
      }
      case '/unknown':
        return rawResponse(
          {
            'content-type': 'application/json',
            'content-encoding': param.get('coding') ?? 'gzip, zstd',
            connection: 'close',
          },
          encoders.gzip!(JSON_BYTES),
        );
      case '/raw-deflate':
        return rawResponse(
          {
            'content-type': 'application/json',
            'content-encoding': 'deflate',
            connection: 'close',
          },
          zlib.deflateRawSync(JSON_BYTES),
        );
      case '/bomb':
        return rawResponse(
          { ...text, 'content-encoding': 'gzip', connection: 'close' },
          zlib.gzipSync(Buffer.alloc(1024 * 1024, 'a')),
        );
      case '/accept':
        return rawResponse(
          { ...text, connection: 'close' },
          headers['accept-encoding'] ?? '(none)',
        );
      default:
        return rawResponse({ connection: 'close' }, 'no such route', '404 Not Found');
    }
  });
});

afterAll(async () => {
  await api.close();
  await file.close();
  await server.close();
});

function get(path: string, params: Partial<ApiParams> = {}): Promise<ExecutionOutcome> {
  return api.execute({
    task: undefined,
    operation: 'read',
    config: {
      id: 'c1',
      name: 'cfg',
      type: 'api',
      params: { url: `${server.url}${path}`, ...params },
      createdAt: T0,
      updatedAt: T0,
    },
    signal: new AbortController().signal,
    resultMaxBytes: 1024 * 1024,
  });
}

function download(path: string, params: Partial<FileParams> = {}): Promise<ExecutionOutcome> {
  return file.execute({
    task: undefined,
    operation: 'read',
    config: {
      id: 'c2',
      name: 'cfg',
      type: 'file',
      params: { location: `${server.url}${path}`, ...params },
      createdAt: T0,
      updatedAt: T0,
    },
    signal: new AbortController().signal,
    resultMaxBytes: 1024 * 1024,
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

describe('a response body cut short', () => {
  it.each(['gzip', 'deflate', 'br'])(
    'fails a %s body whose data is cut short with PROTOCOL instead of keeping part of it',
    async (coding) => {
      const error = await failure(get(`/cut?coding=${coding}`));
      expect(error.code).toBe('PROTOCOL');
      expect(error.message).toContain(`says Content-Encoding "${coding}"`);
      expect(error.message).toContain(`its ${coding} data does not decode`);
      expect(error.message).toContain('unexpected end of file');
      expect(error.message).toContain('Check the server');
      expect(error.result).toMatchObject({
        statusCode: 200,
        url: `${server.url}/cut?coding=${coding}`,
      });
      expect(error.result?.body).toBeUndefined();
    },
  );

  it('fails a body shorter than its Content-Length with PROTOCOL naming both sizes', async () => {
    const error = await failure(get('/short'));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain('ended after 5 of the 100 bytes its Content-Length declares');
    expect(error.message).toContain('the connection closed early');
    expect(error.result).toMatchObject({ statusCode: 200, bytes: 5 });
  });

  it('blames the short Content-Length, not the decoder, when a gzip body stops early', async () => {
    const error = await failure(get('/gzip-short'));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/ended after \d+ of the \d+ bytes its Content-Length declares/);
  });

  it('fails a chunked body that ends before its last chunk with PROTOCOL', async () => {
    const error = await failure(get('/chunked-cut'));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toContain('ended after 5 bytes, before the end of its chunked body');
  });

  it('fails a file download whose gzip data is cut short with PROTOCOL too', async () => {
    const error = await failure(download('/cut?coding=gzip'));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).not.toMatch(/^FileExecutor/);
  });

  it('still stops at maxResponseBytes for a body that decodes to more than the cap', async () => {
    const error = await failure(get('/bomb', { maxResponseBytes: 10_000 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('once decoded');
  });
});

describe('Content-Encoding', () => {
  it('decodes stacked encodings "gzip, br" by undoing br first, then gzip', async () => {
    const { result } = await get('/stacked');
    expect(result.body).toEqual(JSON_VALUE);
    expect(result.bytes).toBe(JSON_BYTES.length);
    expect(result.headers).toMatchObject({ 'content-encoding': 'gzip, br' });
  });

  it('decodes three stacked encodings in reverse order of application', async () => {
    const { result } = await get(`/stacked?codings=${encodeURIComponent('br, deflate, gzip')}`);
    expect(result.body).toEqual(JSON_VALUE);
  });

  it.each(['gzip, zstd', 'compress', 'x-custom'])(
    'fails an unknown coding in "%s" with PROTOCOL naming it, instead of recording coded bytes',
    async (coding) => {
      const error = await failure(get(`/unknown?coding=${encodeURIComponent(coding)}`));
      expect(error.code).toBe('PROTOCOL');
      const unknown = coding.split(',').pop()!.trim();
      expect(error.message).toContain(`"${unknown}" is not a coding Task Scheduler can decode`);
      expect(error.message).toContain('Accept-Encoding');
      expect(error.result).toMatchObject({ statusCode: 200 });
    },
  );

  it('accepts raw deflate data, as browsers do', async () => {
    const { result } = await get('/raw-deflate');
    expect(result.body).toEqual(JSON_VALUE);
  });

  it('advertises only the codings it can decode, unless the configuration sets Accept-Encoding', async () => {
    expect((await get('/accept')).result.body).toBe('gzip, deflate, br');
    const own = await get('/accept', { headers: { 'accept-encoding': 'identity' } });
    expect(own.result.body).toBe('identity');
  });
});

describe('cut-short bodies through the core', () => {
  let app: App;

  beforeAll(async () => {
    app = createApp({ store: new MemoryStore(), executors: { api: new ApiExecutor() } });
    await app.start();
  });

  afterAll(async () => {
    await app.stop();
  });

  async function runApiTask(url: string): Promise<Run> {
    const config = await app.core.call('configs.save', {
      config: { name: 'cut', type: 'api', params: { url } },
    });
    const task = await app.core.call('tasks.save', {
      task: { name: 'cut task', type: 'api', operation: 'read', configId: config.id },
    });
    const run = await app.core.call('tasks.run', { id: task.id });
    return app.core.call('runs.get', { id: run.id });
  }

  it('records a truncated gzip response as a failed run with error code PROTOCOL', async () => {
    const run = await runApiTask(`${server.url}/cut?coding=gzip`);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('PROTOCOL');
    expect(run.error?.message).toContain('does not decode');
    expect(run.result?.body).toBeUndefined();
  });

  it('records a body shorter than its Content-Length as a failed run with error code PROTOCOL', async () => {
    const run = await runApiTask(`${server.url}/short`);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('PROTOCOL');
  });
});
