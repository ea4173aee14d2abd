import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/main/app';
import { MemoryStore } from '../../src/main/store/memory/memory-store';
import { REDACTED, type Configuration } from '../../src/shared/domain';
import { redactConfig, redactUri, restoreSecrets } from '../../src/shared/secrets';

const T = '2026-01-01T00:00:00.000Z';

function api(params: Record<string, unknown>): Configuration {
  return { id: 'a', name: 'a', type: 'api', params, createdAt: T, updatedAt: T } as Configuration;
}
function file(params: Record<string, unknown>): Configuration {
  return { id: 'f', name: 'f', type: 'file', params, createdAt: T, updatedAt: T } as Configuration;
}

const marked = api({
  url: 'https://ann:url-pw@api.example/v1/{{path}}',
  headers: { Authorization: 'Bearer {{tok}}', 'X-Custom-Token': 'hdr-secret', Accept: 'a/b' },
  query: { key: 'query-secret', page: '2' },
  variables: { tok: 'var-secret', path: 'orders' },
  secretVariables: ['tok'],
  secretHeaders: ['x-custom-token'],
  secretQuery: ['key'],
});

describe('secrets the user marks', () => {
  it('redacts marked variables, headers (any case) and query keys and keeps the rest readable', () => {
    expect(redactConfig(marked).params).toEqual({
      url: `https://ann:${REDACTED}@api.example/v1/{{path}}`,
      // The template stays: it names the variable, not its value.
      headers: { Authorization: REDACTED, 'X-Custom-Token': REDACTED, Accept: 'a/b' },
      query: { key: REDACTED, page: '2' },
      variables: { tok: REDACTED, path: 'orders' },
      secretVariables: ['tok'],
      secretHeaders: ['x-custom-token'],
      secretQuery: ['key'],
    });
  });

  it('redacts the password of user:password@ in a file location and the marked file variables', () => {
    const config = file({
      location: 'https://bob:file-pw@files.example/up/{{name}}.csv',
      headers: { 'X-Upload-Key': 'k1' },
      variables: { name: 'report', sig: 'sig-secret' },
      secretVariables: ['sig'],
      secretHeaders: ['X-Upload-Key'],
    });
    expect(redactConfig(config).params).toMatchObject({
      location: `https://bob:${REDACTED}@files.example/up/{{name}}.csv`,
      headers: { 'X-Upload-Key': REDACTED },
      variables: { name: 'report', sig: REDACTED },
    });
    // A local path is never mistaken for a URL.
    expect(redactConfig(file({ location: '/data/a:b@c.txt' })).params).toEqual({
      location: '/data/a:b@c.txt',
    });
  });

  it('hides the whole password of a uri when it holds @, and never an @ after the host', () => {
    expect(redactUri('mongodb://ann:p@ss@w0rd@db.example:27017/app')).toBe(
      `mongodb://ann:${REDACTED}@db.example:27017/app`,
    );
    expect(redactUri('https://ann:pw@host.example/a?mail=x@y.example#@z')).toBe(
      `https://ann:${REDACTED}@host.example/a?mail=x@y.example#@z`,
    );
    // No password at all: a port, a path or a query holding @ stay as they are.
    for (const url of [
      'http://localhost:3000/api?email=a@b.example',
      'http://registry.example:4873/@scope/pkg',
      'mongodb://ann@db.example:27017/?x=a:b@c',
    ]) {
      expect(redactUri(url)).toBe(url);
    }
  });

  it('restores every kind of secret sent back redacted and takes new values as typed', () => {
    const sentBack = { ...redactConfig(marked), name: 'renamed' };
    expect(restoreSecrets(sentBack, marked).params).toEqual(marked.params);
    const edited = {
      ...sentBack,
      params: { ...sentBack.params, variables: { tok: 'new-secret', path: 'orders' } },
    } as Configuration;
    expect(restoreSecrets(edited, marked).params).toMatchObject({
      variables: { tok: 'new-secret', path: 'orders' },
      query: { key: 'query-secret' },
    });
  });

  it('keeps the stored value of a variable that is unmarked while still showing the marker', () => {
    const { secretVariables: _gone, ...unmarked } = redactConfig(marked).params as Record<
      string,
      unknown
    >;
    const restored = restoreSecrets({ ...marked, params: unmarked } as Configuration, marked);
    expect(restored.params).toMatchObject({ variables: { tok: 'var-secret' } });
  });
});

describe('the secret lists in configs.save', () => {
  it('refuses a list naming an entry its map does not have, saying which one', async () => {
    const app = createApp({ store: new MemoryStore(), executors: {} });
    await app.start();
    try {
      const save = (params: Record<string, unknown>): Promise<unknown> =>
        app.core.call('configs.save', { config: { name: 'x', type: 'api', params } });
      await expect(
        save({ url: 'https://h/', variables: { tok: 'v' }, secretVariables: ['tok', 'tokk'] }),
      ).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining(
          'config.params.secretVariables.1: "tokk" is not in variables; list only names that variables has',
        ),
      });
      await expect(save({ url: 'https://h/', secretQuery: ['key'] })).rejects.toMatchObject({
        message: expect.stringContaining('secretQuery.0: "key" is not in query'),
      });
      // Header names match in any case.
      await expect(
        save({ url: 'https://h/', headers: { 'X-Token': 't' }, secretHeaders: ['x-token'] }),
      ).resolves.toMatchObject({ params: { headers: { 'X-Token': REDACTED } } });
    } finally {
      await app.stop();
    }
  });
});
