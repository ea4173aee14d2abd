import { describe, expect, it } from 'vitest';
import { BINARY_BODY, JSON_BODY, TEXT_BODY } from '../../support/http-target';
import { execute, failure, target, useApiTarget, type Echo } from './support/api-executor';

useApiTarget();

describe('ApiExecutor reading', () => {
  it('follows redirects to a JSON resource and keeps the final URL, status, selected headers and parsed body', async () => {
    const { result } = await execute({ url: `${target.url}/redirect-chain/3` });
    expect(result.statusCode).toBe(200);
    expect(result.statusText).toBe('OK');
    expect(result.url).toBe(`${target.url}/json`);
    expect(result.method).toBe('GET');
    expect(result.redirects).toBe(3);
    expect(result.body).toEqual(JSON_BODY);
    const headers = result.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['etag']).toBe('"v1"');
    expect(headers['x-request-id']).toBe('req-123');
    expect(headers['x-internal-noise']).toBeUndefined();
    expect(result.bytes).toBe(Buffer.byteLength(JSON.stringify(JSON_BODY)));
    const timing = result.timing as { totalMs: number; ttfbMs: number };
    expect(timing.totalMs).toBeGreaterThanOrEqual(timing.ttfbMs);
    expect(result.summary).toContain('200 OK');
  });

  it('returns text bodies decoded by their charset', async () => {
    const { result } = await execute({ url: `${target.url}/text` });
    expect(result.body).toBe(TEXT_BODY);
    expect(result.bytes).toBe(Buffer.byteLength(TEXT_BODY));
  });

  it('keeps binary bodies as base64 with a note', async () => {
    const { result } = await execute({ url: `${target.url}/binary` });
    expect(result.bodyEncoding).toBe('base64');
    expect(Buffer.from(result.body as string, 'base64').equals(BINARY_BODY)).toBe(true);
    expect(result.bodyNote).toContain('image/png');
  });

  it('decompresses gzip responses before parsing them', async () => {
    const { result } = await execute({ url: `${target.url}/gzip` });
    expect(result.body).toEqual(JSON_BODY);
  });

  it('sends headers, query parameters and bearer auth from the configuration', async () => {
    const { result } = await execute({
      url: `${target.url}/echo?fixed=1`,
      headers: { 'X-Custom': 'yes' },
      query: { q: 'a b&c', lang: 'de' },
      auth: { kind: 'bearer', token: 'tok-1' },
    });
    const echo = result.body as Echo;
    expect(echo.query).toEqual({ fixed: '1', q: 'a b&c', lang: 'de' });
    expect(echo.headers['x-custom']).toBe('yes');
    expect(echo.headers['authorization']).toBe('Bearer tok-1');
    expect(result.url).toContain('q=a+b%26c');
  });

  it('sends basic auth encoded as the standard requires', async () => {
    const { result } = await execute({
      url: `${target.url}/echo`,
      auth: { kind: 'basic', username: 'anna', password: 'pä:ss' },
    });
    const header = (result.body as Echo).headers['authorization']!;
    expect(header.startsWith('Basic ')).toBe(true);
    expect(Buffer.from(header.slice(6), 'base64').toString('utf8')).toBe('anna:pä:ss');
  });

  it('fills placeholders in url, headers, query and body from variables and allowed env vars', async () => {
    const { result } = await execute(
      {
        url: `${target.url}/{{path}}`,
        method: 'POST',
        headers: { Authorization: 'Bearer {{env.API_TOKEN}}', 'X-Literal': '\\{{kept}}' },
        query: { id: '{{id}}' },
        body: { nested: { list: ['{{id}}', 'x-{{path}}'] }, n: 5 },
        variables: { path: 'echo', id: '42' },
        allowEnv: ['API_TOKEN'],
      },
      { operation: 'read' },
    );
    const echo = result.body as Echo;
    expect(echo.headers['authorization']).toBe('Bearer env-token');
    expect(echo.headers['x-literal']).toBe('{{kept}}');
    expect(echo.query).toEqual({ id: '42' });
    expect(echo.json).toEqual({ nested: { list: ['42', 'x-echo'] }, n: 5 });
  });

  it('refuses an unknown placeholder or a non-allowed env var before sending anything', async () => {
    const before = target.requests.length;
    const unknown = await failure(execute({ url: `${target.url}/echo?x={{nope}}` }));
    expect(unknown.code).toBe('INVALID_CONFIG');
    expect(unknown.message).toBe(
      'url: unknown placeholder {{nope}}; the built-in values are now, run.id, run.scheduledFor, task.id, task.name, and in a chained task input, input.<path>, parent.id, parent.scheduledFor, or add "nope" to params.variables',
    );
    const hidden = await failure(
      execute({ url: `${target.url}/echo`, headers: { 'X-A': '{{env.HIDDEN}}' } }),
    );
    expect(hidden.code).toBe('INVALID_CONFIG');
    expect(hidden.message).toContain('params.allowEnv');
    expect(hidden.message).not.toContain('hidden-value');
    expect(target.requests.length).toBe(before);
  });
});
