import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { RedactingExecutor, secretValuesOf } from '../../../src/main/executors/redacting-executor';
import { REDACTED, type Configuration } from '../../../src/shared/domain';
import type { TemplateContext } from '../../../src/shared/templates';
import { TEXT_BODY, startHttpTarget, type HttpTarget } from '../../support/http-target';

const T0 = '2026-01-01T00:00:00.000Z';
const SIG = 'sig 42/ü+=&x';

let target: HttpTarget;
let api: RedactingExecutor<'api'>;
let file: RedactingExecutor<'file'>;

beforeAll(async () => {
  target = await startHttpTarget();
  const env = { KEY: 'env-key-9' };
  api = new RedactingExecutor(new ApiExecutor({ env }), env);
  file = new RedactingExecutor(new FileExecutor({ env: {} }), {});
});
afterAll(async () => {
  await api.close();
  await file.close();
  await target.close();
});

function request<T extends 'api' | 'file'>(
  type: T,
  params: Record<string, unknown>,
  template?: TemplateContext,
) {
  return {
    task: undefined,
    template,
    operation: 'read' as const,
    config: { id: 'c', name: 'c', type, params, createdAt: T0, updatedAt: T0 } as Extract<
      Configuration,
      { type: T }
    >,
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
  };
}

/** Every form of SIG a URL can hold. */
function holdsSig(text: string): boolean {
  return [SIG, encodeURIComponent(SIG), new URLSearchParams({ s: SIG }).toString().slice(2)].some(
    (form) => text.includes(form),
  );
}

describe('RedactingExecutor', () => {
  it('takes the values of secret fields as typed or filled in, and URL-encoded', () => {
    const values = secretValuesOf(
      request('api', {
        url: 'https://h/',
        query: { k: '{{env.KEY}}' },
        allowEnv: ['KEY'],
        secretQuery: ['k'],
      }).config,
      { KEY: 'a b' },
    );
    expect(values).toEqual(expect.arrayContaining(['a b', 'a%20b', 'a+b']));
    // The template names the secret; it stays readable in placeholder errors.
    expect(values).not.toContain('{{env.KEY}}');
  });

  it('redacts a secret variable filled into the URL from a timeout message', async () => {
    const run = api.execute(
      request('api', {
        url: `${target.url}/slow?ms=2000&sig={{sig}}`,
        variables: { sig: SIG },
        secretVariables: ['sig'],
        timeoutMs: 50,
      }),
    );
    const error = (await run.catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(`sig=${REDACTED} did not answer within 50 ms`);
    expect(holdsSig(error.message)).toBe(false);
  });

  it('redacts a secret query value filled from an allowed env var from result.url and summary', async () => {
    const { result } = await api.execute(
      request('api', {
        url: `${target.url}/json`,
        query: { key: '{{env.KEY}}' },
        allowEnv: ['KEY'],
        secretQuery: ['key'],
      }),
    );
    expect(result['url']).toBe(`${target.url}/json?key=${REDACTED}`);
    expect(JSON.stringify(result)).not.toContain('env-key-9');
    expect(target.requests.at(-1)!.url).toBe('/json?key=env-key-9');
  });

  it('redacts a secret variable in a file URL from result.location and result.url but keeps the data', async () => {
    const { result } = await file.execute(
      request('file', {
        location: `${target.url}/text?sig={{sig}}`,
        variables: { sig: SIG },
        secretVariables: ['sig'],
      }),
    );
    expect(result['location']).toBe(`${target.url}/text?sig=${REDACTED}`);
    expect(holdsSig(JSON.stringify(result))).toBe(false);
    expect(result.data).toBe(TEXT_BODY);
  });

  it('redacts a secret filled from the parent run, with each run its own value', async () => {
    const config = request('api', {
      url: `${target.url}/json`,
      query: { key: '{{input.body.token}}' },
      secretQuery: ['key'],
    }).config;
    for (const token of ['first token/1', 'second token/2']) {
      const template: TemplateContext = {
        now: T0,
        run: { id: 'r', scheduledFor: T0 },
        task: { id: 't', name: 't' },
        parent: { id: 'p', scheduledFor: T0 },
        input: { result: { body: { token } } },
      };
      const { result } = await api.execute({ ...request('api', {}, template), config });
      expect(result['url']).toBe(`${target.url}/json?key=${REDACTED}`);
      expect(result['summary']).not.toContain('token');
      expect(target.requests.at(-1)!.url).toBe(
        `/json?${new URLSearchParams({ key: token }).toString()}`,
      );
    }
  });

  it('redacts a secret variable whose value holds {{, which is sent as it is', async () => {
    const { result } = await api.execute(
      request('api', {
        url: `${target.url}/json?k={{k}}`,
        variables: { k: 'pa{{ss' },
        secretVariables: ['k'],
      }),
    );
    expect(result['url']).toBe(`${target.url}/json?k=${REDACTED}`);
    expect(target.requests.at(-1)!.url).toBe('/json?k=pa%7B%7Bss');
  });

  it('redacts a secret variable percent-encoded into a URL path', async () => {
    const error = (await api
      .execute(
        request('api', {
          url: `${target.url}/status/404/{{sig}}`,
          variables: { sig: "it's (secret)!" },
          secretVariables: ['sig'],
        }),
      )
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toContain(`/status/404/${REDACTED} answered 404`);
    expect(error.message).not.toContain('secret');
  });
});
