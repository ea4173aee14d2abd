import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { TaskError, type ExecutionOutcome } from '../../../src/main/executors/types';
import type { FileParams } from '../../../src/shared/domain';
import { startHttpTarget } from '../../support/http-target';
import { rawResponse, startRawServer, type RawServer } from './raw-http-server';

const T0 = '2026-01-01T00:00:00.000Z';
/** `€ “q”` in windows-1252: 0x80 is €, 0x93 and 0x94 are the curly double quotes. */
const CP1252_BYTES = Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94]);
const CP1252_TEXT = '€ “q”';

let server: RawServer;
let dir: string;
const api = new ApiExecutor();
const file = new FileExecutor({ homeDir: os.tmpdir() });

beforeAll(async () => {
  server = await startRawServer(({ path: url }) => {
    const [route = '', query = ''] = url.split('?');
    const type = new URLSearchParams(query).get('type') ?? 'text/plain';
    if (route === '/bytes') {
      const hex = new URLSearchParams(query).get('hex') ?? '';
      return rawResponse({ 'content-type': type, connection: 'close' }, Buffer.from(hex, 'hex'));
    }
    if (route === '/upload') return rawResponse({ connection: 'close' }, 'ok');
    return rawResponse({ connection: 'close' }, 'no such route', '404 Not Found');
  });
});

afterAll(async () => {
  await api.close();
  await file.close();
  await server.close();
});

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'charset-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function getBytes(bytes: Buffer, contentType: string): Promise<ExecutionOutcome> {
  const url = `${server.url}/bytes?hex=${bytes.toString('hex')}&type=${encodeURIComponent(contentType)}`;
  return api.execute({
    task: undefined,
    operation: 'read',
    config: { id: 'c1', name: 'cfg', type: 'api', params: { url }, createdAt: T0, updatedAt: T0 },
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
  });
}

function runFile(
  params: FileParams,
  operation: 'read' | 'write' = 'read',
): Promise<ExecutionOutcome> {
  return file.execute({
    task: undefined,
    operation,
    config: { id: 'c2', name: 'cfg', type: 'file', params, createdAt: T0, updatedAt: T0 },
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
  });
}

describe('legacy charsets in HTTP responses', () => {
  it('decodes windows-1252 bytes 0x80, 0x93 and 0x94 as €, “ and ”', async () => {
    const { result } = await getBytes(CP1252_BYTES, 'text/plain; charset=windows-1252');
    expect(result.body).toBe(CP1252_TEXT);
  });

  it.each(['ISO-8859-1', 'latin1', 'us-ascii', 'cp1252'])(
    'reads the charset label %s as windows-1252, as browsers do',
    async (label) => {
      const { result } = await getBytes(CP1252_BYTES, `text/plain; charset="${label}"`);
      expect(result.body).toBe(CP1252_TEXT);
    },
  );

  it('keeps the five bytes windows-1252 leaves undefined as the C1 controls of their value', async () => {
    const { result } = await getBytes(
      Buffer.from([0x41, 0x81, 0x8d, 0x80]),
      'text/plain; charset=windows-1252',
    );
    expect(result.body).toBe('A\u0081\u008d€');
  });

  it('decodes other legacy charsets too: KOI8-R and Shift_JIS', async () => {
    const koi8 = await getBytes(
      Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]),
      'text/plain; charset=koi8-r',
    );
    expect(koi8.result.body).toBe('Привет');
    const sjis = await getBytes(
      Buffer.from([0x93, 0x8c, 0x8b, 0x9e]),
      'text/plain; charset=Shift_JIS',
    );
    expect(sjis.result.body).toBe('東京');
  });

  it('decodes a windows-1252 JSON body before parsing it', async () => {
    const json = Buffer.concat([
      Buffer.from('{"price":"'),
      Buffer.from([0x80]),
      Buffer.from('5"}'),
    ]);
    const { result } = await getBytes(json, 'application/json; charset=windows-1252');
    expect(result.body).toEqual({ price: '€5' });
  });

  it('keeps UTF-8 and UTF-16 decoding as before', async () => {
    const utf8 = await getBytes(Buffer.from('€ “q”', 'utf8'), 'text/plain; charset=utf-8');
    expect(utf8.result.body).toBe(CP1252_TEXT);
    const utf16 = await getBytes(Buffer.from('€ “q”', 'utf16le'), 'text/plain; charset=utf-16le');
    expect(utf16.result.body).toBe(CP1252_TEXT);
  });

  it('keeps a body in an unknown charset as base64 with a note', async () => {
    const { result } = await getBytes(CP1252_BYTES, 'text/plain; charset=x-no-such-charset');
    expect(result.bodyEncoding).toBe('base64');
    expect(Buffer.from(result.body as string, 'base64').equals(CP1252_BYTES)).toBe(true);
    expect(result.bodyNote).toContain('unknown charset "x-no-such-charset"');
  });
});

describe('latin1 file reads and writes', () => {
  it('reads a latin1 file with bytes 0x80, 0x93 and 0x94 as €, “ and ”', async () => {
    const target = path.join(dir, 'in.txt');
    await fs.writeFile(target, CP1252_BYTES);
    const { result } = await runFile({ location: target, encoding: 'latin1' });
    expect(result.data).toBe(CP1252_TEXT);
  });

  it('reads latin1 CSV and JSON files by the same charset', async () => {
    const csv = path.join(dir, 'in.csv');
    await fs.writeFile(
      csv,
      Buffer.concat([
        Buffer.from('item,price\r\nbook,'),
        Buffer.from([0x80]),
        Buffer.from('5\r\n'),
      ]),
    );
    const read = await runFile({ location: csv, encoding: 'latin1', format: 'csv' });
    expect(read.result.rows).toEqual([{ item: 'book', price: '€5' }]);
    const json = path.join(dir, 'in.json');
    await fs.writeFile(
      json,
      Buffer.concat([Buffer.from('{"q":"'), Buffer.from([0x93, 0x71, 0x94]), Buffer.from('"}')]),
    );
    expect(
      (await runFile({ location: json, encoding: 'latin1', format: 'json' })).result.data,
    ).toEqual({ q: '“q”' });
  });

  it('decodes a latin1 download by the configured encoding', async () => {
    const location = `${server.url}/bytes?hex=${CP1252_BYTES.toString('hex')}`;
    const { result } = await runFile({ location, encoding: 'latin1' });
    expect(result.data).toBe(CP1252_TEXT);
  });

  it('writes € and curly quotes in latin1 as the windows-1252 bytes, and reads them back', async () => {
    const target = path.join(dir, 'out.txt');
    await runFile({ location: target, encoding: 'latin1', content: CP1252_TEXT }, 'write');
    expect(await fs.readFile(target)).toEqual(CP1252_BYTES);
    expect((await runFile({ location: target, encoding: 'latin1' })).result.data).toBe(CP1252_TEXT);
  });

  it('refuses latin1 content with a character windows-1252 cannot hold, naming it, and writes nothing', async () => {
    const target = path.join(dir, 'out.txt');
    let error: unknown;
    try {
      await runFile({ location: target, encoding: 'latin1', content: 'Grüße aus 東京' }, 'write');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).code).toBe('INVALID_CONFIG');
    expect((error as TaskError).message).toContain('"東" (U+6771) cannot be written in latin1');
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('uploads latin1 text as windows-1252 bytes labelled charset=windows-1252', async () => {
    const target = await startHttpTarget();
    try {
      const { result } = await runFile(
        { location: `${target.url}/upload`, encoding: 'latin1', content: CP1252_TEXT },
        'write',
      );
      expect(result.body).toMatchObject({
        contentType: 'text/plain; charset=windows-1252',
        bytes: CP1252_BYTES.length,
      });
      expect(target.requests.at(-1)?.body.equals(CP1252_BYTES)).toBe(true);
    } finally {
      await target.close();
    }
  });
});
