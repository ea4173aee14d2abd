import { describe, expect, it } from 'vitest';
import { REDACTED, type Configuration } from '../../src/shared/domain';
import { redactConfig, redactUri, restoreSecrets } from '../../src/shared/secrets';

const T = '2026-01-01T00:00:00.000Z';

describe('secret redaction', () => {
  it('hides the password inside a MongoDB uri and keeps the rest readable', () => {
    expect(redactUri('mongodb://ann:s3cr%40t@db.example:27017/app?authSource=admin')).toBe(
      `mongodb://ann:${REDACTED}@db.example:27017/app?authSource=admin`,
    );
    expect(redactUri('mongodb+srv://ann:pw@cluster.example/')).toBe(
      `mongodb+srv://ann:${REDACTED}@cluster.example/`,
    );
    expect(redactUri('mongodb://db.example/')).toBe('mongodb://db.example/');
  });

  it('hides the password of PostgreSQL, MySQL/MariaDB and Redis uris, even one holding @ or :', () => {
    const cases: Array<[string, string]> = [
      ['postgres://u:p@ss:w@h:5432/db', `postgres://u:${REDACTED}@h:5432/db`],
      ['postgresql://u:pw@h/db', `postgresql://u:${REDACTED}@h/db`],
      ['mysql://root:x@y@127.0.0.1/test', `mysql://root:${REDACTED}@127.0.0.1/test`],
      ['mariadb://a:b@h', `mariadb://a:${REDACTED}@h`],
      ['redis://:pw@h:6379', `redis://:${REDACTED}@h:6379`],
      ['rediss://u:p:q@h', `rediss://u:${REDACTED}@h`],
      ['sqlite:///tmp/x.db', 'sqlite:///tmp/x.db'],
    ];
    for (const [uri, shown] of cases) expect(redactUri(uri), uri).toBe(shown);
  });

  it('hides bearer tokens, basic passwords and sensitive headers of api configurations', () => {
    const config: Configuration = {
      id: 'c',
      name: 'c',
      type: 'api',
      params: {
        url: 'https://api.example/',
        headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k', Accept: 'application/json' },
        auth: { kind: 'basic', username: 'ann', password: 'pw' },
      },
      createdAt: T,
      updatedAt: T,
    };
    const redacted = redactConfig(config);
    expect(redacted.params).toEqual({
      url: 'https://api.example/',
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, Accept: 'application/json' },
      auth: { kind: 'basic', username: 'ann', password: REDACTED },
    });
    expect(config.params).toMatchObject({ auth: { password: 'pw' } });
  });

  it('restores stored secrets where an edit sent the redacted value back, and keeps new ones', () => {
    const stored: Configuration = {
      id: 'c',
      name: 'c',
      type: 'db',
      params: { uri: 'mongodb://ann:pw@h/', database: 'd', collection: 'c', count: {} },
      createdAt: T,
      updatedAt: T,
    };
    const sentBack = { ...redactConfig(stored), name: 'renamed' };
    expect(restoreSecrets(sentBack, stored).params).toMatchObject({ uri: 'mongodb://ann:pw@h/' });
    const changed = { ...sentBack, params: { ...sentBack.params, uri: 'mongodb://ann:new@h/' } };
    expect(restoreSecrets(changed, stored).params).toMatchObject({ uri: 'mongodb://ann:new@h/' });
  });
});
