/**
 * "Copy as cURL" command lines (components/curl.ts) and the route query parser (router.ts).
 */
import { describe, expect, it } from 'vitest';
import { curlOfRun, hasRedacted, shellQuote } from '../../src/renderer/src/components/curl';
import { parseRouteQuery } from '../../src/renderer/src/router';
import { REDACTED } from '../../src/shared/domain';

const apiRun = (
  config: Record<string, unknown>,
  operation: 'read' | 'write' = 'read',
): Parameters<typeof curlOfRun>[0] => ({ type: 'api', operation, config });

describe('a curl command of an api run', () => {
  it('quotes shell words, a single quote included', () => {
    expect(shellQuote('plain-word')).toBe('plain-word');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });

  it('sends a JSON body of a write task with POST and its content type', () => {
    expect(curlOfRun(apiRun({ url: 'https://x.test/a', body: { n: 1 } }, 'write'))).toBe(
      `curl -X POST https://x.test/a -H 'Content-Type: application/json' --data-raw '{"n":1}'`,
    );
  });

  it('sends a form body field by field and a text body as it is', () => {
    expect(
      curlOfRun(
        apiRun({ url: 'https://x.test/', method: 'PUT', bodyType: 'form', body: { a: 'b c' } }),
      ),
    ).toBe(`curl -X PUT https://x.test/ --data-urlencode 'a=b c'`);
    expect(curlOfRun(apiRun({ url: 'https://x.test/', bodyType: 'text', body: 'hi there' }))).toBe(
      `curl -X GET https://x.test/ --data-raw 'hi there'`,
    );
  });

  it('keeps the redaction marker where the snapshot has a secret', () => {
    const command = curlOfRun(
      apiRun({
        url: 'https://x.test/?a=1',
        query: { key: REDACTED },
        auth: { kind: 'basic', username: 'me', password: REDACTED },
      }),
    )!;
    expect(command).toBe(`curl -X GET 'https://x.test/?a=1&key=${REDACTED}' -u 'me:${REDACTED}'`);
    expect(hasRedacted(command)).toBe(true);
  });

  it('is not offered for other runs or a snapshot without a url', () => {
    expect(curlOfRun({ type: 'db', operation: 'read', config: { uri: 'x' } })).toBeUndefined();
    expect(curlOfRun(apiRun({}))).toBeUndefined();
  });
});

describe('the route query', () => {
  it('reads the values after the first question mark', () => {
    expect(parseRouteQuery('#/history?task=abc&x=1')).toEqual({ task: 'abc', x: '1' });
    expect(parseRouteQuery('#/history?task=a%20b')).toEqual({ task: 'a b' });
  });

  it('never throws: a broken escape reads as U+FFFD, empty and repeated values are left out', () => {
    expect(parseRouteQuery('#/history?task=%E0')).toEqual({ task: '\uFFFD' });
    expect(parseRouteQuery('#/history?task=&task=b&task=c')).toEqual({ task: 'b' });
    expect(parseRouteQuery('#/history')).toEqual({});
    expect(Object.getPrototypeOf(parseRouteQuery('#/h?__proto__=x'))).toBeNull();
  });
});
