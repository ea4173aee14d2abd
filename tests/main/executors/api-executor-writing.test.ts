import { describe, expect, it } from 'vitest';
import { execute, failure, target, useApiTarget, type Echo } from './support/api-executor';

useApiTarget();

describe('ApiExecutor writing', () => {
  it('POSTs a JSON body by default for write tasks', async () => {
    const { result } = await execute(
      { url: `${target.url}/echo`, body: { name: 'Zoë', tags: ['a'] } },
      { operation: 'write' },
    );
    const echo = result.body as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.json).toEqual({ name: 'Zoë', tags: ['a'] });
  });

  it.each(['PUT', 'PATCH', 'DELETE'] as const)('sends %s with a JSON body', async (method) => {
    const { result } = await execute(
      { url: `${target.url}/echo`, method, body: { id: 7 } },
      { operation: 'write' },
    );
    expect(result.statusCode).toBe(200);
    expect((result.body as Echo).method).toBe(method);
    expect((result.body as Echo).json).toEqual({ id: 7 });
  });

  it('sends a JSON string body as it is after checking it parses', async () => {
    const { result } = await execute(
      { url: `${target.url}/echo`, body: '{"raw": {{n}}}', variables: { n: '3' } },
      { operation: 'write' },
    );
    expect((result.body as Echo).json).toEqual({ raw: 3 });
  });

  it('sends form bodies url-encoded, repeating keys for lists', async () => {
    const { result } = await execute(
      { url: `${target.url}/echo`, body: { a: 'x y', b: [1, 2], c: true }, bodyType: 'form' },
      { operation: 'write' },
    );
    const echo = result.body as Echo;
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.body).toBe('a=x+y&b=1&b=2&c=true');
  });

  it('sends text bodies as UTF-8 text', async () => {
    const { result } = await execute(
      {
        url: `${target.url}/echo`,
        body: 'hällo {{who}}',
        bodyType: 'text',
        variables: { who: 'du' },
      },
      { operation: 'write' },
    );
    const echo = result.body as Echo;
    expect(echo.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(echo.body).toBe('hällo du');
  });

  it('keeps a Content-Type header the configuration sets', async () => {
    const { result } = await execute(
      {
        url: `${target.url}/echo`,
        headers: { 'content-type': 'application/vnd.api+json' },
        body: { a: 1 },
      },
      { operation: 'write' },
    );
    expect((result.body as Echo).headers['content-type']).toBe('application/vnd.api+json');
  });

  it('turns a POST into a GET without body after a 303, and keeps it after a 307', async () => {
    const seeOther = await execute(
      { url: `${target.url}/redirect?to=/echo&status=303`, body: { a: 1 } },
      { operation: 'write' },
    );
    expect((seeOther.result.body as Echo).method).toBe('GET');
    expect((seeOther.result.body as Echo).body).toBe('');
    expect(seeOther.result.method).toBe('GET');
    const temporary = await execute(
      { url: `${target.url}/redirect?to=/echo&status=307`, body: { a: 1 } },
      { operation: 'write' },
    );
    expect((temporary.result.body as Echo).method).toBe('POST');
    expect((temporary.result.body as Echo).json).toEqual({ a: 1 });
  });

  it.each([
    [{ method: 'GET' as const, body: { a: 1 } }, 'use POST, PUT, PATCH or DELETE'],
    [{ body: '{not json' }, 'not valid JSON'],
    [{ body: { a: 1 }, bodyType: 'text' as const }, 'needs a string body'],
    [{ body: { a: { b: 1 } }, bodyType: 'form' as const }, 'holds an object'],
    [{ body: [1, 2], bodyType: 'form' as const }, 'needs an object of fields'],
  ])('refuses bad write params %j with a clear INVALID_CONFIG', async (params, message) => {
    const before = target.requests.length;
    const error = await failure(
      execute({ url: `${target.url}/echo`, ...params }, { operation: 'write' }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(message);
    expect(error.message).not.toMatch(/^[A-Z]\w+: /);
    expect(target.requests.length).toBe(before);
  });
});
