/**
 * Placeholders that can never be filled are refused when a configuration is saved or tested
 * (issue #15, "bad input"): a syntax error, an unknown filter, a malformed date pattern or zone,
 * an undefined variable, an environment variable not allowed. Nothing is stored; the error points
 * at the field. `{{input…}}` passes here (whether the task is chained is `tasks.save`'s check).
 */
import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../../src/shared/contract';
import { call, useCoreApp } from './support/core-app';

useCoreApp();

type ConfigInput = MethodParams<'configs.save'>['config'];

const api = (params: Record<string, unknown>): ConfigInput =>
  ({
    name: 'Rates',
    type: 'api',
    params: { url: 'http://127.0.0.1:9/rates', ...params },
  }) as ConfigInput;

async function refusal(config: ConfigInput): Promise<{
  code: string;
  message: string;
  details?: { issues: { path: string[]; message: string }[] };
}> {
  const error = await call('configs.save', { config }).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string; details?: never },
  );
  if (!error) throw new Error('configs.save accepted the configuration');
  return error;
}

describe('placeholders checked at configs.save', () => {
  it.each([
    ['an unknown filter', { url: 'http://127.0.0.1:9/{{now | upper}}' }, /upper/],
    [
      'a malformed date pattern',
      { url: 'http://127.0.0.1:9/{{now | date: "yyyy-MM-dd\'T"}}' },
      /date/i,
    ],
    [
      'an unknown zone',
      { url: 'http://127.0.0.1:9/{{now | date: "yyyy" : "Mars/Phobos"}}' },
      /Mars\/Phobos/,
    ],
    ['a placeholder left open', { headers: { 'X-Day': '{{run.scheduledFor' } }, /\{\{/],
    ['an undefined variable', { query: { customer: '{{customer}}' } }, /customer/],
    [
      'an environment variable not allowed',
      { body: { token: '{{env.TOKEN}}' } },
      /TOKEN[\s\S]*allowEnv/,
    ],
  ])('refuses %s, naming the field, and stores nothing', async (_what, params, pattern) => {
    const error = await refusal(api(params));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(pattern);
    const field = Object.keys(params)[0]!;
    expect(error.details?.issues[0]?.path).toEqual(['config', 'params', field]);
    expect(await call('configs.list', {})).toEqual([]);
  });

  it('accepts the built-ins, filters, defined variables, allowed env names and input placeholders', async () => {
    const saved = await call('configs.save', {
      config: api({
        url: 'http://127.0.0.1:9/{{run.scheduledFor | date: "yyyy-MM-dd" : "Europe/Berlin"}}/{{region}}',
        headers: { 'X-Task': '{{task.name | urlencode}}', Authorization: 'Bearer {{env.TOKEN}}' },
        body: { items: '{{input.body.items}}', parent: '{{parent.id}}' },
        variables: { region: 'eu' },
        allowEnv: ['TOKEN'],
      }),
    });
    expect(saved.id).toBeTruthy();
  });

  it('leaves secrets and variable values alone: a password holding "{{" is not a placeholder', async () => {
    const saved = await call('configs.save', {
      config: api({
        auth: { kind: 'basic', username: 'u', password: 'p{{w' },
        variables: { note: 'a {{ b' },
      }),
    });
    expect(saved.id).toBeTruthy();
  });

  it('refuses the same at configs.test, before anything is sent', async () => {
    const error = await call('configs.test', {
      config: api({ url: 'http://127.0.0.1:9/{{nope}}' }),
      operation: 'read',
    }).then(
      () => undefined,
      (e: unknown) => e as { code: string },
    );
    expect(error?.code).toBe('VALIDATION');
    expect((await call('runs.list', {})).items).toEqual([]);
  });

  it('refuses a variable placeholder in a db configuration, which has no variables', async () => {
    const error = await refusal({
      name: 'orders',
      type: 'db',
      params: {
        uri: 'postgres://app@127.0.0.1:5432/shop',
        query: { sql: 'SELECT * FROM orders WHERE day = $1', params: ['{{day}}'] },
      },
    } as ConfigInput);
    expect(error.message).toMatch(/day/);
    expect(error.details?.issues[0]?.path).toEqual(['config', 'params', 'query']);
  });
});
