import { describe, expect, it } from 'vitest';
import {
  BINARY_BODY,
  CSV_BODY,
  JSON_BODY,
  TEXT_BODY,
  type MultipartPart,
} from '../../support/http-target';
import { execute, failure, sha256, target, UNICODE, useFileSandbox } from './support/file-executor';

useFileSandbox();

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
